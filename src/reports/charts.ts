/**
 * ECharts options for the dashboard and the 舆情日报, built on the server from the same figures
 * the tables show. Each chart travels as `{option, drill}`: `drill[series][dataIndex]` is the URL of
 * the list behind that bar or point (public/js/report-charts.js opens it on click).
 */
import type { Figures, Volume } from './figures.js';
import { SENTIMENT_LABELS } from './figures.js';

export interface ChartSpec {
  option: Record<string, unknown>;
  drill: (string | null)[][];
}

export const STATE_COLORS = { met: '#1e7b34', metLate: '#d4a017', breached: '#a8151c', running: '#1d4f91' };
const SENTIMENT_COLORS: Record<string, string> = {
  negative: '#a8151c',
  neutral: '#8a94a6',
  positive: '#1e7b34',
  unknown: '#c9cdd4',
};

const base = {
  animation: false,
  tooltip: { trigger: 'axis' },
  legend: { type: 'scroll', top: 0 },
  grid: { left: 48, right: 16, top: 36, bottom: 28, containLabel: true },
};

export type DrillUrl = (params: Record<string, string | number | null | undefined>) => string;

export function interpretationChart(f: Figures, url: DrillUrl): ChartSpec {
  const months = f.interpretationMonthly.months;
  const departments = [...new Set(f.interpretationMonthly.rows.map((r) => r.departmentId))];
  const rate = (dept: number | null | 'all', month: string) => {
    const row =
      dept === 'all'
        ? f.interpretationMonthly.totals.find((r) => r.kind === month)
        : f.interpretationMonthly.rows.find((r) => r.departmentId === dept && r.kind === month);
    return row?.onTimeRate == null ? null : Math.round(row.onTimeRate * 1000) / 10;
  };
  const series = [
    {
      name: '全部单位',
      type: 'line',
      lineStyle: { width: 3 },
      data: months.map((m) => rate('all', m)),
    },
    ...departments.map((d) => ({
      name: f.interpretationMonthly.rows.find((r) => r.departmentId === d)!.departmentName,
      type: 'bar',
      data: months.map((m) => rate(d, m)),
    })),
  ];
  return {
    option: {
      ...base,
      tooltip: { trigger: 'axis', valueFormatter: '{value}%' },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series,
    },
    drill: [
      months.map((m) => url({ what: 'clocks', kind: 'interpretation', month: m })),
      ...departments.map((d) =>
        months.map((m) =>
          url({ what: 'clocks', kind: 'interpretation', month: m, departmentId: d ?? 'none' }),
        ),
      ),
    ],
  };
}

export const RESPONSE_KINDS = ['initial_release', 'press_conference', 'response'];

/** Response clocks per department: met / met late / breached / running, stacked. */
export function responseChart(f: Figures, url: DrillUrl): ChartSpec {
  const rows = f.timeliness.rows.filter((r) => RESPONSE_KINDS.includes(r.kind));
  const depts = [...new Map(rows.map((r) => [r.departmentId, r.departmentName])).entries()];
  const sum = (d: number | null, k: 'met' | 'metLate' | 'breached' | 'running') =>
    rows.filter((r) => r.departmentId === d).reduce((s, r) => s + r[k], 0);
  const states = [
    ['met', '按时完成', STATE_COLORS.met, 'met'],
    ['metLate', '逾期完成', STATE_COLORS.metLate, 'met_late'],
    ['breached', '已超时', STATE_COLORS.breached, 'breached'],
    ['running', '计时中', STATE_COLORS.running, 'running'],
  ] as const;
  return {
    option: {
      ...base,
      yAxis: { type: 'category', data: depts.map(([, n]) => n), inverse: true },
      xAxis: { type: 'value', minInterval: 1 },
      series: states.map(([k, name, color]) => ({
        name,
        type: 'bar',
        stack: 'all',
        itemStyle: { color },
        data: depts.map(([d]) => sum(d, k)),
      })),
    },
    drill: states.map(([, , , state]) =>
      depts.map(([d]) => url({ what: 'clocks', group: 'response', state, departmentId: d ?? 'none' })),
    ),
  };
}

