import type { Express } from 'express';
import { ADMIN, login, startTestPlatform, type TestPlatform } from '../support/platform.js';

let tp: TestPlatform;
beforeAll(async () => {
  tp = await startTestPlatform({ start: false });
});
afterAll(() => tp.close());

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
];

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
}, 120_000);

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
}, 120_000);

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
