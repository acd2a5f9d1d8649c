import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { authorize, can, departmentFilter, seesMajorEvents } from '../auth/policy.js';
import { alertConcernsMajorEvent, majorEventAlertSql } from '../events/access.js';
import type { Ctx } from '../shared/context.js';
import { recordAudit } from '../audit/audit.js';
import { HttpProblem } from '../shared/errors.js';
import { ALERT_CHANNEL } from './store.js';
import type { AlertRow } from './model.js';
import { lockRow } from '../db/lock.js';

export interface AlertQuery {
  acked?: boolean;
  resolved?: boolean;
  type?: string;
  afterId?: number;
  beforeId?: number;
  departmentId?: number;
  limit: number;
}

export class AlertsService {
  constructor(private readonly core: Core) {}

  /** Alerts in the caller's scope, newest first. */
  async list(p: Principal, q: AlertQuery): Promise<AlertRow[]> {
    authorize(p, 'alert.read');
    const scope = departmentFilter(p, 'alert.read');
    let query = this.core.db.selectFrom('alerts').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (scope !== null) query = query.where(this.scoped(p, scope));
    else if (q.departmentId) query = query.where('department_id', '=', q.departmentId);
    if (q.acked === true) query = query.where('acked_at', 'is not', null);
    if (q.acked === false) query = query.where('acked_at', 'is', null);
    if (q.resolved === true) query = query.where('resolved_at', 'is not', null);
    if (q.resolved === false) query = query.where('resolved_at', 'is', null);
    if (q.type) query = query.where('type', '=', q.type);
    if (q.afterId) query = query.where('id', '>', q.afterId);
    if (q.beforeId) query = query.where('id', '<', q.beforeId);
    return query.execute();
  }

  /** Every alert after `afterId` in the caller's scope, oldest first (console replay). */
  async replay(p: Principal, afterId: number, limit = 1000): Promise<AlertRow[]> {
    const scope = departmentFilter(p, 'alert.read');
    let query = this.core.db
      .selectFrom('alerts')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit);
    if (scope !== null) query = query.where(this.scoped(p, scope));
    return query.execute();
  }

  /** A scoped caller's alerts: its department's, and those about major events when it sees them. */
  private scoped(p: Principal, scope: number) {
    const major = seesMajorEvents(p, 'alert.read');
    return (eb: ExpressionBuilder<Database, 'alerts'>) =>
      major ? eb.or([eb('department_id', '=', scope), majorEventAlertSql]) : eb('department_id', '=', scope);
  }

  /** Records who acknowledged; idempotent for an alert already acknowledged. */
  async ack(ctx: Ctx, id: number): Promise<AlertRow> {
    authorize(ctx.actor, 'alert.ack');
    const p = ctx.actor;
    return this.core.db.transaction().execute(async (trx) => {
      const row = await lockRow(trx, 'alerts', id);
      // Out-of-scope alerts are reported as missing so their existence is not revealed.
      if (
        !row ||
        !can(p, 'alert.ack', {
          departmentId: row.department_id,
          majorEvent:
            seesMajorEvents(p, 'alert.ack') && (await alertConcernsMajorEvent(this.core.db, row.id)),
        })
      )
        throw HttpProblem.notFound('预警不存在');
      if (row.acked_at) return row;
      const updated = await trx
        .updateTable('alerts')
        .set({
          acked_at: this.core.clock.now(),
          acked_by: p.kind === 'user' ? p.id : null,
          renotify_at: null,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        ...ctx,
        action: 'alert.ack',
        subjectKind: 'alert',
        subjectId: id,
        before: { acked: false },
        after: { acked: true },
      });
      await sql`select pg_notify(${ALERT_CHANNEL}, ${`ack:${id}`})`.execute(trx);
      // A re-notification and the alert it repeats are one matter: acknowledging either settles both.
      const original = Number((row.data as { originalAlertId?: unknown }).originalAlertId) || 0;
      const related = await trx
        .updateTable('alerts')
        .set({ acked_at: updated.acked_at, acked_by: updated.acked_by, renotify_at: null })
        .where('acked_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('id', '=', original),
            eb(sql<string>`data->>'originalAlertId'`, '=', String(original || id)),
          ]),
        )
        .returning('id')
        .execute();
      for (const r of related) await sql`select pg_notify(${ALERT_CHANNEL}, ${`ack:${r.id}`})`.execute(trx);
      return updated;
    });
  }
}
