import { type Trx, type Executor } from '../db/database.js';
import type { Principal } from '../auth/principal.js';
import { actorLabel, actorUserId } from '../auth/principal.js';
import { can } from '../auth/policy.js';
import { HttpProblem } from '../shared/errors.js';
import { STATUS_LABELS, isPublic, type PolicyRow } from './model.js';
import type { PolicyEventKind, PolicyStatus } from './tables.js';
import { policyKeywords, searchVector } from './search.js';
import { type Ctx } from '../shared/context.js';

/*
 * Row-level reads, locks and trail writes shared by the document, interpretation and
 * attachment services, so that each of them locks and records a document the same way.
 */

/** Clock-time tolerance for "published at" stamps from machines whose clocks run a little fast. */
export const FUTURE_SKEW_MS = 5 * 60_000;

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
  'policies.normative_kind',
  'policies.repealed_on',
  'policies.created_by',
  'policies.created_at',
  'policies.updated_at',
] as const;

export type PolicyWithDept = PolicyRow & { department_name: string };

export const statusText = (s: PolicyStatus) => STATUS_LABELS[s];

export function selectPolicies(db: Executor) {
  return db
    .selectFrom('policies')
    .innerJoin('departments', 'departments.id', 'policies.drafting_department_id')
    .select([...POLICY_COLUMNS, 'departments.name as department_name']);
}

export async function loadPolicy(db: Executor, id: number): Promise<PolicyWithDept> {
  const row = await selectPolicies(db).where('policies.id', '=', id).executeTakeFirst();
  if (!row) throw HttpProblem.notFound('政策文件不存在');
  return row;
}

/** Loads and locks the row for a state change. */
export async function lockPolicy(trx: Trx, id: number): Promise<PolicyWithDept> {
  const locked = await trx
    .selectFrom('policies')
    .select('id')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!locked) throw HttpProblem.notFound('政策文件不存在');
  return loadPolicy(trx, id);
}

/** Supervisors and administrators oversee every department's documents, public or not. */
export function overseesAllPolicies(p: Principal): boolean {
  return p.kind === 'user' && p.roles.some((r) => r === 'admin' || r === 'supervisor');
}

/**
 * Who may read: anyone a published 主动公开 document. Machine tokens only with the `read` scope
 * (an ingest token reads nothing). A non-public document (依申请公开 / 不予公开) only its own
 * department and the supervisors. Otherwise signed-in users every published document, and
 * the `policy.read` rule the rest (drafters: own department only). Callers answer "no" with
 * 404 whoever asks, so an id reveals nothing.
 */
export function canReadPolicy(
  p: Principal | undefined,
  row: Pick<PolicyRow, 'status' | 'disclosure' | 'drafting_department_id'>,
) {
  if (p?.kind === 'token' && !can(p, 'policy.read')) return false;
  if (isPublic(row)) return true;
  if (!p) return false;
  if (
    row.disclosure !== 'proactive' &&
    !overseesAllPolicies(p) &&
    !(p.kind === 'user' && p.departmentId === row.drafting_department_id)
  )
    return false;
  if (row.status === 'published') return true;
  return can(p, 'policy.read', { departmentId: row.drafting_department_id });
}

export function interpretationsOf(db: Executor, policyId: number) {
  return db
    .selectFrom('interpretations')
    .selectAll()
    .where('policy_id', '=', policyId)
    .orderBy('published_at')
    .orderBy('id')
    .execute();
}

/** Appends a step to the document's trail. */
export async function recordPolicyEvent(
  trx: Trx,
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
export async function reindexPolicy(trx: Trx, id: number) {
  const p = await trx
    .selectFrom('policies')
    .select(['title', 'body'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const interps = await interpretationsOf(trx, id);
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
