/**
 * 舆情日报 / 周报: what happened in a day (or a Monday-to-Sunday week), as data. The page, the
 * JSON API, the Word file and the archive all render this one object.
 */
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Db } from '../db/database.js';
import { ZONE, toIsoShanghai } from '../shared/time.js';
import { clockKindLabel, clockStateLabel } from '../clocks/states.js';
import { ACTION_LABELS, SEVERITY_LABELS, STATUS_LABELS } from '../events/rules.js';
import { DECISION_LABELS } from '../accountability/model.js';
import { recordsIn } from '../accountability/service.js';
import { channelLabel, hottestEventsOf, NO_DEPARTMENT, SENTIMENT_LABELS, volume } from './figures.js';
import { periodOf } from './period.js';
import { formatMinutes } from './stats.js';
import type { OpinionReportKind } from './tables.js';

export interface BriefEvent {
  id: number;
  title: string;
  severity: string;
  severityLabel: string;
  emergency: boolean;
  status: string;
  statusLabel: string;
  areas: string[];
  department: string;
  detectedAt: string | null;
  lastSeenAt: string | null;
  itemsInPeriod: number;
  itemsCount: number;
  heat: number;
  negativeRatio: number;
  sentimentLabel: string;
  clocks: {
    id: number;
    kind: string;
    kindLabel: string;
    state: string;
    stateLabel: string;
    dueAt: string | null;
  }[];
}

export interface OpinionBrief {
  kind: OpinionReportKind;
  title: string;
  locality: string;
  /** The day reported on, or the week's Monday. */
  date: string;
  from: string;
  to: string;
  periodLabel: string;
  generatedAt: string | null;
  summary: {
    items: number;
    negative: number;
    newEvents: number;
    ongoingEvents: number;
    responses: number;
    late: number;
    accountability: number;
  };
  volume: {
    total: number;
    byChannel: { key: string; label: string; count: number }[];
    byArea: { key: string; label: string; count: number }[];
    bySentiment: { key: string; label: string; count: number }[];
    /** Per day for a week, per hour for a day. */
    series: { labels: string[]; values: number[] };
  };
  newEvents: BriefEvent[];
  ongoingEvents: BriefEvent[];
  responses: {
    eventId: number;
    eventTitle: string;
    kind: string;
    kindLabel: string;
    occurredAt: string | null;
    channel: string;
    text: string;
  }[];
  late: {
    clockId: number;
    kindLabel: string;
    title: string;
    department: string;
    stateLabel: string;
    dueAt: string | null;
    doneAt: string | null;
    lateness: string;
    href: string | null;
  }[];
  policies: { id: number; title: string; docNumber: string; department: string; eventTitles: string[] }[];
  accountability: {
    id: number;
    decidedAt: string | null;
    department: string;
    decisionLabel: string;
    clockTitle: string;
    kindLabel: string;
    note: string;
  }[];
}

const cn = (d: string) => DateTime.fromISO(d).toFormat('yyyy年M月d日');

/** The Monday of the week an ISO date falls in. */
export function mondayOf(date: string): string {
  return DateTime.fromISO(date, { zone: ZONE }).startOf('week').toISODate()!;
}

/** Yesterday and last week's Monday, from an instant (the morning jobs' view of "previous"). */
export function previousPeriods(now: Date): { day: string; monday: string } {
  const today = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day');
  return {
    day: today.minus({ days: 1 }).toISODate()!,
    monday: today.startOf('week').minus({ weeks: 1 }).toISODate()!,
  };
}

export function briefTitle(kind: OpinionReportKind, locality: string, date: string): string {
  if (kind === 'daily') return `${locality}舆情日报（${cn(date)}）`;
  const sunday = DateTime.fromISO(date).plus({ days: 6 }).toISODate()!;
  return `${locality}舆情周报（${cn(date)}至${cn(sunday).replace(/^\d+年/, '')}）`;
}

