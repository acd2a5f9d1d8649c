import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import { signInAt, useBrowserPlatform } from './browser.js';
import { ADMIN } from '../support/platform.js';
import { insertAlert } from '../../src/alerts/store.js';
import { seedAccounts, DEMO_STEPS, DEMO_PASSWORD, DEMO_USERS } from '../../scripts/seed-demo.js';
import { navFor } from '../../src/web/nav.js';
import { ROLES, type Role } from '../../src/db/schema.js';

/**
 * axe-core (WCAG 2.1 A/AA) over every page of every role and the public website, on the demo
 * county's data. The page list is built, not written down: each role's registered navigation
 * (so pages other capabilities add are covered as soon as they register), the home page, and
 * every detail page found by following the links those pages show.
 */
const ctx = useBrowserPlatform();
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Finding {
  page: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Detail pages worth checking: one of each kind, reached from the lists. */
const DETAIL_LINKS = [
  /^\/policies\/\d+$/,
  /^\/interpretations\/\d+$/,
  /^\/workspace\/policies\/\d+$/,
  /^\/workspace\/policies\/\d+\/edit$/,
  /^\/workspace\/interpretations\/\d+$/,
  /^\/workspace\/new$/,
  /^\/opinion\/events\/\d+$/,
  /^\/responses\/events\/\d+$/,
  /^\/concerns\/\d+$/,
  /^\/disclosure\/[\w-]+(\/\d+)?$/,
  /^\/reports\/[\w-]+$/,
];

async function audit(
  page: Page,
  url: string,
  label: string,
): Promise<{ findings: Finding[]; links: string[] }> {
  const res = await page.goto(url);
  const status = res?.status() ?? 0;
  if (status >= 400) return { findings: [], links: [] };
  await page.waitForLoadState('networkidle').catch(() => undefined);
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run(
          ctx: Document,
          opts: object,
        ): Promise<{
          violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
        }>;
      };
    };
    const r = await w.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
  const links = await page.$$eval('a[href^="/"]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  return {
    findings: violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ page: label, rule: v.id, impact: v.impact, help: v.help, targets: v.targets })),
    links,
  };
}

function report(findings: Finding[]): string {
  return findings
    .map((f) => `${f.page}: ${f.rule} (${f.impact}) ${f.help}\n    ${f.targets.join('\n    ')}`)
    .join('\n');
}

async function crawl(context: BrowserContext, start: string[], who: string): Promise<Finding[]> {
  const page = await context.newPage();
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const kinds = new Set<RegExp>();
  const queue = [...start];
  while (queue.length) {
    const href = queue.shift()!;
    if (seen.has(href)) continue;
    seen.add(href);
    const r = await audit(page, `${ctx.tp.url}${href}`, `${who} ${href}`);
    findings.push(...r.findings);
    for (const l of r.links) {
      const path = l.split(/[?#]/)[0]!;
      const kind = DETAIL_LINKS.find((re) => re.test(path));
      if (kind && !kinds.has(kind)) {
        kinds.add(kind);
        queue.push(path);
      }
    }
  }
  await page.close();
  expect(seen.size).toBeGreaterThan(1);
  return findings;
}

beforeAll(async () => {
  const core = ctx.tp.platform.core;
  const accounts = await seedAccounts(core);
  for (const step of DEMO_STEPS) await step.run(core, accounts);
}, 120_000);

it('the public website has no serious or critical axe violations', async () => {
  const context = await ctx.browser.newContext({ bypassCSP: true });
  const findings = await crawl(context, ['/policies', '/concerns', '/login'], '公众');
  await context.close();
  expect(report(findings)).toBe('');
}, 180_000);

/** One demo account per role, the first the demo county lists. */
const byRole = (role: Role) => DEMO_USERS.find((u) => u.roles.includes(role))!;

it.each(ROLES.map((r) => [r]))(
  'every page of the %s role has no serious or critical axe violations',
  async (role) => {
    const user = byRole(role as Role);
    const context = await ctx.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${ctx.tp.url}/login`);
    await page.fill('input[name=username]', user.username);
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${ctx.tp.url}/`);
    await page.close();
    const pages = ['/', ...navFor(user.roles, '').map((n) => n.href)];
    const findings = await crawl(context, pages, `${role}(${user.username})`);
    await context.close();
    expect(report(findings)).toBe('');
  },
  300_000,
);

it('on the console each 确认 names its alert, and the keyboard focus stays in the list after acknowledging', async () => {
  const core = ctx.tp.platform.core;
  const titles = ['键盘确认测试预警甲', '键盘确认测试预警乙'];
  for (const title of titles)
    await core.db.transaction().execute((trx) =>
      insertAlert(
        trx,
        {
          type: 'clock.warning',
          severity: 'critical',
          title,
          subjectKind: 'test',
          subjectId: 1,
          departmentId: null,
        },
        core.clock.now(),
      ),
    );
  const page = await ctx.browser.newPage();
  await signInAt(page, `${ctx.tp.url}/console`, ADMIN.username, ADMIN.password);
  const first = page.getByRole('button', { name: `确认：${titles[0]}` });
  const second = page.getByRole('button', { name: `确认：${titles[1]}` });
  await first.waitFor();
  await second.waitFor();
  await first.focus();
  await page.keyboard.press('Enter');
  await page.locator('li.alert', { hasText: titles[0] }).waitFor({ state: 'detached' });
  // Focus moved to the alert that took its place, not to <body>.
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
  expect(focused).toMatch(/^确认：/);
  expect(focused).not.toBe(`确认：${titles[0]}`);
  await expect(page.textContent('#ack-status')).resolves.toBe(`已确认：${titles[0]}`);
  // The skip link is the first Tab stop and leads to the content.
  await page.goto(`${ctx.tp.url}/console`);
  await page.keyboard.press('Tab');
  await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('跳到主要内容');
  await page.close();
});

it('a document page reads on a 375 px phone: no sideways scrolling, the issuer on one line', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 375, height: 800 } });
  await page.goto(`${ctx.tp.url}/policies`);
  await page.locator('.gov-list-title').first().click();
  await page.locator('table.gov-meta').waitFor();
  const m = await page.evaluate(() => {
    const td = Array.from(document.querySelectorAll('table.gov-meta td'))[0] as HTMLElement;
    const lh = parseFloat(getComputedStyle(td).lineHeight) || 20;
    return {
      scroll: document.documentElement.scrollWidth,
      lines: Math.round((td.clientHeight - 12) / lh),
      text: td.textContent,
      font: parseFloat(getComputedStyle(document.body).fontSize),
    };
  });
  expect(m.text).toBe('示例区人民政府办公室');
  expect(m.lines).toBe(1);
  expect(m.scroll).toBeLessThanOrEqual(375);
  expect(m.font).toBeGreaterThanOrEqual(14);
  await page.close();
});
