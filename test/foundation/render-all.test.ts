import request from 'supertest';
import { DEMO_PASSWORD, DEMO_STEPS, DEMO_USERS, seedAccounts } from '../../scripts/seed-demo.js';
import { ROLES } from '../../src/db/schema.js';
import { login, startTestPlatform, type Agent, type TestPlatform } from '../support/platform.js';
import { ingest, ingestToken, workerOf } from '../support/opinion.js';

/**
 * Every page every role can reach, rendered with the demo county's data, must show no rendering
 * debris. Pages are found by crawling from each user's navigation (and the links on those pages),
 * so a page added later is covered as soon as it is linked from anywhere.
 */
const DEBRIS = ['Invalid DateTime', '[object Object]', 'undefined', 'NaN'];

/** Links that are not pages: downloads, the API, static files, logging out. */
const SKIP =
  /^\/(api|static|socket\.io|logout|auth)\b|\/attachments\/|\/download|\.(docx?|pdf|xlsx|csv|zip)$/;

/** Pages of one shape (/x/12 and /x/34) are alike: a few of each are enough. */
const shape = (path: string) => path.replace(/\d+/g, ':n');
const PER_SHAPE = 2;
const MAX_PAGES_PER_USER = 80;

let tp: TestPlatform;
beforeAll(async () => {
  tp = await startTestPlatform();
  const core = tp.platform.core;
  const accounts = await seedAccounts(core);
  for (const step of DEMO_STEPS) await step.run(core, accounts);
  // A detected event from the monitoring pipeline too, so the opinion pages have analysis to show.
  const token = await ingestToken(tp);
  const now = Date.now();
  const items = [
    '青石镇化工园区有浓烟，附近居民说听到巨响，有人受伤被送医',
    '青石镇化工园区爆炸现场浓烟很大，周边村民正在疏散',
    '青石镇化工园区巨响后浓烟不断，救护车往园区方向开',
  ].map((content, i) => ({
    source: '微博',
    channel: 'weibo',
    externalId: `render-all-${i}`,
    author: `网友${i}`,
    content,
    publishedAt: new Date(now - (30 - i) * 60_000).toISOString(),
  }));
  await ingest(tp, token, items).expect(200);
  await workerOf(tp).drain();
}, 120_000);
afterAll(() => tp.close());

async function crawl(agent: Agent, start = '/'): Promise<Map<string, string>> {
  const home = await agent.get(start).expect(200);
  const pages = new Map<string, string>([[start, home.text]]);
  const perShape = new Map<string, number>();
  const queue = links(home.text);
  while (queue.length && pages.size < MAX_PAGES_PER_USER) {
    const href = queue.shift()!;
    if (pages.has(href) || SKIP.test(href)) continue;
    const n = perShape.get(shape(href)) ?? 0;
    if (n >= PER_SHAPE) continue;
    perShape.set(shape(href), n + 1);
    const res = await agent.get(href);
    // Pages a role may not open answer 403/404; what matters is that nothing answers 5xx.
    expect([href, res.status < 500]).toEqual([href, true]);
    if (res.status !== 200 || !String(res.headers['content-type']).includes('text/html')) continue;
    pages.set(href, res.text);
    queue.push(...links(res.text));
  }
  return pages;
}

function links(html: string): string[] {
  return [...html.matchAll(/href="(\/[^"#]*)"/g)]
    .map((m) => m[1]!.replace(/&amp;/g, '&'))
    .filter((h) => !h.startsWith('//'));
}

/** The visible HTML: scripts are served as files (CSP), so the page is markup and text only. */
function debrisIn(html: string): string[] {
  return DEBRIS.filter((d) => html.includes(d)).map((d) => {
    const at = html.indexOf(d);
    return `${d} … ${html.slice(Math.max(0, at - 80), at + 40).replace(/\s+/g, ' ')}`;
  });
}

test('the demo covers every role', () => {
  const roles = new Set(DEMO_USERS.flatMap((u) => u.roles));
  expect([...ROLES].filter((r) => !roles.has(r))).toEqual([]);
});

test.each(DEMO_USERS.map((u) => [u.username, u.roles.join('+')]))(
  'every page %s (%s) reaches renders without debris',
  async (username) => {
    const { agent } = await login(tp, username, DEMO_PASSWORD);
    const pages = await crawl(agent);
    expect(pages.size).toBeGreaterThan(2);
    const bad = [...pages].flatMap(([href, html]) => debrisIn(html).map((d) => `${href}: ${d}`));
    expect(bad).toEqual([]);
  },
  120_000,
);

test('the public site renders without debris', async () => {
  const agent = request.agent(tp.url);
  const pages = await crawl(agent, '/policies');
  expect(pages.size).toBeGreaterThan(1);
  expect([...pages].flatMap(([href, html]) => debrisIn(html).map((d) => `${href}: ${d}`))).toEqual([]);
});

test('the check itself catches a field shadowed by a helper', async () => {
  // The roster's date cells were "Invalid DateTime" when the `date` helper shadowed the field.
  const { agent } = await login(tp, 'leader', DEMO_PASSWORD);
  const html = (await agent.get('/roster').expect(200)).text;
  expect(html).toMatch(/<td>\d{4}-\d{2}-\d{2}<\/td>/);
  expect(debrisIn('<td>Invalid DateTime</td>')).toHaveLength(1);
});
