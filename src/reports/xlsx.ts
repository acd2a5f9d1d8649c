/**
 * 考核 exports: one workbook per period and department, one sheet each for documents, events,
 * the timeliness summary and 问责 records. Every figure comes from figures.ts, the module the
 * dashboard uses, so the spreadsheet and the page agree for the same filter.
 */
import ExcelJS from 'exceljs';
import type { Core } from '../context.js';
import { clockKindLabel, clockStateLabel } from '../clocks/states.js';
import { FORM_LABELS } from '../policies/model.js';
import { ACTION_LABELS, SEVERITY_LABELS, STATUS_LABELS } from '../events/rules.js';
import { DECISION_LABELS } from '../accountability/model.js';
import { recordsIn } from '../accountability/service.js';
import { formatShanghai } from '../shared/time.js';
import { clocksIn, NO_DEPARTMENT, timelinessOf, type Filter } from './figures.js';
import { periodLabel } from './period.js';
import { localityName } from './model.js';
import { formatMinutes } from './stats.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const when = (d: Date | null | undefined) => (d ? formatShanghai(d, 'yyyy-MM-dd HH:mm') : '');
const hours = (s: number | null) => (s ? Math.round(s / 360) / 10 : null);

interface Column {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
}

/** Keys, widths and number formats; `withHeaders` also names them in row 1 (the single-sheet export). */
function columnsOf(columns: Column[], withHeaders = false): Partial<ExcelJS.Column>[] {
  return columns.map((c) => ({
    ...(withHeaders ? { header: c.header } : {}),
    key: c.key,
    width: c.width,
    ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
  }));
}

function workbook(): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = '政策解读与政务舆情回应平台';
  return wb;
}

/** A sheet with its title row (row 1, merged) naming the period, headers in row 2, data from row 3. */
function sheet(
  wb: ExcelJS.Workbook,
  name: string,
  title: string,
  columns: Column[],
  rows: Record<string, unknown>[],
) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 2 }] });
  ws.columns = columnsOf(columns);
  ws.getRow(1).values = [title];
  ws.mergeCells(1, 1, 1, columns.length);
  ws.getRow(1).font = { bold: true, size: 14 };
  ws.getRow(1).height = 24;
  ws.getRow(2).values = columns.map((c) => c.header);
  ws.getRow(2).font = { bold: true };
  ws.getRow(2).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } };
  for (const r of rows) ws.addRow(r);
  return ws;
}

async function names(core: Core) {
  const rows = await core.db.selectFrom('departments').select(['id', 'name']).execute();
  const m = new Map(rows.map((d) => [d.id, d.name]));
  return (id: number | null) => (id === null ? NO_DEPARTMENT : (m.get(id) ?? String(id)));
}

/** 文件解读: each document whose interpretation clock started in the period, with its outcome. */
export async function documentRows(core: Core, f: Filter) {
  const clocks = await clocksIn(
    core.db
      .selectFrom('clocks')
      .innerJoin('policies', 'policies.id', 'clocks.subject_id')
      .selectAll('clocks')
      .select(['policies.title as policy_title', 'policies.doc_number', 'policies.published_at'])
      .where('clocks.kind', '=', 'interpretation')
      .where('clocks.subject_kind', '=', 'policy'),
    f,
  )
    .orderBy('clocks.start_at')
    .orderBy('clocks.id')
    .execute();
  const ids = clocks.map((c) => c.subject_id);
  const interps = ids.length
    ? await core.db
        .selectFrom('interpretations')
        .select(['policy_id', 'form', 'title', 'published_at', 'interpreter'])
        .where('policy_id', 'in', ids)
        .orderBy('published_at')
        .execute()
    : [];
  const dept = await names(core);
  return clocks.map((c) => {
    const first = interps.find((i) => i.policy_id === c.subject_id);
    return {
      title: c.policy_title,
      docNumber: c.doc_number ?? '',
      department: dept(c.department_id),
      publishedAt: when(c.published_at ?? c.start_at),
      dueAt: when(c.due_at),
      firstAt: when(c.met_at ?? first?.published_at ?? null),
      form: first ? `${FORM_LABELS[first.form] ?? first.form}：${first.title}` : '',
      interpreter: first?.interpreter ?? '',
      state: clockStateLabel(c.state),
      lateHours: hours(c.lateness_seconds),
      clockId: c.id,
    };
  });
}

