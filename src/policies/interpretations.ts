import type { Core } from '../context.js';
import { type Db, type Trx, type Executor } from '../db/database.js';
import type { Principal } from '../auth/principal.js';
import { actorUserId } from '../auth/principal.js';
import { authorize } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { HttpProblem } from '../shared/errors.js';
import { clocksForSubject, satisfyClock } from '../clocks/service.js';
import type { ClockRow } from '../clocks/service.js';
import type { InterpretationRow } from './model.js';
import type { InterpretationInput, InterpretationPatch } from './schemas.js';
import {
  FUTURE_SKEW_MS,
  canReadPolicy,
  interpretationsOf,
  loadPolicy,
  lockPolicy,
  recordPolicyEvent,
  reindexPolicy,
  statusText,
  type PolicyWithDept,
} from './policy-store.js';
import type { Ctx } from '../shared/context.js';
import { releaseAfterCommit } from '../files/bytes.js';
import { OPEN_CLOCK_STATES } from '../clocks/states.js';
import { acceptsInterpretations } from './workflow.js';
import { changedColumns } from '../db/patch.js';
import { lockById } from '../db/lock.js';

/** The document's latest interpretation clock, if it ever had one. */
export async function interpretationClock(db: Executor, policyId: number): Promise<ClockRow | null> {
  const clocks = await clocksForSubject(db, 'policy', policyId);
  const mine = clocks.filter((c) => c.kind === 'interpretation').sort((a, b) => b.id - a.id);
  return mine[0] ?? null;
}

/** 解读 of published documents: adding one stops the interpretation clock; corrections and deletions never reopen it. */
export class InterpretationService {
  constructor(private readonly core: Core) {}

  private get db(): Db {
    return this.core.db;
  }

  interpretationsOf(policyId: number) {
    return interpretationsOf(this.db, policyId);
  }

  interpretationClock(policyId: number): Promise<ClockRow | null> {
    return interpretationClock(this.db, policyId);
  }

