import { sql, type Transaction } from 'kysely';
import type { Core } from '../context.js';
import type { Database } from '../db/schema.js';
import type { Db } from '../db/database.js';
import type { Principal } from '../auth/principal.js';
import { actorLabel, actorUserId } from '../auth/principal.js';
import { authorize, can, departmentFilter } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { HttpProblem } from '../shared/errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { cancelClock, clocksForSubject, openClock, satisfyClock } from '../clocks/service.js';
import type { ClockRow } from '../clocks/service.js';
import {
  EDITABLE,
  EVENT_LABELS,
  STATUS_LABELS,
  isPublic,
  type AttachmentRow,
  type InterpretationRow,
  type PolicyRow,
} from './model.js';
import type { PolicyEventKind, PolicyStatus } from './tables.js';
import type {
  CreatePolicyInput,
  InterpretationInput,
  InterpretationPatch,
  ListQuery,
  UpdatePolicyInput,
} from './schemas.js';
import { removeBytes, sha256, storeBytes } from './files.js';
import { policyKeywords, searchQuery, searchVector } from './search.js';

export interface Ctx {
  actor: Principal | undefined;
  requestId?: string | undefined;
}

/** Clock-time tolerance for "published at" stamps from machines whose clocks run a little fast. */
const FUTURE_SKEW_MS = 5 * 60_000;

const POLICY_COLUMNS = [
  'policies.id',
  'policies.title',
  'policies.doc_number',
  'policies.issuer',
  'policies.drafting_department_id',
  'policies.written_on',
  'policies.body',
  'policies.disclosure',
  'policies.disclosure_reason',
  'policies.requires_interpretation',
  'policies.interpretation_plan',
  'policies.status',
  'policies.return_comment',
  'policies.keywords',
  'policies.source',
  'policies.submitted_at',
  'policies.approved_at',
  'policies.published_at',
  'policies.withdrawn_at',
  'policies.created_by',
  'policies.created_at',
  'policies.updated_at',
] as const;

export type PolicyWithDept = PolicyRow & { department_name: string };

export class PolicyService {
  constructor(private readonly core: Core) {}

  private get db(): Db {
    return this.core.db;
  }

  // ---------- reads ----------

  private selectPolicies(db: Db | Transaction<Database>) {
    return db
      .selectFrom('policies')
      .innerJoin('departments', 'departments.id', 'policies.drafting_department_id')
      .select([...POLICY_COLUMNS, 'departments.name as department_name']);
  }

  async load(id: number, trx?: Transaction<Database>): Promise<PolicyWithDept> {
    const row = await this.selectPolicies(trx ?? this.db)
      .where('policies.id', '=', id)
      .executeTakeFirst();
    if (!row) throw HttpProblem.notFound('政策文件不存在');
    return row;
  }

  /** Loads and locks the row for a state change. */
  private async lock(trx: Transaction<Database>, id: number): Promise<PolicyWithDept> {
    const locked = await trx
      .selectFrom('policies')
      .select('id')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw HttpProblem.notFound('政策文件不存在');
    return this.load(id, trx);
  }

  /**
   * Who may read: anyone a published 主动公开 document; signed-in users every published
   * document; otherwise the `policy.read` rule (drafters: own department only).
   */
  canRead(
    p: Principal | undefined,
    row: Pick<PolicyRow, 'status' | 'disclosure' | 'drafting_department_id'>,
  ) {
    if (isPublic(row)) return true;
    if (!p) return false;
    if (row.status === 'published') return true;
    return can(p, 'policy.read', { departmentId: row.drafting_department_id });
  }

  async get(p: Principal | undefined, id: number): Promise<PolicyWithDept> {
    const row = await this.load(id);
    if (!this.canRead(p, row)) {
      // Anonymous visitors must not learn that an unpublished document exists.
      if (!p) throw HttpProblem.notFound('政策文件不存在');
      throw HttpProblem.forbidden('无权查看其他部门未发布的文件');
    }
    return row;
  }

