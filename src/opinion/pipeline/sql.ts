import { sql, type RawBuilder } from 'kysely';
import type { Db, Executor, Trx } from '../../db/database.js';
import type { TermVector } from '../analysis/cluster.js';
import type { ClusterStats } from '../cluster-state.js';
import type { SentimentLabel } from '../tables.js';
import type { CentroidRow, LogRow } from './cluster-log.js';
import type { LabelAdjustment } from '../cluster-adjust.js';

/**
 * The pipeline's statements. Each writes a whole batch in one round trip: the batch travels as
 * ONE json parameter, an array of rows of a named type whose keys are the columns of the
 * statement's `json_to_recordset(...) as x(...)` list (quoted where they are camelCase).
 * JSON.stringify is native, where the arrays `unnest` needs were escaped element by element in
 * JavaScript; json (not jsonb) is parsed once, straight into the records.
 */
function recordset(rows: readonly object[]): RawBuilder<unknown> {
  return sql`json_to_recordset(${JSON.stringify(rows)}::json)`;
}

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

const CLAIMED_COLUMNS = sql.raw(
  'item_id as id, published_at, source, channel, title, content, author, metrics, is_repost',
);

/**
 * Locks up to `limit` queued items (of `only`, when given; rows other workers hold are skipped)
 * and returns them, oldest publication first. They leave the queue when storeItems stores them, in the same transaction.
 */
export async function claimItems(
  trx: Trx,
  limit: number,
  only?: readonly number[],
): Promise<{ claimed: number; items: ClaimedItem[] }> {
  const r = await sql<ClaimedItem>`
    select ${CLAIMED_COLUMNS} from opinion_queue
    ${only ? sql`where item_id = any(${only}::bigint[])` : sql``}
    order by item_id limit ${limit} for update skip locked
  `.execute(trx);
  const items = r.rows.sort((a, b) => a.published_at.getTime() - b.published_at.getTime() || a.id - b.id);
  return { claimed: items.length, items };
}

