import { sql } from 'kysely';
import type { Db, Executor, Trx } from '../../db/database.js';
import type { SentimentLabel } from '../tables.js';

/**
 * The pipeline's statements. Each writes a whole batch in one round trip: columns travel as
 * parallel arrays and PostgreSQL zips them with `unnest` (no JSON to build, send and parse).
 * Array-valued columns (categories, keywords, scheme ids) cannot be unnested as arrays of arrays,
 * so each row's array travels as its PostgreSQL literal and is cast back.
 */

/** An item as the pipeline reads it. */
export interface ClaimedItem {
  id: number;
  published_at: Date;
  source: string;
  channel: string;
  title: string;
  content: string;
  author: string;
  metrics: Record<string, number> | null;
  is_repost: boolean | null;
}

const ITEM_COLUMNS = sql.raw(
  'i.id, i.published_at, i.source, i.channel, i.title, i.content, i.author, i.metrics, i.is_repost',
);

/** A PostgreSQL array literal ('{"a","b"}'), sent as one text element of an unnested array. */
export function arrayLiteral(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`;
}

/**
 * Takes up to `limit` queued items off the queue (rows other workers hold are skipped) and
 * returns them, oldest publication first, with how many queue rows were taken.
 */
export async function claimItems(
  trx: Trx,
  limit: number,
): Promise<{ claimed: number; items: ClaimedItem[] }> {
  const claimed = await sql<{ item_id: number; published_at: Date }>`
    delete from opinion_queue where item_id in (
      select item_id from opinion_queue order by item_id limit ${limit} for update skip locked
    ) returning item_id, published_at
  `.execute(trx);
  if (claimed.rows.length === 0) return { claimed: 0, items: [] };
  let minAt = Infinity;
  let maxAt = -Infinity;
  for (const r of claimed.rows) {
    minAt = Math.min(minAt, r.published_at.getTime());
    maxAt = Math.max(maxAt, r.published_at.getTime());
  }
  // The publication range lets PostgreSQL skip the month partitions the batch does not touch.
  const items = await sql<ClaimedItem>`
    select ${ITEM_COLUMNS} from opinion_items i
    where i.id = any(${claimed.rows.map((r) => r.item_id)}::bigint[])
      and i.published_at between ${new Date(minAt)} and ${new Date(maxAt)}
    order by i.published_at, i.id
  `.execute(trx);
  return { claimed: claimed.rows.length, items: items.rows };
}

/** Queued items after `afterId`, read without claiming them (the read-ahead). */
export async function peekQueue(db: Db, afterId: number, limit: number): Promise<ClaimedItem[]> {
  const r = await sql<ClaimedItem>`
    select ${ITEM_COLUMNS}
    from opinion_queue q join opinion_items i on i.id = q.item_id and i.published_at = q.published_at
    where q.item_id > ${afterId}
    order by q.item_id
    limit ${limit}
  `.execute(db);
  return r.rows;
}

/** Ids for new clusters, reserved ahead so a batch needs no round trip per new cluster. */
export async function reserveClusterIds(trx: Trx, n: number): Promise<number[]> {
  const r = await sql<{ id: number }>`
    select nextval(pg_get_serial_sequence('opinion_clusters', 'id'))::int as id from generate_series(1, ${n})
  `.execute(trx);
  return r.rows.map((x) => x.id);
}

/** The 舆情中心: the department of kind opinion_center (as the clock escalation finds it). */
export async function opinionCenterId(db: Executor): Promise<number | null> {
  const row = await db
    .selectFrom('departments')
    .select('id')
    .where('kind', '=', 'opinion_center')
    .orderBy('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The result of analysing one item; `failed` rows keep every analysis column empty. */
export interface AnalysedItemRow {
  id: number;
  publishedAt: Date;
  status: 'analysed' | 'failed';
  sentiment: SentimentLabel | null;
  sentimentScore: number | null;
  categories: string[];
  signal: string | null;
  keywords: string[];
  /** The explanation shown with the item (lexicon hits, scheme ids, copy similarity). */
  labels: Record<string, unknown> | null;
  minhash: Buffer | null;
  duplicateOf: number | null;
  clusterId: number | null;
  schemeIds: number[];
}

export async function storeItemResults(trx: Trx, rows: readonly AnalysedItemRow[], now: Date): Promise<void> {
  if (!rows.length) return;
  await sql`
    update opinion_items o set
      status = x.status, analysed_at = ${now}, sentiment = x.sentiment, sentiment_score = x.sentiment_score,
      categories = x.categories::text[], signal = x.signal, keywords = x.keywords::text[],
      labels = x.labels::jsonb, minhash = x.minhash, duplicate_of = x.duplicate_of,
      cluster_id = x.cluster_id, scheme_ids = x.scheme_ids::int[]
    from unnest(
      ${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.publishedAt.toISOString())}::timestamptz[],
      ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.sentiment)}::text[],
      ${rows.map((r) => r.sentimentScore)}::real[], ${rows.map((r) => arrayLiteral(r.categories))}::text[],
      ${rows.map((r) => r.signal)}::text[], ${rows.map((r) => arrayLiteral(r.keywords))}::text[],
      ${rows.map((r) => (r.labels ? JSON.stringify(r.labels) : null))}::text[], ${rows.map((r) => r.minhash)}::bytea[],
      ${rows.map((r) => r.duplicateOf)}::bigint[], ${rows.map((r) => r.clusterId)}::int[],
      ${rows.map((r) => arrayLiteral(r.schemeIds))}::text[]
    ) as x(id, published_at, status, sentiment, sentiment_score, categories, signal, keywords, labels, minhash,
      duplicate_of, cluster_id, scheme_ids)
    where o.id = x.id and o.published_at = x.published_at
  `.execute(trx);
}

/** The opinion_events columns the pipeline derives from a cluster. */
export interface EventFigures {
  title: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  keywords: string[];
  categories: string[];
  channels: string[];
  itemsCount: number;
  uniqueAuthors: number;
  negativeCount: number;
  duplicatesCount: number;
  hotness: number;
  trend: string;
  emergencySignal: string | null;
  suggestedSeverity: string;
  policyIds: number[];
  schemeIds: number[];
  analysis: Record<string, unknown>;
}

/** The figures as parallel arrays, in the order both event statements unnest them. */
function eventColumns(rows: readonly EventFigures[]) {
  return sql`
    ${rows.map((r) => r.title)}::text[], ${rows.map((r) => r.firstSeenAt.toISOString())}::timestamptz[],
    ${rows.map((r) => r.lastSeenAt.toISOString())}::timestamptz[], ${rows.map((r) => arrayLiteral(r.keywords))}::text[],
    ${rows.map((r) => arrayLiteral(r.categories))}::text[], ${rows.map((r) => arrayLiteral(r.channels))}::text[],
    ${rows.map((r) => r.itemsCount)}::int[], ${rows.map((r) => r.uniqueAuthors)}::int[],
    ${rows.map((r) => r.negativeCount)}::int[], ${rows.map((r) => r.duplicatesCount)}::int[],
    ${rows.map((r) => r.hotness)}::float8[], ${rows.map((r) => r.trend)}::text[],
    ${rows.map((r) => r.emergencySignal)}::text[], ${rows.map((r) => r.suggestedSeverity)}::text[],
    ${rows.map((r) => arrayLiteral(r.policyIds))}::text[], ${rows.map((r) => arrayLiteral(r.schemeIds))}::text[],
    ${rows.map((r) => JSON.stringify(r.analysis))}::text[]`;
}
const EVENT_ALIASES =
  sql.raw(`title, first_seen_at, last_seen_at, keywords, categories, channels, items_count,
  unique_authors, negative_count, duplicates_count, hotness, trend, emergency_signal, suggested_severity,
  policy_ids, scheme_ids, analysis`);

/** Promotes clusters to detected events; returns the new event id of each cluster. */
export async function insertEvents(
  trx: Trx,
  rows: readonly (EventFigures & { clusterId: number; detectedAt: Date })[],
  now: Date,
): Promise<Map<number, number>> {
  if (!rows.length) return new Map();
  const inserted = await sql<{ id: number; cluster_id: number }>`
    insert into opinion_events (
      origin, title, detected_at, first_seen_at, last_seen_at, keywords, categories, channels,
      items_count, unique_authors, negative_count, duplicates_count, hotness, hotness_at, trend,
      emergency_signal, suggested_severity, policy_ids, scheme_ids, analysis, severity, created_at, updated_at)
    select 'detected', x.title, x.detected_at, x.first_seen_at, x.last_seen_at, x.keywords::text[],
      x.categories::text[], x.channels::text[], x.items_count, x.unique_authors, x.negative_count,
      x.duplicates_count, x.hotness, ${now}, x.trend, x.emergency_signal, x.suggested_severity,
      x.policy_ids::int[], x.scheme_ids::int[], x.analysis::jsonb, 'general', ${now}, ${now}
    from unnest(${rows.map((r) => r.clusterId)}::int[], ${rows.map((r) => r.detectedAt.toISOString())}::timestamptz[],
      ${eventColumns(rows)}) as x(cluster_id, detected_at, ${EVENT_ALIASES})
    order by x.cluster_id
    returning id, (analysis->>'clusterId')::int as cluster_id
  `.execute(trx);
  return new Map(inserted.rows.map((r) => [r.cluster_id, r.id]));
}

/**
 * Brings events up to date with their clusters (a title an analyst gave stays); returns the ids
 * of the events an analyst has dismissed, which raise no further warnings.
 */
export async function updateEvents(
  trx: Trx,
  rows: readonly (EventFigures & { eventId: number })[],
  now: Date,
): Promise<Set<number>> {
  if (!rows.length) return new Set();
  const updated = await sql<{ id: number; status: string }>`
    update opinion_events e set
      title = case when e.origin = 'detected' then x.title else e.title end,
      first_seen_at = least(e.first_seen_at, x.first_seen_at), last_seen_at = greatest(e.last_seen_at, x.last_seen_at),
      keywords = x.keywords::text[], categories = x.categories::text[], channels = x.channels::text[],
      items_count = x.items_count, unique_authors = x.unique_authors, negative_count = x.negative_count,
      duplicates_count = x.duplicates_count, hotness = x.hotness, hotness_at = ${now}, trend = x.trend,
      emergency_signal = x.emergency_signal, suggested_severity = x.suggested_severity,
      policy_ids = x.policy_ids::int[], scheme_ids = x.scheme_ids::int[], analysis = x.analysis::jsonb,
      updated_at = ${now}
    from unnest(${rows.map((r) => r.eventId)}::int[], ${eventColumns(rows)}) as x(event_id, ${EVENT_ALIASES})
    where e.id = x.event_id
    returning e.id, e.status
  `.execute(trx);
  return new Set(updated.rows.filter((r) => r.status === 'dismissed').map((r) => r.id));
}

/** A cluster row: its running aggregates, centroid and statistics (see cluster-state.ts). */
export interface ClusterRow {
  id: number;
  eventId: number | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  itemsCount: number;
  uniqueAuthors: number;
  negativeCount: number;
  positiveCount: number;
  duplicatesCount: number;
  hotness: number;
  hotnessAt: Date;
  terms: Record<string, number>;
  stats: unknown;
}

export async function upsertClusters(trx: Trx, rows: readonly ClusterRow[], now: Date): Promise<void> {
  if (!rows.length) return;
  await sql`
    insert into opinion_clusters (id, event_id, first_seen_at, last_seen_at, items_count, unique_authors,
      negative_count, positive_count, duplicates_count, hotness, hotness_at, terms, stats, updated_at)
    select x.id, x.event_id, x.first_seen_at, x.last_seen_at, x.items_count, x.unique_authors, x.negative_count,
      x.positive_count, x.duplicates_count, x.hotness, x.hotness_at, x.terms::jsonb, x.stats::jsonb, ${now}
    from unnest(${rows.map((r) => r.id)}::int[], ${rows.map((r) => r.eventId)}::int[],
      ${rows.map((r) => r.firstSeenAt.toISOString())}::timestamptz[], ${rows.map((r) => r.lastSeenAt.toISOString())}::timestamptz[],
      ${rows.map((r) => r.itemsCount)}::int[], ${rows.map((r) => r.uniqueAuthors)}::int[],
      ${rows.map((r) => r.negativeCount)}::int[], ${rows.map((r) => r.positiveCount)}::int[],
      ${rows.map((r) => r.duplicatesCount)}::int[], ${rows.map((r) => r.hotness)}::float8[],
      ${rows.map((r) => r.hotnessAt.toISOString())}::timestamptz[], ${rows.map((r) => JSON.stringify(r.terms))}::text[],
      ${rows.map((r) => JSON.stringify(r.stats))}::text[])
      as x(id, event_id, first_seen_at, last_seen_at, items_count, unique_authors, negative_count, positive_count,
        duplicates_count, hotness, hotness_at, terms, stats)
    on conflict (id) do update set event_id = excluded.event_id, first_seen_at = excluded.first_seen_at,
      last_seen_at = excluded.last_seen_at, items_count = excluded.items_count,
      unique_authors = excluded.unique_authors, negative_count = excluded.negative_count,
      positive_count = excluded.positive_count, duplicates_count = excluded.duplicates_count,
      hotness = excluded.hotness, hotness_at = excluded.hotness_at, terms = excluded.terms,
      stats = excluded.stats, updated_at = excluded.updated_at
  `.execute(trx);
}

export interface ClusterAuthorRow {
  clusterId: number;
  author: string;
}

export async function insertClusterAuthors(trx: Trx, rows: readonly ClusterAuthorRow[]): Promise<void> {
  if (!rows.length) return;
  await sql`
    insert into opinion_cluster_authors (cluster_id, author)
    select * from unnest(${rows.map((r) => r.clusterId)}::int[], ${rows.map((r) => r.author)}::text[])
    on conflict do nothing
  `.execute(trx);
}

/** Items (and negative items) a batch adds to a cluster's hour. */
export interface ClusterHourRow {
  clusterId: number;
  hour: Date;
  items: number;
  negative: number;
}

export async function addClusterHours(trx: Trx, rows: readonly ClusterHourRow[]): Promise<void> {
  if (!rows.length) return;
  await sql`
    insert into opinion_cluster_hours (cluster_id, hour, items, negative)
    select * from unnest(${rows.map((r) => r.clusterId)}::int[], ${rows.map((r) => r.hour.toISOString())}::timestamptz[],
      ${rows.map((r) => r.items)}::int[], ${rows.map((r) => r.negative)}::int[])
    on conflict (cluster_id, hour) do update set items = opinion_cluster_hours.items + excluded.items,
      negative = opinion_cluster_hours.negative + excluded.negative
  `.execute(trx);
}

/** Hotness and trend of an event as time passes without new items. */
export interface EventHeatRow {
  eventId: number;
  hotness: number;
  trend: string;
}

export async function refreshEventHeat(db: Db, rows: readonly EventHeatRow[], now: Date): Promise<void> {
  if (!rows.length) return;
  await sql`
    update opinion_events e set hotness = x.hotness, trend = x.trend, hotness_at = ${now}
    from unnest(${rows.map((r) => r.eventId)}::int[], ${rows.map((r) => r.hotness)}::float8[],
      ${rows.map((r) => r.trend)}::text[]) as x(event_id, hotness, trend)
    where e.id = x.event_id and (e.hotness is distinct from x.hotness or e.trend is distinct from x.trend)
  `.execute(db);
}

/** A remembered original within the duplicate window. */
export interface DuplicateCandidateRow {
  id: number;
  cluster_id: number;
  published_at: Date;
  minhash: Buffer;
}

/** The latest `limit` originals published since `since`, earliest first. */
export async function duplicateCandidates(
  db: Db,
  since: Date,
  limit: number,
): Promise<DuplicateCandidateRow[]> {
  const r = await sql<DuplicateCandidateRow>`
    select id, cluster_id, published_at, minhash from opinion_items
    where published_at >= ${since} and minhash is not null and cluster_id is not null and duplicate_of is null
    order by published_at desc, id desc
    limit ${limit}
  `.execute(db);
  return r.rows.reverse();
}
