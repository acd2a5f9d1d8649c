/**
 * Issue 11 §2 in a real browser: an analyst opens an event, corrects one item's sentiment and areas
 * with the 人工研判 form, and the page shows the item as corrected.
 */
import { signInAt, useBrowserPlatform } from './browser.js';
import { makeDepartment, makeUser } from '../support/factories.js';
import { ingest, ingestToken, workerOf } from '../support/opinion.js';

const ctx = useBrowserPlatform();

it('an analyst corrects an item from the event page and sees it marked 已人工研判', async () => {
  const center = await makeDepartment(ctx.tp, '舆情中心', 'opinion_center');
  const analyst = await makeUser(ctx.tp, ['analyst'], center.id);
  const token = await ingestToken(ctx.tp);
  const now = Date.now();
  const res = await ingest(
    ctx.tp,
    token,
    [
      '青石镇化工厂发生爆炸，造成3人死亡',
      '青石镇化工厂爆炸现场浓烟滚滚，已有3人死亡，厂区附近的居民很担心',
    ].map((content, i) => ({
      source: 'news',
      channel: 'news',
      externalId: `e2e-corr-${i}`,
      content,
      publishedAt: new Date(now - (10 - i) * 60_000).toISOString(),
    })),
  );
  expect(res.status).toBe(200);
  await workerOf(ctx.tp).drain();
  const event = await ctx.tp.platform.core.db
    .selectFrom('opinion_events')
    .select('id')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();

  const page = await ctx.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAt(page, `${ctx.tp.url}/opinion/events/${event.id}`, analyst.username, analyst.password);
  const row = page.locator('#event-items tbody tr').first();
  await row.locator('summary', { hasText: '人工研判' }).click();
  const form = row.locator('form.correction-form');
  await form.locator('select[name=sentiment]').selectOption('neutral');
  await form.locator('input[name=areasChanged]').check();
  await form.locator('input[name=areas][value=安全生产]').check();
  await form.locator('input[name=note]').fill('客观报道');
  await Promise.all([page.waitForEvent('load'), form.locator('button[type=submit]').click()]);
  await page.locator('.correction .badge', { hasText: '已人工研判' }).first().waitFor();
  const correction = await ctx.tp.platform.core.db
    .selectFrom('opinion_corrections')
    .selectAll()
    .executeTakeFirstOrThrow();
  expect(correction).toMatchObject({ sentiment: 'neutral', areas: ['安全生产'], note: '客观报道' });
  expect(errors).toEqual([]);
  await page.close();
});