/** Queued items after `afterId`, read without claiming them (the read-ahead). */
export async function peekQueue(db: Db, afterId: number, limit: number): Promise<ClaimedItem[]> {
  const r = await sql<ClaimedItem>`
    select ${CLAIMED_COLUMNS} from opinion_queue where item_id > ${afterId} order by item_id limit ${limit}
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

/** An item's analysis as opinion_items stores it. */
interface ItemAnalysisRow {
  id: number;
  status: 'analysed' | 'failed';
  sentiment: SentimentLabel | null;
  sentiment_score: number | null;
  categories: string[];
  signal: string | null;
  keywords: string[];
  labels: Record<string, unknown> | null;
  /** bytea's hex input form. */
  minhash: string | null;
  duplicate_of: number | null;
  cluster_id: number | null;
  scheme_ids: number[];
}

/**
 * Moves claimed items from the queue into opinion_items with their analysis, in one statement:
 * the only write of an item to opinion_items. What the crawler delivered stays in PostgreSQL
 * (the queue row's columns); only the analysis travels.
 */
export async function storeItems(trx: Trx, results: readonly AnalysedItemRow[], now: Date): Promise<void> {
  if (!results.length) return;
  const rows = results.map((r): ItemAnalysisRow => ({
    id: r.id,
    status: r.status,
    sentiment: r.sentiment,
    sentiment_score: r.sentimentScore,
    categories: r.categories,
    signal: r.signal,
    keywords: r.keywords,
    labels: r.labels,
    minhash: r.minhash ? `\\x${r.minhash.toString('hex')}` : null,
    duplicate_of: r.duplicateOf,
    cluster_id: r.clusterId,
    scheme_ids: r.schemeIds,
  }));
  await sql`
    with x as (
      select * from ${recordset(rows)} as x(id bigint, status text, sentiment text, sentiment_score real,
        categories text[], signal text, keywords text[], labels jsonb, minhash bytea, duplicate_of bigint,
        cluster_id int, scheme_ids int[])
    ), taken as (
      delete from opinion_queue q using x where q.item_id = x.id returning q.*
    )
    insert into opinion_items (id, published_at, received_at, source, channel, external_id, url, title, content,
      author, metrics, is_repost, status, analysed_at, sentiment, sentiment_score, categories, signal, keywords,
      labels, minhash, duplicate_of, cluster_id, scheme_ids)
    select q.item_id, q.published_at, q.received_at, q.source, q.channel, q.external_id, q.url, q.title, q.content,
      q.author, q.metrics, q.is_repost, x.status, ${now}, x.sentiment, x.sentiment_score, x.categories, x.signal,
      x.keywords, x.labels, x.minhash, x.duplicate_of, x.cluster_id, x.scheme_ids
    from taken q join x on x.id = q.item_id
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

/** EventFigures' keys as json_to_recordset columns (both event statements read them). */
const EVENT_FIGURE_TYPES = sql.raw(`title text, "firstSeenAt" timestamptz, "lastSeenAt" timestamptz,
  keywords text[], categories text[], channels text[], "itemsCount" int, "uniqueAuthors" int, "negativeCount" int,
  "duplicatesCount" int, hotness float8, trend text, "emergencySignal" text, "suggestedSeverity" text,
  "policyIds" int[], "schemeIds" int[], analysis jsonb`);

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
    select 'detected', x.title, x."detectedAt", x."firstSeenAt", x."lastSeenAt", x.keywords, x.categories,
      x.channels, x."itemsCount", x."uniqueAuthors", x."negativeCount", x."duplicatesCount", x.hotness, ${now},
      x.trend, x."emergencySignal", x."suggestedSeverity", x."policyIds", x."schemeIds", x.analysis, 'general',
      ${now}, ${now}
    from ${recordset(rows)} as x("clusterId" int, "detectedAt" timestamptz, ${EVENT_FIGURE_TYPES})
    order by x."clusterId"
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
      first_seen_at = least(e.first_seen_at, x."firstSeenAt"), last_seen_at = greatest(e.last_seen_at, x."lastSeenAt"),
      keywords = x.keywords, categories = x.categories, channels = x.channels,
      items_count = x."itemsCount", unique_authors = x."uniqueAuthors", negative_count = x."negativeCount",
      duplicates_count = x."duplicatesCount", hotness = x.hotness, hotness_at = ${now}, trend = x.trend,
      emergency_signal = x."emergencySignal", suggested_severity = x."suggestedSeverity",
      policy_ids = x."policyIds", scheme_ids = x."schemeIds", analysis = x.analysis, updated_at = ${now}
    from ${recordset(rows)} as x("eventId" int, ${EVENT_FIGURE_TYPES})
    where e.id = x."eventId"
    returning e.id, e.status
  `.execute(trx);
  return new Set(updated.rows.filter((r) => r.status === 'dismissed').map((r) => r.id));
}

/** A cluster row: its running aggregates and statistics (see cluster-state.ts). */
export interface ClusterRow {
  id: number;
  event_id: number | null;
  first_seen_at: Date;
  last_seen_at: Date;
  items_count: number;
  unique_authors: number;
  negative_count: number;
  positive_count: number;
  duplicates_count: number;
  hotness: number;
  hotness_at: Date;
  stats: unknown;
}

export async function upsertClusters(trx: Trx, rows: readonly ClusterRow[], now: Date): Promise<void> {
  if (!rows.length) return;
  await sql`
    insert into opinion_clusters (id, event_id, first_seen_at, last_seen_at, items_count, unique_authors,
      negative_count, positive_count, duplicates_count, hotness, hotness_at, stats, updated_at)
    select x.id, x.event_id, x.first_seen_at, x.last_seen_at, x.items_count, x.unique_authors, x.negative_count,
      x.positive_count, x.duplicates_count, x.hotness, x.hotness_at, x.stats, ${now}
    from ${recordset(rows)} as x(id int, event_id int, first_seen_at timestamptz, last_seen_at timestamptz,
      items_count int, unique_authors int, negative_count int, positive_count int, duplicates_count int,
      hotness float8, hotness_at timestamptz, stats jsonb)
    on conflict (id) do update set event_id = excluded.event_id, first_seen_at = excluded.first_seen_at,
      last_seen_at = excluded.last_seen_at, items_count = excluded.items_count,
      unique_authors = excluded.unique_authors, negative_count = excluded.negative_count,
      positive_count = excluded.positive_count, duplicates_count = excluded.duplicates_count,
      hotness = excluded.hotness, hotness_at = excluded.hotness_at, stats = excluded.stats,
      updated_at = excluded.updated_at
  `.execute(trx);
}

/** A checkpoint: the whole centroids of the clusters changed since the last one. */
export async function writeCentroids(trx: Trx, rows: readonly CentroidRow[]): Promise<void> {
  if (!rows.length) return;
  await sql`
    insert into opinion_cluster_centroids (cluster_id, terms, weights)
    select x.cluster_id, x.terms, x.weights
    from ${recordset(rows)} as x(cluster_id int, terms text[], weights float8[])
    on conflict (cluster_id) do update set terms = excluded.terms, weights = excluded.weights
  `.execute(trx);
}

/** Appends one batch's term changes and touched cluster rows to the log (cluster-log.ts). */
export async function appendClusterLog(trx: Trx, row: LogRow): Promise<void> {
  await sql`insert into opinion_cluster_log (terms, clusters) values (${row.terms}, ${row.clusters})`.execute(
    trx,
  );
}

/** What batches logged since the last checkpoint, oldest first. */
export async function clusterLog(db: Executor): Promise<LogRow[]> {
  const r = await sql<LogRow>`select terms, clusters from opinion_cluster_log order by seq`.execute(db);
  return r.rows;
}

/** A checkpoint wrote everything logged (in the same transaction). */
export async function clearClusterLog(trx: Trx): Promise<void> {
  await sql`delete from opinion_cluster_log`.execute(trx);
}

/** The checkpointed centroids of clusters (the log's changes not applied). */
export async function clusterTerms(
  db: Executor,
  clusterIds: readonly number[],
): Promise<Map<number, TermVector>> {
  const out = new Map<number, TermVector>();
  if (!clusterIds.length) return out;
  const r = await sql<CentroidRow>`
    select cluster_id, terms, weights from opinion_cluster_centroids where cluster_id = any(${clusterIds}::int[])
  `.execute(db);
  for (const c of r.rows) out.set(c.cluster_id, new Map(c.terms.map((t, i) => [t, c.weights[i]!])));
  return out;
}

/** Clusters' hourly counts as ClusterStats keeps them (hour start in epoch ms → [items, negative]). */
export async function clusterHours(
  db: Executor,
  clusterIds: readonly number[],
): Promise<Map<number, ClusterStats['hours']>> {
  const out = new Map<number, ClusterStats['hours']>();
  if (!clusterIds.length) return out;
  const r = await sql<{ cluster_id: number; hour: Date; items: number; negative: number }>`
    select cluster_id, hour, items, negative from opinion_cluster_hours where cluster_id = any(${clusterIds}::int[])
  `.execute(db);
  for (const h of r.rows) {
    let hours = out.get(h.cluster_id);
    if (!hours) out.set(h.cluster_id, (hours = {}));
    hours[String(h.hour.getTime())] = [h.items, h.negative];
  }
  return out;
}

/** Up to `max` authors of each cluster, as ClusterMemory.load restores them. */
export async function clusterAuthors(
  db: Db,
  clusterIds: readonly number[],
  max: number,
): Promise<Map<number, Set<string>>> {
  const out = new Map<number, Set<string>>();
  if (!clusterIds.length) return out;
  const r = await sql<{ cluster_id: number; author: string }>`
    select cluster_id, author from (
      select cluster_id, author, row_number() over (partition by cluster_id) as n
      from opinion_cluster_authors where cluster_id = any(${clusterIds}::int[])
    ) a where n <= ${max}
  `.execute(db);
  for (const a of r.rows) {
    let s = out.get(a.cluster_id);
    if (!s) out.set(a.cluster_id, (s = new Set()));
    s.add(a.author);
  }
  return out;
}

/**
 * Records authors not known to be new (their cluster holds no more in memory) and returns a
 * cluster id for each one that was new, so the caller counts it.
 */
export async function addUnknownAuthors(trx: Trx, rows: readonly ClusterAuthorRow[]): Promise<number[]> {
  if (!rows.length) return [];
  const r = await sql<{ cluster_id: number }>`
    insert into opinion_cluster_authors (cluster_id, author)
    select x."clusterId", x.author from ${recordset(rows)} as x("clusterId" int, author text)
    on conflict do nothing
    returning cluster_id
  `.execute(trx);
  return r.rows.map((x) => x.cluster_id);
}

export interface ClusterAuthorRow {
  clusterId: number;
  author: string;
}

export async function insertClusterAuthors(trx: Trx, rows: readonly ClusterAuthorRow[]): Promise<void> {
  if (!rows.length) return;
  await sql`
    insert into opinion_cluster_authors (cluster_id, author)
    select x."clusterId", x.author from ${recordset(rows)} as x("clusterId" int, author text)
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
    select x."clusterId", x.hour, x.items, x.negative
    from ${recordset(rows)} as x("clusterId" int, hour timestamptz, items int, negative int)
    on conflict (cluster_id, hour) do update set items = opinion_cluster_hours.items + excluded.items,
      negative = opinion_cluster_hours.negative + excluded.negative
  `.execute(trx);
}

/**
 * Takes the corrections' cluster adjustments (migration 110), oldest first: deleted in the
 * batch's transaction that applies them, so a rolled-back batch leaves them for the next one.
 */
export async function takeClusterAdjustments(trx: Trx): Promise<LabelAdjustment[]> {
  const r = await sql<
    { id: string; cluster_id: number; published_at: Date } & Pick<
      LabelAdjustment,
      'before' | 'after' | 'evidence'
    >
  >`
    delete from opinion_cluster_adjustments returning id, cluster_id, published_at, before, after, evidence
  `.execute(trx);
  return r.rows
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map((x) => ({
      clusterId: x.cluster_id,
      at: x.published_at.getTime(),
      before: x.before,
      after: x.after,
      evidence: x.evidence,
    }));
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
    from ${recordset(rows)} as x("eventId" int, hotness float8, trend text)
    where e.id = x."eventId" and (e.hotness is distinct from x.hotness or e.trend is distinct from x.trend)
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
