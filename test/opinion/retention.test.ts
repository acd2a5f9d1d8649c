import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { ManualClock } from '../../src/shared/clock.js';
import { storeBatch, itemSchema, itemKey } from '../../src/opinion/ingest.js';
import { dropExpired } from '../../src/opinion/partitions.js';
import { ingest, ingestToken } from '../support/opinion.js';

const clock = new ManualClock('2025-07-01T04:00:00Z');
let tp: TestPlatform;

beforeAll(async () => {
  tp = await startTestPlatform({ clock, start: false, env: { OPINION_RETENTION_DAYS: '90' } });
});
afterAll(async () => tp.close());

const partitions = async () =>
  (
    await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'opinion_items'::regclass order by 1
    `.execute(tp.db.db)
  ).rows.map((r) => r.name);

it('refuses items older than the retention period', async () => {
  const token = await ingestToken(tp);
  const res = await ingest(tp, token, [
    {
      source: 's',
      channel: 'weibo',
      externalId: 'old',
      content: '旧帖子',
      publishedAt: '2025-03-01T08:00:00+08:00',
    },
  ]).expect(200);
  expect(res.body.rejected).toEqual([expect.objectContaining({ index: 0, field: 'publishedAt' })]);
});

it('drops whole monthly partitions past retention, with their keys and queue rows', async () => {
  const raw = itemSchema.parse({
    source: 's',
    channel: 'weibo',
    externalId: 'm1',
    content: '三月份的帖子',
    publishedAt: '2025-03-10T08:00:00+08:00',
  });
  const publishedAt = new Date(raw.publishedAt);
  expect(
    await storeBatch(tp.db.db, [{ key: itemKey(raw, publishedAt), publishedAt, item: raw }], clock.now()),
  ).toBe(1);
  expect(await partitions()).toContain('opinion_items_p202503');
  const dropped = await dropExpired(tp.db.db, new Date(clock.now().getTime() - 90 * 86400_000));
  expect(dropped).toEqual(['opinion_items_p202503']);
  expect(await partitions()).not.toContain('opinion_items_p202503');
  const left = await sql<{ keys: number; queued: number }>`
    select (select count(*)::int from opinion_item_keys) as keys, (select count(*)::int from opinion_queue) as queued
  `.execute(tp.db.db);
  expect(left.rows[0]).toEqual({ keys: 0, queued: 0 });
});
