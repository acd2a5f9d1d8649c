import type { Express } from 'express';
import request from 'supertest';
import { ADMIN, login, usePlatform } from '../support/platform.js';

const tp = usePlatform({ start: false });

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method + path the app serves, read from Express's router, so new routes are covered too. */
function routesOf(app: Express): [string, string][] {
  const out: [string, string][] = [];
  const walk = (stack: Layer[] | undefined) => {
    for (const l of stack ?? []) {
      if (l.route)
        for (const path of ([] as string[]).concat(l.route.path))
          for (const m of Object.keys(l.route.methods)) out.push([m, path]);
      else walk(l.handle?.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

const BODIES: unknown[] = [
  [],
  'x',
  { title: { $gt: '' }, name: null, id: -1, year: 1e308, items: 'no', date: '2026-02-30' },
  { title: '😀'.repeat(5000), detectedAt: '明天', severity: 1, emergency: 'yes', kind: '__proto__' },
  // NUL and unpaired surrogates in every common text field: PostgreSQL refuses NUL in text.
  Object.fromEntries(
    ['title', 'name', 'body', 'word', 'words', 'content', 'comment', 'reason', 'displayName', 'text'].map(
      (f) => [f, `甲\u0000乙\ud800丙\udfff`],
    ),
  ),
];

// The sweeps walk every route with several bodies: minutes on a loaded machine, so a long guard.
test('no route answers bad input with a 5xx, and every API refusal is problem+json', async () => {
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  const routes = routesOf(tp.platform.app).filter(
    ([m, p]) => ['post', 'put', 'patch', 'delete'].includes(m) && !p.includes('logout'),
  );
  expect(routes.length).toBeGreaterThan(30);
  const failures: string[] = [];
  for (const [method, path] of routes) {
    for (const id of ['1', '0', 'abc', '99999999999999999999']) {
      const url = path.replace(/:[A-Za-z]+/g, id);
      for (const body of BODIES) {
        const res = await admin.agent[method as 'post'](url)
          .set('x-csrf-token', admin.csrf)
          .send(body as object);
        if (res.status >= 500)
          failures.push(
            `${method.toUpperCase()} ${url} ${JSON.stringify(body).slice(0, 60)} → ${res.status}`,
          );
        else if (
          url.startsWith('/api') &&
          res.status >= 400 &&
          !/problem\+json/.test(String(res.headers['content-type']))
        )
          failures.push(`${method.toUpperCase()} ${url} → ${res.status} ${res.headers['content-type']}`);
      }
    }
  }
  expect(failures).toEqual([]);
}, 300_000);

test('no page or API answers a malformed id or query with a 5xx', async () => {
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  // /healthz is 503 by design here: this platform's scheduler is not started.
  const routes = routesOf(tp.platform.app).filter(([m, p]) => m === 'get' && p !== '/healthz');
  const failures: string[] = [];
  const query =
    '?year=abc&from=2026-02-30&to=x&limit=-1&state=nope&acked=maybe&type[]=a&q=' +
    encodeURIComponent('😀'.repeat(300)) +
    '&department=0&page=1e9&after=-5';
  for (const [, path] of routes)
    for (const id of ['1', 'abc', '99999999999999999999', '2026-02-30']) {
      const url = path.replace(/:[A-Za-z]+/g, id);
      for (const q of ['', query]) {
        const res = await admin.agent.get(url + q);
        if (res.status >= 500) failures.push(`GET ${url}${q ? ' (bad query)' : ''} → ${res.status}`);
      }
    }
  expect(failures).toEqual([]);
}, 300_000);

test('bodies in a wrong encoding or of the wrong type are refused as problems, not 500s', async () => {
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  const send = (type: string, body: string | Buffer) =>
    admin.agent
      .post('/api/opinion/events')
      .set('x-csrf-token', admin.csrf)
      .set('content-type', type)
      .send(body);
  for (const res of [
    await send('application/json; charset=gbk', Buffer.from([0x7b, 0xc4, 0xe3, 0x7d])),
    await send('application/json', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
    await send('text/xml', '<event/>'),
  ]) {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  }
});

const BAD = '青石镇\u0000停水\ud83d了\udc00吗';

test('NUL and lone surrogates in text fields are cleaned, never a 500 (policy, event, term, items)', async () => {
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  const post = (url: string, body: object) =>
    admin.agent.post(url).set('x-csrf-token', admin.csrf).send(body);
  const depts = await admin.agent.get('/api/departments').expect(200);
  const deptId = depts.body.departments[0].id as number;

  // Query strings too: a NUL in a search term reached SQL.
  const search = await admin.agent.get('/api/policies?q=%E4%BE%9B%E6%B0%B4%00%ED%A0%80');
  expect(search.status).toBe(200);

  const policy = await post('/api/policies', {
    title: `关于\u0000供水\ud800保障的通知`,
    draftingDepartmentId: deptId,
    body: `第一条\u0000 保障供水。\udc00`,
    requiresInterpretation: false,
  });
  expect(policy.status).toBe(201);
  const stored = await admin.agent.get(`/api/policies/${policy.body.id}`).expect(200);
  expect(JSON.stringify(stored.body)).toContain('关于供水\ufffd保障的通知');

  const event = await post('/api/opinion/events', {
    title: BAD,
    detectedAt: new Date(Date.now() - 60_000).toISOString(),
    severity: 'general',
    emergency: false,
    responsibleDepartmentId: deptId,
  });
  expect(event.status).toBe(201);
  expect(event.body.title).toBe('青石镇停水\ufffd了\ufffd吗');

  const term = await post('/api/opinion/terms', { word: '石\u0000桥\ud800村', kind: 'place' });
  expect(term.status).toBe(201);

  const dept = await post('/api/departments', { name: `部\u0000门\ud800${Date.now()}` });
  expect(dept.status).toBe(201);
  expect(dept.body.name).not.toContain('\u0000');

  const tokenRes = await post('/api/tokens', { name: 'nul-crawler', scopes: ['ingest'] }).expect(201);
  const items = await request(tp.url)
    .post('/api/opinion/items')
    .set('Authorization', `Bearer ${tokenRes.body.token}`)
    .send({
      items: [
        {
          source: 's',
          channel: 'weibo',
          externalId: 'nul-1',
          content: BAD,
          publishedAt: new Date().toISOString(),
        },
        {
          source: 's\u0000',
          channel: 'weibo',
          externalId: 'nul-2\ud800',
          content: '正常内容',
          author: '\u0000',
        },
      ],
    });
  expect(items.status).toBe(200);
  expect(items.body.accepted + items.body.rejected.length).toBe(2);
  expect(items.body.accepted).toBeGreaterThanOrEqual(1);
});
