import type { Ctx } from '../shared/context.js';
import type { Executor, Trx } from '../db/database.js';
import { actorLabel, actorUserId } from '../auth/principal.js';
import { authorize, can } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { HttpProblem } from '../shared/errors.js';
import { SUBJECT_KIND, type RequestRow } from './model.js';
import type { StepKind } from './tables.js';

/** Who a timeline step names: the user's name, a token's label, or the applicant online. */
function stepActor(ctx: Ctx): string {
  if (ctx.actor?.kind === 'user') return ctx.actor.displayName;
  return ctx.actor ? actorLabel(ctx.actor) : '申请人（网上）';
}

/** One step of a request's timeline and its audit record, in the caller's transaction. */
export async function addStep(
  trx: Trx,
  ctx: Ctx,
  requestId: number,
  kind: StepKind,
  at: Date,
  data: Record<string, unknown>,
): Promise<void> {
  await trx
    .insertInto('disclosure_steps')
    .values({
      request_id: requestId,
      kind,
      at,
      data: JSON.stringify(data),
      actor_user_id: actorUserId(ctx.actor),
      actor_label: stepActor(ctx),
    })
    .execute();
  await recordAudit(trx, {
    actor: ctx.actor,
    action: `disclosure.${kind}`,
    subjectKind: SUBJECT_KIND,
    subjectId: requestId,
    after: { at: at.toISOString(), ...data },
    requestId: ctx.requestId,
  });
}

/** A request the caller may read; anything else (absent or out of scope) is the same 404. */
export async function visibleRequest(
  db: Executor,
  ctx: Ctx,
  id: number,
  opts: { lock?: boolean } = {},
): Promise<RequestRow> {
  authorize(ctx.actor, 'disclosure.read');
  let q = db.selectFrom('disclosure_requests').selectAll().where('id', '=', id);
  if (opts.lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  if (!r || !can(ctx.actor, 'disclosure.read', { departmentId: r.department_id }))
    throw HttpProblem.notFound('申请不存在');
  return r;
}
