import ExcelJS from 'exceljs';
import { ManualClock } from '../../src/shared/clock.js';
import { advanceClock } from '../../src/clocks/firing.js';
import { median, seriesByDay, formatMinutes } from '../../src/reports/stats.js';
import { insertAnalysedItems } from '../../src/reports/history-items.js';
import { usePlatform } from '../support/platform.js';
import { makeDepartment } from '../support/factories.js';
import { actor, published, send, type Actor } from '../support/actors.js';
import { binary } from '../support/files.js';

test('median, day series and durations', () => {
  expect(median([])).toBeNull();
  expect(median([5, 1, 3])).toBe(3);
  expect(median([180, 240])).toBe(210);
  expect(
    seriesByDay(
      [
        { day: '2026-06-02', key: 'weibo', count: 2 },
        { day: '2026-06-01', key: 'news', count: 3 },
        { day: '2026-06-02', key: 'weibo', count: 1 },
      ],
      ['2026-06-01', '2026-06-02'],
    ),
  ).toEqual({
    keys: ['news', 'weibo'],
    days: ['2026-06-01', '2026-06-02'],
    values: { news: [3, 0], weibo: [0, 3] },
  });
  expect(formatMinutes(1500)).toBe('1天1小时');
  expect(formatMinutes(210)).toBe('3小时30分');
});

