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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists opinion_cluster_adjustments`.execute(db);
}
