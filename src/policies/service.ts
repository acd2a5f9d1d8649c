import { sql } from 'kysely';
import type { Core } from '../context.js';
import { type Db, type Trx } from '../db/database.js';
import type { Principal } from '../auth/principal.js';
import { actorUserId } from '../auth/principal.js';
import { authorize, can, departmentFilter } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { requireDepartment } from '../accounts/departments.js';
import { HttpProblem } from '../shared/errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { cancelClock, clocksForSubject, openClock } from '../clocks/service.js';
import type { ClockRow } from '../clocks/service.js';
import { EVENT_LABELS, type PolicyRow } from './model.js';
import { WORKFLOW, canTake, isEditable, type PolicyStep } from './workflow.js';
import type { PolicyStatus } from './tables.js';
import type { CreatePolicyInput, ListQuery, UpdatePolicyInput } from './schemas.js';
import { searchQuery } from './search.js';
import {
  FUTURE_SKEW_MS,
  canReadPolicy,
  overseesAllPolicies,
  loadPolicy,
  lockPolicy,
  recordPolicyEvent,
  reindexPolicy,
  selectPolicies,
  statusText,
  type PolicyWithDept,
} from './policy-store.js';
import type { Ctx } from '../shared/context.js';
import { isOpen } from '../clocks/states.js';
import { changedColumns } from '../db/patch.js';

/** Policy documents: reading and listing them, registering and editing them, and the approval workflow. */
export class PolicyService {
  constructor(private readonly core: Core) {}

  private get db(): Db {
    return this.core.db;
  }

  // ---------- reads ----------

  load(id: number, trx?: Trx): Promise<PolicyWithDept> {
    return loadPolicy(trx ?? this.db, id);
  }

  async get(p: Principal | undefined, id: number): Promise<PolicyWithDept> {
    const row = await this.load(id);
    // 404 for everyone, never 403: nobody outside may learn that a document id exists.
    if (!canReadPolicy(p, row)) throw HttpProblem.notFound('政策文件不存在');
    return row;
  }

  eventsOf(policyId: number) {
    return this.db
      .selectFrom('policy_events')
      .selectAll()
      .where('policy_id', '=', policyId)
      .orderBy('id')
      .execute();
  }

