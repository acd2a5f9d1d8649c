import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Working days a pausable clock stood paused (依申请公开: consultation time is not counted).
  await sql`alter table clocks add column paused_working_days int not null default 0`.execute(db);
}
