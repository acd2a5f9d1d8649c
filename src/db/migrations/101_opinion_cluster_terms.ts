import { sql, type Kysely } from 'kysely';

/**
 * Issue 16: a batch writes only the cluster state that changed.
 * - A cluster's centroid terms get a row each, so a batch upserts and deletes the terms that
 *   changed instead of rewriting the whole vector of every cluster it touched.
 * - A cluster's hourly counts are read back from opinion_cluster_hours (which the pipeline keeps
 *   anyway), so they no longer travel in the stats jsonb on every batch.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table opinion_cluster_terms (
      cluster_id int not null references opinion_clusters(id) on delete cascade,
      term text not null,
      weight double precision not null,
      primary key (cluster_id, term)
    );
    insert into opinion_cluster_terms (cluster_id, term, weight)
    select c.id, t.key, t.value::double precision from opinion_clusters c, jsonb_each_text(c.terms) t;
    alter table opinion_clusters drop column terms;
    update opinion_clusters set stats = stats - 'hours' where stats ? 'hours';
  `.execute(db);
}
