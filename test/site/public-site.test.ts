import request from 'supertest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { cast, published, send, actor } from '../policies/support.js';

let tp: TestPlatform;
let tp2: TestPlatform;
let c: Awaited<ReturnType<typeof cast>>;
beforeAll(async () => {
  tp = await startTestPlatform();
  // A second node on the same database: it learns of changes only through NOTIFY.
  tp2 = await startTestPlatform({ db: tp.db });
  c = await cast(tp);
}, 120_000);
afterAll(async () => {
  await tp2.close();
  await tp.close();
});

/** Database connections taken from a platform's pool while `fn` runs. */
async function connectionsDuring(t: TestPlatform, fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const count = () => n++;
  t.platform.core.pool.on('acquire', count);
  try {
    await fn();
  } finally {
    t.platform.core.pool.off('acquire', count);
  }
  return n;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('public pages hold a surge', () => {
  it('send Cache-Control, a strong ETag and Last-Modified, gzip, and answer a conditional GET with 304 without touching the database', async () => {
    const { id } = await published(c.drafterA, c.supervisor, { title: '关于加强城市排水防涝工作的通知' });
    const url = `/policies/${id}`;
    const first = await until(
      () => request(tp.url).get(url).set('accept-encoding', 'gzip'),
      (r) => r.status === 200 && r.text.includes('关于加强城市排水防涝工作的通知'),
    );
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers.etag).toMatch(/^"[^W].*-gz"$/);
    expect(Date.parse(first.headers['last-modified']!)).toBeGreaterThan(0);

    // From memory: no connection is taken for the same page again, nor for a conditional GET.
    expect(await connectionsDuring(tp, () => request(tp.url).get(url).expect(200))).toBe(0);
    const notModified = await connectionsDuring(tp, () =>
      request(tp.url).get(url).set('if-none-match', first.headers.etag!).expect(304),
    );
    expect(notModified).toBe(0);
    await request(tp.url).get(url).set('if-modified-since', first.headers['last-modified']!).expect(304);

    // The other node renders the same bytes for the same version: it answers the same ETag.
    const other = await request(tp2.url).get(url).set('if-none-match', first.headers.etag!);
    expect(other.status).toBe(304);
  });

  it('drops cached pages and filter lists on every node when a document or interpretation changes', async () => {
    const list = async (t: TestPlatform) => request(t.url).get('/policies?limit=100');
    const before = await list(tp2);
    expect(before.status).toBe(200);
    const { id } = await published(c.drafterB, c.supervisor, { title: '关于开展职业技能提升行动的通知' });
    // Node 2 did not take part in the change: the NOTIFY tells it.
    const after = await until(
      () => list(tp2),
      (r) => r.text.includes('关于开展职业技能提升行动的通知'),
    );
    expect(after.text).toContain('关于开展职业技能提升行动的通知');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    // The department filter now offers the new document's department.
    expect(after.text).toContain(`<option value="${c.deptB.id}"`);
    await request(tp2.url).get('/policies?limit=100').set('if-none-match', before.headers.etag!).expect(200);

    await send(c.drafterB, 'post', `/api/policies/${id}/interpretations`, {
      form: 'text',
      title: '职业技能提升行动政策解读',
      publishedAt: new Date().toISOString(),
    }).expect(201);
    const page = await until(
      () => request(tp2.url).get(`/policies/${id}`),
      (r) => r.text.includes('职业技能提升行动政策解读'),
    );
    expect(page.text).toContain('职业技能提升行动政策解读');
  });

  it('never caches what signed-in staff see', async () => {
    const res = await c.supervisor.agent.get('/policies').expect(200);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    expect(res.text).toContain('返回工作平台');
    const anon = await request(tp.url).get('/policies').expect(200);
    expect(anon.text).not.toContain('返回工作平台');
  });
});

