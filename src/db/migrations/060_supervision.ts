import { sql, type Kysely } from 'kysely';

/**
 * Supervision (SPEC §2.6): accountability decisions (问责) taken on a late or breached clock, and
 * the archive of the 舆情日报/周报 the scheduler generates every morning and every Monday.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table accountability_records (
      id serial primary key,
      clock_id int not null references clocks(id),
      -- The clock's department when the decision was taken: a later re-triage must not move it.
      department_id int references departments(id),
      decision text not null check (decision in ('criticism', 'interview', 'explanation', 'other')),
      note text not null default '',
      attachment_name text,
      attachment_sha256 text,
      attachment_mime text,
      attachment_size int,
      decided_at timestamptz not null,
      recorded_by int references users(id),
      created_at timestamptz not null default now()
    );
    create index accountability_records_department on accountability_records (department_id, decided_at);
    create index accountability_records_decided on accountability_records (decided_at);
    create index accountability_records_clock on accountability_records (clock_id);

    create table opinion_reports (
      id serial primary key,
      kind text not null check (kind in ('daily', 'weekly')),
      -- The day reported on, or the Monday of the week reported on (Asia/Shanghai).
      period_start date not null,
      content jsonb not null,
      generated_at timestamptz not null,
      trigger text not null check (trigger in ('scheduled', 'manual')),
      unique (kind, period_start)
    );

    create index clocks_start_at on clocks (start_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index if exists clocks_start_at;
    drop table if exists opinion_reports;
    drop table if exists accountability_records;
  `.execute(db);
}
