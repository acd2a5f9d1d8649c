import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { authorize, can, departmentFilter } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { requireDepartment } from '../accounts/departments.js';
import { HttpProblem } from '../shared/errors.js';
import { cancelClock, clocksForSubject, openClock, satisfyClock } from '../clocks/service.js';
import type { ClockRow } from '../clocks/model.js';
import {
  defaultResponsibleDepartment,
  clocksSatisfiedBy,
  planClocks,
  requiredClockKinds,
  isFinished,
} from './rules.js';
import { actionJson, eventJson, type EventRow } from './model.js';
import { eventResource, visibleEvent } from './access.js';
import type { ActionInput } from './schemas.js';
import type { Severity } from './tables.js';
import { type Trx } from '../db/database.js';
import { type Ctx } from '../shared/context.js';
import { isOpen, OPEN_CLOCK_STATES } from '../clocks/states.js';
import { lockById } from '../db/lock.js';

/** Times from the field may run a little ahead of the server; further ahead is a typo. */
const SKEW_MS = 5 * 60_000;

export const EVENT_SUBJECT = 'event';

export class EventsService {
  constructor(private readonly core: Core) {}

  private notInFuture(field: string, at: Date): void {
    if (at.getTime() > this.core.clock.now().getTime() + SKEW_MS)
      throw HttpProblem.unprocessable('时间不能晚于当前时间', [{ field, message: '不能是将来的时间' }]);
  }

  private async lockEvent(trx: Trx, id: number): Promise<EventRow> {
    const e = await lockById(trx, 'opinion_events', id, '舆情事件不存在');
    return e;
  }

