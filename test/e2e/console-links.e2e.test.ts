import { ADMIN, login } from '../support/platform.js';
import { cast, published } from '../support/actors.js';
import { openConsole, useBrowserPlatform } from './browser.js';
import { recordEvent } from '../support/events.js';

// Issue 13 item 9: every alert leads to its event or document, the clocks pane does not squeeze
// 类型 and 责任单位 into one character per line, and dates read "2026-11-26 00:00".
const ctx = useBrowserPlatform();

it('links alerts and clocks to their subject, keeps columns on one line, one date format', async () => {
  const { drafterA, supervisor } = await cast(ctx.tp);
  // A document published ten days ago: its interpretation clock is already late.
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const doc = await published(drafterA, supervisor, {}, tenDaysAgo);
  // An emergency found four hours ago: its 5-hour clock is past 80 %.
  const api = await login(ctx.tp, ADMIN.username, ADMIN.password);
  const ev = await recordEvent(api, {
    title: '青石镇化工厂爆炸',
    detectedAt: new Date(Date.now() - 4 * 3_600_000),
    severity: 'major',
    emergency: true,
  });

  const page = await openConsole(ctx.browser, ctx.tp, { viewport: { width: 1366, height: 800 } });

  const docAlert = page.locator('li.alert', { hasText: '【已超时】' }).first();
  await docAlert.waitFor({ timeout: 10_000 });
  expect(await docAlert.locator('a.alert-title').getAttribute('href')).toBe(`/workspace/policies/${doc.id}`);
  const evAlert = page.locator('li.alert', { hasText: '青石镇化工厂爆炸' }).first();
  await evAlert.waitFor({ timeout: 10_000 });
  expect(await evAlert.locator('a.alert-title').getAttribute('href')).toBe(`/responses/events/${ev.id}`);

  // Dates: "YYYY-MM-DD HH:mm", never the browser's "2026/11/26 00:00:00".
  const meta = await page.locator('li.alert .alert-meta').allTextContents();
  for (const m of meta) {
    expect(m).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d /);
    expect(m).not.toMatch(/\d{4}\/\d/);
  }
  const clockRow = page.locator('#clocks tr', { hasText: '青石镇化工厂爆炸' }).first();
  await clockRow.waitFor({ timeout: 10_000 });
  // A deadline reads like every other time, or 「11月25日 24:00」 when it ends with its day.
  expect(await clockRow.locator('td').nth(3).textContent()).toMatch(
    /^(\d{4}-\d\d-\d\d \d\d:\d\d|\d{1,2}月\d{1,2}日 (\d\d:\d\d|24:00))$/,
  );
  expect(await clockRow.locator('a.clock-title').getAttribute('href')).toBe(`/responses/events/${ev.id}`);

  // 类型 (首发权威信息), 责任单位, 期限 and 剩余 each render on a single line.
  const lines = await page.$$eval('#clocks tr', (rows) =>
    rows.map((tr) =>
      [0, 2, 3, 4].map((i) => {
        // Lines of text: the distinct tops of the text's own boxes (badge padding aside).
        const walker = document.createTreeWalker(tr.children[i]!, NodeFilter.SHOW_TEXT);
        const tops: number[] = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const range = document.createRange();
          range.selectNodeContents(n);
          for (const r of Array.from(range.getClientRects()))
            if (!tops.some((t) => Math.abs(t - r.top) < 6)) tops.push(r.top);
        }
        return tops.length;
      }),
    ),
  );
  expect(lines.length).toBeGreaterThan(0);
  for (const row of lines) for (const n of row) expect(n).toBeLessThanOrEqual(1);
  expect(lines.some((row) => row[0] === 1 && row[2] === 1)).toBe(true);

  // Following the link opens the document's page.
  await docAlert.locator('a.alert-title').click();
  await page.waitForURL(`**/workspace/policies/${doc.id}`);
  expect(await page.locator('h1').textContent()).toContain('老旧小区改造');
  await page.close();
});
