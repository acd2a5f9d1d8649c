import { ManualClock } from '../../src/shared/clock.js';
import { advanceClock } from '../../src/clocks/firing.js';
import { createTestDatabase } from '../support/db.js';
import { ADMIN, login, startTestPlatform, type TestPlatform, usePlatform } from '../support/platform.js';
import { makeDepartment } from '../support/factories.js';
import { alertsOf, consoleClient, meetTestClock, openTestClock } from '../support/clocks.js';
import { send } from '../support/actors.js';

const sh = (iso: string) => new Date(`${iso}+08:00`);

describe('clocks on an exact clock', () => {
  const clock = new ManualClock(sh('2025-09-26T10:00:00'));
  const tp = usePlatform({ clock, start: false });

  test('an interpretation clock is due 24:00 of the 3rd working day, 调休 included', async () => {
    const dept = await makeDepartment(tp);
    const c = await openTestClock(tp, {
      kind: 'interpretation',
      departmentId: dept.id,
      startAt: sh('2025-09-26T10:00:00'),
    });
    expect(c.due_at.toISOString()).toBe(sh('2025-10-01T00:00:00').toISOString());
    expect(c.state).toBe('running');
    expect(c.calendar_certain).toBe(true);
  });

  test('a clock recorded after its deadline breaches at once, exactly once, without stale warnings', async () => {
    clock.set(sh('2026-03-02T12:00:00'));
    const before = (await alertsOf(tp)).length;
    const c = await openTestClock(tp, { kind: 'initial_release', startAt: sh('2026-03-02T06:59:00') });
    expect(c.state).toBe('breached');
    const fresh = (await alertsOf(tp)).slice(before).filter((a) => a.subject_id === String(c.id));
    expect(fresh.map((a) => a.type)).toEqual(['clock.breached']);
    // Every later run of the job, sweep or another node changes nothing.
    for (let i = 0; i < 3; i++)
      await tp.platform.core.db.transaction().execute((trx) => advanceClock(trx, c.id, clock.now()));
    const again = (await alertsOf(tp)).filter((a) => a.subject_id === String(c.id));
    expect(again.map((a) => a.type)).toEqual(['clock.breached']);
  });

  test('warnings at 50 % and 80 %, then breach, then escalation to 舆情中心 and 政务公开办', async () => {
    await makeDepartment(tp, '舆情中心测试', 'opinion_center');
    await makeDepartment(tp, '政府办测试', 'government_office');
    const firstOfKind = async (kind: string) =>
      (
        await tp.platform.core.db
          .selectFrom('departments')
          .select('id')
          .where('kind', '=', kind)
          .orderBy('id')
          .executeTakeFirstOrThrow()
      ).id;
    const center = { id: await firstOfKind('opinion_center') };
    const office = { id: await firstOfKind('government_office') };
    clock.set(sh('2026-03-03T08:00:00'));
    const c = await openTestClock(tp, { kind: 'initial_release', startAt: clock.now() });
    const fire = () =>
      tp.platform.core.db.transaction().execute((trx) => advanceClock(trx, c.id, clock.now()));
    const types = async () =>
      (await alertsOf(tp)).filter((a) => a.subject_id === String(c.id)).map((a) => [a.type, a.department_id]);
    clock.set(sh('2026-03-03T10:29:59'));
    await fire();
    expect(await types()).toEqual([]);
    clock.set(sh('2026-03-03T10:30:00'));
    await fire();
    clock.set(sh('2026-03-03T12:00:00'));
    await fire();
    clock.set(sh('2026-03-03T13:00:00'));
    await fire();
    clock.set(sh('2026-03-03T13:30:00'));
    await fire();
    clock.set(sh('2026-03-03T14:00:00'));
    await fire();
    expect(await types()).toEqual([
      ['clock.warning', null],
      ['clock.warning', null],
      ['clock.breached', null],
      ['clock.escalated', center.id],
      ['clock.escalated', office.id],
    ]);
  });

  test('met late records the lateness; a met clock fires nothing more', async () => {
    clock.set(sh('2026-03-04T08:00:00'));
    const c = await openTestClock(tp, { kind: 'initial_release', startAt: clock.now() });
    clock.set(sh('2026-03-04T13:20:00'));
    await tp.platform.core.db.transaction().execute((trx) => advanceClock(trx, c.id, clock.now()));
    const done = await meetTestClock(tp, c);
    expect(done?.state).toBe('met_late');
    expect(done?.lateness_seconds).toBe(20 * 60);
    clock.set(sh('2026-03-05T08:00:00'));
    await tp.platform.core.db.transaction().execute((trx) => advanceClock(trx, c.id, clock.now()));
    const types = (await alertsOf(tp)).filter((a) => a.subject_id === String(c.id)).map((a) => a.type);
    expect(types).toEqual(['clock.breached']);
  });
});