export async function buildOpinionBrief(
  db: Db,
  kind: OpinionReportKind,
  date: string,
  locality: string,
  now: Date,
): Promise<OpinionBrief> {
  const to = kind === 'daily' ? date : DateTime.fromISO(date).plus({ days: 6 }).toISODate()!;
  const period = periodOf(date, to);
  const f = { period, departmentId: null };
  const names = new Map(
    (await db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.id, d.name]),
  );
  const dept = (id: number | null) => (id === null ? NO_DEPARTMENT : (names.get(id) ?? String(id)));

  const vol = await volume(db, f);
  const unit = kind === 'daily' ? 'HH24' : 'YYYY-MM-DD';
  const buckets = await db
    .selectFrom('opinion_items as i')
    .select([
      sql<string>`to_char(i.published_at at time zone ${ZONE}, ${unit})`.as('b'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('i.published_at', '>=', period.fromAt)
    .where('i.published_at', '<', period.toAt)
    .groupBy(sql`1`)
    .execute();
  const labels =
    kind === 'daily'
      ? Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'))
      : Array.from({ length: 7 }, (_, d) => DateTime.fromISO(date).plus({ days: d }).toISODate()!);
  const counts = new Map(buckets.map((b) => [b.b, Number(b.n)]));

  const eventRows = await hottestEventsOf(db, period)
    .where((eb) =>
      eb.or([
        eb('e.last_seen_at', '>=', period.fromAt),
        eb.and([
          eb('e.status', 'in', ['new', 'confirmed', 'responding']),
          eb.exists(
            eb
              .selectFrom('clocks')
              .select(sql`1`.as('one'))
              .where('clocks.subject_kind', '=', 'event')
              .whereRef('clocks.subject_id', '=', 'e.id')
              .where('clocks.state', 'in', ['running', 'breached']),
          ),
        ]),
      ]),
    )
    .limit(100)
    .execute();
  const eventIds = eventRows.map((e) => e.id);
  const clocks = eventIds.length
    ? await db
        .selectFrom('clocks')
        .selectAll()
        .where('subject_kind', '=', 'event')
        .where('subject_id', 'in', eventIds)
        .where('state', '!=', 'cancelled')
        .orderBy('id')
        .execute()
    : [];
  const toEvent = (e: (typeof eventRows)[number]): BriefEvent => {
    const ratio = e.items_count ? e.negative_count / e.items_count : 0;
    return {
      id: e.id,
      title: e.title,
      severity: e.severity,
      severityLabel: SEVERITY_LABELS[e.severity],
      emergency: e.emergency,
      status: e.status,
      statusLabel: STATUS_LABELS[e.status] ?? e.status,
      areas: e.categories,
      department: dept(e.responsible_department_id),
      detectedAt: toIsoShanghai(e.detected_at),
      lastSeenAt: toIsoShanghai(e.last_seen_at),
      itemsInPeriod: Number(e.items_in_period ?? 0),
      itemsCount: e.items_count,
      heat: Math.round(e.hotness * 100) / 100,
      negativeRatio: Math.round(ratio * 1000) / 1000,
      sentimentLabel: ratio >= 0.5 ? '负面为主' : ratio >= 0.2 ? '正负交织' : '中性为主',
      clocks: clocks
        .filter((c) => c.subject_id === e.id)
        .map((c) => ({
          id: c.id,
          kind: c.kind,
          kindLabel: clockKindLabel(c.kind),
          state: c.state,
          stateLabel: clockStateLabel(c.state),
          dueAt: toIsoShanghai(c.due_at),
        })),
    };
  };
  const isNew = (e: (typeof eventRows)[number]) => e.first_seen_at >= period.fromAt;

  const actions = await db
    .selectFrom('event_actions as a')
    .innerJoin('opinion_events as e', 'e.id', 'a.event_id')
    .select(['a.event_id', 'e.title', 'a.kind', 'a.occurred_at', 'a.channel', 'a.text'])
    .where('a.status', '=', 'done')
    .where('a.occurred_at', '>=', period.fromAt)
    .where('a.occurred_at', '<', period.toAt)
    .orderBy('a.occurred_at')
    .execute();

  const late = await db
    .selectFrom('clocks')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('breached_at', '>=', period.fromAt), eb('breached_at', '<', period.toAt)]),
        eb.and([
          eb('state', '=', 'met_late'),
          eb('met_at', '>=', period.fromAt),
          eb('met_at', '<', period.toAt),
        ]),
      ]),
    )
    .where('state', '!=', 'cancelled')
    .orderBy('due_at')
    .execute();

  const policyIds = [...new Set(eventRows.flatMap((e) => e.policy_ids))];
  const policies = policyIds.length
    ? await db
        .selectFrom('policies')
        .select(['id', 'title', 'doc_number', 'drafting_department_id'])
        .where('id', 'in', policyIds)
        .orderBy('id')
        .execute()
    : [];

  const records = kind === 'weekly' ? await recordsIn(db, period, null) : [];
  const newEvents = eventRows.filter(isNew).map(toEvent);
  const ongoingEvents = eventRows.filter((e) => !isNew(e)).map(toEvent);
  const total = (s: { totals: { key: string; count: number }[] }, label: (k: string) => string) =>
    s.totals.map((t) => ({ key: t.key, label: label(t.key), count: t.count }));
  return {
    kind,
    title: briefTitle(kind, locality, date),
    locality: locality,
    date,
    from: period.from,
    to: period.to,
    periodLabel: kind === 'daily' ? cn(date) : `${cn(date)}至${cn(to)}`,
    generatedAt: toIsoShanghai(now),
    summary: {
      items: vol.total,
      negative: vol.bySentiment.totals.find((t) => t.key === 'negative')?.count ?? 0,
      newEvents: newEvents.length,
      ongoingEvents: ongoingEvents.length,
      responses: actions.length,
      late: late.length,
      accountability: records.length,
    },
    volume: {
      total: vol.total,
      byChannel: total(vol.byChannel, channelLabel),
      byArea: total(vol.byArea, (k) => k),
      bySentiment: total(vol.bySentiment, (k) => SENTIMENT_LABELS[k] ?? k),
      series: {
        labels: kind === 'daily' ? labels.map((h) => `${h}时`) : labels.map((d) => d.slice(5)),
        values: labels.map((l) => counts.get(l) ?? 0),
      },
    },
    newEvents,
    ongoingEvents,
    responses: actions.map((a) => ({
      eventId: a.event_id,
      eventTitle: a.title,
      kind: a.kind,
      kindLabel: ACTION_LABELS[a.kind],
      occurredAt: toIsoShanghai(a.occurred_at),
      channel: a.channel,
      text: a.text,
    })),
    late: late.map((c) => ({
      clockId: c.id,
      kindLabel: clockKindLabel(c.kind),
      title: c.title,
      department: dept(c.department_id),
      stateLabel: clockStateLabel(c.state),
      dueAt: toIsoShanghai(c.due_at),
      doneAt: toIsoShanghai(c.met_at),
      lateness: c.lateness_seconds ? formatMinutes(c.lateness_seconds / 60) : '',
      href:
        c.subject_kind === 'event'
          ? `/responses/events/${c.subject_id}`
          : c.subject_kind === 'policy'
            ? `/policies/${c.subject_id}`
            : null,
    })),
    policies: policies.map((p) => ({
      id: p.id,
      title: p.title,
      docNumber: p.doc_number ?? '',
      department: dept(p.drafting_department_id),
      eventTitles: eventRows.filter((e) => e.policy_ids.includes(p.id)).map((e) => e.title),
    })),
    accountability: records.map((r) => ({
      id: r.id,
      decidedAt: toIsoShanghai(r.decided_at),
      department: r.department_name ?? NO_DEPARTMENT,
      decisionLabel: DECISION_LABELS[r.decision],
      clockTitle: r.clock_title,
      kindLabel: clockKindLabel(r.clock_kind),
      note: r.note,
    })),
  };
}
