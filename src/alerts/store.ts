import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Db } from '../db/database.js';
import type { AlertRow, NewAlert } from './model.js';

export const ALERT_CHANNEL = 'platform_alerts';

/**
 * Inserts an alert inside the caller's transaction and queues a NOTIFY that PostgreSQL delivers
 * only on commit: an alert is therefore always stored before any console hears of it.
 * Returns null when the dedupe key was already used (the alert exists already).
 */
export async function insertAlert(
  trx: Transaction<Database>,
  a: NewAlert,
  now: Date,
): Promise<AlertRow | null> {
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
