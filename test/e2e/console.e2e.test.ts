import { ADMIN, login } from '../support/platform.js';
import { signInAt, useBrowserPlatform } from './browser.js';

const ctx = useBrowserPlatform();

it('shows a breach live on an open console, acknowledges it with 确认, and ticks the countdowns', async () => {
  const page = await ctx.browser.newPage();
  await signInAt(page, `${ctx.tp.url}/console`, ADMIN.username, ADMIN.password);
  await page.locator('#conn.conn-ok').waitFor({ timeout: 10_000 });

  // Someone records a major emergency discovered 4 h 59 m 57 s ago.
  const api = await login(ctx.tp, ADMIN.username, ADMIN.password);
  const ev = await api.agent
    .post('/api/opinion/events')
    .set('x-csrf-token', api.csrf)
    .send({
      title: '东湖街道燃气爆炸',
      detectedAt: new Date(Date.now() - 5 * 3_600_000 + 3000).toISOString(),
      severity: 'major',
      emergency: true,
    })
    .expect(201);
  const clockId = ev.body.clocks.find((c: { kind: string }) => c.kind === 'initial_release').id;

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
