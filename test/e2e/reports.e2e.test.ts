import { signInAt, useBrowserPlatform } from './browser.js';
import { seedAccounts, DEMO_PASSWORD } from '../../scripts/seed-demo.js';
import { seedHistory } from '../../src/reports/demo-history.js';
import { previousPeriods } from '../../src/reports/brief.js';

const ctx = useBrowserPlatform();
const SHOTS = process.env.REPORT_SCREENSHOTS_DIR;

it('with the demo history, the dashboard draws every chart beside its table and a bar opens its list', async () => {
  const core = ctx.tp.platform.core;
  const accounts = await seedAccounts(core);
  expect(await seedHistory(core, accounts)).toMatchObject({ created: true, present: true });
  // Every chart has something true to show: decided clocks, breaches, items, events, decisions.
  const states = await core.db.selectFrom('clocks').select('state').distinct().execute();
  expect(states.map((s) => s.state)).toEqual(expect.arrayContaining(['met', 'met_late', 'breached']));
  const severities = await core.db.selectFrom('opinion_events').select('severity').distinct().execute();
  expect(severities.map((s) => s.severity).sort()).toEqual(['extraordinary', 'general', 'large', 'major']);
  expect((await core.db.selectFrom('accountability_records').select('id').execute()).length).toBeGreaterThan(
    0,
  );

  const page = await ctx.browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInAt(page, `${ctx.tp.url}/reports`, 'gongkai', DEMO_PASSWORD);
  const charts = [
    'interpretation',
    'response',
    'medians',
    'breaches',
    'channel',
    'sentiment',
    'area',
    'events',
  ];
  for (const c of charts) {
    const el = page.locator(`[data-chart="${c}"]`);
    await el.locator('svg path').first().waitFor({ state: 'attached' });
    expect(await el.getAttribute('data-rendered')).toBe('true');
    expect(await el.locator('svg path').count()).toBeGreaterThan(3);
    expect(await el.getAttribute('role')).toBe('img');
  }
  // Tables beside the charts carry the same numbers, and the filter fields are labelled.
  await expect(page.locator('#timeliness-table tbody tr').count()).resolves.toBeGreaterThan(5);
  await expect(page.getByLabel('开始日期').count()).resolves.toBe(1);
  await expect(page.getByLabel('责任单位').count()).resolves.toBe(1);
  const volume = Number(await page.textContent('#sum-volume'));
  expect(volume).toBeGreaterThan(500);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });

  // A click on the first bar of the breaches chart opens the clocks behind it.
  const bar = page.locator('[data-chart="breaches"] svg path[fill="#a8151c"]').first();
  await bar.click();
  await page.waitForURL(/\/reports\/drill\?/);
  const count = Number(await page.textContent('#drill-count'));
  expect(count).toBeGreaterThan(0);
  await expect(page.locator('#drill-clocks tbody tr').count()).resolves.toBe(count);

  // The 日报 of yesterday: charts and tables, with print styles.
  const day = previousPeriods(core.clock.now()).day;
  await page.goto(`${ctx.tp.url}/reports/opinion-daily/${day}`);
  await page.locator('[data-chart="series"] svg path').first().waitFor({ state: 'attached' });
  await expect(page.textContent('#brief-title')).resolves.toMatch(/^示范区舆情日报（\d{4}年\d+月\d+日）$/);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/daily.png`, fullPage: true });
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('.mainnav').isVisible()).toBe(false);
  expect(errors).toEqual([]);
  await page.close();
}, 300_000);