describe('calendar API and recomputation', () => {
  let tp: TestPlatform;
  let admin: Awaited<ReturnType<typeof login>>;
  const clock = new ManualClock(sh('2025-09-26T10:00:00'));
  beforeAll(async () => {
    tp = await startTestPlatform({ clock, start: false });
    admin = await login(tp, ADMIN.username, ADMIN.password);
  });
  afterAll(() => tp.close());

  test('GET /api/calendar/:year knows 调休 and says when a year is provisional', async () => {
    const y2025 = await admin.agent.get('/api/calendar/2025').expect(200);
    expect(y2025.body.certain).toBe(true);
    expect(y2025.body.days).toContainEqual(expect.objectContaining({ date: '2025-09-28', work: true }));
    expect(y2025.body.days).toContainEqual(expect.objectContaining({ date: '2025-10-08', work: false }));
    const y2027 = await admin.agent.get('/api/calendar/2027').expect(200);
    expect(y2027.body.certain).toBe(false);
    expect(y2027.body.days).toContainEqual(
      expect.objectContaining({ date: '2027-02-06', work: false, name: '春节' }),
    );
  });

  test('a day override moves a running working-day clock at once and tells its department', async () => {
    const dept = await makeDepartment(tp);
    const c = await openTestClock(tp, {
      kind: 'interpretation',
      departmentId: dept.id,
      startAt: clock.now(),
    });
    expect(c.due_at.toISOString()).toBe(sh('2025-10-01T00:00:00').toISOString());
    const res = await admin.agent
      .put('/api/calendar/days/2025-09-29')
      .set('x-csrf-token', admin.csrf)
      .send({ work: false, name: '台风停工' })
      .expect(200);
    expect(res.body.clocksMoved).toBeGreaterThanOrEqual(1);
    const clocks = await admin.agent
      .get(`/api/clocks?state=running&subjectKind=test&subjectId=${c.subject_id}`)
      .expect(200);
    expect(clocks.body.clocks[0].dueAt).toBe('2025-10-10T00:00:00+08:00');
    const moved = (await alertsOf(tp, 'clock.deadline_moved')).filter((a) => a.subject_id === String(c.id));
    expect(moved).toHaveLength(1);
    expect(moved[0]!.department_id).toBe(dept.id);
  });

  test('importing an official schedule makes the year certain and re-derives clocks', async () => {
    clock.set(sh('2026-12-29T10:00:00'));
    const c = await openTestClock(tp, { kind: 'interpretation', startAt: clock.now() });
    expect(c.calendar_certain).toBe(false);
    expect(c.due_at.toISOString()).toBe(sh('2027-01-05T00:00:00').toISOString());
    const res = await send(admin, 'post', '/api/calendar/import', {
      year: 2027,
      days: [
        { date: '2027-01-01', work: false, name: '元旦' },
        { date: '2027-01-02', work: false, name: '元旦' },
        { date: '2027-01-03', work: false, name: '元旦' },
        { date: '2027-01-04', work: false, name: '元旦' },
      ],
    }).expect(200);
    expect(res.body.certain).toBe(true);
    expect((await admin.agent.get('/api/calendar/2027').expect(200)).body.certain).toBe(true);
    const after = await admin.agent.get(`/api/clocks?subjectKind=test&subjectId=${c.subject_id}`).expect(200);
    expect(after.body.clocks[0].dueAt).toBe('2027-01-06T00:00:00+08:00');
    expect(after.body.clocks[0].calendarCertain).toBe(true);
  });

  test('bad input is a 4xx problem naming the field, and nothing is written', async () => {
    const bad = await admin.agent
      .put('/api/calendar/days/2026-02-30')
      .set('x-csrf-token', admin.csrf)
      .send({ work: true, name: 'x' })
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(bad.body.errors)).toContain('date');
    const wrongYear = await send(admin, 'post', '/api/calendar/import', {
      year: 2028,
      days: [
        { date: '2028-01-01', work: false, name: '元旦' },
        { date: '2029-01-01', work: false, name: '' },
      ],
    }).expect(422);
    expect(wrongYear.body.errors[0].field).toBe('days.1.date');
    expect((await admin.agent.get('/api/calendar/2028').expect(200)).body.certain).toBe(false);
    const negative = await admin.agent
      .put('/api/clock-policies/response')
      .set('x-csrf-token', admin.csrf)
      .send({
        label: '回应',
        config: { window: { unit: 'hours', amount: -5 }, warnings: [], escalation: [], renotifyMinutes: 5 },
      })
      .expect(400);
    expect(JSON.stringify(negative.body.errors)).toContain('config.window.amount');
    await expect(openTestClock(tp, { kind: 'no_such_kind', startAt: clock.now() })).rejects.toMatchObject({
      status: 422,
    });
    // Nothing the refused requests carried was written.
    const db = tp.platform.core.db;
    const days2028 = await db
      .selectFrom('calendar_days')
      .select('date')
      .where('date', '>=', '2028-01-01')
      .where('date', '<', '2029-01-01')
      .execute();
    expect(days2028).toEqual([]);
    const response = await db
      .selectFrom('clock_policies')
      .select('config')
      .where('kind', '=', 'response')
      .executeTakeFirstOrThrow();
    expect(response.config).toMatchObject({ window: { unit: 'hours', amount: 48 } });
    const unknown = await db.selectFrom('clocks').select('id').where('kind', '=', 'no_such_kind').execute();
    expect(unknown).toEqual([]);
  });
});

