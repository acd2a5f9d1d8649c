import { sql, type Kysely } from 'kysely';

/**
 * Files attached to 依申请公开 requests (issue 14 point 1): the applicant's own (online form) and
 * the staff's (letters, IDs, the reply). Bytes live in the shared content-addressed store, as
 * policy attachments do; `sha256` is indexed because a delete asks whether any row still holds it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table disclosure_attachments (
      id serial primary key,
      request_id int not null references disclosure_requests(id) on delete cascade,
      file_name text not null check (length(file_name) between 1 and 300),
      mime text not null,
      size int not null check (size > 0),
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      source text not null default 'staff' check (source in ('staff', 'public')),
      uploaded_by int references users(id),
      created_at timestamptz not null default now()
    );
    create index disclosure_attachments_request on disclosure_attachments (request_id, id);
    create index disclosure_attachments_sha256 on disclosure_attachments (sha256);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table disclosure_attachments`.execute(db);
}
