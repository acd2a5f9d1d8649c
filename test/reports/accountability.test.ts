import { minimalPdf } from '../support/files.js';
import { ManualClock } from '../../src/shared/clock.js';
import { advanceClock } from '../../src/clocks/firing.js';
import { usePlatform } from '../support/platform.js';
import { makeDepartment } from '../support/factories.js';
import { meetTestClock, openTestClock, alertsOf } from '../support/clocks.js';
import { actor, fieldsOf, send } from '../support/actors.js';

describe('问责 records (POST/GET /api/accountability)', () => {
  const clock = new ManualClock('2026-06-10T02:00:00Z');
  const tp = usePlatform({ clock, start: false });

  test('a supervisor records decisions on breached and late clocks; the department sees only its own', async () => {
    const core = tp.platform.core;
    const deptA = await makeDepartment(tp, '问责测试住建局');
    const deptB = await makeDepartment(tp, '问责测试教育局');
    const breached = await openTestClock(tp, {
      kind: 'response',
      departmentId: deptA.id,
      startAt: clock.now(),
    });
    const late = await openTestClock(tp, { kind: 'response', departmentId: deptB.id, startAt: clock.now() });
    const onTime = await openTestClock(tp, {
      kind: 'response',
      departmentId: deptA.id,
      startAt: clock.now(),
    });
    const running = await openTestClock(tp, {
      kind: 'response',
      departmentId: deptA.id,
      startAt: clock.now(),
    });
    clock.set('2026-06-11T02:00:00Z');
    await meetTestClock(tp, onTime);
    clock.set('2026-06-13T02:00:00Z');
    await core.db.transaction().execute((trx) => advanceClock(trx, breached.id, clock.now()));
    await meetTestClock(tp, late);

    const sup = await actor(tp, ['supervisor']);
    const a = await send(sup, 'post', '/api/accountability', {
      clockId: breached.id,
      decision: '通报批评',
      note: '48小时内未回应，予以通报批评。',
    }).expect(201);
    expect(a.body).toMatchObject({
      clockId: breached.id,
      departmentId: deptA.id,
      decision: 'criticism',
      decisionLabel: '通报批评',
      note: '48小时内未回应，予以通报批评。',
      decidedAt: '2026-06-13T10:00:00+08:00',
      clock: { state: 'breached', kind: 'response' },
    });
    // Codes are accepted too.
    const b = await send(sup, 'post', '/api/accountability', {
      clockId: late.id,
      decision: 'interview',
      note: '约谈',
    }).expect(201);
    expect(b.body.decisionLabel).toBe('约谈整改');

    // Refusals name the field and write nothing.
    expect(
      fieldsOf(
        await send(sup, 'post', '/api/accountability', { clockId: onTime.id, decision: '其他' }).expect(422),
      ),
    ).toEqual(['clockId']);
    expect(
      fieldsOf(
        await send(sup, 'post', '/api/accountability', { clockId: running.id, decision: '其他' }).expect(422),
      ),
    ).toEqual(['clockId']);
    expect(
      fieldsOf(
        await send(sup, 'post', '/api/accountability', { clockId: breached.id, decision: '记过' }).expect(
          400,
        ),
      ),
    ).toEqual(['decision']);
    expect(
      fieldsOf(
        await send(sup, 'post', '/api/accountability', { clockId: 99999999, decision: '其他' }).expect(422),
      ),
    ).toEqual(['clockId']);
    expect(
      fieldsOf(await send(sup, 'post', '/api/accountability', { decision: '其他' }).expect(400)),
    ).toEqual(['clockId']);
    const count = await core.db
      .selectFrom('accountability_records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);

    // Audited, and the department is told by an alert in its scope.
    const audit = await core.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'accountability.record')
      .execute();
    expect(audit.map((r) => r.subject_id).sort()).toEqual([String(a.body.id), String(b.body.id)].sort());
    const alerts = await alertsOf(tp, 'accountability.recorded');
    expect(alerts.map((x) => x.department_id).sort()).toEqual([deptA.id, deptB.id].sort());

    // Listing: all for the supervisor, by department on request, only its own for a department.
    const all = await sup.agent.get('/api/accountability?from=2026-06-01&to=2026-06-30').expect(200);
    expect(all.body.records.map((r: { id: number }) => r.id)).toEqual([a.body.id, b.body.id]);
    const onlyB = await sup.agent
      .get(`/api/accountability?from=2026-06-01&to=2026-06-30&departmentId=${deptB.id}`)
      .expect(200);
    expect(onlyB.body.records.map((r: { id: number }) => r.id)).toEqual([b.body.id]);
    const before = await sup.agent.get('/api/accountability?from=2026-05-01&to=2026-06-12').expect(200);
    expect(before.body.records).toEqual([]);
    const drafterA = await actor(tp, ['drafter'], deptA.id);
    const mine = await drafterA.agent.get('/api/accountability?from=2026-06-01&to=2026-06-30').expect(200);
    expect(mine.body.records.map((r: { id: number }) => r.id)).toEqual([a.body.id]);
    await drafterA.agent.get(`/api/accountability?departmentId=${deptB.id}`).expect(403);
    await send(drafterA, 'post', '/api/accountability', { clockId: breached.id, decision: '其他' }).expect(
      403,
    );
    await sup.agent.get('/api/accountability?from=2026-07-01&to=2026-06-01').expect(400);
  });

  test('a decision can carry an attachment, which the department can download', async () => {
    const core = tp.platform.core;
    const dept = await makeDepartment(tp, '问责附件测试局');
    const c = await openTestClock(tp, { kind: 'response', departmentId: dept.id, startAt: clock.now() });
    clock.advance(3 * 86_400_000);
    await core.db.transaction().execute((trx) => advanceClock(trx, c.id, clock.now()));
    const sup = await actor(tp, ['supervisor']);
    const pdf = minimalPdf('约谈通知书');
    const res = await sup.agent
      .post('/api/accountability')
      .set('x-csrf-token', sup.csrf)
      .field('clockId', String(c.id))
      .field('decision', '约谈整改')
      .field('note', '约谈单位主要负责人')
      .attach('file', pdf, '约谈通知.pdf')
      .expect(201);
    expect(res.body.attachment).toMatchObject({
      name: '约谈通知.pdf',
      mime: 'application/pdf',
      size: pdf.length,
    });
    const own = await actor(tp, ['spokesperson'], dept.id);
    const file = await own.agent.get(res.body.attachment.url).expect(200);
    expect(Buffer.from(file.body as Buffer).toString('latin1')).toContain('%PDF-1.4');
    const other = await actor(tp, ['drafter']);
    await other.agent.get(res.body.attachment.url).expect(403);
  });
});
