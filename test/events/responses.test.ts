import { ManualClock } from '../../src/shared/clock.js';
import { ADMIN, login, startTestPlatform, type TestPlatform, usePlatform } from '../support/platform.js';
import { makeDepartment, makeUser, PASSWORD } from '../support/factories.js';
import { consoleClient } from '../support/clocks.js';
import { send } from '../support/actors.js';

const sh = (iso: string) => `${iso}+08:00`;

describe('response workflow on an exact clock', () => {
  let tp: TestPlatform;
  const clock = new ManualClock(sh('2026-11-23T10:00:00'));
  let analyst: Awaited<ReturnType<typeof login>>;
  let bureau: { id: number };
  let other: { id: number };
  let spokesperson: Awaited<ReturnType<typeof makeUser>>;
  beforeAll(async () => {
    tp = await startTestPlatform({ clock, start: false });
    const center = await makeDepartment(tp, '舆情中心', 'opinion_center');
    bureau = await makeDepartment(tp, '区应急管理局');
    other = await makeDepartment(tp, '区教育局');
    const a = await makeUser(tp, ['analyst'], center.id);
    analyst = await login(tp, a.username, PASSWORD);
    spokesperson = await makeUser(tp, ['spokesperson'], bureau.id);
  });
  afterAll(() => tp.close());

  const record = (body: Record<string, unknown>) => send(analyst, 'post', '/api/opinion/events', body);

  test('a major emergency gets the 5 h and 24 h clocks from its detection time', async () => {
    const res = await record({
      title: '青石镇化工厂爆炸',
      detectedAt: sh('2026-11-23T08:30:00'),
      severity: 'major',
      emergency: true,
      responsibleDepartmentId: bureau.id,
    }).expect(201);
    expect(
      res.body.clocks.map((c: { kind: string; dueAt: string; state: string }) => [c.kind, c.dueAt, c.state]),
    ).toEqual([
      ['initial_release', '2026-11-23T13:30:00+08:00', 'running'],
      ['press_conference', '2026-11-24T08:30:00+08:00', 'running'],
    ]);
  });

  test('recording a press conference held stops the 24 h clock, late ones with their lateness', async () => {
    const ev = (
      await record({
        title: '桥梁垮塌',
        detectedAt: sh('2026-11-22T09:00:00'),
        severity: 'extraordinary',
        emergency: true,
      }).expect(201)
    ).body;
    const plan = await send(analyst, 'post', `/api/opinion/events/${ev.id}/actions`, {
      kind: 'press_conference',
      planned: true,
      plannedAt: sh('2026-11-23T11:00:00'),
      place: '区政府新闻发布厅',
      keyPoints: '伤亡与救援',
    }).expect(201);
    expect(plan.body.action.status).toBe('planned');
    expect(plan.body.clocks.find((c: { kind: string }) => c.kind === 'press_conference').state).not.toBe(
      'met',
    );
    clock.set(sh('2026-11-23T11:10:00'));
    const held = await send(
      analyst,
      'post',
      `/api/opinion/events/${ev.id}/actions/${plan.body.action.id}/held`,
      { occurredAt: sh('2026-11-23T11:00:00') },
    ).expect(200);
    const pc = held.body.clocks.find((c: { kind: string }) => c.kind === 'press_conference');
    expect(pc.state).toBe('met_late');
    expect(pc.latenessSeconds).toBe(2 * 3600);
    const detail = await analyst.agent.get(`/api/opinion/events/${ev.id}`).expect(200);
    expect(detail.body.status).toBe('responding');
    expect(detail.body.actions.map((a: { kind: string; status: string }) => [a.kind, a.status])).toEqual([
      ['press_conference', 'done'],
    ]);
  });

  test('re-triage from 一般 to 重大+突发 replaces the 48 h clock by the 5 h and 24 h clocks', async () => {
    const ev = (
      await record({
        title: '小区停水投诉',
        detectedAt: sh('2026-11-23T09:00:00'),
        severity: 'general',
        emergency: false,
      }).expect(201)
    ).body;
    expect(ev.clocks.map((c: { kind: string }) => c.kind)).toEqual(['response']);
    const t = await send(analyst, 'post', `/api/opinion/events/${ev.id}/triage`, {
      severity: 'major',
      emergency: true,
    }).expect(200);
    expect(
      t.body.clocks.map((c: { kind: string; state: string; startAt: string }) => [
        c.kind,
        c.state,
        c.startAt,
      ]),
    ).toEqual([
      ['response', 'cancelled', '2026-11-23T09:00:00+08:00'],
      ['initial_release', 'running', '2026-11-23T09:00:00+08:00'],
      ['press_conference', 'running', '2026-11-23T09:00:00+08:00'],
    ]);
    const back = await send(analyst, 'post', `/api/opinion/events/${ev.id}/triage`, {
      severity: 'general',
      emergency: false,
    }).expect(200);
    const open = back.body.clocks
      .filter((c: { state: string }) => c.state === 'running')
      .map((c: { kind: string }) => c.kind);
    expect(open).toEqual(['response']);
  });

  test('a spokesperson sees and acts only within their department', async () => {
    const sp = await login(tp, spokesperson.username, PASSWORD);
    const mine = (
      await record({
        title: '应急物资发放',
        detectedAt: sh('2026-11-23T09:30:00'),
        severity: 'general',
        emergency: false,
        responsibleDepartmentId: bureau.id,
      }).expect(201)
    ).body;
    const theirs = (
      await record({
        title: '学校食堂',
        detectedAt: sh('2026-11-23T09:30:00'),
        severity: 'general',
        emergency: false,
        responsibleDepartmentId: other.id,
      }).expect(201)
    ).body;
    await sp.agent.get(`/api/opinion/events/${mine.id}`).expect(200);
    await sp.agent.get(`/api/opinion/events/${theirs.id}`).expect(404);
    await send(sp, 'post', `/api/opinion/events/${theirs.id}/actions`, {
      kind: 'response',
      occurredAt: sh('2026-11-23T10:00:00'),
    }).expect(404);
    await send(sp, 'post', `/api/opinion/events/${mine.id}/triage`, { severity: 'major' }).expect(403);
    const done = await send(sp, 'post', `/api/opinion/events/${mine.id}/actions`, {
      kind: 'response',
      occurredAt: sh('2026-11-23T10:00:00'),
      channel: '政务微博',
      url: 'https://weibo.example/1',
    }).expect(201);
    expect(done.body.clocks.find((c: { kind: string }) => c.kind === 'response').state).toBe('met');
    await send(sp, 'post', '/api/opinion/events', {
      title: '越权登记',
      detectedAt: sh('2026-11-23T09:30:00'),
      severity: 'general',
      emergency: false,
      responsibleDepartmentId: other.id,
    }).expect(403);
    const clocks = await sp.agent.get('/api/clocks').expect(200);
    expect(clocks.body.clocks.every((c: { departmentId: number }) => c.departmentId === bureau.id)).toBe(
      true,
    );
  });

  test('bad input is a 4xx problem naming the field, and nothing is written', async () => {
    const count = async () =>
      (
        await tp.platform.core.db
          .selectFrom('opinion_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    const future = await record({
      title: '未来',
      detectedAt: sh('2026-11-23T12:00:00'),
      severity: 'general',
      emergency: false,
    }).expect(422);
    expect(future.body.errors[0].field).toBe('detectedAt');
    const noTitle = await record({
      detectedAt: sh('2026-11-23T09:00:00'),
      severity: 'general',
      emergency: false,
    }).expect(400);
    expect(noTitle.headers['content-type']).toMatch(/problem\+json/);
    expect(noTitle.body.errors.map((e: { field: string }) => e.field)).toContain('title');
    const badSeverity = await record({
      title: 'x',
      detectedAt: sh('2026-11-23T09:00:00'),
      severity: 'huge',
      emergency: false,
    }).expect(400);
    expect(badSeverity.body.errors[0].field).toBe('severity');
    const badDate = await record({
      title: 'x',
      detectedAt: '2026-02-30T09:00:00+08:00',
      severity: 'general',
      emergency: false,
    }).expect(400);
    expect(badDate.body.errors[0].field).toBe('detectedAt');
    const badDept = await record({
      title: 'x',
      detectedAt: sh('2026-11-23T09:00:00'),
      severity: 'general',
      emergency: false,
      responsibleDepartmentId: 99999,
    }).expect(422);
    expect(badDept.body.errors[0].field).toBe('responsibleDepartmentId');
    expect(await count()).toBe(before);
    const ev = (
      await record({
        title: '计划测试',
        detectedAt: sh('2026-11-23T09:00:00'),
        severity: 'general',
        emergency: false,
      }).expect(201)
    ).body;
    const noPlanTime = await send(analyst, 'post', `/api/opinion/events/${ev.id}/actions`, {
      kind: 'press_conference',
      planned: true,
    }).expect(400);
    expect(noPlanTime.body.errors[0].field).toBe('plannedAt');
    await send(analyst, 'post', '/api/opinion/events/abc/triage', {}).expect(400);
    await send(analyst, 'post', '/api/opinion/events/999999/triage', {}).expect(404);
  });
});

