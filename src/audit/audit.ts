import { actorLabel, actorUserId, type Principal } from '../auth/principal.js';
import { type Trx } from '../db/database.js';

export interface AuditEntry {
  actor: Principal | undefined;
  action: string;
  subjectKind: string;
  subjectId?: string | number | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | undefined;
  /** Overrides the label derived from `actor` (sign-in failures have no principal yet). */
  actorLabel?: string;
}

/** Writes one audit row; call it inside the transaction that makes the change. */
export async function recordAudit(trx: Trx, e: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      actor_user_id: actorUserId(e.actor),
      actor_label: e.actorLabel ?? actorLabel(e.actor),
      action: e.action,
      subject_kind: e.subjectKind,
      subject_id: e.subjectId == null ? null : String(e.subjectId),
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
      request_id: e.requestId ?? null,
    })
    .execute();
}
