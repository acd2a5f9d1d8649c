import { sql, type Kysely } from 'kysely';

/**
 * Issue 16: every opinion item is written once. The queue becomes the durable inbox: ingest
 * stores the item as delivered there (with its idempotency key), and the pipeline inserts the
 * complete, analysed item into opinion_items in the transaction that deletes its queue row. An
 * item is never inserted and then rewritten, and kill -9 still loses nothing: it is in the queue
 * or in opinion_items, never in neither. Items queued when this runs move into the queue rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table opinion_queue
      add column received_at timestamptz,
      add column source text,
      add column channel text,
      add column external_id text,
      add column url text,
      add column title text not null default '',
      add column content text,
      add column author text not null default '',
      add column metrics jsonb,
      add column is_repost boolean;
    update opinion_queue q set received_at = i.received_at, source = i.source, channel = i.channel,
      external_id = i.external_id, url = i.url, title = i.title, content = i.content, author = i.author,
      metrics = i.metrics, is_repost = i.is_repost
    from opinion_items i where i.id = q.item_id and i.published_at = q.published_at;
    -- A queue row whose item is gone (none should be) would have nothing to analyse.
    delete from opinion_queue where content is null;
    delete from opinion_items i using opinion_queue q where i.id = q.item_id and i.published_at = q.published_at;
    alter table opinion_queue
      alter column received_at set not null,
      alter column source set not null,
      alter column channel set not null,
      alter column content set not null;
  `.execute(db);
}
