import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { ensureItemPartitions } from '../opinion/partitions.js';
import type { SentimentLabel } from '../opinion/tables.js';

export interface HistoryItem {
  publishedAt: Date;
  channel: string;
  source: string;
  title?: string;
  content: string;
  author?: string;
  sentiment: SentimentLabel;
  categories: string[];
  keywords?: string[];
}

/**
 * Writes already-analysed opinion items as the pipeline would have left them, attached to an event
 * through a cluster, and brings the event's counters (items, negatives, channels, areas, first and
 * last seen) in line with them. Used for history (the demo's three months, report fixtures) where
 * running months of items through the live pipeline would raise months of stale alerts.
 */
export async function insertAnalysedItems(
  db: Db,
  eventId: number | null,
  items: HistoryItem[],
): Promise<void> {
  if (items.length === 0) return;
  await ensureItemPartitions(
    db,
    items.map((i) => i.publishedAt),
  );
  await db.transaction().execute(async (trx) => {
    let clusterId: number | null = null;
    if (eventId !== null) {
      const times = items.map((i) => i.publishedAt.getTime());
      const first = new Date(Math.min(...times));
      const last = new Date(Math.max(...times));
      const existing = await trx
        .selectFrom('opinion_clusters')
        .select('id')
        .where('event_id', '=', eventId)
        .orderBy('id')
        .executeTakeFirst();
      clusterId =
        existing?.id ??
        (
          await trx
            .insertInto('opinion_clusters')
            .values({ event_id: eventId, first_seen_at: first, last_seen_at: last, hotness_at: last })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
    }
    for (let i = 0; i < items.length; i += 500) {
      await trx
        .insertInto('opinion_items')
        .values(
          items.slice(i, i + 500).map((it) => ({
            published_at: it.publishedAt,
            received_at: it.publishedAt,
            source: it.source,
            channel: it.channel,
            title: it.title ?? '',
            content: it.content,
            author: it.author ?? '',
            is_repost: false,
            status: 'analysed' as const,
            analysed_at: it.publishedAt,
            sentiment: it.sentiment,
            sentiment_score: it.sentiment === 'negative' ? -0.6 : it.sentiment === 'positive' ? 0.6 : 0,
            categories: it.categories,
            keywords: it.keywords ?? [],
            cluster_id: clusterId,
          })),
        )
        .execute();
    }
    if (clusterId === null || eventId === null) return;
    // Counters from the stored items, so repeated calls stay consistent.
    await sql`
      with s as (
        select count(*)::int as n,
               count(*) filter (where sentiment = 'negative')::int as neg,
               count(*) filter (where sentiment = 'positive')::int as pos,
               count(distinct author)::int as authors,
               min(published_at) as first, max(published_at) as last,
               array(select distinct channel from opinion_items where cluster_id = ${clusterId} order by 1) as channels,
               array(select distinct c from opinion_items, unnest(categories) c where cluster_id = ${clusterId} order by 1) as areas
          from opinion_items where cluster_id = ${clusterId}
      ), c as (
        update opinion_clusters set items_count = s.n, negative_count = s.neg, positive_count = s.pos,
               unique_authors = s.authors, first_seen_at = s.first, last_seen_at = s.last,
               hotness = s.n + 2 * s.neg, hotness_at = s.last
          from s where id = ${clusterId}
      )
      update opinion_events e set items_count = s.n, negative_count = s.neg, unique_authors = s.authors,
             first_seen_at = least(e.first_seen_at, s.first), last_seen_at = greatest(e.last_seen_at, s.last),
             channels = s.channels, categories = s.areas, hotness = s.n + 2 * s.neg
        from s where e.id = ${eventId}
    `.execute(trx);
  });
}
