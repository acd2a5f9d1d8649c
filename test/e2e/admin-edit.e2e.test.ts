import { ADMIN } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';
import { signInAt, useBrowserPlatform } from './browser.js';

// Issue 13 item 14: users and departments are edited in place, keeping the admin-safety rules.
const ctx = useBrowserPlatform();

it('an admin renames a department and changes a user’s name, department and roles', async () => {
  const from = await makeDepartment(ctx.tp, '区住建局（旧名）');
  const to = await makeDepartment(ctx.tp, '区教育局');
  const u = await makeUser(ctx.tp, ['drafter'], from.id);
  const page = await ctx.browser.newPage();
  await signInAt(page, `${ctx.tp.url}/admin/departments`, ADMIN.username, ADMIN.password);

  const dRow = page.locator(`tr[data-department-id="${from.id}"]`);
  await dRow.locator('summary', { hasText: '修改' }).click();
  await dRow.locator('input[name=name]').fill('区住房和城乡建设局');
  await dRow.getByRole('button', { name: '保存' }).click();
  await page.locator('.flash-ok', { hasText: '已保存部门“区住房和城乡建设局”' }).waitFor();
  expect(await page.locator(`tr[data-department-id="${from.id}"] td`).nth(1).textContent()).toBe(
    '区住房和城乡建设局',
  );

  await page.goto(`${ctx.tp.url}/admin/users`);
  const row = page.locator(`tr[data-user-id="${u.id}"]`);
  await row.locator('summary', { hasText: '修改' }).click();
  await row.locator('input[name=displayName]').fill('何琳');
  await row.locator('select[name=departmentId]').selectOption(String(to.id));
  await row.getByLabel('新闻发言人').check();
  await row.getByLabel('起草部门').uncheck();
  await row.getByRole('button', { name: '保存' }).click();
  await page.locator('.flash-ok', { hasText: '已保存用户' }).waitFor();
  const saved = await ctx.tp.platform.core.db
    .selectFrom('users')
    .select(['display_name', 'department_id', 'roles'])
    .where('id', '=', u.id)
    .executeTakeFirstOrThrow();
  expect(saved).toEqual({ display_name: '何琳', department_id: to.id, roles: ['spokesperson'] });
  const cells = await page.locator(`tr[data-user-id="${u.id}"] td`).allTextContents();
  expect(cells.slice(1, 4)).toEqual(['何琳', '区教育局', '新闻发言人']);

  // The admin cannot take away their own admin role through the same form (409 → error flash).
  const me = await ctx.tp.platform.core.db
    .selectFrom('users')
    .select('id')
    .where('username', '=', ADMIN.username)
    .executeTakeFirstOrThrow();
  const mine = page.locator(`tr[data-user-id="${me.id}"]`);
  await mine.locator('summary', { hasText: '修改' }).click();
  await mine.getByLabel('值班员').check();
  await mine.getByLabel('系统管理员').uncheck();
  await mine.getByRole('button', { name: '保存' }).click();
  await page.locator('.flash-error', { hasText: '管理员' }).waitFor();
  const still = await ctx.tp.platform.core.db
    .selectFrom('users')
    .select('roles')
    .where('id', '=', me.id)
    .executeTakeFirstOrThrow();
  expect(still.roles).toContain('admin');

  // A department name already taken is refused with a Chinese message, nothing changed.
  await page.goto(`${ctx.tp.url}/admin/departments`);
  const tRow = page.locator(`tr[data-department-id="${to.id}"]`);
  await tRow.locator('summary', { hasText: '修改' }).click();
  await tRow.locator('input[name=name]').fill('区住房和城乡建设局');
  await tRow.getByRole('button', { name: '保存' }).click();
  await page.locator('.flash-error', { hasText: '已存在' }).waitFor();
  await page.close();
});
