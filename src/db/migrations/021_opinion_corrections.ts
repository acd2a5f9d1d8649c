import { sql, type Kysely } from 'kysely';

/**
 * 人工研判: an analyst's correction of an item's sentiment, areas and 突发 signal. Each keeps what
 * the analysis said and a copy of the analysed text, so the platform can learn from it (term
 * proposals, held-out scoring) even after retention has dropped the item's partition.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table opinion_corrections (
      id serial primary key,
      item_id bigint not null,
      published_at timestamptz not null,
      text text not null,
      sentiment text check (sentiment in ('negative', 'neutral', 'positive')),
      areas text[],
      -- '' = the analyst says: no 突发 signal.
      signal text,
      previous jsonb not null,
      note text not null default '',
      corrected_by int references users(id) on delete set null,
      created_at timestamptz not null default now()
    );
    create index opinion_corrections_item on opinion_corrections (item_id, published_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists opinion_corrections`.execute(db);
}
