import { createRequire } from 'node:module';
import path from 'node:path';
import { Router, type Request } from 'express';
import type { Core } from '../context.js';
import { authorize, can, departmentFilter } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { z, parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { clockKindLabel, clockStateLabel } from '../clocks/states.js';
import { DECISION_LABELS } from '../accountability/model.js';
import { recordJson } from '../accountability/model.js';
import { contentDisposition } from '../files/files.js';
import { subjectHref } from '../web/links.js';
import { resolvePeriod, periodLabel } from './period.js';
import {
  channelLabel,
  drillClocks,
  drillItems,
  DRILL_ITEM_LIMIT,
  NO_DEPARTMENT,
  SENTIMENT_LABELS,
  supervisionFigures,
  timelinessOf,
  type Filter,
} from './figures.js';
import {
  breachChart,
  interpretationChart,
  medianChart,
  responseChart,
  sentimentLabels,
  topEventsChart,
  volumeChart,
  type DrillUrl,
} from './charts.js';
import { formatMinutes, percent } from './stats.js';
import { assessmentWorkbook, timelinessWorkbook, XLSX_TYPE } from './xlsx.js';
import { localityName, shanghaiJson } from './model.js';

const ECHARTS = path.join(
  path.dirname(createRequire(import.meta.url).resolve('echarts/package.json')),
  'dist/echarts.common.min.js',
);

const filterQuery = z.object({
  from: fields.isoDate.optional(),
  to: fields.isoDate.optional(),
  departmentId: z.union([z.literal('none'), fields.id]).optional(),
});

/** The filter a request asks for, narrowed to the caller's department when it only sees its own. */
export function filterOf(
  core: Core,
  req: Request,
  defaultMonths = 3,
): Filter & { q: Record<string, string> } {
  authorize(req.principal, 'report.read');
  const raw = parse(filterQuery, req.query, '查询参数');
  const scope = departmentFilter(req.principal!, 'report.read');
  if (scope !== null && raw.departmentId !== undefined && raw.departmentId !== scope)
    throw HttpProblem.forbidden('只能查看本单位的统计');
  const period = resolvePeriod(core.clock, raw, defaultMonths);
  const departmentId = scope ?? (typeof raw.departmentId === 'number' ? raw.departmentId : null);
  const q: Record<string, string> = { from: period.from, to: period.to };
  if (departmentId !== null) q.departmentId = String(departmentId);
  else if (raw.departmentId === 'none') q.departmentId = 'none';
  return { period, departmentId, unassigned: raw.departmentId === 'none' && scope === null, q };
}

function drillUrlFor(q: Record<string, string>): DrillUrl {
  return (params) => {
    const u = new URLSearchParams(q);
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) u.set(k, String(v));
    return `/reports/drill?${u.toString()}`;
  };
}

/** Drill-down rows lead a supervisor to the published document, else where the work is done. */
function drillHref(kind: string, id: number): string | null {
  return kind === 'policy' ? `/policies/${id}` : subjectHref(kind, id);
}

const drillQuery = z.object({
  what: z.enum(['clocks', 'breaches', 'items']),
  kind: z
    .string()
    .regex(/^[a-z_]{1,40}$/, '时钟类型无效')
    .optional(),
  group: z.literal('response').optional(),
  state: z.enum(['met', 'met_late', 'breached', 'running', 'done', 'decided']).optional(),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '须为 YYYY-MM')
    .optional(),
  bucket: z
    .string()
    .regex(/^\d{4}-\d{2}(-\d{2})?$/, '须为日期或月份')
    .optional(),
  channel: z.string().max(40).optional(),
  sentiment: z.enum(['negative', 'neutral', 'positive', 'unknown']).optional(),
  area: z.string().max(40).optional(),
});