  async getInterpretation(p: Principal | undefined, id: number) {
    const row = await this.db
      .selectFrom('interpretations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw HttpProblem.notFound('解读不存在');
    const policy = await loadPolicy(this.db, row.policy_id);
    if (!canReadPolicy(p, policy)) throw HttpProblem.notFound('解读不存在');
    return { interpretation: row, policy };
  }

  /** The latest interpretation clock of each document, by document id. */
  async interpretationClocks(policyIds: number[]): Promise<Map<number, ClockRow>> {
    const out = new Map<number, ClockRow>();
    if (!policyIds.length) return out;
    const rows = await this.db
      .selectFrom('clocks')
      .selectAll()
      .where('subject_kind', '=', 'policy')
      .where('kind', '=', 'interpretation')
      .where('subject_id', 'in', policyIds)
      .orderBy('id')
      .execute();
    for (const c of rows) out.set(c.subject_id, c);
    return out;
  }

  /** Interpretation clocks still open (running or breached), soonest due first, with their documents. */
  openInterpretationClocks(departmentId: number | null) {
    let q = this.db
      .selectFrom('clocks')
      .innerJoin('policies', 'policies.id', 'clocks.subject_id')
      .innerJoin('departments', 'departments.id', 'policies.drafting_department_id')
      .selectAll('clocks')
      .select(['policies.title as policy_title', 'departments.name as department_name'])
      .where('clocks.subject_kind', '=', 'policy')
      .where('clocks.kind', '=', 'interpretation')
      .where('clocks.state', 'in', OPEN_CLOCK_STATES);
    if (departmentId !== null) q = q.where('policies.drafting_department_id', '=', departmentId);
    return q.orderBy('clocks.due_at').limit(500).execute();
  }

  /** An interpretation's publication time may not lie in the future (beyond clock skew). */
  private interpretationTime(publishedAt: string | undefined, now: Date): Date {
    const at = publishedAt ? new Date(publishedAt) : now;
    if (at.getTime() > now.getTime() + FUTURE_SKEW_MS)
      throw HttpProblem.unprocessable('解读发布时间不能晚于当前时间', [
        { field: 'publishedAt', message: '不能是将来的时间' },
      ]);
    return at;
  }

  /** ...nor precede the document's publication; forms give minutes, so its own minute is 同步公开. */
  private alignToPublication(policy: PolicyWithDept, at: Date): Date {
    const pub = policy.published_at;
    if (!pub) return at;
    if (at < pub && pub.getTime() - at.getTime() < 60_000) return pub;
    if (at.getTime() < pub.getTime())
      throw HttpProblem.unprocessable('解读发布时间不能早于文件发布时间', [
        { field: 'publishedAt', message: '早于文件发布时间' },
      ]);
    return at;
  }

  /** Records a 解读; the first one published stops the clock (met or met late). */
  async addInterpretation(
    ctx: Ctx,
    policyId: number,
    input: InterpretationInput,
  ): Promise<{ interpretation: InterpretationRow; clock: ClockRow | null }> {
    const now = this.core.clock.now();
    const requested = this.interpretationTime(input.publishedAt, now);
    return this.db.transaction().execute(async (trx) => {
      const policy = await lockPolicy(trx, policyId);
      authorize(ctx.actor, 'policy.interpret', { departmentId: policy.drafting_department_id });
      if (!acceptsInterpretations(policy.status))
        throw HttpProblem.conflict(`文件处于“${statusText(policy.status)}”状态，发布后才能添加解读`);
      const at = this.alignToPublication(policy, requested);
      const inserted = await trx
        .insertInto('interpretations')
        .values({
          policy_id: policyId,
          form: input.form,
          title: input.title,
          channel: input.channel ?? '',
          url: input.url ?? '',
          body: input.body ?? '',
          interpreter: input.interpreter ?? '',
          interpreter_is_principal: input.interpreterIsPrincipal ?? false,
          published_at: at,
          created_by: actorUserId(ctx.actor),
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const stopped = await satisfyClock(
        trx,
        { subjectKind: 'policy', subjectId: policyId, kind: 'interpretation' },
        at,
        now,
      );
      const interpretation = stopped
        ? await trx
            .updateTable('interpretations')
            .set({ satisfied_clock_id: stopped.id })
            .where('id', '=', inserted.id)
            .returningAll()
            .executeTakeFirstOrThrow()
        : inserted;
      await reindexPolicy(trx, policyId);
      await recordPolicyEvent(trx, policyId, 'interpret', ctx, now, input.title);
      await trx.updateTable('policies').set({ updated_at: now }).where('id', '=', policyId).execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'policy.interpret',
        subjectKind: 'policy',
        subjectId: policyId,
        after: { interpretationId: interpretation.id, form: input.form, title: input.title },
        requestId: ctx.requestId,
      });
      return { interpretation, clock: await interpretationClock(trx, policyId) };
    });
  }

  /** Locks an interpretation's document and row for a correction, after the same checks as adding one. */
  private async lockInterpretation(trx: Trx, id: number, ctx: Ctx, verb: string) {
    const owner = await trx
      .selectFrom('interpretations')
      .select('policy_id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!owner) throw HttpProblem.notFound('解读不存在');
    // Same lock order as adding one: the document first, then the row.
    const policy = await lockPolicy(trx, owner.policy_id);
    const row = await lockById(trx, 'interpretations', id, '解读不存在');
    authorize(ctx.actor, 'policy.interpret', { departmentId: policy.drafting_department_id });
    if (!acceptsInterpretations(policy.status))
      throw HttpProblem.conflict(`文件处于“${statusText(policy.status)}”状态，不能${verb}解读`);
    return { policy, row };
  }

  /**
   * Corrects a recorded 解读. A new publication time obeys the rules of adding one (not in the
   * future, not before the document). The interpretation clock is not touched: its outcome was
   * decided when the interpretation was recorded, and letting a later edit turn 逾期 into 按时
   * would defeat the deadline. The audit row keeps both times for the supervisors.
   */
  async updateInterpretation(
    ctx: Ctx,
    id: number,
    input: InterpretationPatch,
  ): Promise<{ interpretation: InterpretationRow; clock: ClockRow | null }> {
    const now = this.core.clock.now();
    const requested =
      input.publishedAt === undefined ? undefined : this.interpretationTime(input.publishedAt, now);
    return this.db.transaction().execute(async (trx) => {
      const { policy, row: before } = await this.lockInterpretation(trx, id, ctx, '修改');
      const set = {
        ...changedColumns(input, {
          form: 'form',
          title: 'title',
          channel: 'channel',
          url: 'url',
          body: 'body',
          interpreter: 'interpreter',
          interpreterIsPrincipal: 'interpreter_is_principal',
        }),
        ...(requested !== undefined && { published_at: this.alignToPublication(policy, requested) }),
      };
      const interpretation = await trx
        .updateTable('interpretations')
        .set(set)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.title !== undefined || input.body !== undefined) await reindexPolicy(trx, policy.id);
      await recordPolicyEvent(trx, policy.id, 'interpret_update', ctx, now, interpretation.title);
      await trx.updateTable('policies').set({ updated_at: now }).where('id', '=', policy.id).execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'policy.interpretation.update',
        subjectKind: 'interpretation',
        subjectId: id,
        before: interpretationAuditView(before),
        after: interpretationAuditView(interpretation),
        requestId: ctx.requestId,
      });
      return { interpretation, clock: await interpretationClock(trx, policy.id) };
    });
  }

  /**
   * Deletes a 解读 with its attachments. Deleting the one that stopped the clock does NOT reopen
   * the clock: the deadline was met (or met late) when that material was published, and a clock
   * that reopened on deletion would raise breaches for a duty already discharged — or, the other
   * way round, let a late department delete and re-add to look punctual. The clock keeps its
   * recorded outcome; the audit row names the clock the deleted material had stopped, and the
   * document's trail records the deletion, so a supervisor can see that the public list no longer
   * contains the material that satisfied the deadline.
   */
  async deleteInterpretation(
    ctx: Ctx,
    id: number,
  ): Promise<{ policyId: number; title: string; clock: ClockRow | null }> {
    const now = this.core.clock.now();
    const out = await this.db.transaction().execute(async (trx) => {
      const { policy, row } = await this.lockInterpretation(trx, id, ctx, '删除');
      const files = await trx
        .deleteFrom('policy_attachments')
        .where('owner_kind', '=', 'interpretation')
        .where('owner_id', '=', id)
        .returningAll()
        .execute();
      await trx.deleteFrom('interpretations').where('id', '=', id).execute();
      await reindexPolicy(trx, policy.id);
      await recordPolicyEvent(trx, policy.id, 'interpret_delete', ctx, now, row.title);
      await trx.updateTable('policies').set({ updated_at: now }).where('id', '=', policy.id).execute();
      const clock = await interpretationClock(trx, policy.id);
      const stopped = row.satisfied_clock_id !== null && clock?.id === row.satisfied_clock_id ? clock : null;
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'policy.interpretation.delete',
        subjectKind: 'interpretation',
        subjectId: id,
        before: {
          ...interpretationAuditView(row),
          attachments: files.map((f) => ({ id: f.id, fileName: f.file_name, sha256: f.sha256 })),
        },
        after: {
          deleted: true,
          ...(stopped && {
            stoppedClock: { id: stopped.id, state: stopped.state, metAt: stopped.met_at, kept: true },
          }),
        },
        requestId: ctx.requestId,
      });
      return { policyId: policy.id, title: row.title, clock, hashes: files.map((f) => f.sha256) };
    });
    // Files go only after the rows are gone for good (see AttachmentService.deleteAttachment).
    for (const h of new Set(out.hashes)) await releaseAfterCommit(this.core.db, this.core.config.dataDir, h);
    return { policyId: out.policyId, title: out.title, clock: out.clock };
  }
}

/** What the audit log keeps of an interpretation: the body only as its length. */
function interpretationAuditView(i: InterpretationRow) {
  return {
    policyId: i.policy_id,
    form: i.form,
    title: i.title,
    channel: i.channel,
    url: i.url,
    bodyLength: i.body.length,
    interpreter: i.interpreter,
    interpreterIsPrincipal: i.interpreter_is_principal,
    publishedAt: i.published_at,
    satisfiedClockId: i.satisfied_clock_id,
  };
}
