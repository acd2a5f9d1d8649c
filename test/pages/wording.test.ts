import { readFileSync } from 'node:fs';
import request from 'supertest';
import { ManualClock } from '../../src/shared/clock.js';
import { ADMIN, login, usePlatform } from '../support/platform.js';
import { makeDepartment, makeUser, PASSWORD } from '../support/factories.js';
import { ingest, ingestToken } from '../support/opinion.js';

// Item 11 of issue 13: nothing English reaches a user. Item 15/16: site name, favicon, README batch.
const clock = new ManualClock('2026-11-23T04:00:00Z');
const tp = usePlatform({ clock, env: { SITE_NAME: '青山区人民政府' } });

/** Visible text of a page: tags, scripts and attribute values left out. */
function visibleText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<pre[\s\S]*?<\/pre>/g, '')
    .replace(/<[^>]+>/g, ' ');
}

test('validation messages shown to users are Chinese, with Chinese field names', async () => {
  const s = await login(tp, ADMIN.username, ADMIN.password);
  const res = await s.agent
    .post('/api/users')
    .set('X-CSRF-Token', s.csrf)
    .send({ username: 'ab', displayName: 5, roles: [] })
    .expect(400);
  const messages = (res.body.errors as { field: string; message: string }[]).map((e) => e.message);
  expect(messages.length).toBeGreaterThanOrEqual(4);
  for (const m of messages) expect(m).not.toMatch(/[A-Za-z]{3,}/);
  expect(res.body.detail).toContain('姓名');
  expect(res.body.detail).not.toMatch(/displayName|departmentId/);

  // The same refusal through the form arrives as a Chinese flash.
  const form = await s.agent
    .post('/admin/users')
    .type('form')
    .send({ _csrf: s.csrf, username: 'abc1', displayName: '张三', password: 'x' })
    .expect(303);
  const page = await s.agent.get(form.headers.location!).expect(200);
  const flash = /class="flash flash-error"[^>]*>([^<]*)</.exec(page.text)?.[1] ?? '';
  expect(flash).toContain('密码');
  expect(flash).toContain('部门');
  expect(flash).not.toMatch(/password|departmentId|roles|Invalid|expected/);
});

test('the 404 page speaks Chinese and shows no method or English', async () => {
  const s = await login(tp, ADMIN.username, ADMIN.password);
  const res = await s.agent.get('/no-such-page').set('Accept', 'text/html').expect(404);
  const text = visibleText(res.text);
  expect(text).toContain('页面不存在');
  expect(text).not.toMatch(/\bGET\b|Not Found/);
});

test('audit log: Chinese actions and people, filterable by person, department, action and date', async () => {
  const deptA = await makeDepartment(tp, '审计测试甲局');
  const deptB = await makeDepartment(tp, '审计测试乙局');
  const a = await makeUser(tp, ['admin'], deptA.id);
  const b = await makeUser(tp, ['admin'], deptB.id);
  const sa = await login(tp, a.username, PASSWORD);
  const sb = await login(tp, b.username, PASSWORD);
  await sa.agent
    .post('/api/departments')
    .set('X-CSRF-Token', sa.csrf)
    .send({ name: '甲建的部门' })
    .expect(201);
  await sb.agent
    .post('/api/tokens')
    .set('X-CSRF-Token', sb.csrf)
    .send({ name: '乙的令牌', scopes: ['read'] })
    .expect(201);

  const all = await sa.agent.get('/admin/audit').expect(200);
  const text = visibleText(all.text);
  expect(text).toContain('添加部门');
  expect(text).toContain('创建接口令牌');
  expect(text).toContain(`测试${a.username}（审计测试甲局）`);
  expect(text).not.toMatch(/department\.create|token\.create|user:|api_token/);
  // Every filter is a labelled select or date, in Chinese.
  expect(all.text).toMatch(/<option value="policy\.submit"[^>]*>提交审核<\/option>/);

  /** The table rows only: the filter's own options name every action. */
  const rows = async (q: string) =>
    visibleText(
      /<tbody>([\s\S]*?)<\/tbody>/.exec((await sa.agent.get(`/admin/audit?${q}`).expect(200)).text)![1]!,
    );
  const byPerson = await rows(`actorUserId=${b.id}`);
  expect(byPerson).toContain('创建接口令牌');
  expect(byPerson).not.toContain('添加部门');

  const byDept = await rows(`departmentId=${deptA.id}`);
  expect(byDept).toContain('添加部门');
  expect(byDept).not.toContain('创建接口令牌');

  const byAction = await rows('action=token.create');
  expect(byAction).toContain('创建接口令牌');
  expect(byAction).not.toContain('添加部门');

  // Audit rows carry the database's own time; a day range around today finds them, one before not.
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
  const inRange = await rows(`from=${today}&to=${today}&actorUserId=${a.id}`);
  expect(inRange).toContain('添加部门');
  const before = await rows(`to=2020-01-01&actorUserId=${a.id}`);
  expect(before).toContain('没有符合条件的记录');
  await sa.agent.get('/admin/audit?from=2026-02-30').expect(400);
});

test('token scopes and the calendar source read in Chinese', async () => {
  const s = await login(tp, ADMIN.username, ADMIN.password);
  await s.agent
    .post('/api/tokens')
    .set('X-CSRF-Token', s.csrf)
    .send({ name: '范围测试', scopes: ['ingest', 'read'] })
    .expect(201);
  const tokens = visibleText((await s.agent.get('/admin/tokens').expect(200)).text);
  expect(tokens).toContain('舆情数据接入、只读查询');
  expect(tokens).not.toMatch(/\b(ingest|read)\b/);
  const calendar = visibleText((await s.agent.get('/admin/calendar?year=2026').expect(200)).text);
  expect(calendar).toContain('已载入官方安排');
  expect(calendar).not.toContain('chinese-days');
});

test('the public site names the configured county, and there is a favicon', async () => {
  const res = await request(tp.url).get('/policies').expect(200);
  expect(res.text).toContain('主办：青山区人民政府办公室');
  expect(res.text).toContain('<link rel="icon" href="/static/favicon.svg"');
  const icon = await request(tp.url).get('/static/favicon.svg').expect(200);
  expect(icon.headers['content-type']).toContain('image/svg+xml');
  await request(tp.url).get('/favicon.ico').expect(301).expect('Location', '/static/favicon.svg');
  const s = await login(tp, ADMIN.username, ADMIN.password);
  expect((await s.agent.get('/').expect(200)).text).toContain('青山区人民政府');
});

test('the README example batch is accepted as documented', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const body = /-d '(\{"items"[\s\S]*?)'\n/.exec(readme)?.[1];
  expect(body).toBeDefined();
  const { items } = JSON.parse(body!) as { items: unknown[] };
  const token = await ingestToken(tp);
  const res = await ingest(tp, token, items).expect(200);
  expect(res.body).toEqual({ accepted: items.length, duplicates: 0, rejected: [] });
  const again = await ingest(tp, token, items).expect(200);
  expect(again.body).toEqual({ accepted: 0, duplicates: items.length, rejected: [] });
});
