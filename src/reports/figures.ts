/**
 * The one query module behind the supervision dashboard, its drill-down lists and the 考核
 * export: the same filter gives the same numbers on the page and in the spreadsheet.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { DateTime } from 'luxon';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { ZONE } from '../shared/time.js';
import { clockKindLabel } from '../clocks/states.js';
import { CHANNELS } from '../opinion/channels.js';
import { recordsIn } from '../accountability/service.js';
import type { RecordRow } from '../accountability/model.js';
import { summarizeTimeliness, type TimelinessRow } from './timeliness.js';
import { daysBetween, median, seriesByDay, totalsBy, type Count } from './stats.js';
import type { Period } from './period.js';

export interface Filter {
  period: Period;
  /** null: every department. */
  departmentId: number | null;
  /** Only what has no department (drill-down of a 未指定 row). */
  unassigned?: boolean;
}

export const SENTIMENT_LABELS: Record<string, string> = {
  negative: '负面',
  neutral: '中性',
  positive: '正面',
  unknown: '未分析',
};

export const NO_DEPARTMENT = '未指定';

export function channelLabel(code: string): string {
  return (CHANNELS as Record<string, string>)[code] ?? code;
}

/** Clocks a filter covers: started in the period, of the department, never the cancelled ones. */
export function clocksIn<O>(
  q: SelectQueryBuilder<Database, 'clocks', O>,
  f: Filter,
): SelectQueryBuilder<Database, 'clocks', O> {
  let r = q
    .where('clocks.start_at', '>=', f.period.fromAt)
    .where('clocks.start_at', '<', f.period.toAt)
    .where('clocks.state', '!=', 'cancelled');
  if (f.departmentId !== null) r = r.where('clocks.department_id', '=', f.departmentId);
  else if (f.unassigned) r = r.where('clocks.department_id', 'is', null);
  return r;
}

/** Month of an instant in Asia/Shanghai, "2026-10". */
export function shanghaiMonth(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ZONE }).toFormat('yyyy-MM');
}

/** Daily buckets up to about a quarter, monthly beyond. */
export function bucketsOf(p: Period): { unit: 'day' | 'month'; keys: string[] } {
  const days = daysBetween(p.from, p.to);
  if (days.length <= 93) return { unit: 'day', keys: days };
  return { unit: 'month', keys: [...new Set(days.map((d) => d.slice(0, 7)))] };
}

export interface LabelledTimeliness extends TimelinessRow {
  departmentName: string;
  kindLabel: string;
}

export interface MedianRow {
  kind: string;
  kindLabel: string;
  count: number;
  medianMinutes: number | null;
}

export interface OpenBreach {
  id: number;
  kind: string;
  kindLabel: string;
  title: string;
  subjectKind: string;
  subjectId: number;
  departmentId: number | null;
  departmentName: string;
  dueAt: Date;
  breachedAt: Date | null;
  overdueMinutes: number;
}

export interface TopEvent {
  id: number;
  title: string;
  severity: string;
  status: string;
  emergency: boolean;
  departmentId: number | null;
  departmentName: string;
  itemsCount: number;
  itemsInPeriod: number;
  hotness: number;
  negativeRatio: number;
  categories: string[];
  detectedAt: Date;
}

export interface Volume {
  unit: 'day' | 'month';
  total: number;
  byChannel: {
    keys: string[];
    labels: string[];
    days: string[];
    values: Record<string, number[]>;
    totals: Count[];
  };
  bySentiment: {
    keys: string[];
    labels: string[];
    days: string[];
    values: Record<string, number[]>;
    totals: Count[];
  };
  byArea: { keys: string[]; days: string[]; values: Record<string, number[]>; totals: Count[] };
}

export interface Figures {
  filter: { from: string; to: string; departmentId: number | null; departmentName: string | null };
  timeliness: { rows: LabelledTimeliness[]; totals: LabelledTimeliness[] };
  /** 解读 on-time rate per department and month (kind holds the month, "2026-10"). */
  interpretationMonthly: { months: string[]; rows: LabelledTimeliness[]; totals: LabelledTimeliness[] };
  medians: MedianRow[];
  openBreaches: OpenBreach[];
  volume: Volume;
  topEvents: TopEvent[];
  accountability: RecordRow[];
}

