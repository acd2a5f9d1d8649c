import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Items as crawlers deliver them, partitioned by month of publication so retention drops
    -- whole partitions. Partitions are created ahead by the pipeline (ensureItemPartitions).
    create table opinion_items (
      id bigserial,
      published_at timestamptz not null,
      received_at timestamptz not null,
      source text not null,
      channel text not null,
      external_id text,
      url text,
      title text not null default '',
      content text not null,
      author text not null default '',
      metrics jsonb,
      is_repost boolean,
      status text not null default 'pending' check (status in ('pending', 'analysed', 'failed')),
      analysed_at timestamptz,
      sentiment text check (sentiment in ('negative', 'neutral', 'positive')),
      sentiment_score real,
      categories text[] not null default '{}',
      signal text,
      keywords text[] not null default '{}',
      -- Why each label was given (trigger words), casualty figures, scheme matches.
      labels jsonb,
      minhash bytea,
      duplicate_of bigint,
      cluster_id int,
      scheme_ids int[] not null default '{}',
      primary key (id, published_at)
    ) partition by range (published_at);
    create index opinion_items_cluster on opinion_items (cluster_id, published_at) where cluster_id is not null;

    -- Idempotency keys live outside the partitioned table: a unique index there would have to
    -- include the partition key. md5 of (source, externalId) | url | content fingerprint.
    create table opinion_item_keys (
      key uuid primary key,
      item_id bigint not null,
      published_at timestamptz not null
    );
    create index opinion_item_keys_published on opinion_item_keys (published_at);

    -- Work queue: a row per accepted item until the pipeline has committed its analysis.
    create table opinion_queue (
      item_id bigint primary key,
      published_at timestamptz not null,
      enqueued_at timestamptz not null default now()
    );

    -- Candidate events: every item joins one; a cluster becomes an opinion_events row once it
    -- is big enough or signals an emergency.
    create table opinion_clusters (
      id serial primary key,
      event_id int unique references opinion_events(id),
      first_seen_at timestamptz not null,
      last_seen_at timestamptz not null,
      items_count int not null default 0,
      unique_authors int not null default 0,
      negative_count int not null default 0,
      positive_count int not null default 0,
      duplicates_count int not null default 0,
      hotness double precision not null default 0,
      hotness_at timestamptz not null,
      terms jsonb not null default '{}',
      stats jsonb not null default '{}',
      updated_at timestamptz not null default now()
    );
    create index opinion_clusters_recent on opinion_clusters (last_seen_at);

    create table opinion_cluster_authors (
      cluster_id int not null references opinion_clusters(id) on delete cascade,
      author text not null,
      primary key (cluster_id, author)
    );

    -- Hourly volume per cluster: sparklines, trend and the spike baseline without scanning items.
    create table opinion_cluster_hours (
      cluster_id int not null references opinion_clusters(id) on delete cascade,
      hour timestamptz not null,
      items int not null default 0,
      negative int not null default 0,
      primary key (cluster_id, hour)
    );

    -- 监测方案.
    create table opinion_schemes (
      id serial primary key,
      name text not null unique check (length(name) between 1 and 100),
      enabled boolean not null default true,
      region_words text[] not null default '{}',
      subject_words text[] not null default '{}',
      must_words text[] not null default '{}',
      exclude_words text[] not null default '{}',
      channels text[] not null default '{}',
      sources text[] not null default '{}',
      repost text not null default 'all' check (repost in ('all', 'original', 'repost')),
      duty_department_id int references departments(id),
      created_by int references users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    -- Local terms (place names, institutions) loaded into the segmenter.
    create table opinion_local_terms (
      id serial primary key,
      word text not null unique check (length(word) between 2 and 30),
      kind text not null default 'place' check (kind in ('place', 'institution', 'other')),
      created_by int references users(id),
      created_at timestamptz not null default now()
    );

    -- Edits to the shipped lexicons (data/lexicons/*.json).
    create table opinion_lexicon_overrides (
      id serial primary key,
      lexicon text not null check (lexicon in ('area', 'signal', 'sentiment')),
      label text not null,
      word text not null check (length(word) between 1 and 30),
      weight real not null default 1 check (weight > 0 and weight <= 5),
      removed boolean not null default false,
      created_by int references users(id),
      created_at timestamptz not null default now(),
      unique (lexicon, label, word)
    );

    -- Early-warning thresholds and other pipeline settings (JSON merged over code defaults).
    create table opinion_settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null default now(),
      updated_by int references users(id)
    );

    -- Pipeline fields on detected events (opinion_events belongs to the response workflow).
    alter table opinion_events
      add column duplicates_count int not null default 0,
      add column hotness_at timestamptz,
      add column analysis jsonb not null default '{}',
      add column scheme_ids int[] not null default '{}';
    create index opinion_events_newest on opinion_events (detected_at desc, id desc);
  `.execute(db);
}
