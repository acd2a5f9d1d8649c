import { Router, type Request } from 'express';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { Core } from '../context.js';
import { authorize, departmentFilter } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { z, parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { ZONE } from '../shared/time.js';
import { CLOCK_KIND_LABELS } from '../clocks/policy.js';
import { summarizeTimeliness, type TimelinessRow } from './timeliness.js';

const query = z.object({ from: fields.isoDate.optional(), to: fields.isoDate.optional() });

/** The period asked for, by default the current month to date (Asia/Shanghai dates, `to` inclusive). */
function period(core: Core, req: Request) {
  const q = parse(query, req.query, '查询');
  const today = DateTime.fromJSDate(core.clock.now(), { zone: ZONE });
  const from = q.from ?? today.startOf('month').toISODate()!;
  const to = q.to ?? today.toISODate()!;
  if (from > to)
    throw HttpProblem.badRequest('起止日期有误', [{ field: 'from', message: '开始日期不能晚于结束日期' }]);
  return {
    from,
    to,
    fromAt: DateTime.fromISO(from, { zone: ZONE }).toJSDate(),
    toAt: DateTime.fromISO(to, { zone: ZONE }).plus({ days: 1 }).toJSDate(),
  };
}

async function timeliness(core: Core, req: Request) {
  authorize(req.principal, 'report.read');
  const p = period(core, req);
  const scope = departmentFilter(req.principal!, 'report.read');
  let clockQuery = core.db
    .selectFrom('clocks')
    .select(['department_id', 'kind', 'state', 'lateness_seconds'])
    .where('start_at', '>=', p.fromAt)
    .where('start_at', '<', p.toAt);
  if (scope !== null) clockQuery = clockQuery.where('department_id', '=', scope);
  const [clocks, departments] = await Promise.all([
    clockQuery.execute(),
    core.db.selectFrom('departments').select(['id', 'name']).execute(),
  ]);
  const names = new Map(departments.map((d) => [d.id, d.name]));
  const label = (r: TimelinessRow) => ({
    ...r,
    departmentName:
      r.departmentId === null ? '未指定' : (names.get(r.departmentId) ?? String(r.departmentId)),
    kindLabel: CLOCK_KIND_LABELS[r.kind] ?? r.kind,
    onTimePercent: r.onTimeRate === null ? '—' : `${(r.onTimeRate * 100).toFixed(1)}%`,
  });
  const s = summarizeTimeliness(
    clocks.map((c) => ({
      departmentId: c.department_id,
      kind: c.kind,
      state: c.state,
      latenessSeconds: c.lateness_seconds,
    })),
  );
  return { from: p.from, to: p.to, rows: s.rows.map(label), totals: s.totals.map(label) };
}

/** 时效统计: supervisors review who met their deadlines (SPEC §2.3: breaches feed 问责). */
export function reportsRoutes(core: Core): Router {
  const r = Router();

  r.get('/api/reports/timeliness', async (req, res) => {
    res.json(await timeliness(core, req));
  });

  r.get('/reports', requirePageLogin, async (req, res) => {
    const t = await timeliness(core, req);
    res.render('reports/index', { title: '时效统计', ...t });
  });

  r.get('/reports/timeliness.xlsx', requirePageLogin, async (req, res) => {
    const t = await timeliness(core, req);
    const wb = new ExcelJS.Workbook();
    wb.creator = '政策解读与政务舆情回应平台';
    const ws = wb.addWorksheet('时效统计');
    ws.columns = [
      { header: '责任单位', key: 'departmentName', width: 28 },
      { header: '时钟类型', key: 'kindLabel', width: 18 },
      { header: '总数', key: 'total', width: 8 },
      { header: '按时完成', key: 'met', width: 10 },
      { header: '逾期完成', key: 'metLate', width: 10 },
      { header: '已超时', key: 'breached', width: 10 },
      { header: '计时中', key: 'running', width: 10 },
      { header: '按时率', key: 'onTimeRate', width: 10, style: { numFmt: '0.0%' } },
      { header: '平均逾期（分钟）', key: 'averageLatenessMinutes', width: 16 },
    ];
    ws.getRow(1).font = { bold: true };
    for (const row of t.rows) ws.addRow(row);
    ws.addRow({});
    for (const row of t.totals) ws.addRow({ ...row, departmentName: '合计' });
    res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader(
      'content-disposition',
      `attachment; filename="timeliness-${t.from}-${t.to}.xlsx"; filename*=UTF-8''${encodeURIComponent(`时效统计-${t.from}至${t.to}.xlsx`)}`,
    );
    res.end(Buffer.from(await wb.xlsx.writeBuffer()));
  });

  return r;
}
