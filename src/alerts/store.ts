import { sql } from 'kysely';
import { type Db, type Trx } from '../db/database.js';
import type { AlertRow, NewAlert } from './model.js';

export const ALERT_CHANNEL = 'platform_alerts';

/**
 * Inserts an alert inside the caller's transaction and queues a NOTIFY that PostgreSQL delivers
 * only on commit: an alert is therefore always stored before any console hears of it.
 * Returns null when the dedupe key was already used (the alert exists already).
 */
export async function insertAlert(trx: Trx, a: NewAlert, now: Date): Promise<AlertRow | null> {
  const row = await trx
    .insertInto('alerts')
    .values({
      type: a.type,
      severity: a.severity,
      title: a.title.slice(0, 300),
      body: (a.body ?? '').slice(0, 4000),
      subject_kind: a.subjectKind,
      subject_id: String(a.subjectId),
      department_id: a.departmentId,
      due_at: a.dueAt ?? null,
      escalation_level: a.escalationLevel ?? 0,
      dedupe_key: a.dedupeKey ?? null,
      data: JSON.stringify(a.data ?? {}),
      created_at: now,
      renotify_at: a.renotifyAt ?? null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  await sql`select pg_notify(${ALERT_CHANNEL}, ${String(row.id)})`.execute(trx);
  return row;
}

export function alertById(db: Db, id: number) {
  return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * insertAlert for a whole pipeline batch in ONE statement: the same row,
 * the same dedupe_key conflict rule, the same NOTIFY per new alert delivered on commit, ids in
 * list order. A busy batch raises dozens of alerts; two round trips each were a tenth of the
 * pipeline's time.
 */
export async function insertAlerts(trx: Trx, alerts: readonly NewAlert[], now: Date): Promise<number> {
  if (alerts.length === 0) return 0;
  const rows = alerts.map((a, i) => ({
    o: i,
    type: a.type,
    severity: a.severity,
    title: a.title.slice(0, 300),
    body: (a.body ?? '').slice(0, 4000),
    sk: a.subjectKind,
    sid: String(a.subjectId),
    dep: a.departmentId,
    due: a.dueAt?.toISOString() ?? null,
    esc: a.escalationLevel ?? 0,
    key: a.dedupeKey ?? null,
    data: a.data ?? {},
    ren: a.renotifyAt?.toISOString() ?? null,
  }));
  const r = await sql<{ id: string }>`
    with ins as (
      insert into alerts (type, severity, title, body, subject_kind, subject_id, department_id, due_at,
        escalation_level, dedupe_key, data, created_at, renotify_at)
      select x.type, x.severity, x.title, x.body, x.sk, x.sid, x.dep, x.due, x.esc, x.key, x.data, ${now}, x.ren
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
        o int, type text, severity text, title text, body text, sk text, sid text, dep int,
        due timestamptz, esc int, key text, data jsonb, ren timestamptz)
      order by x.o
      on conflict (dedupe_key) do nothing
      returning id
    )
    select pg_notify(${ALERT_CHANNEL}, id::text), id from ins order by id
  `.execute(trx);
  return r.rows.length;
}

/** The alerts that stand for a clock's lateness or its approach: they end with the clock. */
export const CLOCK_ALERT_TYPES = [
  'clock.warning',
  'clock.breached',
  'clock.escalated',
  'event.escalated',
  'alert.renotified',
] as const;

/**
 * Resolves a clock's open alerts of the given types inside the caller's transaction (its clock
 * was met, cancelled or moved): they leave the open lists, stop re-notifying and stay in history
 * with the reason. Consoles hear of it on commit (`resolved:<id>` on the alert channel).
 */
export async function resolveClockAlerts(
  trx: Trx,
  clockId: number,
  reason: string,
  now: Date,
  types: readonly string[] = CLOCK_ALERT_TYPES,
): Promise<number[]> {
  const rows = await trx
    .updateTable('alerts')
    .set({ resolved_at: now, resolved_reason: reason.slice(0, 200), renotify_at: null })
    .where('subject_kind', '=', 'clock')
    .where('subject_id', '=', String(clockId))
    .where('type', 'in', [...types])
    .where('resolved_at', 'is', null)
    .returning('id')
    .execute();
  for (const r of rows) await sql`select pg_notify(${ALERT_CHANNEL}, ${`resolved:${r.id}`})`.execute(trx);
  return rows.map((r) => r.id);
}
