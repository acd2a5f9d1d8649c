import { sql, type Kysely } from 'kysely';

/**
 * 人工研判 moves the item's event too: a correction of an item in a cluster queues the labels it
 * counted with and those it counts with now (and the analysis's trigger words, counted with
 * them), in the correction's transaction. Only the pipeline leader changes cluster state: it takes
 * the rows in its next batch, moves the cluster by the difference and stores the event's figures,
 * and deletes the rows in that batch's transaction, so each is applied exactly once
 * (src/opinion/cluster-adjust.ts, pipeline.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table opinion_cluster_adjustments (
      id bigserial primary key,
      cluster_id int not null,
      item_id bigint not null,
      published_at timestamptz not null,
      correction_id int not null,
      before jsonb not null,
      after jsonb not null,
      evidence jsonb not null
    );
  `.execute(db);
  await queueEarlierCorrections(db);
}

/**
 * Items corrected before this migration: their clusters still count what the analysis said. Each
 * gets an adjustment from the analysis's labels (and trigger words, in `labels` as fold.ts stores
 * them) to those it counts with now (corrections.ts adjustCluster), which the leader applies when
 * it next loads. Driven by opinion_corrections, not a scan of every item partition.
 */
export async function queueEarlierCorrections(db: Kysely<unknown>): Promise<void> {
  await sql`
    insert into opinion_cluster_adjustments (cluster_id, item_id, published_at, correction_id, before, after, evidence)
    select i.cluster_id, i.id, i.published_at, c.last_id,
      jsonb_build_object('sentiment', i.labels->'sentiment'->>'label', 'areas', a.areas, 'signals', a.signals),
      jsonb_build_object('sentiment', i.sentiment, 'areas', to_jsonb(i.categories), 'signals',
        case when s.signal is null then a.signals when s.signal = '' then '[]'::jsonb else jsonb_build_array(s.signal) end),
      jsonb_build_object(
        'triggers', coalesce((
          select jsonb_object_agg(h->>'label', coalesce(h->'triggers', '[]'::jsonb))
          from jsonb_array_elements(coalesce(i.labels->'areas', '[]') || coalesce(i.labels->'signals', '[]')) h
        ), '{}'::jsonb),
        'negativeWords', coalesce((
          select jsonb_agg(t->>'word') from jsonb_array_elements(i.labels->'sentiment'->'triggers') t
          where (t->>'value')::float8 < 0
        ), '[]'::jsonb))
    from (select item_id, published_at, max(id) as last_id from opinion_corrections group by 1, 2) c
    join opinion_items i on i.id = c.item_id and i.published_at = c.published_at
    cross join lateral (
      select
        coalesce((select jsonb_agg(h->>'label') from jsonb_array_elements(i.labels->'areas') h), '[]') as areas,
        coalesce((select jsonb_agg(h->>'label') from jsonb_array_elements(i.labels->'signals') h), '[]') as signals
    ) a
    left join lateral (
      select x.signal from opinion_corrections x
      where x.item_id = i.id and x.published_at = i.published_at and x.signal is not null
      order by x.id desc limit 1
    ) s on true
    where i.cluster_id is not null and i.status = 'analysed'
    order by c.last_id
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists opinion_cluster_adjustments`.execute(db);
}
