import { sql, type Selectable } from 'kysely';
import { scopedEvents, visibleEvent } from '../events/access.js';
import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { authorize, departmentFilter } from '../auth/policy.js';
import { HttpProblem } from '../shared/errors.js';
import { toIsoShanghai } from '../shared/time.js';
import type { ClockRow } from '../clocks/model.js';
import { eventJson, type EventRow } from '../events/model.js';
import { channelLabel } from './channels.js';
import { MAX_BATCH_BYTES, prepareBatch, storeBatch, type IngestResult } from './ingest.js';
import type { OpinionItemsTable, OpinionQueueTable } from './tables.js';
import { filterRange, likePattern, type OpinionFilter } from './filters.js';

export type ItemRow = Selectable<OpinionItemsTable>;

/** How far back the /opinion stream's first rows are searched when no start date is given. */
export const LATEST_ITEMS_DAYS = 7;

const SENTIMENT_LABELS: Record<string, string> = { negative: '负面', neutral: '中性', positive: '正面' };

export function itemJson(i: Omit<ItemRow, 'minhash'>) {
  return {
    id: i.id,
    source: i.source,
    channel: i.channel,
    channelLabel: channelLabel(i.channel),
    externalId: i.external_id,
    url: i.url,
    title: i.title,
    content: i.content,
    author: i.author,
    publishedAt: toIsoShanghai(i.published_at),
    receivedAt: toIsoShanghai(i.received_at),
    metrics: i.metrics,
    isRepost: i.is_repost,
    status: i.status,
    analysedAt: toIsoShanghai(i.analysed_at),
    sentiment: i.sentiment,
    sentimentLabel: i.sentiment ? SENTIMENT_LABELS[i.sentiment] : null,
    sentimentScore: i.sentiment_score,
    categories: i.categories,
    emergencySignal: i.signal,
    keywords: i.keywords,
    duplicateOf: i.duplicate_of,
    clusterId: i.cluster_id,
    schemeIds: i.scheme_ids,
    /** Why each label was given: trigger words per area / signal, sentiment words, casualties. */
    explanation: i.labels,
  };
}
export type ItemJson = ReturnType<typeof itemJson>;

/** The SPEC §4 event shape plus what the pipeline adds (duplicates, channels with labels, analysis). */
export function opinionEventJson(e: EventRow, clocks: ClockRow[] = []) {
  return {
    ...eventJson(e, clocks),
    channels: e.channels,
    channelLabels: e.channels.map(channelLabel),
    duplicatesCount: e.duplicates_count,
    schemeIds: e.scheme_ids,
    analysis: e.analysis,
  };
}

/** The columns of an item as delivered (the queue holds them until the item is analysed). */
const DELIVERED_COLUMNS = [
  'published_at',
  'received_at',
  'source',
  'channel',
  'external_id',
  'url',
  'title',
  'content',
  'author',
  'metrics',
  'is_repost',
] as const;

export const ITEM_COLUMNS = [
  'id',
  ...DELIVERED_COLUMNS,
  'status',
  'analysed_at',
  'sentiment',
  'sentiment_score',
  'categories',
  'signal',
  'keywords',
  'labels',
  'duplicate_of',
  'cluster_id',
  'scheme_ids',
] as const;

const QUEUED_ITEM_COLUMNS = ['item_id', ...DELIVERED_COLUMNS] as const;

/** A queued item as an item whose analysis is pending. */
function pendingItem(
  q: Pick<Selectable<OpinionQueueTable>, (typeof QUEUED_ITEM_COLUMNS)[number]>,
): Omit<ItemRow, 'minhash'> {
  const { item_id, ...delivered } = q;
  return {
    ...delivered,
    id: item_id,
    status: 'pending',
    analysed_at: null,
    sentiment: null,
    sentiment_score: null,
    categories: [],
    signal: null,
    keywords: [],
    labels: null,
    duplicate_of: null,
    cluster_id: null,
    scheme_ids: [],
  };
}

export class OpinionService {
  constructor(private readonly core: Core) {}

  async ingest(p: Principal | undefined, body: unknown, bodyBytes: number): Promise<IngestResult> {
    authorize(p, 'opinion.ingest');
    if (bodyBytes > MAX_BATCH_BYTES)
      throw new HttpProblem(413, '批量过大', `每批不超过 ${MAX_BATCH_BYTES / 1024 / 1024} MB`);
    const now = this.core.clock.now();
    const { prepared, rejected, withinBatchDuplicates } = prepareBatch(
      body,
      now,
      this.core.config.opinionRetentionDays,
    );
    const accepted = await storeBatch(this.core.db, prepared, now);
    return { accepted, duplicates: prepared.length - accepted + withinBatchDuplicates, rejected };
  }

