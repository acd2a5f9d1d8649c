import request from 'supertest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { ManualClock } from '../../src/shared/clock.js';
import { crawlerDelivery } from '../support/opinion-fixtures.js';
import { ingest, ingestToken, payload, workerOf } from '../support/opinion.js';

const NOW = new Date('2025-06-12T08:00:00Z');
const BASE = new Date('2025-06-12T06:00:00Z');
let tp: TestPlatform;
let token: string;

beforeAll(async () => {
  tp = await startTestPlatform({ clock: new ManualClock(NOW) });
  token = await ingestToken(tp);
});
afterAll(async () => tp.close());

const item = (over: Record<string, unknown> = {}) => ({
  source: 'weibo-crawler',
  channel: 'weibo',
  externalId: `x-${Math.random().toString(36).slice(2)}`,
  content: '青石镇今天下午停电了，什么时候恢复？',
  author: '网友',
  publishedAt: '2025-06-12T07:30:00+08:00',
  ...over,
});

describe('POST /api/opinion/items', () => {
  it('needs the ingest scope', async () => {
    await request(tp.url)
      .post('/api/opinion/items')
      .send({ items: [item()] })
      .expect(401);
    const readOnly = await ingestToken(tp, ['read']);
    await ingest(tp, readOnly, [item()]).expect(403);
  });

  it('accepts a batch, is idempotent on re-send, and reports duplicates', async () => {
    const items = payload(crawlerDelivery(), BASE);
    const first = await ingest(tp, token, items).expect(200);
    expect(first.body).toEqual({ accepted: items.length, duplicates: 0, rejected: [] });
    const again = await ingest(tp, token, items).expect(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: items.length, rejected: [] });
  });

  it('deduplicates by URL and by content fingerprint when there is no externalId', async () => {
    const byUrl = item({ externalId: undefined, url: 'https://news.example.cn/a/1.html' });
    const byContent = item({ externalId: undefined, content: '没有编号也没有链接的帖子' });
    expect((await ingest(tp, token, [byUrl, byContent]).expect(200)).body.accepted).toBe(2);
    const again = await ingest(tp, token, [byUrl, byContent, byContent]).expect(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
  });

  it('rejects a bad item alone, naming the field', async () => {
    const res = await ingest(tp, token, [
      item(),
      item({ channel: '电报' }),
      item({ content: '   ' }),
      item({ publishedAt: '2025-06-12T18:30:00+08:00' }),
      item({ publishedAt: 'yesterday' }),
      item({ url: 'ftp://x' }),
      'not an object',
      item({ channel: '微信' }),
      item({ channel: '12345热线', author: undefined }),
    ]).expect(200);
    expect(res.body.accepted).toBe(3);
    expect(res.body.rejected.map((r: { index: number; field: string }) => [r.index, r.field])).toEqual([
      [1, 'channel'],
      [2, 'content'],
      [3, 'publishedAt'],
      [4, 'publishedAt'],
      [5, 'url'],
      [6, '(body)'],
    ]);
    expect(res.body.rejected[2].error).toContain('晚于当前时间');
  });

  it('refuses oversized batches with 413 and a malformed body with 400', async () => {
    const many = Array.from({ length: 1001 }, () => item());
    const big = await ingest(tp, token, many);
    expect(big.status).toBe(413);
    expect(big.headers['content-type']).toMatch(/problem\+json/);
    const bad = await request(tp.url)
      .post('/api/opinion/items')
      .set('Authorization', `Bearer ${token}`)
      .send({ things: [] });
    expect(bad.status).toBe(400);
  });

  it('analyses every stored item and reports stats', async () => {
    await workerOf(tp).drain();
    const { body: stats } = await request(tp.url)
      .get('/api/opinion/stats')
      .set('Authorization', `Bearer ${await ingestToken(tp, ['read'])}`)
      .expect(200);
    expect(stats.pending).toBe(0);
    expect(stats.analysed).toBe(stats.items);
    expect(stats.items).toBe(crawlerDelivery().length + 2 + 3);
    expect(stats.events).toBeGreaterThanOrEqual(3);
  });

  it('refuses a body that is not UTF-8 (GBK sent as UTF-8) and stores nothing of it', async () => {
    const queued = async () =>
      (
        await tp.db.db
          .selectFrom('opinion_item_keys')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await queued();
    const json = JSON.stringify({ items: [item({ externalId: 'gbk-1', content: 'PLACEHOLDER' })] });
    const [head, tail] = json.split('PLACEHOLDER') as [string, string];
    // 你好 in GBK: valid JSON bytes around it, invalid UTF-8 inside the string.
    const body = Buffer.concat([Buffer.from(head), Buffer.from([0xc4, 0xe3, 0xba, 0xc3]), Buffer.from(tail)]);
    const res = await fetch(`${tp.url}/api/opinion/items`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/UTF-8/);
    expect(await queued()).toBe(before);
    // The same text in UTF-8 is taken.
    await ingest(tp, token, [item({ externalId: 'gbk-1', content: '你好' })]).expect(200);
    expect(Number(await queued())).toBe(Number(before) + 1);
  });
});