describe('supervision figures for a fixture period (May–June 2026)', () => {
  const clock = new ManualClock('2026-07-02T02:00:00Z');
  const tp = usePlatform({ clock, start: false });
  let sup: Actor;
  let deptA: number;
  let deptB: number;

  beforeAll(async () => {
    const core = tp.platform.core;
    deptA = (await makeDepartment(tp, '考核测试住建局')).id;
    deptB = (await makeDepartment(tp, '考核测试教育局')).id;
    sup = await actor(tp, ['supervisor']);
    const drafterA = await actor(tp, ['drafter'], deptA);
    const drafterB = await actor(tp, ['drafter'], deptB);
    const interpret = (d: Actor, id: number, at: string) =>
      send(d, 'post', `/api/policies/${id}/interpretations`, {
        form: 'text',
        title: '文字解读',
        publishedAt: at,
      }).expect(201);
    // Interpretation clocks: 3 working days after publication.
    const p0 = await published(drafterA, sup, { title: '四月文件' }, '2026-04-20T10:00:00+08:00');
    await interpret(drafterA, p0.id, '2026-04-21T10:00:00+08:00'); // outside the period
    const p1 = await published(drafterA, sup, { title: '五月文件' }, '2026-05-11T10:00:00+08:00');
    await interpret(drafterA, p1.id, '2026-05-12T10:00:00+08:00'); // met
    const p2 = await published(drafterA, sup, { title: '六月文件甲' }, '2026-06-01T10:00:00+08:00');
    await interpret(drafterA, p2.id, '2026-06-03T10:00:00+08:00'); // met
    const p3 = await published(drafterA, sup, { title: '六月文件乙' }, '2026-06-02T10:00:00+08:00');
    await interpret(drafterA, p3.id, '2026-06-10T10:00:00+08:00'); // due 06-05 24:00 → met late
    const p4 = await published(drafterB, sup, { title: '六月文件丙' }, '2026-06-03T10:00:00+08:00'); // never: breached

    const analyst = await actor(tp, ['analyst']);
    const event = async (title: string, dept: number, at: string, major: boolean) =>
      (
        await send(analyst, 'post', '/api/opinion/events', {
          title,
          detectedAt: at,
          severity: major ? 'major' : 'general',
          emergency: major,
          responsibleDepartmentId: dept,
        }).expect(201)
      ).body.id as number;
    const act = (id: number, kind: string, at: string) =>
      send(analyst, 'post', `/api/opinion/events/${id}/actions`, { kind, occurredAt: at }).expect(201);
    const eA1 = await event('甲地停水', deptA, '2026-06-05T00:00:00+08:00', false);
    await act(eA1, 'response', '2026-06-05T10:00:00+08:00'); // 600 min, met
    const eB1 = await event('乙校收费', deptB, '2026-06-06T00:00:00+08:00', false);
    await act(eB1, 'response', '2026-06-08T02:00:00+08:00'); // 3000 min, 2 h late
    const eA2 = await event('甲地坍塌', deptA, '2026-06-07T00:00:00+08:00', true);
    await act(eA2, 'initial_release', '2026-06-07T03:00:00+08:00'); // 180 min
    await act(eA2, 'press_conference', '2026-06-07T20:00:00+08:00'); // 1200 min
    const eA3 = await event('甲地火灾', deptA, '2026-06-08T00:00:00+08:00', true);
    await act(eA3, 'initial_release', '2026-06-08T04:00:00+08:00'); // 240 min
    await act(eA3, 'press_conference', '2026-06-09T06:00:00+08:00'); // 1800 min, 6 h late
    const eB2 = await event('乙地爆炸', deptB, '2026-06-09T00:00:00+08:00', true); // both breached

    // Recorded after their deadlines, the three unanswered clocks breach at once (the engine
    // would fire any other on its sweep).
    const open = await core.db.selectFrom('clocks').select('id').where('state', '=', 'running').execute();
    await core.db.transaction().execute(async (trx) => {
      for (const c of open) await advanceClock(trx, c.id, clock.now());
    });
    const breached = await core.db
      .selectFrom('clocks')
      .select('id')
      .where('state', '=', 'breached')
      .execute();
    expect(breached).toHaveLength(3);
    expect(p4.publish.interpretationClock.state).toBe('breached');

    // Items: six in June (three of them in eB2's cluster), one in July.
    const at = (s: string) => new Date(s);
    await insertAnalysedItems(core.db, eB2, [
      {
        publishedAt: at('2026-06-09T01:00:00+08:00'),
        channel: 'weibo',
        source: '微博',
        content: '乙地爆炸一',
        sentiment: 'negative',
        categories: ['就医'],
      },
      {
        publishedAt: at('2026-06-09T02:00:00+08:00'),
        channel: 'weibo',
        source: '微博',
        content: '乙地爆炸二',
        sentiment: 'negative',
        categories: ['就医'],
      },
      {
        publishedAt: at('2026-06-10T02:00:00+08:00'),
        channel: 'weibo',
        source: '微博',
        content: '乙地爆炸三',
        sentiment: 'negative',
        categories: ['就医'],
      },
    ]);
    await insertAnalysedItems(core.db, null, [
      {
        publishedAt: at('2026-06-10T09:00:00+08:00'),
        channel: 'wechat',
        source: '公众号',
        content: '停水通知',
        sentiment: 'neutral',
        categories: [],
      },
      {
        publishedAt: at('2026-06-30T23:30:00+08:00'),
        channel: 'wechat',
        source: '公众号',
        content: '月末',
        sentiment: 'neutral',
        categories: [],
      },
      {
        publishedAt: at('2026-06-11T09:00:00+08:00'),
        channel: 'news',
        source: '日报',
        content: '学校医务室',
        sentiment: 'positive',
        categories: ['就学', '就医'],
      },
      {
        publishedAt: at('2026-07-01T00:30:00+08:00'),
        channel: 'news',
        source: '日报',
        content: '七月',
        sentiment: 'positive',
        categories: ['就学'],
      },
    ]);

    clock.set('2026-06-20T02:00:00Z');
    const clockB = await core.db
      .selectFrom('clocks')
      .select('id')
      .where('kind', '=', 'interpretation')
      .where('department_id', '=', deptB)
      .executeTakeFirstOrThrow();
    await send(sup, 'post', '/api/accountability', {
      clockId: clockB.id,
      decision: '通报批评',
      note: '解读超时',
    }).expect(201);
    clock.set('2026-07-02T02:00:00Z');
  }, 180_000);

  const period = 'from=2026-05-01&to=2026-06-30';

  test('timeliness, monthly 解读 rate, medians, breaches, volume and events equal the hand-computed figures', async () => {
    const res = await sup.agent.get(`/api/reports/supervision?${period}`).expect(200);
    const f = res.body;
    const row = (dept: number, kind: string) =>
      f.timeliness.rows.find(
        (r: { departmentId: number; kind: string }) => r.departmentId === dept && r.kind === kind,
      );
    expect(row(deptA, 'interpretation')).toMatchObject({
      total: 3,
      met: 2,
      metLate: 1,
      breached: 0,
      onTimeRate: 0.667,
    });
    expect(row(deptB, 'interpretation')).toMatchObject({ total: 1, breached: 1, onTimeRate: 0 });
    expect(row(deptA, 'initial_release')).toMatchObject({ total: 2, met: 2, onTimeRate: 1 });
    expect(row(deptA, 'press_conference')).toMatchObject({
      total: 2,
      met: 1,
      metLate: 1,
      averageLatenessMinutes: 360,
    });
    expect(row(deptA, 'response')).toMatchObject({ total: 1, met: 1 });
    expect(row(deptB, 'response')).toMatchObject({ total: 1, metLate: 1, averageLatenessMinutes: 120 });
    expect(row(deptB, 'initial_release')).toMatchObject({ total: 1, breached: 1 });
    expect(row(deptB, 'press_conference')).toMatchObject({ total: 1, breached: 1 });
    expect(f.timeliness.rows).toHaveLength(8);

    const monthly = (dept: number | null, month: string) =>
      (dept === null ? f.interpretationMonthly.totals : f.interpretationMonthly.rows).find(
        (r: { departmentId: number | null; kind: string }) =>
          r.kind === month && (dept === null || r.departmentId === dept),
      );
    expect(f.interpretationMonthly.months).toEqual(['2026-05', '2026-06']);
    expect(monthly(deptA, '2026-05')).toMatchObject({ total: 1, met: 1, onTimeRate: 1 });
    expect(monthly(deptA, '2026-06')).toMatchObject({ total: 2, met: 1, metLate: 1, onTimeRate: 0.5 });
    expect(monthly(deptB, '2026-06')).toMatchObject({ total: 1, breached: 1, onTimeRate: 0 });
    expect(monthly(null, '2026-06')).toMatchObject({ total: 3, onTimeRate: 0.333 });

    const med = Object.fromEntries(
      f.medians.map((m: { kind: string; medianMinutes: number; count: number }) => [
        m.kind,
        [m.medianMinutes, m.count],
      ]),
    );
    expect(med).toMatchObject({
      initial_release: [210, 2],
      press_conference: [1500, 2],
      response: [1800, 2],
    });

    expect(f.openBreaches).toHaveLength(3);
    expect(new Set(f.openBreaches.map((b: { departmentId: number }) => b.departmentId))).toEqual(
      new Set([deptB]),
    );

    expect(f.volume.total).toBe(6);
    const totals = (s: { totals: { key: string; count: number }[] }) =>
      Object.fromEntries(s.totals.map((t) => [t.key, t.count]));
    expect(totals(f.volume.byChannel)).toEqual({ weibo: 3, wechat: 2, news: 1 });
    expect(totals(f.volume.bySentiment)).toEqual({ negative: 3, neutral: 2, positive: 1 });
    expect(totals(f.volume.byArea)).toEqual({ 就医: 4, 其他: 2, 就学: 1 });
    const june9 = f.volume.byChannel.days.indexOf('2026-06-09');
    expect(f.volume.byChannel.values.weibo[june9]).toBe(2);
    expect(f.volume.byChannel.values.wechat[f.volume.byChannel.days.indexOf('2026-06-30')]).toBe(1);

    expect(f.topEvents[0]).toMatchObject({ title: '乙地爆炸', itemsInPeriod: 3, departmentId: deptB });
    expect(f.accountability).toHaveLength(1);
    expect(f.accountability[0]).toMatchObject({ departmentId: deptB, decisionLabel: '通报批评' });

    // One department: its own clocks and the items of its events only.
    const b = (await sup.agent.get(`/api/reports/supervision?${period}&departmentId=${deptB}`).expect(200))
      .body;
    expect(b.timeliness.totals.reduce((s: number, t: { total: number }) => s + t.total, 0)).toBe(4);
    expect(b.volume.total).toBe(3);
    expect(b.openBreaches).toHaveLength(3);
    const a = (await sup.agent.get(`/api/reports/supervision?${period}&departmentId=${deptA}`).expect(200))
      .body;
    expect(a.openBreaches).toHaveLength(0);
    expect(a.accountability).toHaveLength(0);
  });

  test('every number drills down to as many clocks or items', async () => {
    const page = await sup.agent.get(`/reports?${period}`).expect(200);
    expect(page.text).toContain('考核测试住建局');
    expect(page.text).toContain('data-chart-spec="interpretation"');
    const count = async (url: string) => {
      const html = (await sup.agent.get(url).expect(200)).text;
      return Number(/id="drill-count">(\d+)</.exec(html)![1]);
    };
    const q = (extra: string) => `/reports/drill?${period}&${extra}`;
    expect(await count(q(`what=clocks&kind=interpretation&month=2026-06&departmentId=${deptA}`))).toBe(2);
    expect(await count(q('what=clocks&kind=interpretation&state=decided'))).toBe(4);
    expect(await count(q(`what=clocks&group=response&state=breached&departmentId=${deptB}`))).toBe(2);
    expect(await count(q('what=clocks&kind=press_conference&state=done'))).toBe(2);
    expect(await count(q('what=breaches'))).toBe(3);
    expect(await count(q('what=items'))).toBe(6);
    expect(await count(q('what=items&channel=weibo&bucket=2026-06-09'))).toBe(2);
    expect(await count(q('what=items&area=就医'))).toBe(4);
    expect(await count(q('what=items&area=其他'))).toBe(2);
    expect(await count(q('what=items&sentiment=neutral'))).toBe(2);
    await sup.agent.get(q('what=nothing')).expect(400);
    // Every drill link on the page answers.
    const links = [...page.text.matchAll(/href="(\/reports\/drill\?[^"]+)"/g)].map((m) =>
      m[1]!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '='),
    );
    expect(links.length).toBeGreaterThan(20);
    for (const l of links.slice(0, 40)) expect([l, (await sup.agent.get(l)).status]).toEqual([l, 200]);
  });

  test('the 考核 workbook has one sheet each with a title row, and its numbers equal the dashboard', async () => {
    const res = await sup.agent
      .get(`/reports/assessment.xlsx?${period}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(res.body as Buffer).buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['文件解读', '舆情事件', '时效汇总', '问责记录']);
    for (const ws of wb.worksheets)
      expect(String(ws.getCell('A1').value)).toContain('2026-05-01 至 2026-06-30');
    const rows = (name: string) => {
      const ws = wb.getWorksheet(name)!;
      const out: Record<string, unknown>[] = [];
      const header = (ws.getRow(2).values as unknown[]).slice(1) as string[];
      ws.eachRow((r, n) => {
        if (n < 3) return;
        const v = (r.values as unknown[]).slice(1);
        out.push(Object.fromEntries(header.map((h, i) => [h, v[i]])));
      });
      return out;
    };
    const docs = rows('文件解读');
    expect(docs.map((d) => d['文件标题'])).toEqual(
      expect.arrayContaining([expect.stringContaining('五月文件')]),
    );
    expect(docs).toHaveLength(4);
    const late = docs.find((d) => String(d['文件标题']).includes('六月文件乙'))!;
    expect(late).toMatchObject({
      结果: '逾期完成',
      公开时间: '2026-06-02 10:00',
      解读期限: '2026-06-06 00:00',
      首次解读时间: '2026-06-10 10:00',
    });
    expect(late['逾期（小时）']).toBe(106);
    const events = rows('舆情事件');
    expect(events).toHaveLength(5);
    expect(events.find((e) => e['事件'] === '乙地爆炸')).toMatchObject({
      结果: '已超时',
      级别: '重大',
      突发事件: '是',
    });
    expect(String(events.find((e) => e['事件'] === '甲地坍塌')!['回应动作'])).toContain(
      '2026-06-07 03:00 首发权威信息',
    );

    const dash = (await sup.agent.get(`/api/reports/supervision?${period}`).expect(200)).body;
    const summary = rows('时效汇总').filter((r) => r['责任单位'] !== '合计');
    expect(summary).toHaveLength(dash.timeliness.rows.length);
    for (const r of dash.timeliness.rows) {
      const x = summary.find((s) => s['责任单位'] === r.departmentName && s['时钟类型'] === r.kindLabel)!;
      expect([x['总数'], x['按时完成'], x['逾期完成'], x['已超时'], x['计时中']]).toEqual([
        r.total,
        r.met,
        r.metLate,
        r.breached,
        r.running,
      ]);
    }
    const acc = rows('问责记录');
    expect(acc).toEqual([
      expect.objectContaining({
        责任单位: '考核测试教育局',
        问责方式: '通报批评',
        决定时间: '2026-06-20 10:00',
        说明: '解读超时',
      }),
    ]);
  });
});
