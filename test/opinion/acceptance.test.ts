import request from 'supertest';
import { startTestPlatform, login, type TestPlatform } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';
import { ManualClock } from '../../src/shared/clock.js';
import { crawlerDelivery, type FixtureItem } from '../support/opinion-fixtures.js';
import { ingest, ingestToken, payload, workerOf } from '../support/opinion.js';

/**
 * Acceptance (issue 5): posts about local incidents, delivered as a crawler would, become one
 * event per incident with the right 民生 area, a high negative ratio where people complain and
 * an emergency signal for the explosion; chatter stays out; re-sending changes nothing; a bad
 * item is rejected alone.
 */
const BASE = new Date('2025-06-12T06:00:00Z'); // 14:00 in Shanghai
const clock = new ManualClock('2025-06-12T06:50:00Z');
let tp: TestPlatform;
let token: string;
let analyst: Awaited<ReturnType<typeof login>>;
let center: { id: number };

const keyOf = (i: { externalId?: string | null; url?: string | null }) => i.externalId ?? i.url ?? '';

interface EventJson {
  id: number;
  title: string;
  categories: string[];
  itemsCount: number;
  negativeRatio: number;
  emergencySignal: string | null;
  suggestedSeverity: string | null;
  keywords: string[];
  clocks: unknown[];
  duplicatesCount: number;
  firstSeenAt: string;
}

async function events(): Promise<EventJson[]> {
  return (await analyst.agent.get('/api/opinion/events').expect(200)).body.events;
}

async function itemsOf(id: number): Promise<{ externalId: string | null; url: string | null }[]> {
  return (await analyst.agent.get(`/api/opinion/events/${id}/items`).expect(200)).body.items;
}

beforeAll(async () => {
  tp = await startTestPlatform({ clock });
  center = await makeDepartment(tp, '县委网信办舆情中心', 'opinion_center');
  const user = await makeUser(tp, ['analyst'], center.id);
  analyst = await login(tp, user.username, user.password);
  token = await ingestToken(tp);
  // The locality's place names and institutions, as an admin would enter them.
  for (const [words, kind] of [
    [['青石镇', '城南新区', '东湖社区'], 'place'],
    [['城南实验小学', '县人民医院'], 'institution'],
  ] as const)
    await analyst.agent
      .post('/api/opinion/terms')
      .set('X-CSRF-Token', analyst.csrf)
      .send({ words, kind })
      .expect(201);
  // Delivered in small interleaved batches, the way a crawler flushes its buffer.
  const all = payload(crawlerDelivery(), BASE);
  for (let i = 0; i < all.length; i += 5) {
    const res = await ingest(tp, token, all.slice(i, i + 5)).expect(200);
    expect(res.body.rejected).toEqual([]);
  }
  await workerOf(tp).drain();
}, 60_000);
afterAll(async () => tp.close());

function incidentItems(incident: FixtureItem['incident']) {
  return new Set(
    crawlerDelivery()
      .filter((i) => i.incident === incident)
      .map(keyOf),
  );
}

