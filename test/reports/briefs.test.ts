import JSZip from 'jszip';
import { ManualClock } from '../../src/shared/clock.js';
import { advanceClock } from '../../src/clocks/firing.js';
import { insertAnalysedItems } from '../../src/reports/history-items.js';
import { previousPeriods } from '../../src/reports/brief.js';
import { startTestPlatform, usePlatform, type TestPlatform } from '../support/platform.js';
import { makeDepartment } from '../support/factories.js';
import { actor, fieldsOf, published, send, type Actor } from '../support/actors.js';
import { binary } from '../support/files.js';
import { recordEvent } from '../support/events.js';

const download = (a: Actor, url: string) => a.agent.get(url).buffer(true).parse(binary);

describe('舆情日报 and 周报 for a fixture day (2026-06-10)', () => {
  const clock = new ManualClock('2026-06-01T03:00:00Z');
  const tp = usePlatform({ clock, start: false });
  let sup: Actor;
  let e1: number;
  let e2: number;

  beforeAll(async () => {
    const core = tp.platform.core;
    const deptA = (await makeDepartment(tp, '日报测试住建局')).id;
    const deptB = (await makeDepartment(tp, '日报测试应急局')).id;
    sup = await actor(tp, ['supervisor']);
    const drafter = await actor(tp, ['drafter'], deptA);
    const analyst = await actor(tp, ['analyst']);
    const p = await published(
      drafter,
      sup,
      { title: '关于老旧小区加装电梯的实施办法' },
      '2026-06-01T10:00:00+08:00',
    );
    const set = (s: string) => clock.set(new Date(s));
    const at = (s: string) => new Date(s);

    set('2026-06-08T10:00:00+08:00');
    e1 = (
      await recordEvent(analyst, {
        title: '青石镇化工厂爆炸',
        detectedAt: at('2026-06-08T09:00:00+08:00'),
        severity: 'major',
        emergency: true,
        responsibleDepartmentId: deptB,
      })
    ).id;
    set('2026-06-09T20:00:00+08:00');
    const running = await core.db.selectFrom('clocks').select('id').where('state', '=', 'running').execute();
    await core.db.transaction().execute(async (trx) => {
      for (const c of running) await advanceClock(trx, c.id, clock.now());
    });
    await insertAnalysedItems(core.db, e1, [
      {
        publishedAt: at('2026-06-09T10:00:00+08:00'),
        channel: 'news',
        source: '日报',
        content: '爆炸一',
        sentiment: 'negative',
        categories: ['安全生产'],
      },
      {
        publishedAt: at('2026-06-09T11:00:00+08:00'),
        channel: 'news',
        source: '日报',
        content: '爆炸二',
        sentiment: 'negative',
        categories: ['安全生产'],
      },
      {
        publishedAt: at('2026-06-10T09:30:00+08:00'),
        channel: 'news',
        source: '日报',
        content: '爆炸三',
        sentiment: 'negative',
        categories: ['安全生产'],
      },
    ]);

    set('2026-06-10T10:00:00+08:00');
    await send(drafter, 'post', `/api/policies/${p.id}/interpretations`, {
      form: 'text',
      title: '加装电梯政策解读',
    }).expect(201); // met late
    set('2026-06-10T12:00:00+08:00');
    e2 = (
      await recordEvent(analyst, {
        title: '幸福小区加装电梯费用分摊引发争议',
        detectedAt: at('2026-06-10T08:00:00+08:00'),
        severity: 'general',
        emergency: false,
        responsibleDepartmentId: deptA,
      })
    ).id;
    await core.db
      .updateTable('opinion_events')
      .set({ policy_ids: [p.id] })
      .where('id', '=', e2)
      .execute();
    await send(analyst, 'post', `/api/opinion/events/${e2}/actions`, {
      kind: 'response',
      occurredAt: '2026-06-10T11:00:00+08:00',
      channel: '领导留言板',
      text: '住建局已回复分摊办法',
    }).expect(201);
    await insertAnalysedItems(core.db, e2, [
      {
        publishedAt: at('2026-06-10T08:10:00+08:00'),
        channel: 'weibo',
        source: '微博',
        content: '电梯一',
        sentiment: 'negative',
        categories: ['住房保障'],
      },
      {
        publishedAt: at('2026-06-10T09:10:00+08:00'),
        channel: 'weibo',
        source: '微博',
        content: '电梯二',
        sentiment: 'negative',
        categories: ['住房保障'],
      },
      {
        publishedAt: at('2026-06-10T10:10:00+08:00'),
        channel: 'weibo',
        source: '微博',
        content: '电梯三',
        sentiment: 'negative',
        categories: ['住房保障'],
      },
    ]);
    await insertAnalysedItems(core.db, null, [
      {
        publishedAt: at('2026-06-10T13:00:00+08:00'),
        channel: 'wechat',
        source: '公众号',
        content: '停水通知',
        sentiment: 'neutral',
        categories: [],
      },
      {
        publishedAt: at('2026-06-11T00:10:00+08:00'),
        channel: 'wechat',
        source: '公众号',
        content: '次日',
        sentiment: 'neutral',
        categories: [],
      },
    ]);
    set('2026-06-10T15:00:00+08:00');
    await send(analyst, 'post', `/api/opinion/events/${e1}/actions`, {
      kind: 'press_conference',
      occurredAt: '2026-06-10T15:00:00+08:00',
      channel: '区政府新闻发布厅',
    }).expect(201);
    set('2026-06-10T16:00:00+08:00');
    const release = await core.db
      .selectFrom('clocks')
      .select('id')
      .where('subject_id', '=', e1)
      .where('kind', '=', 'initial_release')
      .executeTakeFirstOrThrow();
    await send(sup, 'post', '/api/accountability', {
      clockId: release.id,
      decision: '约谈整改',
      note: '5小时内未发布权威信息',
    }).expect(201);
    set('2026-06-11T09:00:00+08:00');
  }, 180_000);

  test('the JSON brief holds the day’s events, volume, responses, late items and linked policies', async () => {
    const b = (await sup.agent.get('/api/reports/opinion-daily?date=2026-06-10').expect(200)).body;
    expect(b.title).toBe('示范区舆情日报（2026年6月10日）');
    expect(b.summary).toEqual({
      items: 5,
      negative: 4,
      newEvents: 1,
      ongoingEvents: 1,
      responses: 2,
      late: 3,
      accountability: 0,
    });
    expect(b.volume.byChannel).toEqual([
      { key: 'weibo', label: '微博', count: 3 },
      { key: 'news', label: '新闻网站', count: 1 },
      { key: 'wechat', label: '微信', count: 1 },
    ]);
    expect(b.volume.byArea.map((a: { label: string; count: number }) => [a.label, a.count])).toEqual([
      ['住房保障', 3],
      ['其他', 1],
      ['安全生产', 1],
    ]);
    expect(b.volume.series.values.reduce((s: number, n: number) => s + n, 0)).toBe(5);
    expect(b.volume.series.values[8]).toBe(1);
    expect(b.newEvents).toEqual([
      expect.objectContaining({
        id: e2,
        itemsInPeriod: 3,
        department: '日报测试住建局',
        areas: ['住房保障'],
        sentimentLabel: '负面为主',
        clocks: [expect.objectContaining({ kind: 'response', state: 'met' })],
      }),
    ]);
    expect(b.ongoingEvents).toEqual([
      expect.objectContaining({
        id: e1,
        itemsInPeriod: 1,
        itemsCount: 3,
        severityLabel: '重大',
        emergency: true,
      }),
    ]);
    expect(
      b.ongoingEvents[0].clocks.map((c: { kind: string; state: string }) => `${c.kind}:${c.state}`).sort(),
    ).toEqual(['initial_release:met_late', 'press_conference:met_late']);
    expect(b.responses.map((r: { kindLabel: string }) => r.kindLabel)).toEqual(['回应', '新闻发布会']);
    expect(
      b.late.map((l: { kindLabel: string; stateLabel: string }) => `${l.kindLabel}:${l.stateLabel}`).sort(),
    ).toEqual(['政策解读:逾期完成', '新闻发布会:逾期完成', '首发权威信息:逾期完成'].sort());
    expect(b.policies).toEqual([
      expect.objectContaining({
        title: '关于老旧小区加装电梯的实施办法',
        eventTitles: ['幸福小区加装电梯费用分摊引发争议'],
      }),
    ]);

    // Yesterday by default; bad dates name the field; departments cannot read the county's brief.
    const def = (await sup.agent.get('/api/reports/opinion-daily').expect(200)).body;
    expect(def.date).toBe('2026-06-10');
    expect(fieldsOf(await sup.agent.get('/api/reports/opinion-daily?date=2026-06-31').expect(400))).toEqual([
      'date',
    ]);
    expect(
      fieldsOf(await sup.agent.get('/api/reports/opinion-weekly?monday=2026-06-09').expect(400)),
    ).toEqual(['monday']);
    const drafter = await actor(tp, ['drafter']);
    await drafter.agent.get('/api/reports/opinion-daily?date=2026-06-10').expect(403);
  });

  test('the .docx carries the locality and date in its title, the tables and a Word chart', async () => {
    const res = await download(sup, '/reports/opinion-daily/2026-06-10.docx').expect(200);
    expect(res.headers['content-type']).toContain('wordprocessingml');
    const zip = await JSZip.loadAsync(res.body as Buffer);
    const xml = await zip.file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, '');
    expect(text).toContain('示范区舆情日报（2026年6月10日）');
    expect(text).toContain('幸福小区加装电梯费用分摊引发争议');
    expect(text).toContain('青石镇化工厂爆炸');
    expect(text).toContain('关于老旧小区加装电梯的实施办法');
    expect(text).toContain('共监测到相关信息 5 条，其中负面 4 条');
    expect(Object.keys(zip.files).filter((f) => /^word\/charts\/chart\d+\.xml$/.test(f))).toHaveLength(2);

    const week = await download(sup, '/reports/opinion-weekly/2026-06-08.docx').expect(200);
    const wxml = (
      await (await JSZip.loadAsync(week.body as Buffer)).file('word/document.xml')!.async('string')
    ).replace(/<[^>]+>/g, '');
    expect(wxml).toContain('示范区舆情周报（2026年6月8日至6月14日）');
    expect(wxml).toContain('八、问责情况');
    expect(wxml).toContain('约谈整改');
    expect(wxml).toContain('5小时内未发布权威信息');

    const page = await sup.agent.get('/reports/opinion-daily/2026-06-10').expect(200);
    expect(page.text).toContain('示范区舆情日报（2026年6月10日）');
    expect(page.text).toContain('data-chart-spec="channel"');
  });

  test('archiving keeps the brief as generated', async () => {
    const r = await send(sup, 'post', '/reports/briefs', { kind: 'daily', date: '2026-06-10' });
    expect(r.headers.location).toBe('/reports/briefs');
    const list = (await sup.agent.get('/api/reports/briefs').expect(200)).body.briefs;
    expect(list).toEqual([
      expect.objectContaining({ kind: 'daily', period_start: '2026-06-10', trigger: 'manual' }),
    ]);
    const stored = await download(sup, `/reports/briefs/${list[0].id}.docx`).expect(200);
    const xml = await (
      await JSZip.loadAsync(stored.body as Buffer)
    )
      .file('word/document.xml')!
      .async('string');
    expect(xml).toContain('示范区舆情日报（2026年6月10日）');
  });
});

describe('the scheduled daily brief', () => {
  let tp: TestPlatform;
  afterAll(() => tp?.close());

  test('runs on its own timer and archives the previous day’s brief', async () => {
    // Every 2 seconds instead of 07:00, so the real Agenda timer fires within the test.
    tp = await startTestPlatform({ env: { DAILY_REPORT_CRON: '*/2 * * * * *' } });
    const core = tp.platform.core;
    const yesterday = previousPeriods(new Date()).day;
    const deadline = Date.now() + 30_000;
    let row;
    while (Date.now() < deadline) {
      row = await core.db
        .selectFrom('opinion_reports')
        .selectAll()
        .where('kind', '=', 'daily')
        .executeTakeFirst();
      if (row) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(row).toMatchObject({ kind: 'daily', trigger: 'scheduled' });
    // A run just after midnight may archive the day before; either way it is a previous day.
    expect([yesterday, previousPeriods(new Date(Date.now() - 60_000)).day]).toContain(row!.period_start);
    expect((row!.content as { title: string }).title).toContain('舆情日报');
  }, 60_000);
});
