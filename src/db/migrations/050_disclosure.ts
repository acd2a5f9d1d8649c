import { sql, type Kysely } from 'kysely';

/** 依申请公开 (issue 14): requests, their steps, reviews and suits, the annual report's hand-entered rows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- An extension of a pausable clock may be shorter than its policy's maximum (条例 Art. 33: up to 20).
    alter table clocks add column extension_working_days int
      check (extension_working_days is null or extension_working_days between 1 and 365);

    -- Annual report table 二 (第二十条第（一）项): 规章 and 行政规范性文件, and when one was repealed.
    alter table policies add column normative_kind text
      check (normative_kind is null or normative_kind in ('regulation', 'normative'));
    alter table policies add column repealed_on date;

    create table disclosure_requests (
      id serial primary key,
      number text not null unique,
      channel text not null
        check (channel in ('in_person', 'online', 'letter', 'fax', 'email', 'other')),
      applicant_type text not null
        check (applicant_type in ('natural_person', 'business', 'research', 'public_interest', 'legal_service', 'other_org')),
      applicant_name text not null check (length(applicant_name) between 1 and 200),
      contact text not null default '' check (length(contact) <= 200),
      -- Lower-case, without spaces or dashes: what the public status lookup compares.
      contact_key text not null,
      address text not null default '',
      content text not null check (length(content) between 1 and 5000),
      purpose text not null default '',
      received_at timestamptz not null,
      department_id int references departments(id),
      status text not null default 'processing'
        check (status in ('processing', 'correction', 'consultation', 'closed')),
      -- The start of the period now running: the receipt, or the receipt of the corrected request.
      period_start_at timestamptz not null,
      correction_requested_at timestamptz,
      correction_due_on date,
      corrected_at timestamptz,
      consultation_started_at timestamptz,
      consultation_party text not null default '',
      extension_days int,
      extension_approved_by text,
      extension_reason text,
      outcome text,
      reply_reason text not null default '',
      replied_at timestamptz,
      closed_at timestamptz,
      source text not null default 'staff' check (source in ('staff', 'public')),
      created_by int references users(id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check ((status = 'closed') = (closed_at is not null)),
      check (status <> 'closed' or outcome is not null)
    );
    create index disclosure_requests_received on disclosure_requests (received_at);
    create index disclosure_requests_closed on disclosure_requests (closed_at);
    create index disclosure_requests_department on disclosure_requests (department_id, id desc);
    create index disclosure_requests_status on disclosure_requests (status, id desc);
    -- The abandonment sweep: requests waiting for a correction.
    create index disclosure_requests_correction_due on disclosure_requests (correction_due_on)
      where status = 'correction';

    create table disclosure_steps (
      id serial primary key,
      request_id int not null references disclosure_requests(id) on delete cascade,
      kind text not null,
      at timestamptz not null,
      data jsonb not null default '{}',
      actor_user_id int references users(id),
      actor_label text not null default '',
      created_at timestamptz not null default now()
    );
    create index disclosure_steps_request on disclosure_steps (request_id, id);

    create table disclosure_challenges (
      id serial primary key,
      request_id int not null references disclosure_requests(id) on delete cascade,
      kind text not null check (kind in ('review', 'suit')),
      after_review boolean not null default false,
      filed_on date not null,
      result text not null default 'pending' check (result in ('upheld', 'corrected', 'other', 'pending')),
      decided_on date,
      note text not null default '',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (kind = 'suit' or not after_review),
      check ((result = 'pending') = (decided_on is null))
    );
    create index disclosure_challenges_request on disclosure_challenges (request_id);
    create index disclosure_challenges_filed on disclosure_challenges (filed_on);

    create table disclosure_annual_inputs (
      year int primary key check (year between 2000 and 2100),
      data jsonb not null default '{}',
      updated_at timestamptz not null default now()
    );
  `.execute(db);
}
