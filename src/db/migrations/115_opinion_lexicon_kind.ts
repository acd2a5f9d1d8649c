import { sql, type Kysely } from 'kysely';

/**
 * A 词库调整 of a 突发 signal word can say which incident kind the word tells (flood, fire …), so
 * an analyst's new word separates incidents in clustering as the shipped ones do. Null keeps the
 * shipped kind. The kinds are checked by the input schema, not here: they are a list in code
 * (HAZARD_KINDS) that may grow without a migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table opinion_lexicon_overrides add column kind text`.execute(db);
}