describe('a major emergency recorded 4 h 59 m after discovery (real timers)', () => {
  test('its breach reaches an open console within seconds and 确认 acknowledges it', async () => {
    const tp = await startTestPlatform();
    try {
      const admin = await login(tp, ADMIN.username, ADMIN.password);
      const consoleSocket = await consoleClient(tp, { cookie: admin.cookie });
      const detectedAt = new Date(Date.now() - 5 * 3_600_000 + 2000).toISOString();
      const ev = await send(admin, 'post', '/api/opinion/events', {
        title: '危化品车辆侧翻',
        detectedAt,
        severity: 'major',
        emergency: true,
      }).expect(201);
      const clockId = ev.body.clocks.find((c: { kind: string }) => c.kind === 'initial_release').id;
      const alert = await consoleSocket.waitFor(
        (a) => a.type === 'clock.breached' && a.subject.id === String(clockId),
        6000,
      );
      const unacked = await admin.agent.get('/api/alerts?acked=false').expect(200);
      expect(unacked.body.alerts.map((a: { id: number }) => a.id)).toContain(alert.id);
      const ack = await new Promise<{ ok: boolean }>((resolve) =>
        consoleSocket.socket.emit('alert:ack', { id: alert.id, csrfToken: admin.csrf }, resolve),
      );
      expect(ack.ok).toBe(true);
      const after = await admin.agent.get('/api/alerts?acked=false').expect(200);
      expect(after.body.alerts.map((a: { id: number }) => a.id)).not.toContain(alert.id);
      consoleSocket.socket.close();
    } finally {
      await tp.close();
    }
  }, 30_000);
});

