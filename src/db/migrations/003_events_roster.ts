import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- 舆情事件: either detected by the opinion pipeline or recorded by hand; triage makes it a case.
    create table opinion_events (
      id serial primary key,
      origin text not null check (origin in ('manual', 'detected')),
      title text not null,
      summary text not null default '',
      status text not null default 'new'
        check (status in ('new', 'confirmed', 'responding', 'closed', 'dismissed')),
      severity text not null default 'general'
        check (severity in ('general', 'large', 'major', 'extraordinary')),
      emergency boolean not null default false,
      responsible_department_id int references departments(id),
      spokesperson_id int references users(id),
      detected_at timestamptz not null,
      first_seen_at timestamptz not null,
      last_seen_at timestamptz not null,
      keywords text[] not null default '{}',
      categories text[] not null default '{}',
      channels text[] not null default '{}',
      items_count int not null default 0,
      unique_authors int not null default 0,
      negative_count int not null default 0,
      hotness double precision not null default 0,
      trend text not null default 'flat' check (trend in ('rising', 'flat', 'falling')),
      emergency_signal text,
      suggested_severity text,
      policy_ids int[] not null default '{}',
      created_by int references users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index opinion_events_recent on opinion_events (last_seen_at desc);
    create index opinion_events_status on opinion_events (status, id desc);
    create index opinion_events_department on opinion_events (responsible_department_id, id desc);

    -- 回应动作 on the event's timeline; a press conference is planned first and then held.
    create table event_actions (
      id serial primary key,
      event_id int not null references opinion_events(id),
      kind text not null
        check (kind in ('initial_release', 'press_conference', 'response', 'follow_up', 'clarification')),
      status text not null default 'done' check (status in ('planned', 'done')),
      occurred_at timestamptz,
      planned_at timestamptz,
      place text not null default '',
      spokesperson text not null default '',
      key_points text not null default '',
      channel text not null default '',
      url text not null default '',
      text text not null default '',
      clock_id int references clocks(id),
      recorded_by int references users(id),
      created_at timestamptz not null default now()
    );
    create index event_actions_event on event_actions (event_id, id);

    -- 值班表: who is on duty per day and escalation level (0 责任单位, 1 舆情中心, 2 分管领导/政务公开办).
    create table duty_roster (
      id serial primary key,
      date date not null,
      level int not null check (level between 0 and 2),
      user_id int not null references users(id),
      department_id int references departments(id),
      note text not null default '',
      created_at timestamptz not null default now()
    );
    create unique index duty_roster_unique on duty_roster (date, level, user_id);
  `.execute(db);
}
