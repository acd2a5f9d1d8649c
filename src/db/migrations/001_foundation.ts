import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table departments (
      id serial primary key,
      name text not null,
      kind text not null default 'department'
        check (kind in ('government_office', 'publicity', 'opinion_center', 'department', 'town', 'other')),
      created_at timestamptz not null default now(),
      constraint departments_name_unique unique (name)
    );

    create table users (
      id serial primary key,
      username text not null,
      password_hash text not null,
      display_name text not null,
      department_id int not null references departments(id),
      roles text[] not null check (
        cardinality(roles) > 0 and
        roles <@ array['admin','supervisor','drafter','analyst','spokesperson','duty']::text[]
      ),
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index users_username_unique on users (lower(username));
    create index users_department on users (department_id);

    -- Layout required by connect-pg-simple.
    create table user_sessions (
      sid varchar not null primary key,
      sess json not null,
      expire timestamp(6) not null
    );
    create index user_sessions_expire on user_sessions (expire);

    create table api_tokens (
      id serial primary key,
      name text not null,
      token_hash text not null unique,
      token_prefix text not null,
      scopes text[] not null check (cardinality(scopes) > 0),
      created_by int references users(id),
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );

    create table audit_log (
      id bigserial primary key,
      at timestamptz not null default now(),
      actor_user_id int,
      actor_label text not null,
      action text not null,
      subject_kind text not null,
      subject_id text,
      before jsonb,
      after jsonb,
      request_id text
    );
    create index audit_log_at on audit_log (at desc);
    create index audit_log_subject on audit_log (subject_kind, subject_id);

    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end $$;
    create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_append_only();
  `.execute(db);
}
