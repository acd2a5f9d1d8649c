/**
 * Issue 13 / issue 16 item 5 in a real browser: an analyst opens /opinion, filters it to one
 * channel with the GET form, and an item ingested afterwards appears in the stream without a
 * reload, while an item of another channel stays out.
 */
import { signInAt, useBrowserPlatform } from './browser.js';
import { ingest, opinionDesk, workerOf } from '../support/opinion.js';
import { makeUser } from '../support/factories.js';

const ctx = useBrowserPlatform();

it('a filtered /opinion receives a matching live item without reload', async () => {
  const { center, token } = await opinionDesk(ctx.tp);
  const analyst = await makeUser(ctx.tp, ['analyst'], center.id);
  const page = await ctx.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAt(page, `${ctx.tp.url}/opinion`, analyst.username, analyst.password);

  await page.selectOption('#opinion-filters select[name=channel]', 'hotline_12345');
  await Promise.all([
    page.waitForURL(/channel=hotline_12345/),
    page.click('#opinion-filters button[type=submit]'),
  ]);
  await page.locator('#opinion-live[data-live=ready]').waitFor();
  // Marks this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  const now = Date.now();
  const item = (externalId: string, channel: string, content: string) => ({
    source: 'e2e',
    channel,
    externalId,
    author: '市民',
    content,
    publishedAt: new Date(now - 60_000).toISOString(),
  });
  await ingest(ctx.tp, token, [
    item('e2e-live-hotline', 'hotline_12345', '东湖街道幸福路路灯坏了半个月，晚上回家很不安全，请尽快修复'),
    item('e2e-live-weibo', 'weibo', '今天东湖公园的荷花开得真好，周末带孩子去看了'),
  ]).expect(200);
  await workerOf(ctx.tp).drain();

  const stream = page.locator('#opinion-stream tbody');
  await stream.locator('tr', { hasText: '路灯坏了半个月' }).waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500);
  expect(await stream.locator('tr', { hasText: '荷花' }).count()).toBe(0);
  expect(await stream.locator('tr', { hasText: '路灯坏了半个月' }).locator('td').nth(1).textContent()).toBe(
    '12345热线',
  );
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  expect(page.url()).toContain('channel=hotline_12345');
  expect(errors).toEqual([]);
  await page.close();
});
