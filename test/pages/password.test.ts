import { jest } from '@jest/globals';
import request from 'supertest';
import { flashOf, login, usePlatform } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';

// Issue 14 point 4: signed-in users change their password from a page reached from the header;
// the page says how many other sign-ins ended.
jest.setTimeout(120_000);
const tp = usePlatform({}, 90_000);

test('changes the password from the page, keeps this sign-in and ends the others', async () => {
  const dept = await makeDepartment(tp, '区卫健局');
  const u = await makeUser(tp, ['drafter'], dept.id);
  const here = await login(tp, u.username, u.password);
  const elsewhere = await login(tp, u.username, u.password);

  const home = (await here.agent.get('/').expect(200)).text;
  expect(home).toContain('<a href="/account/password">修改密码</a>');
  const page = (await here.agent.get('/account/password').expect(200)).text;
  expect(page).toContain('<label>确认新密码<input name="confirmPassword"');
  expect(page).toContain(`name="_csrf" value="${here.csrf}"`);
  // Strangers are sent to sign in.
  const anon = await request(tp.url).get('/account/password');
  expect(anon.status).toBe(302);
  expect(anon.headers.location).toMatch(/^\/login/);

  const submit = (body: Record<string, string>) =>
    here.agent.post('/account/password').type('form').send(body).expect(303);
  const fields = {
    currentPassword: u.password,
    newPassword: 'Xinmima-2026',
    confirmPassword: 'Xinmima-2026',
  };

  // Without the page's token the change is refused.
  await here.agent.post('/account/password').type('form').send(fields).expect(403);
  await submit({ _csrf: here.csrf, ...fields, confirmPassword: 'Xinmima-2025' });
  expect(flashOf((await here.agent.get('/account/password')).text)).toContain(
    '确认新密码：两次输入的新密码不一致',
  );
  await submit({ _csrf: here.csrf, ...fields, currentPassword: 'wrong-password-1' });
  expect(flashOf((await here.agent.get('/account/password')).text)).toContain('当前密码：当前密码不正确');
  await submit({ _csrf: here.csrf, ...fields, newPassword: 'short', confirmPassword: 'short' });
  expect(flashOf((await here.agent.get('/account/password')).text)).toContain('新密码');
  // Nothing changed so far: the other sign-in still works.
  await elsewhere.agent.get('/account/password').expect(200);

  await submit({ _csrf: here.csrf, ...fields });
  expect(flashOf((await here.agent.get('/account/password').expect(200)).text)).toContain(
    '密码已修改，已退出您在其他地方的 1 个登录',
  );
  const ended = await elsewhere.agent.get('/account/password');
  expect(ended.status).toBe(302);
  expect(ended.headers.location).toMatch(/^\/login/);
  await request(tp.url)
    .post('/api/auth/login')
    .send({ username: u.username, password: u.password })
    .expect(401);
  await login(tp, u.username, 'Xinmima-2026');
});