async function departmentNames(db: Db): Promise<Map<number, string>> {
  const rows = await db.selectFrom('departments').select(['id', 'name']).execute();
  return new Map(rows.map((d) => [d.id, d.name]));
}

function nameOf(names: Map<number, string>, id: number | null): string {
  return id === null ? NO_DEPARTMENT : (names.get(id) ?? String(id));
}

/** The item volume of a filter; with a department, the items of the events it answers for. */
function itemsIn(db: Db, f: Filter) {
  let q = db
    .selectFrom('opinion_items as i')
    .where('i.published_at', '>=', f.period.fromAt)
    .where('i.published_at', '<', f.period.toAt);
  if (f.departmentId !== null) {
    const dept = f.departmentId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('opinion_clusters as c')
          .innerJoin('opinion_events as e', 'e.id', 'c.event_id')
          .select(sql`1`.as('one'))
          .whereRef('c.id', '=', 'i.cluster_id')
          .where('e.responsible_department_id', '=', dept),
      ),
    );
  }
  return q;
}

export function bucketExpr(unit: 'day' | 'month') {
  const fmt = unit === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM';
  return sql<string>`to_char(i.published_at at time zone ${ZONE}, ${fmt})`;
}

export async function volume(db: Db, f: Filter): Promise<Volume> {
  const b = bucketsOf(f.period);
  const bucket = bucketExpr(b.unit);
  const [rows, areas] = await Promise.all([
    itemsIn(db, f)
      .select([
        bucket.as('day'),
        'i.channel',
        sql<string>`coalesce(i.sentiment, 'unknown')`.as('sentiment'),
        (eb) => eb.fn.countAll<number>().as('count'),
      ])
      .groupBy([sql`1`, 'i.channel', sql`3`])
      .execute(),
    itemsIn(db, f)
      .select([
        bucket.as('day'),
        sql<string>`unnest(case when cardinality(i.categories) = 0 then array['其他'] else i.categories end)`.as(
          'area',
        ),
        (eb) => eb.fn.countAll<number>().as('count'),
      ])
      .groupBy([sql`1`, sql`2`])
      .execute(),
  ]);
  const counted = rows.map((r) => ({ ...r, count: Number(r.count) }));
  const byChannel = seriesByDay(
    counted.map((r) => ({ day: r.day, key: r.channel, count: r.count })),
    b.keys,
  );
  const bySentiment = seriesByDay(
    counted.map((r) => ({ day: r.day, key: r.sentiment, count: r.count })),
    b.keys,
  );
  const areaRows = areas.map((r) => ({ day: r.day, key: r.area, count: Number(r.count) }));
  const byArea = seriesByDay(areaRows, b.keys);
  return {
    unit: b.unit,
    total: counted.reduce((s, r) => s + r.count, 0),
    byChannel: {
      ...byChannel,
      labels: byChannel.keys.map(channelLabel),
      totals: totalsBy(
        counted,
        (r) => r.channel,
        (r) => r.count,
      ),
    },
    bySentiment: {
      ...bySentiment,
      labels: bySentiment.keys.map((k) => SENTIMENT_LABELS[k] ?? k),
      totals: totalsBy(
        counted,
        (r) => r.sentiment,
        (r) => r.count,
      ),
    },
    byArea: {
      ...byArea,
      totals: totalsBy(
        areaRows,
        (r) => r.key,
        (r) => r.count,
      ),
    },
  };
}

/**
 * Events seen before the period ends and not dismissed, each with `items_in_period` (its items
 * published in the period), hottest in the period first; callers narrow which events count.
 */
export function hottestEventsOf(db: Db, period: Period) {
  return db
    .selectFrom('opinion_events as e')
    .selectAll('e')
    .select((eb) =>
      eb
        .selectFrom('opinion_items as i')
        .innerJoin('opinion_clusters as c', 'c.id', 'i.cluster_id')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('c.event_id', '=', 'e.id')
        .where('i.published_at', '>=', period.fromAt)
        .where('i.published_at', '<', period.toAt)
        .as('items_in_period'),
    )
    .where('e.first_seen_at', '<', period.toAt)
    .where('e.status', '!=', 'dismissed')
    .orderBy(sql`items_in_period desc nulls last`)
    .orderBy('e.hotness', 'desc')
    .orderBy('e.id');
}

