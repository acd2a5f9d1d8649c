import { ADMIN } from '../support/platform.js';
import { useBrowserPlatform } from './browser.js';

const ctx = useBrowserPlatform();

it('signs in through /login and reaches the admin pages; a wrong password stays on the form', async () => {
  const page = await ctx.browser.newPage();
  await page.goto(`${ctx.tp.url}/admin/users`);
  expect(page.url()).toContain('/login?next=');
  await page.fill('input[name=username]', ADMIN.username);
  await page.fill('input[name=password]', 'wrong-password');
  await page.click('button[type=submit]');
  await expect(page.textContent('.flash-error')).resolves.toContain('用户名或密码错误');

  await page.fill('input[name=password]', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${ctx.tp.url}/admin/users`);
  await expect(page.textContent('h1')).resolves.toBe('用户管理');

  // A department added through the form appears in the list, its name escaped.
  await page.goto(`${ctx.tp.url}/admin/departments`);
  await page.fill('input[name=name]', '<b>区应急管理局</b>');
  await page.click('form[action="/admin/departments"] button[type=submit]');
  await expect(page.textContent('.flash-ok')).resolves.toContain('已添加部门');
  const cell = page.locator('table.grid td', { hasText: '区应急管理局' });
  await expect(cell.innerHTML()).resolves.toContain('&lt;b&gt;');
  await page.close();
});