  /**
   * Lists documents the caller may see. Anonymous: published 主动公开 only. Drafters: every
   * published document plus their own department's work. Others with `policy.read`: all.
   */
  async list(p: Principal | undefined, q: ListQuery) {
    let query = selectPolicies(this.db).select((eb) =>
      eb
        .selectFrom('interpretations')
        .whereRef('interpretations.policy_id', '=', 'policies.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('interpretations_count'),
    );
    if (p?.kind === 'token' && !can(p, 'policy.read')) throw HttpProblem.forbidden('该令牌无权读取政策文件');
    if (!p || !can(p, 'policy.read')) {
      query = query.where('policies.status', '=', 'published').where('policies.disclosure', '=', 'proactive');
    } else {
      const scope = departmentFilter(p, 'policy.read');
      if (scope !== null)
        query = query.where((eb) =>
          eb.or([eb('policies.status', '=', 'published'), eb('policies.drafting_department_id', '=', scope)]),
        );
      // Non-public documents: their department and the supervisors only (as canReadPolicy).
      if (p.kind === 'token') query = query.where('policies.disclosure', '=', 'proactive');
      else if (!overseesAllPolicies(p))
        query = query.where((eb) =>
          eb.or([
            eb('policies.disclosure', '=', 'proactive'),
            eb('policies.drafting_department_id', '=', p.departmentId),
          ]),
        );
    }
    if (q.status) query = query.where('policies.status', '=', q.status);
    if (q.department) query = query.where('policies.drafting_department_id', '=', q.department);
    if (q.year)
      query = query.where(
        sql<number>`extract(year from coalesce(policies.published_at at time zone 'Asia/Shanghai', policies.written_on, policies.created_at at time zone 'Asia/Shanghai'))`,
        '=',
        q.year,
      );
    const words = q.q?.trim();
    const tsq = words ? searchQuery(words) : null;
    if (words) {
      const like = `%${words.replace(/[\\%_]/g, '\\$&')}%`;
      query = query.where((eb) =>
        tsq
          ? eb.or([eb(sql`policies.search`, '@@', tsq), eb('policies.title', 'ilike', like)])
          : eb('policies.title', 'ilike', like),
      );
    }
    const total = await query
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    let ordered = query;
    if (tsq) ordered = ordered.orderBy(sql`ts_rank(policies.search, ${tsq})`, 'desc');
    const rows = await ordered
      .orderBy(sql`coalesce(policies.published_at, policies.updated_at)`, 'desc')
      .orderBy('policies.id', 'desc')
      .limit(q.limit)
      .offset((q.page - 1) * q.limit)
      .execute();
    return { total: Number(total.n), page: q.page, limit: q.limit, rows };
  }

  /** Documents of one department (null: every department) in the given states, newest first. */
  byStatus(statuses: readonly PolicyStatus[], departmentId: number | null, limit = 200) {
    let q = selectPolicies(this.db).where('policies.status', 'in', [...statuses]);
    if (departmentId !== null) q = q.where('policies.drafting_department_id', '=', departmentId);
    return q.orderBy('policies.updated_at', 'desc').orderBy('policies.id', 'desc').limit(limit).execute();
  }

  // ---------- writes ----------

  private checkDisclosure(disclosure: string, reason: string) {
    if (disclosure !== 'proactive' && !reason.trim())
      throw HttpProblem.badRequest('依申请公开或不予公开须说明理由', [
        { field: 'disclosureReason', message: '依申请公开、不予公开须填写理由' },
      ]);
  }

  private async uniqueDocNumber<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new HttpProblem(409, '冲突', '该文号已被另一份文件使用', {
          errors: [{ field: 'docNumber', message: '文号重复' }],
        });
      throw err;
    }
  }

  async create(ctx: Ctx, input: CreatePolicyInput): Promise<PolicyWithDept> {
    return this.insert(input, ctx, {});
  }

  /**
   * For the import script: the same write as `create`, with its provenance, and for historical
   * documents already published on their website date (no clock: nobody can interpret them in
   * time any more).
   */
  importDocument(ctx: Ctx, input: CreatePolicyInput & { source: string; publishedAt?: Date | null }) {
    return this.insert(input, ctx, { source: input.source, publishedAt: input.publishedAt ?? null });
  }

  private async insert(
    input: CreatePolicyInput,
    ctx: Ctx,
    extra: { source?: string; publishedAt?: Date | null },
  ): Promise<PolicyWithDept> {
    authorize(ctx.actor, 'policy.create', { departmentId: input.draftingDepartmentId });
    this.checkDisclosure(input.disclosure ?? 'proactive', input.disclosureReason ?? '');
    const now = this.core.clock.now();
    const published = extra.publishedAt ?? null;
    return this.uniqueDocNumber(() =>
      this.db.transaction().execute(async (trx) => {
        await requireDepartment(trx, input.draftingDepartmentId, 'draftingDepartmentId', '起草部门不存在');
        const { id } = await trx
          .insertInto('policies')
          .values({
            title: input.title,
            doc_number: input.docNumber ?? null,
            issuer: input.issuer ?? '',
            drafting_department_id: input.draftingDepartmentId,
            written_on: input.writtenOn ?? null,
            body: input.body ?? '',
            disclosure: input.disclosure ?? 'proactive',
            disclosure_reason: input.disclosureReason ?? '',
            requires_interpretation: input.requiresInterpretation ?? false,
            interpretation_plan: input.interpretationPlan ?? '',
            source: extra.source ?? '',
            ...(published
              ? { status: 'published' as const, published_at: published, approved_at: published }
              : {}),
            created_by: actorUserId(ctx.actor),
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await reindexPolicy(trx, id);
        await recordPolicyEvent(trx, id, 'create', ctx, now, extra.source ? `导入：${extra.source}` : '');
        if (published) await recordPolicyEvent(trx, id, 'publish', ctx, now, '导入时已发布');
        const row = await this.load(id, trx);
        await recordAudit(trx, {
          actor: ctx.actor,
          action: extra.source ? 'policy.import' : 'policy.create',
          subjectKind: 'policy',
          subjectId: id,
          after: auditView(row),
          requestId: ctx.requestId,
        });
        return row;
      }),
    );
  }

  async update(ctx: Ctx, id: number, input: UpdatePolicyInput): Promise<PolicyWithDept> {
    const now = this.core.clock.now();
    return this.uniqueDocNumber(() =>
      this.db.transaction().execute(async (trx) => {
        const before = await lockPolicy(trx, id);
        authorize(ctx.actor, 'policy.edit', { departmentId: before.drafting_department_id });
        if (input.draftingDepartmentId !== undefined) {
          authorize(ctx.actor, 'policy.edit', { departmentId: input.draftingDepartmentId });
          await requireDepartment(trx, input.draftingDepartmentId, 'draftingDepartmentId', '起草部门不存在');
        }
        if (!isEditable(before.status))
          throw HttpProblem.conflict(
            `文件处于“${statusText(before.status)}”状态，只有草稿或退回的文件可以修改`,
          );
        const disclosure = input.disclosure ?? before.disclosure;
        this.checkDisclosure(disclosure, input.disclosureReason ?? before.disclosure_reason);
        const set = changedColumns(input, {
          title: 'title',
          docNumber: 'doc_number',
          issuer: 'issuer',
          draftingDepartmentId: 'drafting_department_id',
          writtenOn: 'written_on',
          body: 'body',
          disclosure: 'disclosure',
          disclosureReason: 'disclosure_reason',
          requiresInterpretation: 'requires_interpretation',
          interpretationPlan: 'interpretation_plan',
        });
        await trx
          .updateTable('policies')
          .set({ ...set, ...(disclosure === 'proactive' ? { disclosure_reason: '' } : {}), updated_at: now })
          .where('id', '=', id)
          .execute();
        if (input.title !== undefined || input.body !== undefined) await reindexPolicy(trx, id);
        await recordPolicyEvent(trx, id, 'update', ctx, now);
        const after = await this.load(id, trx);
        await recordAudit(trx, {
          actor: ctx.actor,
          action: 'policy.update',
          subjectKind: 'policy',
          subjectId: id,
          before: auditView(before),
          after: auditView(after),
          requestId: ctx.requestId,
        });
        return after;
      }),
    );
  }

  /** One workflow step: lock, authorize, check the state, change it, record it. */
  private async transition(
    id: number,
    ctx: Ctx,
    step: {
      action: 'policy.submit' | 'policy.approve' | 'policy.publish' | 'policy.withdraw';
      audit: string;
      /** The workflow step (`workflow.ts` says where it may go); also the recorded policy event. */
      event: PolicyStep;
      comment?: string;
      check?: (row: PolicyWithDept) => void;
      set?: (row: PolicyWithDept, now: Date) => Record<string, unknown>;
      after?: (trx: Trx, row: PolicyWithDept, now: Date) => Promise<void>;
    },
  ): Promise<PolicyWithDept> {
    const now = this.core.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const before = await lockPolicy(trx, id);
      authorize(ctx.actor, step.action, { departmentId: before.drafting_department_id });
      const to = WORKFLOW[step.event].to;
      if (!canTake(step.event, before.status))
        throw HttpProblem.conflict(
          `文件处于“${statusText(before.status)}”状态，不能${eventText(step.event)}`,
        );
      step.check?.(before);
      await trx
        .updateTable('policies')
        .set({ status: to, updated_at: now, ...(step.set?.(before, now) ?? {}) })
        .where('id', '=', id)
        .execute();
      const after = await this.load(id, trx);
      await step.after?.(trx, after, now);
      await recordPolicyEvent(trx, id, step.event, ctx, now, step.comment ?? '');
      await recordAudit(trx, {
        actor: ctx.actor,
        action: step.audit,
        subjectKind: 'policy',
        subjectId: id,
        before: { status: before.status },
        after: { status: to, ...(step.comment ? { comment: step.comment } : {}) },
        requestId: ctx.requestId,
      });
      return after;
    });
  }

  submit(ctx: Ctx, id: number) {
    return this.transition(id, ctx, {
      action: 'policy.submit',
      audit: 'policy.submit',
      event: 'submit',
      check: (row) => {
        // 同步报批: an important document goes up together with its 解读方案.
        if (row.requires_interpretation && !row.interpretation_plan.trim())
          throw HttpProblem.unprocessable('需要解读的文件须同步报送解读方案（同步报批）', [
            { field: 'interpretationPlan', message: '请先填写解读方案' },
          ]);
        if (!row.body.trim())
          throw HttpProblem.unprocessable('正文为空，不能报批', [{ field: 'body', message: '请填写正文' }]);
      },
      set: (_row, now) => ({ submitted_at: now, return_comment: null }),
    });
  }

  approve(ctx: Ctx, id: number, comment: string | undefined) {
    return this.transition(id, ctx, {
      action: 'policy.approve',
      audit: 'policy.approve',
      event: 'approve',
      comment: comment ?? '',
      set: (_row, now) => ({ approved_at: now }),
    });
  }

  returnForRevision(ctx: Ctx, id: number, comment: string) {
    return this.transition(id, ctx, {
      action: 'policy.approve',
      audit: 'policy.return',
      event: 'return',
      comment,
      set: () => ({ return_comment: comment, approved_at: null }),
    });
  }

  /**
   * Publishes and, for a document that needs interpretation, starts the 3-working-day clock
   * from the publication time. Other documents get no clock (interpretations stay optional).
   */
  async publish(ctx: Ctx, id: number, publishedAt: Date | undefined) {
    const now = this.core.clock.now();
    const at = publishedAt ?? now;
    if (at.getTime() > now.getTime() + FUTURE_SKEW_MS)
      throw HttpProblem.unprocessable('发布时间不能晚于当前时间', [
        { field: 'publishedAt', message: '不能是将来的时间' },
      ]);
    let clock: ClockRow | null = null;
    const row = await this.transition(id, ctx, {
      action: 'policy.publish',
      audit: 'policy.publish',
      event: 'publish',
      set: () => ({ published_at: at }),
      after: async (trx, p, n) => {
        if (!p.requires_interpretation) return;
        clock = await openClock(
          trx,
          {
            kind: 'interpretation',
            subjectKind: 'policy',
            subjectId: p.id,
            title: `《${p.title}》政策解读`,
            departmentId: p.drafting_department_id,
            startAt: at,
          },
          n,
        );
      },
    });
    return { policy: row, clock: clock as ClockRow | null };
  }

  /** Withdrawal ends the duty to interpret: a running clock is cancelled. */
  withdraw(ctx: Ctx, id: number, comment: string | undefined) {
    return this.transition(id, ctx, {
      action: 'policy.withdraw',
      audit: 'policy.withdraw',
      event: 'withdraw',
      comment: comment ?? '',
      set: (_row, now) => ({ withdrawn_at: now }),
      after: async (trx, p, now) => {
        for (const c of await clocksForSubject(trx, 'policy', p.id))
          if (isOpen(c.state)) await cancelClock(trx, c.id, now, '文件已撤回');
      },
    });
  }
}

const eventText = (k: PolicyStep) => EVENT_LABELS[k];

/** What the audit log keeps of a document: everything but the (possibly long) body text. */
function auditView(p: PolicyRow) {
  return {
    title: p.title,
    docNumber: p.doc_number,
    issuer: p.issuer,
    draftingDepartmentId: p.drafting_department_id,
    writtenOn: p.written_on,
    bodyLength: p.body.length,
    disclosure: p.disclosure,
    disclosureReason: p.disclosure_reason,
    requiresInterpretation: p.requires_interpretation,
    interpretationPlan: p.interpretation_plan,
    status: p.status,
  };
}
