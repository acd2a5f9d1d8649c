import ExcelJS from 'exceljs';
import { ManualClock } from '../../src/shared/clock.js';
import { summarizeTimeliness } from '../../src/reports/timeliness.js';
import { advanceClock } from '../../src/clocks/firing.js';
import { ADMIN, login, usePlatform } from '../support/platform.js';
import { makeDepartment, makeUser, PASSWORD } from '../support/factories.js';
import { meetTestClock, openTestClock } from '../support/clocks.js';
import { binary } from '../support/files.js';

test('on-time rate counts decided clocks; running ones wait, cancelled ones are left out', () => {
  const s = summarizeTimeliness([
    { departmentId: 1, kind: 'response', state: 'met', latenessSeconds: 0 },
    { departmentId: 1, kind: 'response', state: 'met_late', latenessSeconds: 1800 },
    { departmentId: 1, kind: 'response', state: 'met_late', latenessSeconds: 5400 },
    { departmentId: 1, kind: 'response', state: 'breached', latenessSeconds: null },
    { departmentId: 1, kind: 'response', state: 'running', latenessSeconds: null },
    { departmentId: 1, kind: 'response', state: 'cancelled', latenessSeconds: null },
    { departmentId: 2, kind: 'response', state: 'met', latenessSeconds: 0 },
  ]);
  expect(s.rows[0]).toEqual({
    departmentId: 1,
    kind: 'response',
    total: 5,
    met: 1,
    metLate: 2,
    breached: 1,
    running: 1,
    onTimeRate: 0.25,
    averageLatenessMinutes: 60,
  });
  expect(s.totals).toEqual([
    expect.objectContaining({ departmentId: null, total: 6, met: 2, onTimeRate: 0.4 }),
  ]);
});

describe('reports API and export', () => {
  const clock = new ManualClock('2026-06-10T02:00:00Z');
  const tp = usePlatform({ clock, start: false });

  test('a supervisor sees per-department outcomes and downloads them as xlsx; a drafter may not', async () => {
    const dept = await makeDepartment(tp, '区卫健局测试');
    const a = await openTestClock(tp, { kind: 'response', departmentId: dept.id, startAt: clock.now() });
    await openTestClock(tp, { kind: 'response', departmentId: dept.id, startAt: clock.now() });
    clock.set('2026-06-13T02:00:00Z');
    await meetTestClock(tp, a);
    const b = await tp.platform.core.db
      .selectFrom('clocks')
      .select('id')
      .where('state', '=', 'running')
      .executeTakeFirstOrThrow();
    await tp.platform.core.db.transaction().execute((trx) => advanceClock(trx, b.id, clock.now()));
    const sup = await makeUser(tp, ['supervisor']);
    const s = await login(tp, sup.username, PASSWORD);
    const res = await s.agent.get('/api/reports/timeliness?from=2026-06-01&to=2026-06-30').expect(200);
    const row = res.body.rows.find((r: { departmentId: number }) => r.departmentId === dept.id);
    expect(row).toMatchObject({
      total: 2,
      metLate: 1,
      breached: 1,
      onTimeRate: 0,
      averageLatenessMinutes: 1440,
    });
    const page = await s.agent.get('/reports?from=2026-06-01&to=2026-06-30').expect(200);
    expect(page.text).toContain('区卫健局测试');
    const xlsx = await s.agent
      .get('/reports/timeliness.xlsx?from=2026-06-01&to=2026-06-30')
      .buffer(true)
      .parse(binary)
      .expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(xlsx.body as Buffer).buffer);
    const sheet = wb.getWorksheet('时效统计')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('责任单位');
    expect(sheet.getRow(2).getCell(1).value).toBe('区卫健局测试');
    await s.agent.get('/api/reports/timeliness?from=2026-06-30&to=2026-06-01').expect(400);
    await s.agent.get('/api/reports/timeliness?from=2026-02-30').expect(400);
    const drafter = await makeUser(tp, ['drafter']);
    const d = await login(tp, drafter.username, PASSWORD);
    // A department sees its own figures only.
    const own = await d.agent.get('/api/reports/timeliness?from=2026-06-01&to=2026-06-30').expect(200);
    expect(own.body.rows).toEqual([]);
    const duty = await makeUser(tp, ['duty']);
    await (await login(tp, duty.username, PASSWORD)).agent.get('/api/reports/timeliness').expect(403);
    const admin = await login(tp, ADMIN.username, ADMIN.password);
    await admin.agent.get('/api/reports/timeliness').expect(200);
  });
});
