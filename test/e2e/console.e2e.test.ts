import { ADMIN, login } from '../support/platform.js';
import { openConsole, useBrowserPlatform } from './browser.js';
import { recordEvent } from '../support/events.js';

const ctx = useBrowserPlatform();

it('shows a breach live on an open console, acknowledges it with 确认, and ticks the countdowns', async () => {
  const page = await openConsole(ctx.browser, ctx.tp);

  // Someone records a major emergency discovered 4 h 59 m 57 s ago.
  const api = await login(ctx.tp, ADMIN.username, ADMIN.password);
  const ev = await recordEvent(api, {
    title: '东湖街道燃气爆炸',
    detectedAt: new Date(Date.now() - 5 * 3_600_000 + 3000),
    severity: 'major',
    emergency: true,
  });
  const clockId = ev.clocks.find((c) => c.kind === 'initial_release')!.id;

  // The new clocks appear with a ticking countdown.
  const row = page.locator(`tr[data-clock-id="${clockId}"] .countdown`);
  await row.waitFor({ timeout: 10_000 });
  const pressRow = page.locator('#clocks tr', { hasText: '新闻发布会' }).locator('.countdown');
  const first = await pressRow.textContent();
  expect(first).toMatch(/^剩余 \d\d:\d\d:\d\d$/);
  await page.waitForFunction(
    (before) => {
      const rows = Array.from(document.querySelectorAll('#clocks tr')).filter((r) =>
        r.textContent?.includes('新闻发布会'),
      );
      const text = rows[0]?.querySelector('.countdown')?.textContent;
      return text !== undefined && text !== before;
    },
    first,
    { timeout: 5000 },
  );

  // The breach arrives live, critical, with a 确认 button, and the countdown turns red.
  const breach = page.locator('li.alert.sev-critical', {
    hasText: '【已超时】首发权威信息：东湖街道燃气爆炸',
  });
  await breach.waitFor({ timeout: 10_000 });
  await page.locator(`tr[data-clock-id="${clockId}"] .countdown.cd-breach`).waitFor({ timeout: 5_000 });
  const alertId = Number(await breach.getAttribute('data-alert-id'));
  await breach.getByRole('button', { name: '确认' }).click();
  await breach.waitFor({ state: 'detached', timeout: 5_000 });

  const unacked = await api.agent.get('/api/alerts?acked=false').expect(200);
  expect(unacked.body.alerts.map((a: { id: number }) => a.id)).not.toContain(alertId);

  // After a reload (as after a server restart) the acknowledged alert stays gone.
  await page.reload();
  await page.locator('#conn.conn-ok').waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  expect(await page.locator(`li.alert[data-alert-id="${alertId}"]`).count()).toBe(0);
  await page.close();
});

it('drops a late clock’s alerts live once the clock is met, and shows a midnight deadline as 24:00', async () => {
  const page = await openConsole(ctx.browser, ctx.tp);
  const api = await login(ctx.tp, ADMIN.username, ADMIN.password);
  // Detected 20 days ago: the 48 h response clock is breached and escalated as soon as it opens.
  const ev = await recordEvent(api, {
    title: '城关街道垃圾清运不及时',
    detectedAt: new Date(Date.now() - 20 * 86_400_000),
  });
  const escalated = page.locator('li.alert', { hasText: '【超时升级】舆情回应：城关街道垃圾清运不及时' });
  await escalated.waitFor({ timeout: 10_000 });
  expect(await escalated.locator('.alert-title').textContent()).toMatch(/已超时 18 天/);
  await page.locator('li.alert', { hasText: '【已超时】舆情回应：城关街道垃圾清运不及时' }).waitFor();

  await api.agent
    .post(`/api/opinion/events/${ev.id}/actions`)
    .set('x-csrf-token', api.csrf)
    .send({ kind: 'response', occurredAt: new Date().toISOString(), text: '已安排清运' })
    .expect(201);
  // Nobody pressed 确认: the alerts leave the open list because the matter is over.
  await page
    .locator('li.alert', { hasText: '城关街道垃圾清运不及时' })
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 });
  expect(await page.locator('li.alert', { hasText: '城关街道垃圾清运不及时' }).count()).toBe(0);

  // An interpretation clock runs to the end of a working day: its deadline reads 24:00.
  const core = ctx.tp.platform.core;
  const { openClock } = await import('../../src/clocks/service.js');
  const row = await core.db.transaction().execute((trx) =>
    openClock(
      trx,
      {
        kind: 'interpretation',
        subjectKind: 'test',
        subjectId: 1,
        title: '关于测试的通知',
        departmentId: null,
        startAt: new Date(),
      },
      new Date(),
    ),
  );
  await page.reload();
  const due = page.locator(`tr[data-clock-id="${row.id}"] td`).nth(3);
  await due.waitFor({ timeout: 10_000 });
  expect(await due.textContent()).toMatch(/^\d{1,2}月\d{1,2}日 24:00$/);
  await page.close();
});