/** 舆情事件: each event whose response clocks started in the period, with clocks and actions. */
export async function eventRows(core: Core, f: Filter) {
  const clocks = await clocksIn(
    core.db.selectFrom('clocks').selectAll().where('clocks.subject_kind', '=', 'event'),
    f,
  )
    .orderBy('clocks.start_at')
    .orderBy('clocks.id')
    .execute();
  const ids = [...new Set(clocks.map((c) => c.subject_id))];
  if (ids.length === 0) return [];
  const [events, actions] = await Promise.all([
    core.db.selectFrom('opinion_events').selectAll().where('id', 'in', ids).execute(),
    core.db
      .selectFrom('event_actions')
      .selectAll()
      .where('event_id', 'in', ids)
      .where('status', '=', 'done')
      .orderBy('occurred_at')
      .execute(),
  ]);
  const dept = await names(core);
  const byId = new Map(events.map((e) => [e.id, e]));
  return ids.map((id) => {
    const e = byId.get(id)!;
    const mine = clocks.filter((c) => c.subject_id === id);
    const worst = mine.some((c) => c.state === 'breached')
      ? '已超时'
      : mine.some((c) => c.state === 'met_late')
        ? '逾期完成'
        : mine.some((c) => c.state === 'running')
          ? '计时中'
          : '按时完成';
    return {
      title: e.title,
      detectedAt: when(e.detected_at),
      severity: SEVERITY_LABELS[e.severity],
      emergency: e.emergency ? '是' : '否',
      department: dept(e.responsible_department_id),
      status: STATUS_LABELS[e.status] ?? e.status,
      clocks: mine
        .map(
          (c) =>
            `${clockKindLabel(c.kind)}：${clockStateLabel(c.state)}（期限 ${when(c.due_at)}${
              c.lateness_seconds ? `，逾期 ${formatMinutes(c.lateness_seconds / 60)}` : ''
            }）`,
        )
        .join('\n'),
      actions: actions
        .filter((a) => a.event_id === id)
        .map((a) => `${when(a.occurred_at)} ${ACTION_LABELS[a.kind]}${a.channel ? `（${a.channel}）` : ''}`)
        .join('\n'),
      outcome: worst,
      clockCount: mine.length,
    };
  });
}

function titleOf(core: Core, f: Filter, what: string, departmentName: string | null) {
  return `${localityName(core.config)}${what}（统计期间：${periodLabel(f.period)}；${departmentName ?? '全部单位'}）`;
}

const TIMELINESS_COLUMNS: Column[] = [
  { header: '责任单位', key: 'departmentName', width: 28 },
  { header: '时钟类型', key: 'kindLabel', width: 16 },
  { header: '总数', key: 'total', width: 8 },
  { header: '按时完成', key: 'met', width: 10 },
  { header: '逾期完成', key: 'metLate', width: 10 },
  { header: '已超时', key: 'breached', width: 10 },
  { header: '计时中', key: 'running', width: 10 },
  { header: '按时率', key: 'onTimeRate', width: 10, numFmt: '0.0%' },
  { header: '平均逾期（分钟）', key: 'averageLatenessMinutes', width: 16 },
];