describe('回应关切', () => {
  it('lists only the responses marked public, newest first, linked with the policy pages both ways', async () => {
    const { id: policyId } = await published(c.drafterA, c.supervisor, {
      title: '关于规范住宅小区物业服务收费的通知',
    });
    const analyst = await actor(tp, ['analyst']);
    const ev = await send(analyst, 'post', '/api/opinion/events', {
      title: '多个小区物业费上涨引发业主不满',
      detectedAt: new Date(Date.now() - 10 * 3_600_000).toISOString(),
      severity: 'general',
      emergency: false,
    }).expect(201);
    const eventId = ev.body.event?.id ?? ev.body.id;
    await tp.platform.core.db
      .updateTable('opinion_events')
      .set({ policy_ids: [policyId] })
      .where('id', '=', eventId)
      .execute();
    const act = (body: object) =>
      send(analyst, 'post', `/api/opinion/events/${eventId}/actions`, body).expect(201);
    await act({
      kind: 'response',
      occurredAt: new Date(Date.now() - 5 * 3_600_000).toISOString(),
      channel: '区政府网站',
      text: '物业服务收费须按规定公示，未经业主大会同意不得上涨。',
      public: true,
    });
    await act({
      kind: 'follow_up',
      occurredAt: new Date(Date.now() - 4 * 3_600_000).toISOString(),
      text: '内部工作群通报处理进展（不公开）',
    });
    await act({
      kind: 'press_conference',
      planned: true,
      plannedAt: new Date(Date.now() + 20 * 3_600_000).toISOString(),
      place: '区政府新闻发布厅',
      spokesperson: '区住建局局长',
      keyPoints: '物业收费专项检查安排',
      public: true,
    });

    const column = await until(
      () => request(tp2.url).get('/concerns'),
      (r) => r.text.includes('区政府新闻发布厅'),
    );
    expect(column.status).toBe(200);
    expect(column.headers['cache-control']).toBe('public, max-age=60');
    expect(column.text).not.toContain('内部工作群通报处理进展');
    // Newest first: the planned conference (tomorrow) before the response (5 h ago).
    expect(column.text.indexOf('区政府新闻发布厅')).toBeLessThan(
      column.text.indexOf('物业服务收费须按规定公示'),
    );
    expect(column.text).toContain('发布人：区住建局局长');
    expect(column.text).toContain(`href="/policies/${policyId}"`);
    expect(column.text).toContain(`href="/concerns/${eventId}"`);

    const matter = await request(tp.url).get(`/concerns/${eventId}`).expect(200);
    expect(matter.text).toContain('多个小区物业费上涨引发业主不满');
    expect(matter.text).toContain(`href="/policies/${policyId}"`);
    expect(matter.text).not.toContain('内部工作群通报处理进展');

    const policyPage = await request(tp.url).get(`/policies/${policyId}`).expect(200);
    expect(policyPage.text).toContain(`/concerns/${eventId}#response-`);

    // An event with nothing public has no public page; bad ids are a 4xx, never a 500.
    const hidden = await send(analyst, 'post', '/api/opinion/events', {
      title: '尚无公开回应的事件',
      detectedAt: new Date().toISOString(),
      severity: 'general',
      emergency: false,
    }).expect(201);
    await request(tp.url)
      .get(`/concerns/${hidden.body.event?.id ?? hidden.body.id}`)
      .expect(404);
    expect((await request(tp.url).get('/concerns/abc')).status).toBe(400);
    expect((await request(tp.url).get('/concerns?page=0')).status).toBe(400);
  });

  it('refuses a public flag that is not a boolean, naming the field', async () => {
    const analyst = await actor(tp, ['analyst']);
    const ev = await send(analyst, 'post', '/api/opinion/events', {
      title: '公开标记校验',
      detectedAt: new Date().toISOString(),
      severity: 'general',
      emergency: false,
    }).expect(201);
    const res = await send(
      analyst,
      'post',
      `/api/opinion/events/${ev.body.event?.id ?? ev.body.id}/actions`,
      {
        kind: 'response',
        occurredAt: new Date().toISOString(),
        public: 'yes',
      },
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('public');
  });
});
