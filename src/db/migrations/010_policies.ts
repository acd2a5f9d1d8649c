import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table policies (
      id serial primary key,
      title text not null check (length(title) between 1 and 300),
      doc_number text,
      issuer text not null default '',
      drafting_department_id int not null references departments(id),
      written_on date,
      body text not null default '',
      disclosure text not null default 'proactive'
        check (disclosure in ('proactive', 'on_request', 'not_public')),
      disclosure_reason text not null default '',
      requires_interpretation boolean not null default false,
      interpretation_plan text not null default '',
      status text not null default 'draft'
        check (status in ('draft', 'submitted', 'approved', 'returned', 'published', 'withdrawn')),
      return_comment text,
      keywords text[] not null default '{}',
      search tsvector not null default ''::tsvector,
      source text not null default '',
      submitted_at timestamptz,
      approved_at timestamptz,
      published_at timestamptz,
      withdrawn_at timestamptz,
      created_by int references users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- 依申请公开 / 不予公开 must say why (seed 001 §二十一).
      check (disclosure = 'proactive' or length(disclosure_reason) > 0),
      check (status <> 'published' or published_at is not null)
    );
    -- One live document per 文号; a withdrawn one frees its number.
    create unique index policies_doc_number on policies (doc_number)
      where doc_number is not null and status <> 'withdrawn';
    create index policies_department on policies (drafting_department_id, id desc);
    create index policies_published on policies (published_at desc) where status = 'published';
    create index policies_status on policies (status, id desc);
    create index policies_search on policies using gin (search);
    create index policies_keywords on policies using gin (keywords);

    create table interpretations (
      id serial primary key,
      policy_id int not null references policies(id),
      form text not null check (form in
        ('text', 'graphic', 'audio', 'video', 'press_conference', 'interview', 'expert', 'media', 'qa')),
      title text not null check (length(title) between 1 and 300),
      channel text not null default '',
      url text not null default '',
      body text not null default '',
      interpreter text not null default '',
      interpreter_is_principal boolean not null default false,
      published_at timestamptz not null,
      created_by int references users(id),
      created_at timestamptz not null default now()
    );
    create index interpretations_policy on interpretations (policy_id, published_at);

    create table policy_events (
      id serial primary key,
      policy_id int not null references policies(id),
      kind text not null check (kind in
        ('create', 'update', 'submit', 'approve', 'return', 'publish', 'withdraw', 'interpret')),
      comment text not null default '',
      actor_user_id int references users(id),
      actor_label text not null,
      at timestamptz not null
    );
    create index policy_events_policy on policy_events (policy_id, id);

    -- Files live under DATA_DIR/attachments, addressed by their SHA-256; rows say who owns them.
    create table policy_attachments (
      id serial primary key,
      owner_kind text not null check (owner_kind in ('policy', 'interpretation')),
      owner_id int not null,
      file_name text not null,
      mime text not null,
      size int not null check (size > 0),
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      uploaded_by int references users(id),
      created_at timestamptz not null default now()
    );
    create index policy_attachments_owner on policy_attachments (owner_kind, owner_id, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table policy_attachments, policy_events, interpretations, policies`.execute(db);
}