export function medianChart(f: Figures, url: DrillUrl): ChartSpec {
  return {
    option: {
      ...base,
      tooltip: { trigger: 'axis', valueFormatter: '{value} 小时' },
      legend: { show: false },
      xAxis: { type: 'category', data: f.medians.map((m) => m.kindLabel) },
      yAxis: { type: 'value', name: '小时' },
      series: [
        {
          name: '中位用时（小时）',
          type: 'bar',
          itemStyle: { color: '#1d4f91' },
          data: f.medians.map((m) =>
            m.medianMinutes === null ? null : Math.round(m.medianMinutes / 6) / 10,
          ),
        },
      ],
    },
    drill: [f.medians.map((m) => url({ what: 'clocks', kind: m.kind, state: 'done' }))],
  };
}

export function breachChart(f: Figures, url: DrillUrl): ChartSpec {
  const m = new Map<number | null, { name: string; n: number }>();
  for (const b of f.openBreaches) {
    const e = m.get(b.departmentId) ?? { name: b.departmentName, n: 0 };
    e.n++;
    m.set(b.departmentId, e);
  }
  const entries = [...m.entries()].sort((a, b) => b[1].n - a[1].n);
  return {
    option: {
      ...base,
      legend: { show: false },
      yAxis: { type: 'category', data: entries.map(([, e]) => e.name), inverse: true },
      xAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: '超时未办结',
          type: 'bar',
          itemStyle: { color: STATE_COLORS.breached },
          data: entries.map(([, e]) => e.n),
        },
      ],
    },
    drill: [entries.map(([d]) => url({ what: 'breaches', departmentId: d ?? 'none' }))],
  };
}

type Series = Volume['byChannel'] | Volume['bySentiment'] | Volume['byArea'];

/** Volume over time, stacked per key (channel, sentiment or area). */
export function volumeChart(
  v: Series,
  param: 'channel' | 'sentiment' | 'area',
  url: DrillUrl,
  labels: string[] = v.keys,
): ChartSpec {
  return {
    option: {
      ...base,
      xAxis: { type: 'category', data: v.days },
      yAxis: { type: 'value', minInterval: 1 },
      series: v.keys.map((k, i) => ({
        name: labels[i] ?? k,
        type: 'bar',
        stack: 'volume',
        ...(param === 'sentiment' ? { itemStyle: { color: SENTIMENT_COLORS[k] ?? '#888' } } : {}),
        data: v.values[k],
      })),
    },
    drill: v.keys.map((k) => v.days.map((d) => url({ what: 'items', [param]: k, bucket: d }))),
  };
}

export function sentimentLabels(keys: string[]): string[] {
  return keys.map((k) => SENTIMENT_LABELS[k] ?? k);
}

export function topEventsChart(f: Figures): ChartSpec {
  const events = f.topEvents;
  return {
    option: {
      ...base,
      legend: { show: false },
      grid: { ...base.grid, left: 8 },
      yAxis: {
        type: 'category',
        inverse: true,
        data: events.map((e) => (e.title.length > 16 ? `${e.title.slice(0, 16)}…` : e.title)),
      },
      xAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: '期间信息量',
          type: 'bar',
          itemStyle: { color: '#a8151c' },
          data: events.map((e) => e.itemsInPeriod),
        },
      ],
    },
    drill: [events.map((e) => `/opinion/events/${e.id}`)],
  };
}

/** Pie of a small set of totals (the 日报's channel, area and sentiment shares). */
export function pieChart(
  name: string,
  totals: { label: string; count: number; url?: string | null }[],
): ChartSpec {
  return {
    option: {
      animation: false,
      tooltip: { trigger: 'item' },
      legend: { type: 'scroll', bottom: 0 },
      series: [
        {
          name,
          type: 'pie',
          radius: ['35%', '65%'],
          label: { formatter: '{b} {c}' },
          data: totals.map((t) => ({ name: t.label, value: t.count })),
        },
      ],
    },
    drill: [totals.map((t) => t.url ?? null)],
  };
}