/** Clocks breached and still open now, whenever they started (the dashboard's 当前超时). */
async function openBreachClocks(core: Core, f: Filter) {
  let q = core.db
    .selectFrom('clocks')
    .leftJoin('departments', 'departments.id', 'clocks.department_id')
    .selectAll('clocks')
    .select('departments.name as department_name')
    .where('clocks.state', '=', 'breached');
  if (f.departmentId !== null) q = q.where('clocks.department_id', '=', f.departmentId);
  else if (f.unassigned) q = q.where('clocks.department_id', 'is', null);
  return q.orderBy('clocks.due_at').orderBy('clocks.id').execute();
}

/** 督查考核: the supervision dashboard, its drill-down lists and the 考核 exports (SPEC §2.6). */
/** A timeliness row with its percentage and a drill-down link per count (total, then each outcome). */
function timelinessRow<T extends { onTimeRate: number | null }>(t: T, link: (state?: string) => string) {
  return {
    ...t,
    onTimePercent: percent(t.onTimeRate),
    urls: {
      total: link(),
      met: link('met'),
      metLate: link('met_late'),
      breached: link('breached'),
      running: link('running'),
    },
  };
}

export function reportsRoutes(core: Core): Router {
  const r = Router();

  r.get('/static/vendor/echarts.min.js', (_req, res) => {
    res.sendFile(ECHARTS, { maxAge: '7d', headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  });

  r.get('/api/reports/timeliness', async (req, res) => {
    const f = filterOf(core, req, 1);
    const t = await timelinessOf(core.db, f);
    const pct = <T extends { onTimeRate: number | null }>(x: T) => ({
      ...x,
      onTimePercent: percent(x.onTimeRate),
    });
    res.json({ from: f.period.from, to: f.period.to, rows: t.rows.map(pct), totals: t.totals.map(pct) });
  });

  r.get('/api/reports/supervision', async (req, res) => {
    const f = filterOf(core, req);
    const figures = await supervisionFigures(core.db, f, core.clock.now());
    res.json(shanghaiJson({ ...figures, accountability: figures.accountability.map(recordJson) }));
  });

  r.get('/reports', requirePageLogin, async (req, res) => {
    const f = filterOf(core, req);
    const p = req.principal!;
    const figures = await supervisionFigures(core.db, f, core.clock.now());
    const url = drillUrlFor(f.q);
    const global = departmentFilter(p, 'report.read') === null;
    const departments = global
      ? await core.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute()
      : [];
    const charts = {
      interpretation: interpretationChart(figures, url),
      response: responseChart(figures, url),
      medians: medianChart(figures, url),
      breaches: breachChart(figures, url),
      channel: volumeChart(figures.volume.byChannel, 'channel', url, figures.volume.byChannel.labels),
      sentiment: volumeChart(
        figures.volume.bySentiment,
        'sentiment',
        url,
        sentimentLabels(figures.volume.bySentiment.keys),
      ),
      area: volumeChart(figures.volume.byArea, 'area', url),
      events: topEventsChart(figures),
    };
    const interp = figures.interpretationMonthly;
    const deptIds = [...new Set(interp.rows.map((x) => x.departmentId))];
    const cell = (row: (typeof interp.rows)[number] | undefined, dept: number | null, month: string) =>
      row
        ? {
            text: percent(row.onTimeRate),
            detail: `${row.met}/${row.met + row.metLate + row.breached}`,
            url: url({ what: 'clocks', kind: 'interpretation', month, departmentId: dept ?? 'none' }),
          }
        : null;
    const totalInterp = figures.timeliness.totals.find((t) => t.kind === 'interpretation');
    const responseTotals = figures.timeliness.totals.filter((t) =>
      ['initial_release', 'press_conference', 'response'].includes(t.kind),
    );
    const sum = (k: 'met' | 'metLate' | 'breached' | 'running' | 'total') =>
      responseTotals.reduce((s, t) => s + t[k], 0);
    const canRecord = can(p, 'accountability.record');
    res.render('reports/index', {
      title: '督查考核',
      filter: f.q,
      from: f.period.from,
      to: f.period.to,
      periodLabel: periodLabel(f.period),
      departmentName: figures.filter.departmentName,
      global,
      departments: departments.map((d) => ({ ...d, selected: d.id === f.departmentId })),
      exportQuery: new URLSearchParams(f.q).toString(),
      summary: {
        interpretationRate: percent(totalInterp?.onTimeRate ?? null),
        interpretationUrl: url({ what: 'clocks', kind: 'interpretation', state: 'decided' }),
        responses: sum('total'),
        responsesUrl: url({ what: 'clocks', group: 'response' }),
        responseBreached: sum('breached'),
        responseBreachedUrl: url({ what: 'clocks', group: 'response', state: 'breached' }),
        openBreaches: figures.openBreaches.length,
        openBreachesUrl: url({ what: 'breaches' }),
        volume: figures.volume.total,
        volumeUrl: url({ what: 'items' }),
        accountability: figures.accountability.length,
      },
      interp: {
        months: interp.months,
        rows: deptIds.map((d) => {
          const rows = interp.rows.filter((x) => x.departmentId === d);
          return {
            name: rows[0]!.departmentName,
            cells: interp.months.map((m) =>
              cell(
                rows.find((x) => x.kind === m),
                d,
                m,
              ),
            ),
          };
        }),
        totals: interp.months.map((m) => {
          const t = interp.totals.find((x) => x.kind === m);
          return t
            ? {
                text: percent(t.onTimeRate),
                detail: `${t.met}/${t.met + t.metLate + t.breached}`,
                url: url({ what: 'clocks', kind: 'interpretation', month: m }),
              }
            : null;
        }),
      },
      timeliness: figures.timeliness.rows.map((t) =>
        timelinessRow(t, (state) =>
          url({ what: 'clocks', kind: t.kind, departmentId: t.departmentId ?? 'none', state }),
        ),
      ),
      timelinessTotals: figures.timeliness.totals.map((t) =>
        timelinessRow(t, (state) => url({ what: 'clocks', kind: t.kind, state })),
      ),
      medians: figures.medians.map((m) => ({
        ...m,
        text: formatMinutes(m.medianMinutes),
        url: url({ what: 'clocks', kind: m.kind, state: 'done' }),
      })),
      openBreaches: figures.openBreaches.map((b) => ({
        ...b,
        overdue: formatMinutes(b.overdueMinutes),
        href: drillHref(b.subjectKind, b.subjectId),
      })),
      volume: {
        total: figures.volume.total,
        unit: figures.volume.unit === 'day' ? '日' : '月',
        tables: (['byChannel', 'bySentiment', 'byArea'] as const).map((k) => {
          const v = figures.volume[k];
          const param = k === 'byChannel' ? 'channel' : k === 'bySentiment' ? 'sentiment' : 'area';
          const label = (key: string) =>
            k === 'byChannel'
              ? channelLabel(key)
              : k === 'bySentiment'
                ? (SENTIMENT_LABELS[key] ?? key)
                : key;
          return {
            id: param,
            title: { channel: '按渠道', sentiment: '按情感', area: '按领域' }[param],
            header: { channel: '渠道', sentiment: '情感', area: '领域' }[param],
            totals: v.totals.map((t) => ({
              label: label(t.key),
              count: t.count,
              url: url({ what: 'items', [param]: t.key }),
            })),
            days: v.days,
            series: v.keys.map((key) => ({
              label: label(key),
              cells: v.values[key]!.map((n, i) => ({
                n,
                url: n ? url({ what: 'items', [param]: key, bucket: v.days[i] }) : null,
              })),
            })),
          };
        }),
      },
      topEvents: figures.topEvents,
      accountability: figures.accountability.map(recordJson),
      canRecord,
      decisions: Object.entries(DECISION_LABELS).map(([code, label]) => ({ code, label })),
      charts,
    });
  });

  r.get('/reports/drill', requirePageLogin, async (req, res) => {
    const f = filterOf(core, req);
    const d = parse(drillQuery, req.query, '查询参数');
    const p = req.principal!;
    const base = {
      title: '明细',
      from: f.period.from,
      to: f.period.to,
      periodLabel: periodLabel(f.period),
      back: `/reports?${new URLSearchParams(f.q).toString()}`,
    };
    const canRecord = can(p, 'accountability.record');
    if (d.what === 'items') {
      const { count, items } = await drillItems(core.db, f, d);
      const parts = [
        d.bucket ? `时间 ${d.bucket}` : null,
        d.channel ? `渠道 ${channelLabel(d.channel)}` : null,
        d.sentiment ? `情感 ${SENTIMENT_LABELS[d.sentiment]}` : null,
        d.area ? `领域 ${d.area}` : null,
      ].filter(Boolean);
      res.render('reports/drill', {
        ...base,
        heading: `舆情信息明细${parts.length ? `（${parts.join('，')}）` : ''}`,
        count,
        truncated: count > DRILL_ITEM_LIMIT,
        limit: DRILL_ITEM_LIMIT,
        items: items.map((i) => ({
          ...i,
          channelLabel: channelLabel(i.channel),
          sentimentLabel: SENTIMENT_LABELS[i.sentiment ?? 'unknown'],
          text: (i.title || i.content).slice(0, 120),
        })),
      });
      return;
    }
    const rows = d.what === 'breaches' ? await openBreachClocks(core, f) : await drillClocks(core.db, f, d);
    const parts = [
      d.kind ? clockKindLabel(d.kind) : d.group === 'response' ? '舆情回应类时钟' : null,
      d.state
        ? (({ done: '已完成', decided: '已结束' } as Record<string, string>)[d.state] ??
          clockStateLabel(d.state))
        : null,
      d.month ? `${d.month} 开始` : null,
    ].filter(Boolean);
    res.render('reports/drill', {
      ...base,
      heading:
        d.what === 'breaches'
          ? '当前超时未办结的时钟'
          : `时钟明细${parts.length ? `（${parts.join('，')}）` : ''}`,
      count: rows.length,
      clocks: rows.map((c) => ({
        ...c,
        kindLabel: clockKindLabel(c.kind),
        stateLabel: clockStateLabel(c.state),
        departmentName: c.department_name ?? NO_DEPARTMENT,
        lateness: c.lateness_seconds ? formatMinutes(c.lateness_seconds / 60) : '',
        href: drillHref(c.subject_kind, c.subject_id),
        accountable: canRecord && (c.state === 'breached' || c.state === 'met_late'),
      })),
      decisions: Object.entries(DECISION_LABELS).map(([code, label]) => ({ code, label })),
    });
  });

  r.get('/reports/timeliness.xlsx', requirePageLogin, async (req, res) => {
    const f = filterOf(core, req, 1);
    const wb = await timelinessWorkbook(core, f);
    res.setHeader('content-type', XLSX_TYPE);
    res.setHeader(
      'content-disposition',
      contentDisposition('attachment', `时效统计-${f.period.from}至${f.period.to}.xlsx`),
    );
    res.end(Buffer.from(await wb.xlsx.writeBuffer()));
  });

  r.get('/reports/assessment.xlsx', requirePageLogin, async (req, res) => {
    const f = filterOf(core, req);
    const wb = await assessmentWorkbook(core, f);
    res.setHeader('content-type', XLSX_TYPE);
    res.setHeader(
      'content-disposition',
      contentDisposition(
        'attachment',
        `${localityName(core.config)}政务公开考核数据-${f.period.from}至${f.period.to}.xlsx`,
      ),
    );
    res.end(Buffer.from(await wb.xlsx.writeBuffer()));
  });

  return r;
}
