import type { Core } from '../context.js';
import { type Db, type Executor } from '../db/database.js';
import type { Principal } from '../auth/principal.js';
import { actorUserId } from '../auth/principal.js';
import { authorize, can } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { HttpProblem } from '../shared/errors.js';
import { type AttachmentRow } from './model.js';
import { acceptsInterpretations, isEditable } from './workflow.js';
import type { UploadedFile } from '../files/files.js';
import { releaseAfterCommit, storeLocked } from '../files/bytes.js';
import { canReadPolicy, loadPolicy, lockPolicy, statusText } from './policy-store.js';
import type { Ctx } from '../shared/context.js';

/** The document an attachment belongs to (through its interpretation), or null if it is gone. */
async function ownerPolicyId(
  db: Executor,
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

/** Files attached to documents and interpretations: upload, removal, download checks. */
export class AttachmentService {
  constructor(private readonly core: Core) {}

  private get db(): Db {
    return this.core.db;
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

  /** Stores the bytes and writes the row in one transaction, once the caller may attach. */
  async addAttachment(
    ctx: Ctx,
    owner: { kind: 'policy' | 'interpretation'; id: number },
    file: UploadedFile,
  ) {
    const now = this.core.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const policyId = await ownerPolicyId(trx, owner);
      if (policyId === null) throw HttpProblem.notFound('解读不存在');
      const policy = await lockPolicy(trx, policyId);
      if (owner.kind === 'policy') {
        authorize(ctx.actor, 'policy.edit', { departmentId: policy.drafting_department_id });
        if (!isEditable(policy.status)) throw HttpProblem.conflict('只有草稿或退回的文件可以添加附件');
      } else {
        authorize(ctx.actor, 'policy.interpret', { departmentId: policy.drafting_department_id });
      }
      const hash = await storeLocked(trx, this.core.config.dataDir, file.bytes);
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
  async deleteAttachment(ctx: Ctx, id: number): Promise<AttachmentRow & { policy_id: number }> {
    const removed = await this.db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('policy_attachments')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!found) throw HttpProblem.notFound('附件不存在');
      const policyId = await ownerPolicyId(trx, { kind: found.owner_kind, id: found.owner_id });
      if (policyId === null) throw HttpProblem.notFound('附件不存在');
      const policy = await lockPolicy(trx, policyId);
      const scope = { departmentId: policy.drafting_department_id };
      if (found.owner_kind === 'policy') {
        authorize(ctx.actor, 'policy.edit', scope);
        if (!isEditable(policy.status) && !can(ctx.actor, 'admin.manage'))
          throw HttpProblem.conflict(
            `文件处于“${statusText(policy.status)}”状态，只有草稿或退回的文件可以删除附件`,
          );
      } else {
        authorize(ctx.actor, 'policy.interpret', scope);
        if (!acceptsInterpretations(policy.status))
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
      return { ...row, policy_id: policyId };
    });
    await releaseAfterCommit(this.db, this.core.config.dataDir, removed.sha256);
    return removed;
  }

  /** An attachment together with the document that decides who may download it. */
  async attachment(p: Principal | undefined, id: number) {
    const a = await this.db
      .selectFrom('policy_attachments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!a) throw HttpProblem.notFound('附件不存在');
    const policyId = await ownerPolicyId(this.db, { kind: a.owner_kind, id: a.owner_id });
    if (policyId === null) throw HttpProblem.notFound('附件不存在');
    const policy = await loadPolicy(this.db, policyId);
    if (!canReadPolicy(p, policy)) throw HttpProblem.notFound('附件不存在');
    return a;
  }
}