  async stats(p: Principal | undefined) {
    authorize(p, 'opinion.read');
    const r = await sql<{ items: number; analysed: number; failed: number; pending: number; events: number }>`
      select
        -- Accepted items: stored analysed (or failed), or still queued (migration 100).
        (select count(*)::int from opinion_items) + (select count(*)::int from opinion_queue) as items,
        (select count(*)::int from opinion_items where status = 'analysed') as analysed,
        (select count(*)::int from opinion_items where status = 'failed') as failed,
        (select count(*)::int from opinion_queue) as pending,
        (select count(*)::int from opinion_events where origin = 'detected') as events
    `.execute(this.core.db);
    return r.rows[0]!;
  }

  /** Newest items first; `before` pages backwards, `after` polls for new ones. */
  async items(p: Principal | undefined, q: { limit: number; before?: number; after?: number }) {
    authorize(p, 'opinion.read');
    if (p && departmentFilter(p, 'opinion.read') !== null)
      throw HttpProblem.forbidden('仅舆情岗位可查看原始信息');
    let stored = this.core.db
      .selectFrom('opinion_items')
      .select(ITEM_COLUMNS)
      .orderBy('id', 'desc')
      .limit(q.limit);
    // Accepted items not analysed yet wait in the queue: the stream shows them as pending.
    let queued = this.core.db
      .selectFrom('opinion_queue')
      .select(QUEUED_ITEM_COLUMNS)
      .orderBy('item_id', 'desc')
      .limit(q.limit);
    if (q.before) {
      stored = stored.where('id', '<', q.before);
      queued = queued.where('item_id', '<', q.before);
    }
    if (q.after) {
      stored = stored.where('id', '>', q.after);
      queued = queued.where('item_id', '>', q.after);
    }
    const [items, waiting] = await Promise.all([stored.execute(), queued.execute()]);
    return [...items, ...waiting.map(pendingItem)]
      .sort((a, b) => b.id - a.id)
      .slice(0, q.limit)
      .map(itemJson);
  }