  private async checkSpokesperson(trx: Trx, id: number | null | undefined): Promise<void> {
    if (id == null) return;
    const u = await trx
      .selectFrom('users')
      .select(['id', 'roles', 'active'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!u || !u.active || !u.roles.includes('spokesperson'))
      throw HttpProblem.unprocessable('新闻发言人无效', [
        { field: 'spokespersonId', message: '须为在岗的新闻发言人' },
      ]);
  }

  /** Opens the clocks the triage requires and cancels those it no longer does (SPEC §2.3). */
  private async applyClocks(trx: Trx, e: EventRow): Promise<ClockRow[]> {
    const now = this.core.clock.now();
    const existing = await clocksForSubject(trx, EVENT_SUBJECT, e.id);
    const plan = planClocks(requiredClockKinds(e), existing);
    for (const id of plan.cancel) await cancelClock(trx, id, now, '重新研判后不再需要该时钟');
    for (const kind of plan.open)
      await openClock(
        trx,
        {
          kind,
          subjectKind: EVENT_SUBJECT,
          subjectId: e.id,
          title: e.title,
          departmentId: e.responsible_department_id,
          startAt: e.detected_at,
        },
        now,
      );
    // Clocks follow the event to its new 责任单位 and carry its current title.
    await trx
      .updateTable('clocks')
      .set({ department_id: e.responsible_department_id, title: e.title.slice(0, 300) })
      .where('subject_kind', '=', EVENT_SUBJECT)
      .where('subject_id', '=', e.id)
      .where('state', 'in', OPEN_CLOCK_STATES)
      .execute();
    return clocksForSubject(trx, EVENT_SUBJECT, e.id);
  }

  /** An event reported by phone, 12345, a leader — recorded by hand with its 发现时间. */
  async record(
    ctx: Ctx,
    input: {
      title: string;
      summary?: string | undefined;
      detectedAt: string;
      severity: Severity;
      emergency: boolean;
      responsibleDepartmentId?: number | undefined;
      spokespersonId?: number | undefined;
    },
  ) {
    const p = ctx.actor;
    authorize(p, 'event.record');
    const detectedAt = new Date(input.detectedAt);
    this.notInFuture('detectedAt', detectedAt);
    const now = this.core.clock.now();
    return this.core.db.transaction().execute(async (trx) => {
      let dept = input.responsibleDepartmentId ?? null;
      if (dept === null) {
        const departments = await trx.selectFrom('departments').select(['id', 'name', 'kind']).execute();
        dept = defaultResponsibleDepartment(`${input.title} ${input.summary ?? ''}`, [], departments);
      }
      // A department-scoped recorder (a bureau's spokesperson) records for its own department.
      const scope = departmentFilter(p!, 'event.record');
      if (scope !== null) {
        if (dept !== null && dept !== scope) throw HttpProblem.forbidden('只能为本单位登记舆情事件');
        dept = scope;
      }
      await requireDepartment(trx, dept, 'responsibleDepartmentId', '责任单位不存在');
      await this.checkSpokesperson(trx, input.spokespersonId);
      const e = await trx
        .insertInto('opinion_events')
        .values({
          origin: 'manual',
          title: input.title,
          summary: input.summary ?? '',
          status: 'confirmed',
          severity: input.severity,
          emergency: input.emergency,
          responsible_department_id: dept,
          spokesperson_id: input.spokespersonId ?? null,
          detected_at: detectedAt,
          first_seen_at: detectedAt,
          last_seen_at: detectedAt,
          created_by: p?.kind === 'user' ? p.id : null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const clocks = await this.applyClocks(trx, e);
      await recordAudit(trx, {
        ...ctx,
        action: 'event.record',
        subjectKind: 'event',
        subjectId: e.id,
        after: eventJson(e),
      });
      return eventJson(e, clocks);
    });
  }

  /** 研判: confirm and classify; clocks follow the severity and emergency flag. */
  async triage(
    ctx: Ctx,
    id: number,
    patch: {
      title?: string | undefined;
      severity?: Severity | undefined;
      emergency?: boolean | undefined;
      responsibleDepartmentId?: number | null | undefined;
      spokespersonId?: number | null | undefined;
    },
  ) {
    authorize(ctx.actor, 'event.triage');
    const now = this.core.clock.now();
    return this.core.db.transaction().execute(async (trx) => {
      const before = await this.lockEvent(trx, id);
      if (isFinished(before.status)) throw HttpProblem.conflict('事件已办结或已忽略，不能再研判');
      let dept =
        patch.responsibleDepartmentId === undefined
          ? before.responsible_department_id
          : patch.responsibleDepartmentId;
      if (dept === null && patch.responsibleDepartmentId === undefined) {
        const departments = await trx.selectFrom('departments').select(['id', 'name', 'kind']).execute();
        dept = defaultResponsibleDepartment(
          `${before.title} ${before.summary}`,
          before.categories,
          departments,
        );
      }
      await requireDepartment(trx, dept, 'responsibleDepartmentId', '责任单位不存在');
      await this.checkSpokesperson(trx, patch.spokespersonId);
      const e = await trx
        .updateTable('opinion_events')
        .set({
          title: patch.title ?? before.title,
          severity: patch.severity ?? before.severity,
          emergency: patch.emergency ?? before.emergency,
          responsible_department_id: dept,
          spokesperson_id: patch.spokespersonId === undefined ? before.spokesperson_id : patch.spokespersonId,
          status: before.status === 'new' ? 'confirmed' : before.status,
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const clocks = await this.applyClocks(trx, e);
      await recordAudit(trx, {
        ...ctx,
        action: 'event.triage',
        subjectKind: 'event',
        subjectId: id,
        before: eventJson(before),
        after: eventJson(e),
      });
      return eventJson(e, clocks);
    });
  }

  /** 忽略 (not a 政务舆情) or 办结: open clocks are cancelled. */
  async finish(ctx: Ctx, id: number, status: 'dismissed' | 'closed', reason: string) {
    authorize(ctx.actor, 'event.triage');
    const now = this.core.clock.now();
    return this.core.db.transaction().execute(async (trx) => {
      const before = await this.lockEvent(trx, id);
      if (isFinished(before.status)) throw HttpProblem.conflict('事件已办结或已忽略');
      const e = await trx
        .updateTable('opinion_events')
        .set({ status, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const c of await clocksForSubject(trx, EVENT_SUBJECT, id))
        if (isOpen(c.state))
          await cancelClock(trx, c.id, now, status === 'closed' ? '事件已办结' : '事件已忽略');
      await recordAudit(trx, {
        ...ctx,
        action: `event.${status === 'closed' ? 'close' : 'dismiss'}`,
        subjectKind: 'event',
        subjectId: id,
        before: { status: before.status },
        after: { status, reason },
      });
      return eventJson(e, await clocksForSubject(trx, EVENT_SUBJECT, id));
    });
  }

  /** The event, locked, when the caller may record its responses. */
  private async lockActable(trx: Trx, ctx: Ctx, id: number): Promise<EventRow> {
    const e = await this.lockEvent(trx, id);
    if (!can(ctx.actor, 'opinion.read', eventResource(e))) throw HttpProblem.notFound('舆情事件不存在');
    authorize(ctx.actor, 'event.act', eventResource(e));
    return e;
  }

  private async lockForAction(trx: Trx, ctx: Ctx, id: number): Promise<EventRow> {
    const e = await this.lockActable(trx, ctx, id);
    if (isFinished(e.status)) throw HttpProblem.conflict('事件已办结或已忽略');
    return e;
  }

  private async lockAction(trx: Trx, eventId: number, actionId: number, missing: string) {
    const a = await lockById(trx, 'event_actions', actionId, missing);
    if (a.event_id !== eventId) throw HttpProblem.notFound(missing);
    return a;
  }

  private async stopClocks(trx: Trx, e: EventRow, kinds: string[], at: Date): Promise<ClockRow | null> {
    const now = this.core.clock.now();
    let first: ClockRow | null = null;
    for (const kind of kinds) {
      const c = await satisfyClock(trx, { subjectKind: EVENT_SUBJECT, subjectId: e.id, kind }, at, now);
      first ??= c;
    }
    if (e.status === 'new' || e.status === 'confirmed')
      await trx
        .updateTable('opinion_events')
        .set({ status: 'responding', updated_at: now })
        .where('id', '=', e.id)
        .execute();
    return first;
  }

  /** 首发/发布会/回应/后续发布/辟谣 on the timeline; each stops the clocks it satisfies. */
  async addAction(ctx: Ctx, id: number, a: ActionInput) {
    if (a.occurredAt) this.notInFuture('occurredAt', new Date(a.occurredAt));
    return this.core.db.transaction().execute(async (trx) => {
      const e = await this.lockForAction(trx, ctx, id);
      const at = a.occurredAt ? new Date(a.occurredAt) : null;
      const stopped = a.planned || !at ? null : await this.stopClocks(trx, e, clocksSatisfiedBy(a.kind), at);
      const row = await trx
        .insertInto('event_actions')
        .values({
          event_id: id,
          kind: a.kind,
          status: a.planned ? 'planned' : 'done',
          occurred_at: a.planned ? null : at,
          planned_at: a.plannedAt ? new Date(a.plannedAt) : null,
          place: a.place ?? '',
          spokesperson: a.spokesperson ?? '',
          key_points: a.keyPoints ?? '',
          channel: a.channel ?? '',
          url: a.url ?? '',
          text: a.text ?? '',
          clock_id: stopped?.id ?? null,
          public: a.public ?? false,
          recorded_by: ctx.actor?.kind === 'user' ? ctx.actor.id : null,
          created_at: this.core.clock.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        ...ctx,
        action: a.planned ? 'event.plan_press_conference' : 'event.action',
        subjectKind: 'event',
        subjectId: id,
        after: actionJson(row),
      });
      return {
        action: actionJson(row),
        clocks: (await clocksForSubject(trx, EVENT_SUBJECT, id)).map((c) => c),
      };
    });
  }

  /** A planned press conference was held: it now stops its clocks at the time it was held. */
  async markHeld(
    ctx: Ctx,
    id: number,
    actionId: number,
    input: {
      occurredAt: string;
      channel?: string | undefined;
      url?: string | undefined;
      text?: string | undefined;
    },
  ) {
    const at = new Date(input.occurredAt);
    this.notInFuture('occurredAt', at);
    return this.core.db.transaction().execute(async (trx) => {
      const e = await this.lockForAction(trx, ctx, id);
      const before = await this.lockAction(trx, id, actionId, '发布会计划不存在');
      if (before.status !== 'planned') throw HttpProblem.conflict('该发布会已记录为召开');
      const stopped = await this.stopClocks(trx, e, clocksSatisfiedBy('press_conference'), at);
      const row = await trx
        .updateTable('event_actions')
        .set({
          status: 'done',
          occurred_at: at,
          channel: input.channel ?? before.channel,
          url: input.url ?? before.url,
          text: input.text ?? before.text,
          clock_id: stopped?.id ?? null,
        })
        .where('id', '=', actionId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        ...ctx,
        action: 'event.press_conference_held',
        subjectKind: 'event',
        subjectId: id,
        before: actionJson(before),
        after: actionJson(row),
      });
      return { action: actionJson(row), clocks: await clocksForSubject(trx, EVENT_SUBJECT, id) };
    });
  }

  /**
   * Shows or withdraws a response in the public 回应关切 column. Whoever may record the event's
   * responses may decide, also once the event is finished: publishing usually follows the
   * handling, and a response published by mistake must be withdrawable. The change reaches every
   * node's public pages through the public content NOTIFY (migration 070's trigger).
   */
  async setActionPublic(ctx: Ctx, id: number, actionId: number, isPublic: boolean) {
    return this.core.db.transaction().execute(async (trx) => {
      await this.lockActable(trx, ctx, id);
      const before = await this.lockAction(trx, id, actionId, '回应动作不存在');
      if (before.public === isPublic) return actionJson(before);
      const row = await trx
        .updateTable('event_actions')
        .set({ public: isPublic })
        .where('id', '=', actionId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        ...ctx,
        action: 'event.action_public',
        subjectKind: 'event',
        subjectId: id,
        before: { actionId, public: before.public },
        after: { actionId, public: isPublic },
      });
      return actionJson(row);
    });
  }

  /** One event with its clocks and timeline, if the caller may see it. */
  async detail(p: Principal | undefined, id: number) {
    const e = await visibleEvent(this.core.db, p, id);
    const [clocks, actions] = await Promise.all([
      clocksForSubject(this.core.db, EVENT_SUBJECT, id),
      this.core.db.selectFrom('event_actions').selectAll().where('event_id', '=', id).orderBy('id').execute(),
    ]);
    return { ...eventJson(e, clocks), actions: actions.map(actionJson) };
  }
}