describe('response pages', () => {
  const clock = new ManualClock(sh('2026-11-23T10:00:00'));
  const tp = usePlatform({ clock, start: false });

  test('a spokesperson records a response from 我的回应时钟; an analyst records and triages through the forms', async () => {
    const bureau = await makeDepartment(tp, '区住建局页面');
    const center = await makeDepartment(tp, '舆情中心页面', 'opinion_center');
    const a = await makeUser(tp, ['analyst'], center.id);
    const analyst = await login(tp, a.username, PASSWORD);
    const form = await analyst.agent.get('/responses').expect(200);
    expect(form.text).toContain('登记舆情事件');
    await analyst.agent
      .post('/responses/events')
      .type('form')
      .send({
        _csrf: analyst.csrf,
        title: '<script>alert(1)</script>小区围墙倒塌',
        detectedAt: '2026-11-23T08:00',
        severity: 'general',
        emergency: 'false',
        responsibleDepartmentId: String(bureau.id),
      })
      .expect(303);
    const ev = await tp.platform.core.db
      .selectFrom('opinion_events')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(ev.detected_at.toISOString()).toBe(new Date(sh('2026-11-23T08:00:00')).toISOString());
    const detail = await analyst.agent.get(`/responses/events/${ev.id}`).expect(200);
    expect(detail.text).toContain('&lt;script&gt;');
    expect(detail.text).not.toContain('<script>alert(1)</script>');

    const s = await makeUser(tp, ['spokesperson'], bureau.id);
    const sp = await login(tp, s.username, PASSWORD);
    const mine = await sp.agent.get('/responses').expect(200);
    expect(mine.text).toContain('quick-action');
    await sp.agent
      .post(`/responses/events/${ev.id}/actions`)
      .type('form')
      .send({
        _csrf: sp.csrf,
        kind: 'response',
        occurredAt: '2026-11-23T09:30',
        url: 'https://gov.example/notice',
      })
      .expect(303);
    const c = await tp.platform.core.db
      .selectFrom('clocks')
      .selectAll()
      .where('subject_kind', '=', 'event')
      .where('subject_id', '=', ev.id)
      .executeTakeFirstOrThrow();
    expect(c.state).toBe('met');
    await analyst.agent
      .post(`/responses/events/${ev.id}/triage`)
      .type('form')
      .send({
        _csrf: analyst.csrf,
        severity: 'major',
        emergency: 'true',
        responsibleDepartmentId: String(bureau.id),
      })
      .expect(303);
    const kinds = await tp.platform.core.db
      .selectFrom('clocks')
      .select(['kind', 'state'])
      .where('subject_kind', '=', 'event')
      .where('subject_id', '=', ev.id)
      .orderBy('id')
      .execute();
    expect(kinds).toEqual([
      { kind: 'response', state: 'met' },
      { kind: 'initial_release', state: 'running' },
      { kind: 'press_conference', state: 'running' },
    ]);
  });
});