export async function assessmentWorkbook(core: Core, f: Filter): Promise<ExcelJS.Workbook> {
  const dept = await names(core);
  const deptName = f.departmentId === null ? (f.unassigned ? NO_DEPARTMENT : null) : dept(f.departmentId);
  const [docs, events, t, records] = await Promise.all([
    documentRows(core, f),
    eventRows(core, f),
    timelinessOf(core.db, f),
    recordsIn(core.db, f.period, f.departmentId),
  ]);
  const wb = workbook();
  wb.created = core.clock.now();
  const add = (name: string, what: string, columns: Column[], rows: Record<string, unknown>[]) =>
    sheet(wb, name, titleOf(core, f, what, deptName), columns, rows);
  add(
    '文件解读',
    '政策文件解读情况',
    [
      { header: '文件标题', key: 'title', width: 44 },
      { header: '文号', key: 'docNumber', width: 22 },
      { header: '起草单位', key: 'department', width: 22 },
      { header: '公开时间', key: 'publishedAt', width: 18 },
      { header: '解读期限', key: 'dueAt', width: 18 },
      { header: '首次解读时间', key: 'firstAt', width: 18 },
      { header: '解读形式及标题', key: 'form', width: 40 },
      { header: '解读人', key: 'interpreter', width: 14 },
      { header: '结果', key: 'state', width: 10 },
      { header: '逾期（小时）', key: 'lateHours', width: 12 },
    ],
    docs,
  );
  const ev = add(
    '舆情事件',
    '舆情事件回应情况',
    [
      { header: '事件', key: 'title', width: 36 },
      { header: '发现时间', key: 'detectedAt', width: 18 },
      { header: '级别', key: 'severity', width: 10 },
      { header: '突发事件', key: 'emergency', width: 9 },
      { header: '责任单位', key: 'department', width: 22 },
      { header: '状态', key: 'status', width: 10 },
      { header: '回应时限', key: 'clocks', width: 60 },
      { header: '回应动作', key: 'actions', width: 44 },
      { header: '结果', key: 'outcome', width: 10 },
    ],
    events,
  );
  ev.getColumn('clocks').alignment = { wrapText: true, vertical: 'top' };
  ev.getColumn('actions').alignment = { wrapText: true, vertical: 'top' };
  const ts = add(
    '时效汇总',
    '政务公开时效汇总',
    TIMELINESS_COLUMNS,
    t.rows as unknown as Record<string, unknown>[],
  );
  for (const row of t.totals) ts.addRow({ ...row, departmentName: '合计' });
  add(
    '问责记录',
    '问责记录',
    [
      { header: '决定时间', key: 'decidedAt', width: 18 },
      { header: '责任单位', key: 'department', width: 22 },
      { header: '问责方式', key: 'decision', width: 14 },
      { header: '时钟类型', key: 'kind', width: 14 },
      { header: '事项', key: 'title', width: 40 },
      { header: '时钟结果', key: 'state', width: 10 },
      { header: '期限', key: 'dueAt', width: 18 },
      { header: '说明', key: 'note', width: 50 },
      { header: '附件', key: 'attachment', width: 20 },
      { header: '记录人', key: 'recorder', width: 16 },
    ],
    records.map((r) => ({
      decidedAt: when(r.decided_at),
      department: r.department_name ?? NO_DEPARTMENT,
      decision: DECISION_LABELS[r.decision],
      kind: clockKindLabel(r.clock_kind),
      title: r.clock_title,
      state: clockStateLabel(r.clock_state),
      dueAt: when(r.clock_due_at),
      note: r.note,
      attachment: r.attachment_name ?? '',
      recorder: r.recorder_name ?? '',
    })),
  );
  return wb;
}

/** The earlier single-sheet export (/reports/timeliness.xlsx): headers in row 1. */
export async function timelinessWorkbook(core: Core, f: Filter): Promise<ExcelJS.Workbook> {
  const t = await timelinessOf(core.db, f);
  const wb = workbook();
  const ws = wb.addWorksheet('时效统计');
  ws.columns = columnsOf(TIMELINESS_COLUMNS, true);
  ws.getRow(1).font = { bold: true };
  for (const row of t.rows) ws.addRow(row);
  ws.addRow({});
  for (const row of t.totals) ws.addRow({ ...row, departmentName: '合计' });
  return wb;
}
