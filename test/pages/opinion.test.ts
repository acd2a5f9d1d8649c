import { jest } from '@jest/globals';
import { startTestPlatform, login, type TestPlatform } from '../support/platform.js';
import { ManualClock } from '../../src/shared/clock.js';
import { crawlerDelivery } from '../support/opinion-fixtures.js';
import { ingest, opinionDesk, payload, workerOf } from '../support/opinion.js';

// Issue 13 (/opinion): filters in the query string, paging of events and of an event's posts, a
// trend computed from comparable windows, one lit navigation item.
jest.setTimeout(120_000);

const BASE = new Date('2025-06-12T06:00:00Z'); // 14:00 in Shanghai
const clock = new ManualClock('2025-06-12T06:50:00Z');
let tp: TestPlatform;
let analyst: Awaited<ReturnType<typeof login>>;
let token: string;

interface EventJson {
  id: number;
  title: string;
  categories: string[];
  channels: string[];
  negativeRatio: number;
}

beforeAll(async () => {
  tp = await startTestPlatform({ clock });
  ({ analyst, token } = await opinionDesk(tp));
  await ingest(tp, token, payload(crawlerDelivery(), BASE)).expect(200);
  await workerOf(tp).drain();
});
afterAll(() => tp.close());

const table = (html: string, id: string) =>
  new RegExp(`<table class="grid" id="${id}">([\\s\\S]*?)</table>`).exec(html)![1]!;
const eventIds = (html: string) =>
  [...table(html, 'opinion-events').matchAll(/data-event-id="(\d+)"/g)].map((m) => Number(m[1]));
/** The page's HTML with Handlebars' escapes of `=` and `&` undone, so links read as written. */
const page = async (path: string) =>
  (await analyst.agent.get(path).expect(200)).text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
const apiEvents = async (): Promise<EventJson[]> =>
  (await analyst.agent.get('/api/opinion/events?limit=500').expect(200)).body.events;

test('filters by area, channel, sentiment, keyword and dates, and keeps them in the form', async () => {
  const all = await apiEvents();
  expect(all.length).toBeGreaterThanOrEqual(4);
  const ids = (list: EventJson[]) => list.map((e) => e.id).sort((a, b) => a - b);
  const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

  const school = all.filter((e) => e.categories.includes('就学'));
  expect(school.length).toBeGreaterThan(0);
  const byArea = await page('/opinion?area=就学');
  expect(sorted(eventIds(byArea))).toEqual(ids(school));
  expect(byArea).toMatch(/<option value="就学" selected>/);

  const forum = all.filter((e) => e.channels.includes('forum'));
  expect(forum.length).toBeGreaterThan(0);
  expect(forum.length).toBeLessThan(all.length);
  expect(sorted(eventIds(await page('/opinion?channel=forum')))).toEqual(ids(forum));
  // The stream shows only items of that channel.
  const stream = table(await page('/opinion?channel=news'), 'opinion-stream');
  expect(stream).toContain('新闻网站');
  expect(stream).not.toMatch(/<td>(微博|论坛\/贴吧|12345热线)<\/td>/);

  // Complaints are mostly negative; the praise for the elderly care is not.
  const negative = sorted(eventIds(await page('/opinion?sentiment=negative')));
  const elderly = all.find((e) => e.categories.includes('养老服务'))!;
  expect(negative).toEqual(expect.arrayContaining(ids(school)));
  expect(negative).not.toContain(elderly.id);

  const blast = sorted(eventIds(await page(`/opinion?q=${encodeURIComponent('化工厂')}`)));
  expect(blast).toHaveLength(1);
  expect(all.find((e) => e.id === blast[0])!.categories).toContain('安全生产');

  expect(eventIds(await page('/opinion?from=2025-06-01&to=2025-06-11'))).toEqual([]);
  expect(sorted(eventIds(await page('/opinion?from=2025-06-12&to=2025-06-12&channel=&q=')))).toEqual(
    ids(all),
  );
  const kept = await page('/opinion?from=2025-06-12&q=' + encodeURIComponent('医院'));
  expect(kept).toContain('name="from" value="2025-06-12"');
  expect(kept).toContain('value="医院"');
});

