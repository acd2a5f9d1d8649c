import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table calendar_years (
      year int primary key check (year between 1949 and 2200),
      certain boolean not null,
      source text not null,
      loaded_at timestamptz not null default now()
    );

    -- Only exceptions to the plain Mon–Fri week are stored: holidays and 调休 working weekends.
    create table calendar_days (
      date date not null,
      source text not null check (source in ('official', 'override')),
      work boolean not null,
      name text not null default '',
      updated_at timestamptz not null default now(),
      primary key (date, source)
    );

    create table clock_policies (
      kind text primary key check (kind ~ '^[a-z][a-z0-9_]{1,40}$'),
      label text not null,
      config jsonb not null,
      updated_at timestamptz not null default now(),
      updated_by int references users(id)
    );

    create table clocks (
      id serial primary key,
      kind text not null references clock_policies(kind),
      subject_kind text not null,
      subject_id int not null,
      title text not null,
      department_id int references departments(id),
      start_at timestamptz not null,
      due_at timestamptz not null,
      state text not null default 'running'
        check (state in ('running', 'met', 'met_late', 'breached', 'cancelled')),
      met_at timestamptz,
      lateness_seconds int,
      breached_at timestamptz,
      paused_at timestamptz,
      paused_seconds int not null default 0,
      extended boolean not null default false,
      policy jsonb not null,
      calendar_certain boolean not null default true,
      escalation_level int not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index clocks_open_due on clocks (due_at) where state in ('running', 'breached');
    create index clocks_subject on clocks (subject_kind, subject_id);
    create unique index clocks_one_open_per_subject_kind on clocks (subject_kind, subject_id, kind)
      where state in ('running', 'breached');

    create table clock_thresholds (
      clock_id int not null references clocks(id) on delete cascade,
      key text not null,
      due_at timestamptz not null,
      fired_at timestamptz,
      alert_id bigint,
      primary key (clock_id, key)
    );
    create index clock_thresholds_pending on clock_thresholds (due_at) where fired_at is null;

    create table alerts (
      id bigserial primary key,
      type text not null,
      severity text not null check (severity in ('info', 'warning', 'critical')),
      title text not null,
      body text not null default '',
      subject_kind text not null,
      subject_id text not null,
      department_id int references departments(id),
      due_at timestamptz,
      escalation_level int not null default 0,
      dedupe_key text unique,
      data jsonb not null default '{}',
      created_at timestamptz not null default now(),
      acked_at timestamptz,
      acked_by int references users(id),
      renotify_at timestamptz,
      renotify_count int not null default 0
    );
    create index alerts_unacked on alerts (id desc) where acked_at is null;
    create index alerts_department on alerts (department_id, id desc);
    create index alerts_renotify on alerts (renotify_at) where acked_at is null and renotify_at is not null;
  `.execute(db);
}
