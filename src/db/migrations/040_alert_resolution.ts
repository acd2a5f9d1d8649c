import { sql, type Kysely } from 'kysely';

/**
 * Alerts about a clock resolve when the clock ends (met, cancelled) or its deadline moves: the
 * matter is over, so the alert leaves the consoles' open lists but stays in history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table alerts add column resolved_at timestamptz, add column resolved_reason text`.execute(
    db,
  );
  // Open alerts are what consoles and banners list: keep that lookup on an index.
  await sql`create index alerts_open_idx on alerts (id) where acked_at is null and resolved_at is null`.execute(
    db,
  );
  await sql`create index alerts_subject_idx on alerts (subject_kind, subject_id)`.execute(db);
  // Alerts of clocks that ended before this release resolve now, with the clock's end.
  await sql`
    update alerts a
       set resolved_at = coalesce(c.met_at, c.updated_at),
           resolved_reason = case when c.state = 'cancelled' then '时钟已取消' else '时钟已完成' end,
           renotify_at = null
      from clocks c
     where a.subject_kind = 'clock'
       and a.subject_id = c.id::text
       and c.state in ('met', 'met_late', 'cancelled')
       and a.type in ('clock.warning', 'clock.breached', 'clock.escalated', 'event.escalated', 'alert.renotified')
       and a.resolved_at is null`.execute(db);
}