test.each([
  ['channel=twitter', '渠道'],
  ['sentiment=angry', '情感'],
  ['area=天气', '领域'],
  ['from=2025-02-30', '起始日期'],
  ['from=2025-06-13&to=2025-06-12', '截止日期不能早于起始日期'],
  ['page=0', '页码'],
  [`q=${'长'.repeat(51)}`, '关键词'],
])('a bad filter (%s) answers a Chinese 400 page naming %s', async (query, words) => {
  const res = await analyst.agent.get(`/opinion?${query}`).set('accept', 'text/html');
  expect(res.status).toBe(400);
  expect(res.text).toContain('筛选条件有误');
  expect(res.text).toContain(words);
  // The way back is the unfiltered list, not only the home page.
  expect(res.text).toContain('<a href="/opinion">清除筛选条件，重新查看</a>');
});

test('events are paged twenty to a page, the links keeping the filters', async () => {
  const db = tp.platform.core.db;
  const at = new Date('2025-06-10T02:00:00Z');
  await db
    .insertInto('opinion_events')
    .values(
      Array.from({ length: 25 }, (_, i) => ({
        origin: 'manual' as const,
        title: `分页测试事件${i + 1}`,
        detected_at: new Date(at.getTime() + i * 60_000),
        first_seen_at: at,
        last_seen_at: at,
        categories: ['住房保障'],
      })),
    )
    .execute();
  const q = `q=${encodeURIComponent('分页测试')}`;
  const first = await page(`/opinion?${q}`);
  expect(eventIds(first)).toHaveLength(20);
  expect(first).toContain('第 1 / 2 页');
  expect(first).toContain('共 25 个符合条件');
  expect(first).toContain(`href="/opinion?${q}&page=2"`);
  const second = await page(`/opinion?${q}&page=2`);
  expect(eventIds(second)).toHaveLength(5);
  expect(second).toContain(`href="/opinion?${q}"`);
  // Newest first, nothing shown twice.
  expect(new Set([...eventIds(first), ...eventIds(second)]).size).toBe(25);
  expect(first).toContain('分页测试事件25');
  expect(second).toContain('分页测试事件1<');
  // Unfiltered the fixtures' events are on the first page too.
  expect((await page('/opinion')).match(/第 1 \/ 2 页/)).not.toBeNull();
});

test("an event's posts are paged fifty to a page", async () => {
  // One post copied by 54 accounts: one event of 55 posts.
  const copies = Array.from({ length: 55 }, (_, i) => ({
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: `copy-${i}`,
    author: `转发者${i}`,
    content:
      '东湖社区垃圾转运站臭气熏天一个多月了，居民多次反映没人管，夏天窗户都不敢开，希望有关部门尽快处理',
    publishedAt: new Date(BASE.getTime() + (i % 40) * 60_000).toISOString(),
  }));
  await ingest(tp, token, copies).expect(200);
  await workerOf(tp).drain();
  const event = (await apiEvents()).find((e) => e.title.includes('垃圾转运站'))!;
  const rows = (html: string) => table(html, 'event-items').match(/<a href="\/opinion\/items\/\d+">/g) ?? [];
  const first = await page(`/opinion/events/${event.id}`);
  expect(first).toContain('共 55 条，第 1 / 2 页');
  expect(first).toContain('<strong>涉及地点：</strong>东湖社区</p>');
  expect(rows(first)).toHaveLength(50);
  expect(first).toContain(`href="/opinion/events/${event.id}?page=2"`);
  expect(rows(await page(`/opinion/events/${event.id}?page=2`))).toHaveLength(5);
  const bad = await analyst.agent.get(`/opinion/events/${event.id}?page=x`).set('accept', 'text/html');
  expect(bad.status).toBe(400);
  expect(bad.text).toContain('页码');
});