/** Events active in the period (seen in it), hottest first by the period's own items. */
export async function topEvents(db: Db, f: Filter, limit = 10): Promise<TopEvent[]> {
  const names = await departmentNames(db);
  let q = hottestEventsOf(db, f.period).where('e.last_seen_at', '>=', f.period.fromAt);
  if (f.departmentId !== null) q = q.where('e.responsible_department_id', '=', f.departmentId);
  const rows = await q.limit(limit).execute();
  return rows.map((e) => ({
    id: e.id,
    title: e.title,
    severity: e.severity,
    status: e.status,
    emergency: e.emergency,
    departmentId: e.responsible_department_id,
    departmentName: nameOf(names, e.responsible_department_id),
    itemsCount: e.items_count,
    itemsInPeriod: Number(e.items_in_period ?? 0),
    hotness: Math.round(e.hotness * 100) / 100,
    negativeRatio: e.items_count ? Math.round((e.negative_count / e.items_count) * 1000) / 1000 : 0,
    categories: e.categories,
    detectedAt: e.detected_at,
  }));
}

/** Clocks breached and still open now (not limited to the period: what needs action today). */
export async function openBreaches(db: Db, departmentId: number | null, now: Date): Promise<OpenBreach[]> {
  const names = await departmentNames(db);
  let q = db.selectFrom('clocks').selectAll().where('state', '=', 'breached');
  if (departmentId !== null) q = q.where('department_id', '=', departmentId);
  const rows = await q.orderBy('due_at').orderBy('id').execute();
  return rows.map((c) => ({
    id: c.id,
    kind: c.kind,
    kindLabel: clockKindLabel(c.kind),
    title: c.title,
    subjectKind: c.subject_kind,
    subjectId: c.subject_id,
    departmentId: c.department_id,
    departmentName: nameOf(names, c.department_id),
    dueAt: c.due_at,
    breachedAt: c.breached_at,
    overdueMinutes: Math.max(0, Math.round((now.getTime() - c.due_at.getTime()) / 60_000)),
  }));
}

export const MEDIAN_KINDS = ['initial_release', 'press_conference', 'response', 'interpretation'] as const;

function labeller(names: Map<number, string>) {
  return (r: TimelinessRow): LabelledTimeliness => ({
    ...r,
    departmentName: nameOf(names, r.departmentId),
    kindLabel: clockKindLabel(r.kind),
  });
}

function clockOutcomes(db: Db, f: Filter) {
  return clocksIn(
    db
      .selectFrom('clocks')
      .select(['department_id', 'kind', 'state', 'lateness_seconds', 'start_at', 'met_at']),
    f,
  ).execute();
}

/** Met / met late / breached / running per department and kind, and per kind over all. */
export async function timelinessOf(
  db: Db,
  f: Filter,
): Promise<{ rows: LabelledTimeliness[]; totals: LabelledTimeliness[] }> {
  const [names, clocks] = await Promise.all([departmentNames(db), clockOutcomes(db, f)]);
  const t = summarizeTimeliness(
    clocks.map((c) => ({
      departmentId: c.department_id,
      kind: c.kind,
      state: c.state,
      latenessSeconds: c.lateness_seconds,
    })),
  );
  const label = labeller(names);
  return { rows: t.rows.map(label), totals: t.totals.map(label) };
}

export async function supervisionFigures(db: Db, f: Filter, now: Date): Promise<Figures> {
  const [names, clocks, t, vol, top, breaches, records] = await Promise.all([
    departmentNames(db),
    clockOutcomes(db, f),
    timelinessOf(db, f),
    volume(db, f),
    topEvents(db, f),
    openBreaches(db, f.departmentId, now),
    recordsIn(db, f.period, f.departmentId),
  ]);
  const label = labeller(names);
  const interp = clocks.filter((c) => c.kind === 'interpretation');
  const monthly = summarizeTimeliness(
    interp.map((c) => ({
      departmentId: c.department_id,
      kind: shanghaiMonth(c.start_at),
      state: c.state,
      latenessSeconds: c.lateness_seconds,
    })),
  );
  const medians = MEDIAN_KINDS.map((kind) => {
    const minutes = clocks
      .filter((c) => c.kind === kind && c.met_at && (c.state === 'met' || c.state === 'met_late'))
      .map((c) => (c.met_at!.getTime() - c.start_at.getTime()) / 60_000);
    const m = median(minutes);
    return {
      kind,
      kindLabel: clockKindLabel(kind),
      count: minutes.length,
      medianMinutes: m === null ? null : Math.round(m),
    };
  });
  return {
    filter: {
      from: f.period.from,
      to: f.period.to,
      departmentId: f.departmentId,
      departmentName: f.departmentId === null ? null : nameOf(names, f.departmentId),
    },
    timeliness: t,
    interpretationMonthly: {
      months: [...new Set(monthly.totals.map((r) => r.kind))].sort(),
      rows: monthly.rows.map((r) => ({ ...label(r), kindLabel: r.kind })),
      totals: monthly.totals.map((r) => ({ ...label(r), kindLabel: r.kind })),
    },
    medians,
    openBreaches: breaches,
    volume: vol,
    topEvents: top,
    accountability: records,
  };
}

