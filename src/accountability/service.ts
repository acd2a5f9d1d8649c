import type { Core } from '../context.js';
import type { Ctx } from '../shared/context.js';
import type { Db } from '../db/database.js';
import { actorUserId } from '../auth/principal.js';
import { authorize, departmentFilter } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { insertAlert } from '../alerts/store.js';
import { HttpProblem } from '../shared/errors.js';
import { z, parse, fields } from '../shared/validation.js';
import { clockKindLabel } from '../clocks/states.js';
import { storeLocked } from '../files/bytes.js';
import type { UploadedFile } from '../files/files.js';
import { resolvePeriod, type Period } from '../reports/period.js';
import {
  ACCOUNTABLE_STATES,
  DECISION_LABELS,
  decisionCode,
  recordJson,
  type RecordJson,
  type RecordRow,
} from './model.js';

const decision = z.string().transform((s, c) => {
  const code = decisionCode(s);
  if (!code) {
    c.addIssue({ code: 'custom', message: '须为 通报批评、约谈整改、责令说明情况 或 其他' });
    return z.NEVER;
  }
  return code;
});

export const recordSchema = z.object({
  clockId: fields.id,
  decision,
  note: fields.optionalText(4000),
});

export const listSchema = z.object({
  from: fields.isoDate.optional(),
  to: fields.isoDate.optional(),
  departmentId: fields.id.optional(),
});

/** Records joined with their clock, department and recorder, for lists, exports and reports. */
export function recordsQuery(db: Db) {
  return db
    .selectFrom('accountability_records as a')
    .innerJoin('clocks as c', 'c.id', 'a.clock_id')
    .leftJoin('departments as d', 'd.id', 'a.department_id')
    .leftJoin('users as u', 'u.id', 'a.recorded_by')
    .selectAll('a')
    .select([
      'd.name as department_name',
      'u.display_name as recorder_name',
      'c.kind as clock_kind',
      'c.title as clock_title',
      'c.state as clock_state',
      'c.subject_kind as clock_subject_kind',
      'c.subject_id as clock_subject_id',
      'c.start_at as clock_start_at',
      'c.due_at as clock_due_at',
      'c.met_at as clock_met_at',
      'c.breached_at as clock_breached_at',
      'c.lateness_seconds as clock_lateness_seconds',
    ]);
}

/** Decisions taken in a period (by decision time), optionally for one department. */
export async function recordsIn(db: Db, p: Period, departmentId: number | null): Promise<RecordRow[]> {
  let q = recordsQuery(db).where('a.decided_at', '>=', p.fromAt).where('a.decided_at', '<', p.toAt);
  if (departmentId !== null) q = q.where('a.department_id', '=', departmentId);
  return (await q.orderBy('a.decided_at').orderBy('a.id').execute()) as RecordRow[];
}

/**
 * 问责 (SPEC §2.6, seed 001 §十三): a supervisor records a decision on a clock that breached or was
 * met late; the department is told by an alert and sees it among its records.
 */
export class AccountabilityService {
  constructor(private readonly core: Core) {}

  async record(
    ctx: Ctx,
    raw: unknown,
    file?: UploadedFile,
    /** Only the demo history sets this: decisions taken in the past. */
    opts: { decidedAt?: Date } = {},
  ): Promise<RecordJson> {
    authorize(ctx.actor, 'accountability.record');
    const input = parse(recordSchema, raw, '问责记录');
    const now = this.core.clock.now();
    const decidedAt = opts.decidedAt ?? now;
    const id = await this.core.db.transaction().execute(async (trx) => {
      const clock = await trx
        .selectFrom('clocks')
        .selectAll()
        .where('id', '=', input.clockId)
        .forShare()
        .executeTakeFirst();
      if (!clock)
        throw HttpProblem.unprocessable('时钟不存在', [{ field: 'clockId', message: '没有这个时钟' }]);
      if (!(ACCOUNTABLE_STATES as readonly string[]).includes(clock.state))
        throw HttpProblem.unprocessable('只能对已超时或逾期完成的时限问责', [
          { field: 'clockId', message: '该时钟未超时' },
        ]);
      // Under the hash's lock: a policy attachment with the same bytes may be deleted meanwhile.
      const hash = file ? await storeLocked(trx, this.core.config.dataDir, file.bytes) : null;
      const row = await trx
        .insertInto('accountability_records')
        .values({
          clock_id: clock.id,
          department_id: clock.department_id,
          decision: input.decision,
          note: input.note ?? '',
          attachment_name: file?.name ?? null,
          attachment_sha256: hash,
          attachment_mime: file?.mime ?? null,
          attachment_size: file?.size ?? null,
          decided_at: decidedAt,
          recorded_by: actorUserId(ctx.actor),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'accountability.record',
        subjectKind: 'accountability',
        subjectId: row.id,
        after: {
          clockId: clock.id,
          departmentId: clock.department_id,
          decision: row.decision,
          note: row.note,
          attachment: row.attachment_name,
        },
        requestId: ctx.requestId,
      });
      const label = DECISION_LABELS[row.decision];
      await insertAlert(
        trx,
        {
          type: 'accountability.recorded',
          severity: 'warning',
          title: `【问责】${label}：${clockKindLabel(clock.kind)}「${clock.title}」`,
          body: row.note,
          subjectKind: 'accountability',
          subjectId: row.id,
          departmentId: clock.department_id,
          dedupeKey: `accountability:${row.id}`,
          data: { clockId: clock.id, decision: row.decision },
        },
        now,
      );
      return row.id;
    });
    return recordJson(
      (await recordsQuery(this.core.db).where('a.id', '=', id).executeTakeFirstOrThrow()) as RecordRow,
    );
  }

  /** The records a caller may see: a department its own, supervisors every department's. */
  async list(ctx: Ctx, raw: unknown) {
    authorize(ctx.actor, 'accountability.read');
    const q = parse(listSchema, raw, '查询参数');
    const scope = departmentFilter(ctx.actor!, 'accountability.read');
    if (scope !== null && q.departmentId !== undefined && q.departmentId !== scope)
      throw HttpProblem.forbidden('只能查看本单位的问责记录');
    const departmentId = scope ?? q.departmentId ?? null;
    const p = resolvePeriod(this.core.clock, q, 12);
    const rows = await recordsIn(this.core.db, p, departmentId);
    return { from: p.from, to: p.to, departmentId, records: rows.map(recordJson) };
  }

  /** One record, if the caller may see it (for the attachment download). */
  async get(ctx: Ctx, id: number): Promise<RecordRow> {
    authorize(ctx.actor, 'accountability.read');
    const row = (await recordsQuery(this.core.db).where('a.id', '=', id).executeTakeFirst()) as
      RecordRow | undefined;
    if (!row) throw HttpProblem.notFound('问责记录不存在');
    authorize(ctx.actor, 'accountability.read', { departmentId: row.department_id });
    return row;
  }
}