async function eventFor(incident: FixtureItem['incident']): Promise<EventJson> {
  const expected = incidentItems(incident);
  const matches: EventJson[] = [];
  for (const e of await events()) {
    const keys = (await itemsOf(e.id)).map(keyOf);
    if (keys.some((k) => expected.has(k))) matches.push(e);
  }
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

describe('opinion acceptance', () => {
  it('forms exactly one event per incident, holding all of its posts and no chatter', async () => {
    const list = await events();
    expect(list).toHaveLength(4);
    for (const incident of ['explosion', 'school', 'hospital', 'elderly'] as const) {
      const e = await eventFor(incident);
      const keys = new Set((await itemsOf(e.id)).map(keyOf));
      expect(keys).toEqual(incidentItems(incident));
      expect(e.itemsCount).toBe(incidentItems(incident).size);
    }
    const chatter = incidentItems('chatter');
    for (const e of list) for (const i of await itemsOf(e.id)) expect(chatter.has(keyOf(i))).toBe(false);
  });

  it('classifies each event into its 民生 area', async () => {
    expect((await eventFor('explosion')).categories).toContain('安全生产');
    expect((await eventFor('school')).categories).toEqual(['就学']);
    expect((await eventFor('hospital')).categories).toEqual(['就医']);
    expect((await eventFor('elderly')).categories).toEqual(['养老服务']);
  });

  it('shows a high negative ratio where people complain, none where they praise', async () => {
    expect((await eventFor('school')).negativeRatio).toBeGreaterThanOrEqual(0.8);
    expect((await eventFor('hospital')).negativeRatio).toBeGreaterThanOrEqual(0.75);
    expect((await eventFor('elderly')).negativeRatio).toBe(0);
  });

  it('signals an emergency for the explosion with casualties, with a suggested severity', async () => {
    const e = await eventFor('explosion');
    expect(e.emergencySignal).toBe('灾害事故');
    expect(e.suggestedSeverity).toBe('large');
    expect(e.duplicatesCount).toBeGreaterThanOrEqual(2);
    expect(e.keywords).toEqual(expect.arrayContaining(['青石镇', '化工厂']));
    expect(e.firstSeenAt).toBe('2025-06-12T14:01:00+08:00');
    for (const incident of ['school', 'hospital', 'elderly'] as const)
      expect((await eventFor(incident)).emergencySignal).toBeNull();
  });

  it('raises event.detected alerts to 舆情中心: critical for the explosion, warnings for complaints', async () => {
    const res = await analyst.agent.get('/api/alerts?type=event.detected').expect(200);
    const alerts = res.body.alerts as {
      severity: string;
      subject: { id: string };
      departmentId: number;
      data: { rule: string };
    }[];
    const explosion = await eventFor('explosion');
    const school = await eventFor('school');
    const hospital = await eventFor('hospital');
    const elderly = await eventFor('elderly');
    const of = (id: number) => alerts.filter((a) => a.subject.id === String(id));
    expect(of(explosion.id)).toEqual([
      expect.objectContaining({
        severity: 'critical',
        departmentId: center.id,
        data: expect.objectContaining({ rule: 'emergency' }),
      }),
    ]);
    expect(of(school.id).map((a) => a.data.rule)).toEqual(['negative_area']);
    expect(of(hospital.id).map((a) => a.data.rule)).toEqual(['negative_area']);
    expect(of(elderly.id)).toEqual([]);
  });

  it('changes nothing when a batch is sent again', async () => {
    const before = await events();
    const stats = (await analyst.agent.get('/api/opinion/stats').expect(200)).body;
    const res = await ingest(tp, token, payload(crawlerDelivery(), BASE)).expect(200);
    expect(res.body.accepted).toBe(0);
    expect(res.body.duplicates).toBe(crawlerDelivery().length);
    await workerOf(tp).drain();
    expect(await events()).toEqual(before);
    expect((await analyst.agent.get('/api/opinion/stats').expect(200)).body).toEqual(stats);
  });

  it('rejects a bad item alone, with its reason, and takes the rest', async () => {
    const good = {
      source: 'weibo-crawler',
      channel: '微博',
      externalId: 'wb-late-1',
      content: '青石镇化工厂爆炸后，附近居民被组织转移，大家都很担心',
      author: '青石镇居民',
      publishedAt: '2025-06-12T14:45:00+08:00',
    };
    const res = await ingest(tp, token, [
      good,
      { ...good, externalId: 'wb-late-2', publishedAt: '明天' },
    ]).expect(200);
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected).toEqual([expect.objectContaining({ index: 1, field: 'publishedAt' })]);
    await workerOf(tp).drain();
    const explosion = await eventFor('explosion');
    expect((await itemsOf(explosion.id)).map(keyOf)).toContain('wb-late-1');
  });

  it('serves the pages', async () => {
    const list = await analyst.agent.get('/opinion').expect(200);
    expect(list.text).toContain('青石镇');
    expect(list.text).toContain('<svg class="sparkline"');
    const explosion = await eventFor('explosion');
    const detail = await analyst.agent.get(`/opinion/events/${explosion.id}`).expect(200);
    expect(detail.text).toContain('3人死亡');
    expect(detail.text).toContain('灾害事故');
    await analyst.agent.get('/opinion/settings').expect(200);
    await request(tp.url).get('/opinion').expect(302);
  });
});