  async events(
    p: Principal | undefined,
    q: { limit: number; offset: number; status?: string; origin?: string; category?: string },
  ) {
    authorize(p, 'opinion.read');
    const dept = p ? departmentFilter(p, 'opinion.read') : null;
    let query = this.core.db
      .selectFrom('opinion_events')
      .selectAll()
      .orderBy('detected_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit)
      .offset(q.offset);
    if (dept !== null && p) query = query.where(scopedEvents(p, dept));
    if (q.status) query = query.where('status', '=', q.status as EventRow['status']);
    if (q.origin) query = query.where('origin', '=', q.origin as EventRow['origin']);
    if (q.category) query = query.where(sql<boolean>`${q.category} = any(categories)`);
    const rows = await query.execute();
    const clocks = await this.clocksOf(rows.map((r) => r.id));
    return rows.map((r) => opinionEventJson(r, clocks.get(r.id) ?? []));
  }

  /**
   * One page of the events the caller may see that match the /opinion filters, newest detected
   * first, with the number of all matching. Dates select events active in the range; the
   * sentiment is the one most of an event's items carry (ties count as negative, the cautious
   * reading).
   */
  async eventPage(p: Principal | undefined, f: OpinionFilter, q: { limit: number; offset: number }) {
    authorize(p, 'opinion.read');
    const dept = departmentFilter(p, 'opinion.read');
    const { since, until } = filterRange(f);
    const positive = sql<number>`coalesce((opinion_events.analysis->'sentiment'->>'positive')::int, 0)`;
    const neutral = sql<number>`(opinion_events.items_count - opinion_events.negative_count - ${positive})`;
    let query = this.core.db.selectFrom('opinion_events');
    if (dept !== null) query = query.where(scopedEvents(p, dept));
    if (f.channel) query = query.where(sql<boolean>`${f.channel} = any(opinion_events.channels)`);
    if (f.area) query = query.where(sql<boolean>`${f.area} = any(opinion_events.categories)`);
    if (f.sentiment === 'negative')
      query = query.where(
        sql<boolean>`opinion_events.negative_count > 0 and opinion_events.negative_count >= greatest(${positive}, ${neutral})`,
      );
    if (f.sentiment === 'positive')
      query = query.where(
        sql<boolean>`${positive} > opinion_events.negative_count and ${positive} >= ${neutral}`,
      );
    if (f.sentiment === 'neutral')
      query = query.where(
        sql<boolean>`${neutral} > opinion_events.negative_count and ${neutral} > ${positive}`,
      );
    if (since)
      query = query.where(
        sql<Date>`coalesce(opinion_events.last_seen_at, opinion_events.detected_at)`,
        '>=',
        since,
      );
    if (until)
      query = query.where(
        sql<Date>`coalesce(opinion_events.first_seen_at, opinion_events.detected_at)`,
        '<',
        until,
      );
    if (f.q) {
      const like = likePattern(f.q);
      query = query.where((eb) =>
        eb.or([
          eb('opinion_events.title', 'ilike', like),
          eb(sql<string>`array_to_string(opinion_events.keywords, ' ')`, 'ilike', like),
        ]),
      );
    }
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('detected_at', 'desc')
        .orderBy('id', 'desc')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const clocks = await this.clocksOf(rows.map((r) => r.id));
    return { events: rows.map((r) => opinionEventJson(r, clocks.get(r.id) ?? [])), total: Number(count.n) };
  }

  /**
   * The newest items matching the /opinion filters (global viewers only, as `items`). Without a
   * start date only the last `LATEST_ITEMS_DAYS` are searched: a rare keyword must not walk a
   * year of partitions on every page load.
   */
  async latestItems(p: Principal | undefined, f: OpinionFilter, limit: number) {
    authorize(p, 'opinion.read');
    if (departmentFilter(p, 'opinion.read') !== null) return [];
    const range = filterRange(f);
    const until = range.until;
    const since = range.since ?? new Date(this.core.clock.now().getTime() - LATEST_ITEMS_DAYS * 86_400_000);
    let query = this.core.db.selectFrom('opinion_items').select(ITEM_COLUMNS);
    if (f.channel) query = query.where('channel', '=', f.channel);
    if (f.sentiment) query = query.where('sentiment', '=', f.sentiment);
    if (f.area) query = query.where(sql<boolean>`${f.area} = any(categories)`);
    query = query.where('published_at', '>=', since);
    if (until) query = query.where('published_at', '<', until);
    if (f.q) {
      const like = likePattern(f.q);
      query = query.where((eb) => eb.or([eb('title', 'ilike', like), eb('content', 'ilike', like)]));
    }
    return (await query.orderBy('id', 'desc').limit(limit).execute()).map(itemJson);
  }

  private async clocksOf(ids: number[]): Promise<Map<number, ClockRow[]>> {
    const out = new Map<number, ClockRow[]>();
    if (!ids.length) return out;
    const rows = await this.core.db
      .selectFrom('clocks')
      .selectAll()
      .where('subject_kind', '=', 'event')
      .where('subject_id', 'in', ids)
      .orderBy('id')
      .execute();
    for (const c of rows) {
      const list = out.get(c.subject_id) ?? [];
      list.push(c as ClockRow);
      out.set(c.subject_id, list);
    }
    return out;
  }

  async event(p: Principal | undefined, id: number) {
    const e = await visibleEvent(this.core.db, p, id);
    const clocks = await this.clocksOf([id]);
    return opinionEventJson(e, clocks.get(id) ?? []);
  }

  async eventItems(p: Principal | undefined, id: number, q: { limit: number; offset: number }) {
    await this.event(p, id);
    const rows = await this.eventItemsQuery(id)
      .select(ITEM_COLUMNS)
      .orderBy('published_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return rows.map(itemJson);
  }

  /** How many items an event holds (for paging its items). */
  async eventItemsCount(id: number): Promise<number> {
    const r = await this.eventItemsQuery(id)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private eventItemsQuery(id: number) {
    return this.core.db
      .selectFrom('opinion_items')
      .where('cluster_id', 'in', (qb) =>
        qb.selectFrom('opinion_clusters').select('id').where('event_id', '=', id),
      );
  }

  /** Hourly volume of events' clusters for sparklines (oldest first, `hours` buckets ending now). */
  async hourly(eventIds: number[], hours = 24): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    if (!eventIds.length) return out;
    const now = this.core.clock.now().getTime();
    const end = Math.floor(now / 3600_000) * 3600_000;
    const start = end - (hours - 1) * 3600_000;
    const rows = await sql<{ event_id: number; hour: Date; items: number }>`
      select c.event_id, h.hour, sum(h.items)::int as items
      from opinion_cluster_hours h join opinion_clusters c on c.id = h.cluster_id
      where c.event_id = any(${eventIds}::int[]) and h.hour >= ${new Date(start)}
      group by c.event_id, h.hour
    `.execute(this.core.db);
    for (const id of eventIds) out.set(id, new Array<number>(hours).fill(0));
    for (const r of rows.rows) {
      const i = Math.round((r.hour.getTime() - start) / 3600_000);
      const series = out.get(r.event_id);
      if (series && i >= 0 && i < hours) series[i] = r.items;
    }
    return out;
  }
}