describe('real timers (Agenda on PostgreSQL)', () => {
  test('a breach reaches a connected console within a second of dueAt, exactly once', async () => {
    const tp = await startTestPlatform();
    try {
      const admin = await login(tp, ADMIN.username, ADMIN.password);
      const consoleSocket = await consoleClient(tp, { cookie: admin.cookie });
      const due = Date.now() + 2000;
      const c = await openTestClock(tp, { kind: 'initial_release', startAt: new Date(due - 5 * 3_600_000) });
      const alert = await consoleSocket.waitFor(
        (a) => a.type === 'clock.breached' && a.subject.id === String(c.id),
      );
      const latency = Date.parse(alert.createdAt!) - c.due_at.getTime();
      expect(latency).toBeGreaterThanOrEqual(0);
      expect(latency).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(
        consoleSocket.alerts.filter((a) => a.subject.id === String(c.id) && a.type === 'clock.breached'),
      ).toHaveLength(1);
      consoleSocket.socket.close();
    } finally {
      await tp.close();
    }
  }, 30_000);

  test('two scheduler instances on one database fire a breach once', async () => {
    const db = await createTestDatabase();
    const a = await startTestPlatform({ db });
    const b = await startTestPlatform({ db });
    try {
      const clocks: Awaited<ReturnType<typeof openTestClock>>[] = [];
      for (let i = 0; i < 5; i++)
        clocks.push(
          await openTestClock(a, {
            kind: 'initial_release',
            startAt: new Date(Date.now() + 1500 + i * 100 - 5 * 3_600_000),
          }),
        );
      await new Promise((r) => setTimeout(r, 3500));
      const breached = (await alertsOf(a, 'clock.breached')).filter((x) =>
        clocks.some((c) => String(c.id) === x.subject_id),
      );
      expect(breached).toHaveLength(5);
      expect(new Set(breached.map((x) => x.subject_id)).size).toBe(5);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  }, 30_000);

  test('a restart mid-window still fires once', async () => {
    const db = await createTestDatabase();
    const first = await startTestPlatform({ db });
    const c = await openTestClock(first, {
      kind: 'initial_release',
      startAt: new Date(Date.now() + 2500 - 5 * 3_600_000),
    });
    await first.platform.close(); // the node goes away before the deadline
    await new Promise((r) => setTimeout(r, 3000));
    const second = await startTestPlatform({ db });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const breached = (await alertsOf(second, 'clock.breached')).filter(
        (x) => x.subject_id === String(c.id),
      );
      expect(breached).toHaveLength(1);
    } finally {
      await second.close();
      await db.drop();
    }
  }, 30_000);
});

describe('pausable clocks (依申请公开) and admin pages', () => {
  const clock = new ManualClock(sh('2026-03-02T09:00:00'));
  const tp = usePlatform({ clock, start: false });

  test('20 working days, paused days not counted, extended once by 20 more', async () => {
    const admin = await login(tp, ADMIN.username, ADMIN.password);
    const c = await openTestClock(tp, { kind: 'disclosure_request', startAt: clock.now() });
    expect(c.due_at.toISOString()).toBe(sh('2026-03-31T00:00:00').toISOString());
    clock.set(sh('2026-03-03T10:00:00'));
    await send(admin, 'post', `/api/clocks/${c.id}/pause`).expect(200);
    await send(admin, 'post', `/api/clocks/${c.id}/pause`).expect(409);
    clock.set(sh('2026-03-06T10:00:00')); // Wed, Thu, Fri not counted
    const resumed = await send(admin, 'post', `/api/clocks/${c.id}/resume`).expect(200);
    expect(resumed.body.dueAt).toBe('2026-04-03T00:00:00+08:00');
    const extended = await send(admin, 'post', `/api/clocks/${c.id}/extend`).expect(200);
    expect(extended.body.extended).toBe(true);
    expect(extended.body.dueAt).toBe('2026-05-07T00:00:00+08:00'); // 清明 and 劳动节 skipped
    await send(admin, 'post', `/api/clocks/${c.id}/extend`).expect(409);
    const fixed = await openTestClock(tp, { kind: 'response', startAt: clock.now() });
    await send(admin, 'post', `/api/clocks/${fixed.id}/pause`).expect(409);
  });

  test('the calendar, clock-policy and clock pages render for an admin', async () => {
    const admin = await login(tp, ADMIN.username, ADMIN.password);
    const cal = await admin.agent.get('/admin/calendar?year=2026').expect(200);
    expect(cal.text).toContain('工作日历 2026');
    expect(cal.text).toContain('swap-work');
    const prov = await admin.agent.get('/admin/calendar?year=2027').expect(200);
    expect(prov.text).toContain('暂定');
    const pol = await admin.agent.get('/admin/clock-policies').expect(200);
    expect(pol.text).toContain('initial_release');
    await admin.agent.get('/clocks').expect(200);
  });
});

