import request from 'supertest';
import { sql } from 'kysely';
import { auditOf, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { cast, published, send, actor, fieldsOf } from '../support/actors.js';

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

/**
 * Database connections taken from a platform's pool while `fn` runs, the fewest over a few runs.
 * Background work (Agenda's polling, the pipeline leader's lock, clock sweeps) takes connections at
 * random moments, and a loaded CI machine once counted 5 during one cached request; a request that
 * uses the database takes a connection in every run, so the fewest still shows it.
 */
async function connectionsDuring(t: TestPlatform, fn: () => Promise<unknown>, runs = 5): Promise<number> {
  let fewest = Infinity;
  for (let i = 0; i < runs && fewest > 0; i++) {
    let n = 0;
    const count = () => n++;
    t.platform.core.pool.on('acquire', count);
    try {
      await fn();
    } finally {
      t.platform.core.pool.off('acquire', count);
    }
    fewest = Math.min(fewest, n);
  }
  return fewest;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Until node `t` has heard of every committed change (its version is the sequence's). */
async function settled(t: TestPlatform): Promise<void> {
  const latest = async () =>
    (
      await sql<{ v: string }>`select last_value::text as v from public_content_seq`.execute(
        t.platform.core.db,
      )
    ).rows[0]!.v;
  await until(latest, (v) => v === t.platform.core.publicContent!.version);
}

describe('public pages hold a surge', () => {
  it('send Cache-Control, a strong ETag and Last-Modified, gzip, and answer a conditional GET with 304 without touching the database', async () => {
    const { id } = await published(c.drafterA, c.supervisor, { title: '关于加强城市排水防涝工作的通知' });
    const url = `/policies/${id}`;
    // A page rendered before this node heard of the publication would be dropped when it does.
    await settled(tp);
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

/** A GET with fetch (which decodes gzip and brotli): status, headers and decoded body. */
async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(url, { headers, method });
  const body = await res.text();
  const h: Record<string, string> = {};
  res.headers.forEach((v, k) => (h[k] = v));
  return { status: res.status, headers: h, body };
}
/** The headers of an answer that are its own, not the page's. */
const perAnswer = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'transfer-encoding']);
const pageHeaders = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).filter(([k]) => !perAnswer.has(k)));

describe('cached public pages are answered ahead of Express', () => {
  it('with the body and headers the page was rendered with, in every coding, HEAD included', async () => {
    const { id } = await published(c.drafterA, c.supervisor, { title: '关于做好冬季供暖保障工作的通知' });
    await settled(tp);
    for (const coding of ['br', 'gzip', 'identity']) {
      // A URL of its own per coding, so the first answer is rendered through the whole Express
      // chain (logging, helmet, routing) in that coding; the second comes from memory.
      const url = `${tp.url}/policies/${id}?from=${coding}`;
      const rendered = await until(
        () => get(url, { 'accept-encoding': coding }),
        (r) => r.status === 200 && r.body.includes('关于做好冬季供暖保障工作的通知'),
      );
      const hits = tp.platform.publicPages.stats().hits;
      const cached = await get(url, { 'accept-encoding': coding, 'x-request-id': 'visitor-1' });
      expect(tp.platform.publicPages.stats().hits).toBe(hits + 1);
      expect(cached.status).toBe(200);
      expect(cached.body).toBe(rendered.body);
      expect(pageHeaders(cached.headers)).toEqual(pageHeaders(rendered.headers));
      expect(cached.headers['x-request-id']).toBe('visitor-1');
      expect(cached.headers['content-encoding']).toBe(coding === 'identity' ? undefined : coding);
      expect(cached.headers['content-security-policy']).toContain("default-src 'self'");
      expect(cached.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(cached.headers.etag).toBe(
        `"${rendered.headers.etag!.replace(/^"|(-gz|-br)?"$/g, '')}${{ br: '-br', gzip: '-gz', identity: '' }[coding]}"`,
      );
    }
    const head = await get(`${tp.url}/policies/${id}?from=gzip`, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
  });

  it('answers 304 from memory for the current ETag (any coding, weak or strong) and 200 for an old one', async () => {
    const { id } = await published(c.drafterB, c.supervisor, { title: '关于开展春季植树造林活动的通知' });
    await settled(tp);
    const url = `${tp.url}/policies/${id}`;
    const first = await until(
      () => get(url, { 'accept-encoding': 'br' }),
      (r) => r.status === 200 && r.body.includes('关于开展春季植树造林活动的通知'),
    );
    const etag = first.headers.etag!;
    const before = tp.platform.publicPages.stats().notModified;
    for (const tag of [etag, `W/${etag}`, etag.replace(/-br"$/, '-gz"'), `"nope", ${etag}`]) {
      const res = await get(url, { 'if-none-match': tag, 'accept-encoding': 'br' });
      expect(res.status).toBe(304);
      expect(res.body).toBe('');
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['cache-control']).toBe('public, max-age=60');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(tp.platform.publicPages.stats().notModified).toBe(before + 4);
    expect((await get(url, { 'if-none-match': '"1-abcdefghijklmnop-br"' })).status).toBe(200);
  });

  it('never answers a signed-in staff member or a token from the public cache', async () => {
    await settled(tp);
    await until(
      () => get(`${tp.url}/policies`),
      (r) => r.status === 200,
    );
    await get(`${tp.url}/policies`); // in memory now
    const hits = tp.platform.publicPages.stats().hits;
    const staff = await c.supervisor.agent.get('/policies').set('accept-encoding', 'gzip').expect(200);
    expect(staff.headers['cache-control']).toBe('private, no-cache');
    expect(staff.text).toContain('返回工作平台');
    // Even a conditional GET with the public ETag is not answered from memory for staff.
    const anon = await get(`${tp.url}/policies`, { 'accept-encoding': 'gzip' });
    const conditional = await c.supervisor.agent.get('/policies').set('if-none-match', anon.headers.etag!);
    expect(conditional.status).toBe(200);
    expect(conditional.text).toContain('返回工作平台');
    const bearer = await request(tp.url).get('/policies').set('authorization', 'Bearer not-a-token');
    expect(bearer.status).toBe(401);
    expect(tp.platform.publicPages.stats().hits).toBe(hits + 1);
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

describe('the public flag of a recorded response', () => {
  it('is changed by whoever may act on the event (API and case page), audited, also once the event is closed, and reaches every node', async () => {
    const analyst = await actor(tp, ['analyst']);
    const ev = await send(analyst, 'post', '/api/opinion/events', {
      title: '公交线路调整引发市民关注',
      detectedAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      severity: 'general',
      emergency: false,
    }).expect(201);
    const eventId = (ev.body.event?.id ?? ev.body.id) as number;
    const recorded = await send(analyst, 'post', `/api/opinion/events/${eventId}/actions`, {
      kind: 'response',
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      channel: '区政府网站',
      text: '调整后的公交线路将于下月起试运行，市民可通过热线反映意见。',
    }).expect(201);
    const actionId = recorded.body.action.id as number;
    expect(recorded.body.action.public).toBe(false);
    const column = (t: TestPlatform) => request(t.url).get('/concerns');
    // Node 2 renders and keeps the column without it.
    expect((await column(tp2)).text).not.toContain('调整后的公交线路');
    expect((await column(tp2)).text).not.toContain('调整后的公交线路');

    const patch = (body: object, a = analyst, action = actionId, event = eventId) =>
      send(a, 'patch', `/api/opinion/events/${event}/actions/${action}`, body);
    const shown = await patch({ public: true }).expect(200);
    expect(shown.body.action).toMatchObject({ id: actionId, public: true });
    const after = await until(
      () => column(tp2),
      (r) => r.text.includes('调整后的公交线路'),
    );
    expect(after.text).toContain('调整后的公交线路');
    await request(tp2.url).get(`/concerns/${eventId}`).expect(200);

    const audit = await auditOf(tp, 'event.action_public', eventId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_user_id: analyst.userId,
      subject_kind: 'event',
      before: { actionId, public: false },
      after: { actionId, public: true },
    });
    // Setting what is already set changes nothing and records nothing.
    await patch({ public: true }).expect(200);

    // Refused: a role that may not act on events, a bad body, an action of another event.
    const duty = await actor(tp, ['duty']);
    expect((await patch({ public: false }, duty)).status).toBe(403);
    const notBool = await patch({ public: 'yes' });
    expect(notBool.status).toBe(400);
    expect(fieldsOf(notBool)).toContain('public');
    expect((await patch({ public: false, text: '改写' })).status).toBe(400);
    expect((await patch({})).status).toBe(400);
    const other = await send(analyst, 'post', '/api/opinion/events', {
      title: '另一事件',
      detectedAt: new Date().toISOString(),
      severity: 'general',
      emergency: false,
    }).expect(201);
    expect(
      (await patch({ public: false }, analyst, actionId, other.body.event?.id ?? other.body.id)).status,
    ).toBe(404);
    expect((await patch({ public: false }, analyst, 999_999)).status).toBe(404);
    expect((await column(tp)).text).toContain('调整后的公交线路');

    // Closed: the response can still be withdrawn, from the case page's form.
    await send(analyst, 'post', `/api/opinion/events/${eventId}/close`, { reason: '已答复' }).expect(200);
    const page = await analyst.agent.get(`/responses/events/${eventId}`).expect(200);
    expect(page.text).toContain(`action="/responses/events/${eventId}/actions/${actionId}/public"`);
    await analyst.agent
      .post(`/responses/events/${eventId}/actions/${actionId}/public`)
      .type('form')
      .send({ _csrf: analyst.csrf, public: 'false' })
      .expect(303)
      .expect('location', `/responses/events/${eventId}`);
    const withdrawn = await analyst.agent.get(`/responses/events/${eventId}`).expect(200);
    expect(withdrawn.text).toContain('已从“回应关切”栏目撤下');
    expect(withdrawn.text).toMatch(new RegExp(`data-action="${actionId}"[\\s\\S]*?未公开`));
    await until(
      () => request(tp2.url).get(`/concerns/${eventId}`),
      (r) => r.status === 404,
    ).then((r) => expect(r.status).toBe(404));
    expect((await column(tp2)).text).not.toContain('调整后的公交线路');
    const trail = await tp.platform.core.db
      .selectFrom('audit_log')
      .select(['after'])
      .where('action', '=', 'event.action_public')
      .where('subject_id', '=', String(eventId))
      .orderBy('id')
      .execute();
    expect(trail.map((t) => (t.after as { public: boolean }).public)).toEqual([true, false]);

    // Someone who may see the event but not act on it sees the state, not the form.
    const dutyPage = await duty.agent.get(`/responses/events/${eventId}`).expect(200);
    expect(dutyPage.text).toContain('未公开');
    expect(dutyPage.text).not.toContain(`/actions/${actionId}/public"`);
  });
});
