import { sql, type Kysely } from 'kysely';

/**
 * The public website's content version and the 回应关切 column.
 *
 * - `event_actions.public`: a response is shown on the public site only when whoever recorded it
 *   said so (internal steps, e.g. a reply in a closed group, stay internal).
 * - `public_content_seq` + triggers: every committed change to what the public pages show
 *   (documents, interpretations, attachments, departments' names, public responses and the
 *   events they belong to) sends `NOTIFY public_content` with a new version number. Each node
 *   drops its cached pages on it and derives ETags from the version, so a conditional GET is
 *   answered without touching the database. A sequence, not a counter row: no lock is shared
 *   between writers, and a rolled-back change only skips a number.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table event_actions add column public boolean not null default false;
    create index event_actions_public on event_actions (coalesce(occurred_at, planned_at) desc) where public;

    create sequence public_content_seq;

    -- Payload "version:epoch-ms"; delivered on commit, never for a rolled-back change.
    create function public_content_changed_now() returns void language sql as $$
      select pg_notify('public_content',
        nextval('public_content_seq')::text || ':' || floor(extract(epoch from clock_timestamp()) * 1000)::bigint::text)
    $$;
    create function public_content_changed() returns trigger language plpgsql as $$
    begin
      perform public_content_changed_now();
      return null;
    end $$;

    create trigger policies_public_content after insert or update or delete or truncate on policies
      for each statement execute function public_content_changed();
    create trigger interpretations_public_content after insert or update or delete or truncate on interpretations
      for each statement execute function public_content_changed();
    create trigger policy_attachments_public_content after insert or update or delete or truncate on policy_attachments
      for each statement execute function public_content_changed();
    create trigger departments_public_content after insert or update or delete on departments
      for each statement execute function public_content_changed();
    create trigger event_actions_public_content after insert or update or delete or truncate on event_actions
      for each statement execute function public_content_changed();

    -- The opinion pipeline rewrites events every batch: only a changed title or policy link of an
    -- event with a public response changes a public page.
    create function public_event_changed() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from event_actions where event_id = new.id and public) then
        perform public_content_changed_now();
      end if;
      return null;
    end $$;
    create trigger opinion_events_public_content after update of title, policy_ids on opinion_events
      for each row when (old.title is distinct from new.title or old.policy_ids is distinct from new.policy_ids)
      execute function public_event_changed();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger opinion_events_public_content on opinion_events;
    drop function public_event_changed();
    drop trigger event_actions_public_content on event_actions;
    drop trigger departments_public_content on departments;
    drop trigger policy_attachments_public_content on policy_attachments;
    drop trigger interpretations_public_content on interpretations;
    drop trigger policies_public_content on policies;
    drop function public_content_changed();
    drop function public_content_changed_now();
    drop sequence public_content_seq;
    drop index event_actions_public;
    alter table event_actions drop column public;
  `.execute(db);
}
