import { sql, type Kysely } from 'kysely';

/**
 * Issue 16: cluster rows are checkpointed like centroid terms (migration 103). Their counters and
 * statistics are the pipeline's own state (readers join only id and event_id), so a batch writes
 * the rows of new and newly promoted clusters only, and logs every touched cluster's row with its
 * term changes, one log row per batch; a checkpoint writes each cluster changed since the last
 * one and empties the log (src/opinion/pipeline/cluster-log.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table opinion_cluster_term_log rename to opinion_cluster_log;
    alter table opinion_cluster_log rename column changes to terms;
    alter table opinion_cluster_log alter column terms drop not null;
    alter table opinion_cluster_log add column clusters text;
    alter table opinion_cluster_log alter column clusters set storage external;
  `.execute(db);
}
