import { sql } from 'kysely';
import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { authorize, can, departmentFilter, seesMajorEvents } from '../auth/policy.js';
import { clockOfMajorEvent, majorEventClockSql } from '../events/access.js';
import { recordAudit } from '../audit/audit.js';
import type { Ctx } from '../shared/context.js';
import { HttpProblem } from '../shared/errors.js';
import type { ClockState } from '../db/schema.js';
import { clockJson, type ClockRow } from './model.js';
import { extendClock, pauseClock, resumeClock } from './service.js';
import { isOpen } from './states.js';

export interface ClockListQuery {
  states: ClockState[];
  kind?: string | undefined;
  department?: number | undefined;
  subjectKind?: string | undefined;
  subjectId?: number | undefined;
  limit: number;
}

const CONTROLS = { pause: pauseClock, resume: resumeClock, extend: extendClock } as const;
export type ClockControl = keyof typeof CONTROLS;
export const CLOCK_CONTROLS = Object.keys(CONTROLS) as ClockControl[];

/** Reading clocks within the caller's department scope, and pausing, resuming or extending one. */
export class ClockControlService {
  constructor(private readonly core: Core) {}

  list(p: Principal | undefined, q: ClockListQuery): Promise<ClockRow[]> {
    authorize(p, 'clock.read');
    const scope = departmentFilter(p, 'clock.read');
    let query = this.core.db.selectFrom('clocks').selectAll().limit(q.limit);
    if (q.states.length) query = query.where('state', 'in', q.states);
    // Open clocks soonest due first; closed ones most recent first.
    query =
      q.states.length && q.states.every(isOpen)
        ? query.orderBy('due_at').orderBy('id')
        : query
            .orderBy(sql`case when state in ('running','breached') then 0 else 1 end`)
            .orderBy('due_at', 'desc');
    if (q.kind) query = query.where('kind', '=', q.kind);
    // News and government offices also see the clocks of every major event (SPEC §2.3).
    if (scope !== null)
      query = query.where((eb) =>
        seesMajorEvents(p, 'clock.read')
          ? eb.or([eb('department_id', '=', scope), majorEventClockSql])
          : eb('department_id', '=', scope),
      );
    else if (q.department) query = query.where('department_id', '=', q.department);
    if (q.subjectKind) query = query.where('subject_kind', '=', q.subjectKind);
    if (q.subjectId) query = query.where('subject_id', '=', q.subjectId);
    return query.execute();
  }

  /** One clock with its thresholds; a clock outside the caller's scope does not exist for them. */
  async detail(p: Principal | undefined, id: number) {
    authorize(p, 'clock.read');
    const c = await this.core.db.selectFrom('clocks').selectAll().where('id', '=', id).executeTakeFirst();
    if (
      !c ||
      !can(p, 'clock.read', {
        departmentId: c.department_id,
        majorEvent: await clockOfMajorEvent(this.core.db, c.id),
      })
    )
      throw HttpProblem.notFound('时钟不存在');
    const thresholds = await this.core.db
      .selectFrom('clock_thresholds')
      .selectAll()
      .where('clock_id', '=', id)
      .orderBy('due_at')
      .execute();
    return {
      ...clockJson(c),
      thresholds: thresholds.map((t) => ({
        key: t.key,
        dueAt: t.due_at,
        firedAt: t.fired_at,
        alertId: t.alert_id,
      })),
    };
  }

  /** 依申请公开 clocks: pause for third-party consultation, resume, extend once; each audited. */
  async control(ctx: Ctx, id: number, op: ClockControl): Promise<ClockRow> {
    const now = this.core.clock.now();
    return this.core.db.transaction().execute(async (trx) => {
      const c = await trx.selectFrom('clocks').selectAll().where('id', '=', id).executeTakeFirst();
      if (!c) throw HttpProblem.notFound('时钟不存在');
      authorize(ctx.actor, 'clock.manage', { departmentId: c.department_id });
      const updated = await CONTROLS[op](trx, id, now);
      await recordAudit(trx, {
        ...ctx,
        action: `clock.${op}`,
        subjectKind: 'clock',
        subjectId: id,
        before: clockJson(c),
        after: clockJson(updated),
      });
      return updated;
    });
  }
}
