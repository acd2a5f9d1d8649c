import { sql, type Kysely } from 'kysely';

/**
 * Issue 16: centroid terms are checkpointed every few seconds instead of written by every batch
 * (src/opinion/pipeline/term-log.ts).
 * - A checkpoint writes each changed cluster's whole centroid as one row (its terms and weights as
 *   arrays), not a row per term: a hot story's terms churn, and one row per cluster per
 *   checkpoint is far fewer writes than a row per term per batch.
 * - In between, each batch appends its term changes to opinion_cluster_term_log as one row, in
 *   its own transaction; a rebuild replays them on top of the centroids, and a checkpoint empties
 *   the log. The rows are written once and read only by a rebuild: stored uncompressed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table opinion_cluster_centroids (
      cluster_id int primary key references opinion_clusters(id) on delete cascade,
      terms text[] not null,
      weights double precision[] not null
    );
    insert into opinion_cluster_centroids (cluster_id, terms, weights)
    select cluster_id, array_agg(term order by term), array_agg(weight order by term)
    from opinion_cluster_terms group by cluster_id;
    drop table opinion_cluster_terms;
    create table opinion_cluster_term_log (
      seq bigserial primary key,
      changes text not null
    );
    alter table opinion_cluster_term_log alter column changes set storage external;
  `.execute(db);
}