test('the trend compares whole windows: a growing event a few minutes into a new hour is not 回落', async () => {
  const db = tp.platform.core.db;
  clock.set('2025-06-13T07:04:00Z');
  const hour = (h: number) => new Date(Date.UTC(2025, 5, 13, h));
  const e = await db
    .insertInto('opinion_events')
    .values({
      origin: 'detected',
      title: '趋势测试：老旧小区加装电梯',
      detected_at: hour(2),
      first_seen_at: hour(2),
      last_seen_at: new Date('2025-06-13T07:02:00Z'),
      items_count: 17,
      // What the old rule stored: this hour's one post against three full hours.
      trend: 'falling',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const c = await db
    .insertInto('opinion_clusters')
    .values({ event_id: e.id, first_seen_at: hour(2), last_seen_at: hour(7), hotness_at: hour(7) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const counts = [2, 2, 2, 4, 6, 1]; // 02:00 … 07:00, the last hour four minutes old
  await db
    .insertInto('opinion_cluster_hours')
    .values(counts.map((items, i) => ({ cluster_id: c.id, hour: hour(2 + i), items })))
    .execute();
  const row = (html: string) => new RegExp(`data-event-id="${e.id}"[\\s\\S]*?</tr>`).exec(html)![0];
  const list = row(await page(`/opinion?q=${encodeURIComponent('加装电梯')}`));
  expect(list).toContain('上升');
  expect(list).not.toContain('回落');
  expect(await page(`/opinion/events/${e.id}`)).toMatch(/热度（<span class="trend-rising">/);

  // Quiet for three hours after a busy morning: now it has fallen.
  clock.set('2025-06-13T10:30:00Z');
  expect(row(await page(`/opinion?q=${encodeURIComponent('加装电梯')}`))).toContain('回落');
  clock.set('2025-06-12T06:50:00Z');
});

test('exactly one navigation item is lit on each opinion page', async () => {
  const lit = (html: string) => [...html.matchAll(/<a href="([^"]+)" class="active"/g)].map((m) => m[1]);
  expect(lit(await page('/opinion'))).toEqual(['/opinion']);
  expect(lit(await page('/opinion/settings'))).toEqual(['/opinion/settings']);
  const any = (await apiEvents())[0]!;
  expect(lit(await page(`/opinion/events/${any.id}`))).toEqual(['/opinion']);
});

describe('预警规则 on /opinion/settings is a Chinese form', () => {
  /** The number fields and checked boxes of the rules form, as a browser would post them. */
  function formOf(html: string): Record<string, string | string[]> {
    const form = /<form[^>]*id="rules-form"[\s\S]*?<\/form>/.exec(html)![0];
    const body: Record<string, string | string[]> = {};
    for (const m of form.matchAll(/<input type="number" name="(\w+)" value="([^"]*)"/g)) body[m[1]!] = m[2]!;
    for (const m of form.matchAll(/<input type="checkbox" name="(\w+)" value="([^"]*)" checked>/g)) {
      const prev = body[m[1]!];
      body[m[1]!] = prev === undefined ? m[2]! : [...(Array.isArray(prev) ? prev : [prev]), m[2]!];
    }
    return body;
  }
  const save = (body: Record<string, unknown>) =>
    analyst.agent
      .post('/opinion/settings/rules')
      .type('form')
      .send({ _csrf: analyst.csrf, ...body })
      .expect(303);
  const stored = async () => (await analyst.agent.get('/api/opinion/rules').expect(200)).body.rules;

  test('labelled fields with the stored values, channel boxes beside their labels, no JSON', async () => {
    const html = await page('/opinion/settings');
    expect(html).toContain(
      '<label>统计窗口（分钟）<input type="number" name="spikeWindowMinutes" value="60"',
    );
    expect(html).toContain('<label>负面占比阈值（%）<input type="number" name="negativePercent" value="50"');
    expect(html).toContain(
      '<label class="check"><input type="checkbox" name="channels" value="weibo"> 微博</label>',
    );
    expect(html).toContain('启用「突发事件信号」预警');
    expect(html).not.toContain('JSON');
    expect(html).not.toMatch(/>[^<]*(promoteMinItems|negativeArea|minNegativeRatio)[^<]*</);
  });

  test('saves what the form posts', async () => {
    const body = formOf(await page('/opinion/settings'));
    expect(body.spikeEnabled).toBe('true');
    await save({
      ...body,
      spikeFactor: '4',
      negativePercent: '60',
      emergencyEnabled: undefined,
      negativeAreas: ['就学', '就医'],
    });
    expect(await page('/opinion/settings')).toContain('预警规则已保存');
    const rules = await stored();
    expect(rules.spike.factor).toBe(4);
    expect(rules.negativeArea.minNegativeRatio).toBeCloseTo(0.6);
    expect(rules.negativeArea.areas).toEqual(['就学', '就医']);
    expect(rules.emergency.enabled).toBe(false);
    expect(rules.spike.enabled).toBe(true);
    // The page shows what was saved.
    const again = formOf(await page('/opinion/settings'));
    expect(again.negativePercent).toBe('60');
    expect(again.emergencyEnabled).toBeUndefined();
    expect(again.negativeAreas).toEqual(['就学', '就医']);
  });

  test('refuses bad values with Chinese messages naming each field, and stores nothing', async () => {
    const before = await stored();
    const body = formOf(await page('/opinion/settings'));
    await save({
      ...body,
      spikeWindowMinutes: 'abc',
      negativePercent: '150',
      promoteMinItems: '',
      spikeMinItems: '2.5',
      negativeAreas: ['就学', '天气'],
      spikeFactor: '9',
    });
    const html = await page('/opinion/settings');
    expect(html).toContain('预警规则未保存');
    expect(html).toContain('「声量激增·统计窗口（分钟）」须为数字');
    expect(html).toContain('「重点领域负面·负面占比阈值（%）」须在 1–100 之间');
    expect(html).toContain('请填写「成为事件·成为事件的最少信息数」');
    expect(html).toContain('「声量激增·窗口内最少信息数」须为整数');
    expect(html).toContain('「重点领域负面·重点领域」含有未知的领域');
    expect(await stored()).toEqual(before);
  });
});

describe('词库调整 on /opinion/settings gives a 突发 word its incident kind', () => {
  const save = (body: Record<string, string>) =>
    analyst.agent
      .post('/opinion/settings/lexicon')
      .type('form')
      .send({ _csrf: analyst.csrf, weight: '1', removed: 'false', ...body })
      .expect(303);

  test('offers the kinds by their Chinese names and shows the kind of each edit', async () => {
    expect(await page('/opinion/settings')).toContain('<option value="flood">洪涝</option>');
    await save({ target: 'signal:灾害事故', word: '洪峰', kind: 'flood' });
    await save({ target: 'area:就医', word: '挂号难', kind: '' });
    const rows = table(await page('/opinion/settings'), 'lexicon-overrides');
    expect(rows).toMatch(/<td>洪峰<\/td><td>1<\/td><td>洪涝<\/td>/);
    expect(rows).toMatch(/<td>挂号难<\/td><td>1<\/td><td><\/td>/);
  });

  test('refuses an unknown kind or a kind on another lexicon, in Chinese, naming the field', async () => {
    await save({ target: 'signal:灾害事故', word: '海啸', kind: 'tsunami' });
    expect(await page('/opinion/settings')).toContain(
      '词库字段有误：类型（类型：未知的事件类型，可选：flood（洪涝）',
    );
    await save({ target: 'sentiment:negative', word: '糟心', kind: 'fire' });
    expect(await page('/opinion/settings')).toContain('类型：只有突发事件词可以设置事件类型');
    const words = (await analyst.agent.get('/api/opinion/lexicon').expect(200)).body.overrides.map(
      (o: { word: string }) => o.word,
    );
    expect(words).not.toContain('海啸');
    expect(words).not.toContain('糟心');
  });
});