  interpretationsOf(policyId: number, db: Db | Transaction<Database> = this.db) {
    return db
      .selectFrom('interpretations')
      .selectAll()
      .where('policy_id', '=', policyId)
      .orderBy('published_at')
      .orderBy('id')
      .execute();
  }

  eventsOf(policyId: number) {
    return this.db
      .selectFrom('policy_events')
      .selectAll()
      .where('policy_id', '=', policyId)
      .orderBy('id')
      .execute();
  }

  attachmentsOf(ownerKind: 'policy' | 'interpretation', ownerIds: number[]) {
    if (!ownerIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('policy_attachments')
      .selectAll()
      .where('owner_kind', '=', ownerKind)
      .where('owner_id', 'in', ownerIds)
      .orderBy('id')
      .execute();
  }

  /** The document's latest interpretation clock, if it ever had one. */
  async interpretationClock(
    policyId: number,
    db: Db | Transaction<Database> = this.db,
  ): Promise<ClockRow | null> {
    const clocks = await clocksForSubject(db, 'policy', policyId);
    const mine = clocks.filter((c) => c.kind === 'interpretation').sort((a, b) => b.id - a.id);
    return mine[0] ?? null;
  }

  async getInterpretation(p: Principal | undefined, id: number) {
    const row = await this.db
      .selectFrom('interpretations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw HttpProblem.notFound('解读不存在');
    const policy = await this.load(row.policy_id);
    if (!this.canRead(p, policy)) throw HttpProblem.notFound('解读不存在');
    return { interpretation: row, policy };
  }

  /**
   * Lists documents the caller may see. Anonymous: published 主动公开 only. Drafters: every
   * published document plus their own department's work. Others with `policy.read`: all.
   */
  async list(p: Principal | undefined, q: ListQuery) {
    let query = this.selectPolicies(this.db).select((eb) =>
      eb
        .selectFrom('interpretations')
        .whereRef('interpretations.policy_id', '=', 'policies.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('interpretations_count'),
    );
    if (!p || !can(p, 'policy.read')) {
      query = query.where('policies.status', '=', 'published').where('policies.disclosure', '=', 'proactive');
    } else {
      const scope = departmentFilter(p, 'policy.read');
      if (scope !== null)
        query = query.where((eb) =>
          eb.or([eb('policies.status', '=', 'published'), eb('policies.drafting_department_id', '=', scope)]),
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
    let q = this.selectPolicies(this.db).where('policies.status', 'in', [...statuses]);
    if (departmentId !== null) q = q.where('policies.drafting_department_id', '=', departmentId);
    return q.orderBy('policies.updated_at', 'desc').orderBy('policies.id', 'desc').limit(limit).execute();
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
      .where('clocks.state', 'in', ['running', 'breached']);
    if (departmentId !== null) q = q.where('policies.drafting_department_id', '=', departmentId);
    return q.orderBy('clocks.due_at').limit(500).execute();
  }

  // ---------- writes ----------

  private async checkDepartment(trx: Transaction<Database>, id: number) {
    const d = await trx.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst();
    if (!d)
      throw HttpProblem.badRequest('起草部门不存在', [
        { field: 'draftingDepartmentId', message: '部门不存在' },
      ]);
  }

  private checkDisclosure(disclosure: string, reason: string) {
    if (disclosure !== 'proactive' && !reason.trim())
      throw HttpProblem.badRequest('依申请公开或不予公开须说明理由', [
        { field: 'disclosureReason', message: '依申请公开、不予公开须填写理由' },
      ]);
  }

  private async event(
    trx: Transaction<Database>,
    policyId: number,
    kind: PolicyEventKind,
    ctx: Ctx,
    now: Date,
    comment = '',
  ) {
    await trx
      .insertInto('policy_events')
      .values({
        policy_id: policyId,
        kind,
        comment,
        actor_user_id: actorUserId(ctx.actor),
        actor_label: ctx.actor?.kind === 'user' ? ctx.actor.displayName : actorLabel(ctx.actor),
        at: now,
      })
      .execute();
  }

  /** Rebuilds keywords and the search vector from the current text and interpretations. */
  private async reindex(trx: Transaction<Database>, id: number) {
    const p = await trx
      .selectFrom('policies')
      .select(['title', 'body'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const interps = await this.interpretationsOf(id, trx);
    const interpText = interps.map((i) => `${i.title}\n${i.body}`).join('\n');
    await trx
      .updateTable('policies')
      .set({
        keywords: policyKeywords(p.title, p.body),
        search: searchVector(p.title, p.body, interpText),
      })
      .where('id', '=', id)
      .execute();
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

  async create(input: CreatePolicyInput, ctx: Ctx): Promise<PolicyWithDept> {
    return this.insert(input, ctx, {});
  }

  /**
   * For the import script: the same write as `create`, with its provenance, and for historical
   * documents already published on their website date (no clock: nobody can interpret them in
   * time any more).
   */
  importDocument(input: CreatePolicyInput & { source: string; publishedAt?: Date | null }, ctx: Ctx) {
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
        await this.checkDepartment(trx, input.draftingDepartmentId);
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
        await this.reindex(trx, id);
        await this.event(trx, id, 'create', ctx, now, extra.source ? `导入：${extra.source}` : '');
        if (published) await this.event(trx, id, 'publish', ctx, now, '导入时已发布');
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

  async update(id: number, input: UpdatePolicyInput, ctx: Ctx): Promise<PolicyWithDept> {
    const now = this.core.clock.now();
    return this.uniqueDocNumber(() =>
      this.db.transaction().execute(async (trx) => {
        const before = await this.lock(trx, id);
        authorize(ctx.actor, 'policy.edit', { departmentId: before.drafting_department_id });
        if (input.draftingDepartmentId !== undefined) {
          authorize(ctx.actor, 'policy.edit', { departmentId: input.draftingDepartmentId });
          await this.checkDepartment(trx, input.draftingDepartmentId);
        }
        if (!EDITABLE.includes(before.status))
          throw HttpProblem.conflict(
            `文件处于“${statusText(before.status)}”状态，只有草稿或退回的文件可以修改`,
          );
        const disclosure = input.disclosure ?? before.disclosure;
        this.checkDisclosure(disclosure, input.disclosureReason ?? before.disclosure_reason);
        const set = {
          ...(input.title !== undefined && { title: input.title }),
          ...(input.docNumber !== undefined && { doc_number: input.docNumber }),
          ...(input.issuer !== undefined && { issuer: input.issuer }),
          ...(input.draftingDepartmentId !== undefined && {
            drafting_department_id: input.draftingDepartmentId,
          }),
          ...(input.writtenOn !== undefined && { written_on: input.writtenOn }),
          ...(input.body !== undefined && { body: input.body }),
          ...(input.disclosure !== undefined && { disclosure: input.disclosure }),
          ...(input.disclosureReason !== undefined && { disclosure_reason: input.disclosureReason }),
          ...(input.requiresInterpretation !== undefined && {
            requires_interpretation: input.requiresInterpretation,
          }),
          ...(input.interpretationPlan !== undefined && { interpretation_plan: input.interpretationPlan }),
        };
        await trx
          .updateTable('policies')
          .set({ ...set, ...(disclosure === 'proactive' ? { disclosure_reason: '' } : {}), updated_at: now })
          .where('id', '=', id)
          .execute();
        if (input.title !== undefined || input.body !== undefined) await this.reindex(trx, id);
        await this.event(trx, id, 'update', ctx, now);
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
      from: readonly PolicyStatus[];
      to: PolicyStatus;
      event: PolicyEventKind;
      comment?: string;
      check?: (row: PolicyWithDept) => void;
      set?: (row: PolicyWithDept, now: Date) => Record<string, unknown>;
      after?: (trx: Transaction<Database>, row: PolicyWithDept, now: Date) => Promise<void>;
    },
  ): Promise<PolicyWithDept> {
    const now = this.core.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const before = await this.lock(trx, id);
      authorize(ctx.actor, step.action, { departmentId: before.drafting_department_id });
      if (!step.from.includes(before.status))
        throw HttpProblem.conflict(
          `文件处于“${statusText(before.status)}”状态，不能${eventText(step.event)}`,
        );
      step.check?.(before);
      await trx
        .updateTable('policies')
        .set({ status: step.to, updated_at: now, ...(step.set?.(before, now) ?? {}) })
        .where('id', '=', id)
        .execute();
      const after = await this.load(id, trx);
      await step.after?.(trx, after, now);
      await this.event(trx, id, step.event, ctx, now, step.comment ?? '');
      await recordAudit(trx, {
        actor: ctx.actor,
        action: step.audit,
        subjectKind: 'policy',
        subjectId: id,
        before: { status: before.status },
        after: { status: step.to, ...(step.comment ? { comment: step.comment } : {}) },
        requestId: ctx.requestId,
      });
      return after;
    });
  }

  submit(id: number, ctx: Ctx) {
    return this.transition(id, ctx, {
      action: 'policy.submit',
      audit: 'policy.submit',
      from: EDITABLE,
      to: 'submitted',
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

  approve(id: number, comment: string | undefined, ctx: Ctx) {
    return this.transition(id, ctx, {
      action: 'policy.approve',
      audit: 'policy.approve',
      from: ['submitted'],
      to: 'approved',
      event: 'approve',
      comment: comment ?? '',
      set: (_row, now) => ({ approved_at: now }),
    });
  }

  returnForRevision(id: number, comment: string, ctx: Ctx) {
    return this.transition(id, ctx, {
      action: 'policy.approve',
      audit: 'policy.return',
      from: ['submitted', 'approved'],
      to: 'returned',
      event: 'return',
      comment,
      set: () => ({ return_comment: comment, approved_at: null }),
    });
  }

  /**
   * Publishes and, for a document that needs interpretation, starts the 3-working-day clock
   * from the publication time. Other documents get no clock (interpretations stay optional).
   */
  async publish(id: number, publishedAt: Date | undefined, ctx: Ctx) {
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
      from: ['approved'],
      to: 'published',
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
  withdraw(id: number, comment: string | undefined, ctx: Ctx) {
    return this.transition(id, ctx, {
      action: 'policy.withdraw',
      audit: 'policy.withdraw',
      from: ['draft', 'submitted', 'approved', 'returned', 'published'],
      to: 'withdrawn',
      event: 'withdraw',
      comment: comment ?? '',
      set: (_row, now) => ({ withdrawn_at: now }),
      after: async (trx, p, now) => {
        for (const c of await clocksForSubject(trx, 'policy', p.id))
          if (c.state === 'running' || c.state === 'breached') await cancelClock(trx, c.id, now);
      },
    });
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
    policyId: number,
    input: InterpretationInput,
    ctx: Ctx,
  ): Promise<{ interpretation: InterpretationRow; clock: ClockRow | null }> {
    const now = this.core.clock.now();
    const requested = this.interpretationTime(input.publishedAt, now);
    return this.db.transaction().execute(async (trx) => {
      const policy = await this.lock(trx, policyId);
      authorize(ctx.actor, 'policy.interpret', { departmentId: policy.drafting_department_id });
      if (policy.status !== 'published')
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
      await this.reindex(trx, policyId);
      await this.event(trx, policyId, 'interpret', ctx, now, input.title);
      await trx.updateTable('policies').set({ updated_at: now }).where('id', '=', policyId).execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'policy.interpret',
        subjectKind: 'policy',
        subjectId: policyId,
        after: { interpretationId: interpretation.id, form: input.form, title: input.title },
        requestId: ctx.requestId,
      });
      return { interpretation, clock: await this.interpretationClock(policyId, trx) };
    });
  }

  /** Locks an interpretation's document and row for a correction, after the same checks as adding one. */
  private async lockInterpretation(trx: Transaction<Database>, id: number, ctx: Ctx, verb: string) {
    const owner = await trx
      .selectFrom('interpretations')
      .select('policy_id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!owner) throw HttpProblem.notFound('解读不存在');
    // Same lock order as adding one: the document first, then the row.
    const policy = await this.lock(trx, owner.policy_id);
    const row = await trx
      .selectFrom('interpretations')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw HttpProblem.notFound('解读不存在');
    authorize(ctx.actor, 'policy.interpret', { departmentId: policy.drafting_department_id });
    if (policy.status !== 'published')
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
    id: number,
    input: InterpretationPatch,
    ctx: Ctx,
  ): Promise<{ interpretation: InterpretationRow; clock: ClockRow | null }> {
    const now = this.core.clock.now();
    const requested =
      input.publishedAt === undefined ? undefined : this.interpretationTime(input.publishedAt, now);
    return this.db.transaction().execute(async (trx) => {
      const { policy, row: before } = await this.lockInterpretation(trx, id, ctx, '修改');
      const set = {
        ...(input.form !== undefined && { form: input.form }),
        ...(input.title !== undefined && { title: input.title }),
        ...(input.channel !== undefined && { channel: input.channel }),
        ...(input.url !== undefined && { url: input.url }),
        ...(input.body !== undefined && { body: input.body }),
        ...(input.interpreter !== undefined && { interpreter: input.interpreter }),
        ...(input.interpreterIsPrincipal !== undefined && {
          interpreter_is_principal: input.interpreterIsPrincipal,
        }),
        ...(requested !== undefined && { published_at: this.alignToPublication(policy, requested) }),
      };
      const interpretation = await trx
        .updateTable('interpretations')
        .set(set)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.title !== undefined || input.body !== undefined) await this.reindex(trx, policy.id);
      await this.event(trx, policy.id, 'interpret_update', ctx, now, interpretation.title);
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
      return { interpretation, clock: await this.interpretationClock(policy.id, trx) };
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
    id: number,
    ctx: Ctx,
  ): Promise<{ policyId: number; title: string; clock: ClockRow | null }> {
    const now = this.core.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const { policy, row } = await this.lockInterpretation(trx, id, ctx, '删除');
      const files = await trx
        .deleteFrom('policy_attachments')
        .where('owner_kind', '=', 'interpretation')
        .where('owner_id', '=', id)
        .returningAll()
        .execute();
      await trx.deleteFrom('interpretations').where('id', '=', id).execute();
      await this.reindex(trx, policy.id);
      await this.event(trx, policy.id, 'interpret_delete', ctx, now, row.title);
      await trx.updateTable('policies').set({ updated_at: now }).where('id', '=', policy.id).execute();
      const clock = await this.interpretationClock(policy.id, trx);
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
      for (const f of files) await this.releaseBytes(trx, f.sha256);
      return { policyId: policy.id, title: row.title, clock };
    });
  }

  /** The document an attachment belongs to (through its interpretation), or null if it is gone. */
  private async ownerPolicyId(
    db: Db | Transaction<Database>,
    owner: { kind: 'policy' | 'interpretation'; id: number },
  ): Promise<number | null> {
    if (owner.kind === 'policy') return owner.id;
    const i = await db
      .selectFrom('interpretations')
      .select('policy_id')
      .where('id', '=', owner.id)
      .executeTakeFirst();
    return i?.policy_id ?? null;
  }

  /**
   * Files are shared by hash; this lock serialises "store and point at" against "unpoint and
   * remove" for one hash, so a delete never removes bytes an upload has just relied on.
   */
  private async lockBytes(trx: Transaction<Database>, hash: string) {
    await sql`select pg_advisory_xact_lock(${BYTES_LOCK}, hashtext(${hash}))`.execute(trx);
  }

  /** Removes the bytes once no attachment row points at them any more. */
  private async releaseBytes(trx: Transaction<Database>, hash: string) {
    await this.lockBytes(trx, hash);
    const still = await trx
      .selectFrom('policy_attachments')
      .select('id')
      .where('sha256', '=', hash)
      .limit(1)
      .executeTakeFirst();
    if (!still) await removeBytes(this.core.config.dataDir, hash);
  }

  /** Stores the bytes and writes the row in one transaction, once the caller may attach. */
  async addAttachment(
    owner: { kind: 'policy' | 'interpretation'; id: number },
    file: { name: string; mime: string; size: number; bytes: Buffer },
    ctx: Ctx,
  ) {
    const now = this.core.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const policyId = await this.ownerPolicyId(trx, owner);
      if (policyId === null) throw HttpProblem.notFound('解读不存在');
      const policy = await this.lock(trx, policyId);
      if (owner.kind === 'policy') {
        authorize(ctx.actor, 'policy.edit', { departmentId: policy.drafting_department_id });
        if (!EDITABLE.includes(policy.status)) throw HttpProblem.conflict('只有草稿或退回的文件可以添加附件');
      } else {
        authorize(ctx.actor, 'policy.interpret', { departmentId: policy.drafting_department_id });
      }
      const hash = sha256(file.bytes);
      await this.lockBytes(trx, hash);
      await storeBytes(this.core.config.dataDir, file.bytes);
      const row = await trx
        .insertInto('policy_attachments')
        .values({
          owner_kind: owner.kind,
          owner_id: owner.id,
          file_name: file.name,
          mime: file.mime,
          size: file.size,
          sha256: hash,
          uploaded_by: actorUserId(ctx.actor),
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'policy.attach',
        subjectKind: owner.kind,
        subjectId: owner.id,
        after: { attachmentId: row.id, fileName: file.name, size: file.size, sha256: hash },
        requestId: ctx.requestId,
      });
      return row;
    });
  }

  /**
   * Removes an attachment. A document's files change only while its text may change (draft or
   * returned); an admin may also take one off a submitted or published document (a wrong or
   * confidential file). An interpretation's files follow the interpretation's rules.
   */
  async deleteAttachment(id: number, ctx: Ctx): Promise<AttachmentRow & { policy_id: number }> {
    return this.db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('policy_attachments')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!found) throw HttpProblem.notFound('附件不存在');
      const policyId = await this.ownerPolicyId(trx, { kind: found.owner_kind, id: found.owner_id });
      if (policyId === null) throw HttpProblem.notFound('附件不存在');
      const policy = await this.lock(trx, policyId);
      const scope = { departmentId: policy.drafting_department_id };
      if (found.owner_kind === 'policy') {
        authorize(ctx.actor, 'policy.edit', scope);
        if (!EDITABLE.includes(policy.status) && !can(ctx.actor, 'admin.manage'))
          throw HttpProblem.conflict(
            `文件处于“${statusText(policy.status)}”状态，只有草稿或退回的文件可以删除附件`,
          );
      } else {
        authorize(ctx.actor, 'policy.interpret', scope);
        if (policy.status !== 'published')
          throw HttpProblem.conflict(`文件处于“${statusText(policy.status)}”状态，不能删除解读附件`);
      }
      const row = await trx
        .deleteFrom('policy_attachments')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw HttpProblem.notFound('附件不存在');
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'policy.attachment.delete',
        subjectKind: row.owner_kind,
        subjectId: row.owner_id,
        before: { attachmentId: row.id, fileName: row.file_name, size: row.size, sha256: row.sha256 },
        requestId: ctx.requestId,
      });
      await this.releaseBytes(trx, row.sha256);
      return { ...row, policy_id: policyId };
    });
  }

  /** An attachment together with the document that decides who may download it. */
  async attachment(p: Principal | undefined, id: number) {
    const a = await this.db
      .selectFrom('policy_attachments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!a) throw HttpProblem.notFound('附件不存在');
    const policyId = await this.ownerPolicyId(this.db, { kind: a.owner_kind, id: a.owner_id });
    if (policyId === null) throw HttpProblem.notFound('附件不存在');
    const policy = await this.load(policyId);
    if (!this.canRead(p, policy)) throw HttpProblem.notFound('附件不存在');
    return a;
  }
}

const statusText = (s: PolicyStatus) => STATUS_LABELS[s];

/** Namespace of the advisory locks taken per attachment hash. */
const BYTES_LOCK = 4101;

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
const eventText = (k: PolicyEventKind) => EVENT_LABELS[k];

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