describe('unacknowledged critical alerts', () => {
  const clock = new ManualClock(sh('2026-04-01T08:00:00'));
  const tp = usePlatform({ clock, start: false });

  test('re-notify one level up until acknowledged; acknowledging settles the whole chain', async () => {
    const { renotifyDueAlerts } = await import('../../src/alerts/renotify.js');
    await makeDepartment(tp, '舆情中心R', 'opinion_center');
    const c = await openTestClock(tp, { kind: 'initial_release', startAt: sh('2026-04-01T02:00:00') });
    const breach = (await alertsOf(tp, 'clock.breached')).find((a) => a.subject_id === String(c.id))!;
    expect(breach.renotify_at?.toISOString()).toBe(sh('2026-04-01T08:10:00').toISOString());
    clock.set(sh('2026-04-01T08:09:59'));
    expect(await renotifyDueAlerts(tp.platform.core, clock.now())).toBe(0);
    clock.set(sh('2026-04-01T08:10:00'));
    // The breach and the escalation raised with it (the clock was recorded after both were due).
    expect(await renotifyDueAlerts(tp.platform.core, clock.now())).toBe(2);
    expect(await renotifyDueAlerts(tp.platform.core, clock.now())).toBe(0); // once per round
    const renotified = (await alertsOf(tp, 'alert.renotified')).filter(
      (a) => (a.data as { originalAlertId?: number }).originalAlertId === breach.id,
    );
    expect(renotified).toHaveLength(1);
    expect(renotified[0]!.escalation_level).toBe(1);
    const admin = await login(tp, ADMIN.username, ADMIN.password);
    await send(admin, 'post', `/api/alerts/${renotified[0]!.id}/ack`).expect(200);
    const open = await admin.agent.get('/api/alerts?acked=false').expect(200);
    const ids = open.body.alerts.map((a: { id: number }) => a.id);
    expect(ids).not.toContain(breach.id);
    clock.set(sh('2026-04-01T09:00:00'));
    const next = await renotifyDueAlerts(tp.platform.core, clock.now());
    const again = (await alertsOf(tp, 'alert.renotified')).filter(
      (a) => (a.data as { originalAlertId?: number }).originalAlertId === breach.id,
    );
    expect(again).toHaveLength(1); // the acknowledged chain stays quiet; only the escalation repeats
    expect(next).toBe(1);
  });
});

describe('escalation and the duty roster', () => {
  const clock = new ManualClock(sh('2026-05-11T08:00:00'));
  const tp = usePlatform({ clock, start: false });

  test('an escalation names the on-duty people of its level for that day', async () => {
    const { makeUser, PASSWORD } = await import('../support/factories.js');
    const center = await makeDepartment(tp, '舆情中心值班', 'opinion_center');
    const duty = await makeUser(tp, ['duty'], center.id);
    const admin = await login(tp, ADMIN.username, ADMIN.password);
    await send(admin, 'post', '/api/roster', { date: '2026-05-11', level: 1, userId: duty.id }).expect(201);
    await send(admin, 'post', '/api/roster', { date: '2026-05-11', level: 1, userId: duty.id }).expect(409);
    await send(admin, 'post', '/api/roster', { date: '2026-05-32', level: 1, userId: duty.id }).expect(400);
    const c = await openTestClock(tp, { kind: 'initial_release', startAt: sh('2026-05-11T03:00:00') });
    clock.set(sh('2026-05-11T08:31:00'));
    await tp.platform.core.db.transaction().execute((trx) => advanceClock(trx, c.id, clock.now()));
    const esc = (await alertsOf(tp, 'clock.escalated')).find((a) => a.subject_id === String(c.id))!;
    expect(esc.escalation_level).toBe(1);
    expect((esc.data as { onDuty: { id: number }[] }).onDuty.map((u) => u.id)).toEqual([duty.id]);
    const roster = await login(tp, duty.username, PASSWORD);
    const today = await roster.agent.get('/api/roster?from=2026-05-11').expect(200);
    expect(today.body.roster).toHaveLength(1);
    await roster.agent.get('/roster').expect(200);
  });
});