export interface ClockDrill {
  kind?: string | undefined;
  /** All response kinds (首发, 发布会, 回应). */
  group?: 'response' | undefined;
  /** done: met or met late; decided: also breached. */
  state?: 'met' | 'met_late' | 'breached' | 'running' | 'done' | 'decided' | undefined;
  /** Clocks started in this Asia/Shanghai month ("2026-10"), within the period. */
  month?: string | undefined;
}

const RESPONSE_GROUP = ['initial_release', 'press_conference', 'response'];

/** The clocks behind a number of the dashboard: the same filter, narrowed. */
export async function drillClocks(db: Db, f: Filter, d: ClockDrill) {
  let q = clocksIn(
    db
      .selectFrom('clocks')
      .leftJoin('departments', 'departments.id', 'clocks.department_id')
      .selectAll('clocks')
      .select('departments.name as department_name'),
    f,
  );
  if (d.kind) q = q.where('clocks.kind', '=', d.kind);
  if (d.group === 'response') q = q.where('clocks.kind', 'in', RESPONSE_GROUP);
  if (d.state === 'done') q = q.where('clocks.state', 'in', ['met', 'met_late']);
  else if (d.state === 'decided') q = q.where('clocks.state', 'in', ['met', 'met_late', 'breached']);
  else if (d.state) q = q.where('clocks.state', '=', d.state);
  if (d.month) {
    const start = DateTime.fromISO(`${d.month}-01`, { zone: ZONE });
    q = q
      .where('clocks.start_at', '>=', start.toJSDate())
      .where('clocks.start_at', '<', start.plus({ months: 1 }).toJSDate());
  }
  return q.orderBy('clocks.start_at').orderBy('clocks.id').execute();
}

export interface ItemDrill {
  bucket?: string | undefined;
  channel?: string | undefined;
  sentiment?: string | undefined;
  area?: string | undefined;
}

export const DRILL_ITEM_LIMIT = 500;

/** The items behind a volume figure: how many, and the first DRILL_ITEM_LIMIT of them. */
export async function drillItems(db: Db, f: Filter, d: ItemDrill) {
  const unit = bucketsOf(f.period).unit;
  let q = itemsIn(db, f);
  if (d.bucket) q = q.where(bucketExpr(unit), '=', d.bucket);
  if (d.channel) q = q.where('i.channel', '=', d.channel);
  if (d.sentiment === 'unknown') q = q.where('i.sentiment', 'is', null);
  else if (d.sentiment) q = q.where('i.sentiment', '=', d.sentiment as 'negative' | 'neutral' | 'positive');
  if (d.area === '其他') q = q.where(sql<boolean>`cardinality(i.categories) = 0`);
  else if (d.area) q = q.where(sql<boolean>`${d.area} = any(i.categories)`);
  const [count, items] = await Promise.all([
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    q
      .leftJoin('opinion_clusters as c', 'c.id', 'i.cluster_id')
      .leftJoin('opinion_events as e', 'e.id', 'c.event_id')
      .select([
        'i.id',
        'i.published_at',
        'i.channel',
        'i.source',
        'i.title',
        'i.content',
        'i.sentiment',
        'i.categories',
        'i.url',
        'e.id as event_id',
        'e.title as event_title',
      ])
      .orderBy('i.published_at', 'desc')
      .limit(DRILL_ITEM_LIMIT)
      .execute(),
  ]);
  return { count: Number(count.n), items };
}
