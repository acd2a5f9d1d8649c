import type { Core } from '../context.js';
import type { Ctx } from '../shared/context.js';
import type { Trx } from '../db/database.js';
import { actorUserId } from '../auth/principal.js';
import { authorize } from '../auth/policy.js';
import { HttpProblem } from '../shared/errors.js';
import type { UploadedFile } from '../files/files.js';
import { releaseAfterCommit, storeLocked } from '../files/bytes.js';
import { addStep, visibleRequest } from './steps.js';
import type { AttachmentRow } from './model.js';

/**
 * Files of a 依申请公开 request (issue 14 point 1): what the applicant sent (online form, scans of
 * letters) and what the office adds. Who may read the request may download them; who may handle
 * it (its answering department, the disclosure office) may add and remove them.
 */
export class DisclosureAttachmentService {
  constructor(private readonly core: Core) {}

  /** Stores a file and points a row at it, with its step, in the caller's transaction. */
  async store(
    trx: Trx,
    ctx: Ctx,
    requestId: number,
    file: UploadedFile,
    source: 'staff' | 'public',
  ): Promise<AttachmentRow> {
    const hash = await storeLocked(trx, this.core.config.dataDir, file.bytes);
    const row = await trx
      .insertInto('disclosure_attachments')
      .values({
        request_id: requestId,
        file_name: file.name,
        mime: file.mime,
        size: file.size,
        sha256: hash,
        source,
        uploaded_by: actorUserId(ctx.actor),
        created_at: this.core.clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await addStep(trx, ctx, requestId, 'attachment_added', row.created_at, {
      attachmentId: row.id,
      fileName: row.file_name,
      size: row.size,
      sha256: hash,
      source,
    });
    return row;
  }

  async list(ctx: Ctx, requestId: number): Promise<AttachmentRow[]> {
    await visibleRequest(this.core.db, ctx, requestId);
    return this.core.db
      .selectFrom('disclosure_attachments')
      .selectAll()
      .where('request_id', '=', requestId)
      .orderBy('id')
      .execute();
  }

  /** One attachment of a request the caller may read (for the download). */
  async get(ctx: Ctx, input: { requestId: number; attachmentId: number }): Promise<AttachmentRow> {
    await visibleRequest(this.core.db, ctx, input.requestId);
    const a = await this.core.db
      .selectFrom('disclosure_attachments')
      .selectAll()
      .where('id', '=', input.attachmentId)
      .where('request_id', '=', input.requestId)
      .executeTakeFirst();
    if (!a) throw HttpProblem.notFound('附件不存在');
    return a;
  }

  /** Staff add a file, in any state of the request (a reply letter comes after the reply). */
  async add(ctx: Ctx, input: { requestId: number; file: UploadedFile }): Promise<AttachmentRow> {
    return this.core.db.transaction().execute(async (trx) => {
      const r = await visibleRequest(trx, ctx, input.requestId, { lock: true });
      authorize(ctx.actor, 'disclosure.handle', { departmentId: r.department_id });
      return this.store(trx, ctx, r.id, input.file, 'staff');
    });
  }

  /** Removes an attachment; its bytes go only after the removal has committed. */
  async remove(ctx: Ctx, input: { requestId: number; attachmentId: number }): Promise<AttachmentRow> {
    const removed = await this.core.db.transaction().execute(async (trx) => {
      const r = await visibleRequest(trx, ctx, input.requestId, { lock: true });
      authorize(ctx.actor, 'disclosure.handle', { departmentId: r.department_id });
      const row = await trx
        .deleteFrom('disclosure_attachments')
        .where('id', '=', input.attachmentId)
        .where('request_id', '=', r.id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw HttpProblem.notFound('附件不存在');
      await addStep(trx, ctx, r.id, 'attachment_removed', this.core.clock.now(), {
        attachmentId: row.id,
        fileName: row.file_name,
        size: row.size,
        sha256: row.sha256,
      });
      return row;
    });
    await releaseAfterCommit(this.core.db, this.core.config.dataDir, removed.sha256);
    return removed;
  }
}
