import { signInAt, useBrowserPlatform } from './browser.js';
import { makeDepartment, makeUser } from '../support/factories.js';

const ctx = useBrowserPlatform();

it('carries a request from the public form through consultation and extension to the reply letter', async () => {
  const dept = await makeDepartment(ctx.tp, '区住建局');
  const office = await makeUser(ctx.tp, ['supervisor']);
  const staff = await makeUser(ctx.tp, ['drafter'], dept.id);
  const page = await ctx.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // The applicant applies online; the confirmation day is the receipt day.
  await page.goto(`${ctx.tp.url}/disclosure/apply`);
  await page.getByLabel('申请人类型').selectOption({ label: '自然人' });
  await page.getByLabel('申请人姓名或名称').fill('刘洋');
  await page.getByLabel(/联系电话或电子邮箱/).fill('139 0000 1234');
  await page.getByLabel(/所需政府信息/).fill('本区2026年既有住宅加装电梯补贴资金发放名单');
  await page.getByRole('button', { name: '确认提交申请' }).click();
  const number = (await page.textContent('#ack-number'))!.trim();
  expect(number).toMatch(/^\d{4}-\d{4}$/);

  // The disclosure office assigns it to the answering department.
  await signInAt(page, `${ctx.tp.url}/disclosure`, office.username, office.password);
  await page.getByRole('link', { name: number }).click();
  const requestUrl = page.url();
  await page.locator('#assign-form select[name=departmentId]').selectOption({ label: '区住建局' });
  await page.locator('#assign-form button').click();
  await expect(page.textContent('.flash-ok')).resolves.toContain('已指定答复部门');
  const due = await page.getAttribute('#due-at', 'data-due');

  // The department consults a third party: the clock pauses and the 15-day window is shown.
  await page.locator('#consultation-form input[name=party]').fill('加装电梯业主代表');
  await page.locator('#consultation-form button').click();
  await expect(page.textContent('.flash-ok')).resolves.toContain('计时暂停');
  await expect(page.isVisible('#paused')).resolves.toBe(true);
  await expect(page.textContent('#third-party')).resolves.toContain('15 个工作日');
  await page.locator('#consultation-end-form button').click();
  await expect(page.textContent('.flash-ok')).resolves.toContain('恢复计时');

  // The head of the office extends once.
  await page.locator('#extension-form input[name=days]').fill('10');
  await page.locator('#extension-form input[name=approvedBy]').fill('李主任');
  await page.locator('#extension-form input[name=reason]').fill('需调取多个街道的发放台账');
  await page.locator('#extension-form button').click();
  await expect(page.textContent('.flash-ok')).resolves.toContain('已延长答复期限');
  const extended = await page.getAttribute('#due-at', 'data-due');
  expect(Date.parse(extended!)).toBeGreaterThan(Date.parse(due!));
  await expect(page.locator('#extension-form').count()).resolves.toBe(0);

  // The department's staff replies.
  await page.goto(`${ctx.tp.url}/logout`).catch(() => undefined);
  await page.context().clearCookies();
  await signInAt(page, requestUrl, staff.username, staff.password);
  // Without a reason a refusal is sent back, naming the field.
  await page.locator('#reply-form select[name=outcome]').selectOption({ label: '保护第三方合法权益' });
  await page.locator('#reply-form button').click();
  await expect(page.textContent('.flash-error')).resolves.toContain('理由');
  await page.locator('#reply-form select[name=outcome]').selectOption({ label: '部分公开' });
  await page.locator('#reply-form textarea[name=reason]').fill('名单中的身份证号码等个人信息不予公开');
  await page.locator('#reply-form button').click();
  await expect(page.textContent('.flash-ok')).resolves.toContain('已答复');
  await expect(page.textContent('#outcome')).resolves.toContain('部分公开');
  await expect(page.textContent('#clock-state')).resolves.toBe('按时完成');
  const kinds = await page.$$eval('#timeline li', (li) => li.map((l) => l.getAttribute('data-kind')));
  // In order of when each step happened (a form gives minutes: same-minute steps may swap).
  expect([...kinds].sort()).toEqual(
    ['assigned', 'consultation', 'consultation_end', 'extension', 'received', 'reply'].sort(),
  );
  expect(kinds[0]).toBe('received');
  const download = await Promise.all([page.waitForEvent('download'), page.click('#letter-link')]);
  expect(download[0].suggestedFilename()).toBe(`政府信息公开申请答复告知书-${number}.docx`);

  // The applicant sees the outcome with the number and the contact.
  await page.context().clearCookies();
  await page.goto(`${ctx.tp.url}/disclosure/status`);
  await page.getByLabel('申请编号').fill(number);
  await page.getByLabel('提交申请时填写的联系方式').fill('13900001234');
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page.textContent('#status-result')).resolves.toContain('部分公开');
  expect(errors).toEqual([]);
  await page.close();
});
