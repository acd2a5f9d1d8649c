import type { Core } from '../../context.js';
import type { Principal } from '../../auth/principal.js';
import { actorUserId } from '../../auth/principal.js';
import { authorize } from '../../auth/policy.js';
import { requireDepartment } from '../../accounts/departments.js';
import type { Ctx } from '../../shared/context.js';
import { toIsoShanghai } from '../../shared/time.js';
import { z, fields } from '../../shared/validation.js';
import { CHANNELS, channelCode } from '../channels.js';
import { configChange, removeConfigRow } from './change.js';
import { lockById } from '../../db/lock.js';

const wordList = z
  .array(z.string().trim().min(1, '不能为空').max(50, '每个词不超过 50 字'))
  .max(500, '最多 500 个词')
  .default([]);

export const schemeSchema = z.object({
  name: fields.text(100),
  enabled: z.boolean().default(true),
  regionWords: wordList,
  subjectWords: wordList,
  mustWords: wordList,
  excludeWords: wordList,
  channels: z
    .array(
      z.string().transform((v, ctx) => {
        const c = channelCode(v);
        if (!c) ctx.addIssue({ code: 'custom', message: `未知渠道：${v}` });
        return c ?? 'other';
      }),
    )
    .default([]),
  sources: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  repost: z.enum(['all', 'original', 'repost']).default('all'),
  dutyDepartmentId: fields.id.nullable().default(null),
});
export type SchemeInput = z.output<typeof schemeSchema>;

interface SchemeRow {
  id: number;
  name: string;
  enabled: boolean;
  region_words: string[];
  subject_words: string[];
  must_words: string[];
  exclude_words: string[];
  channels: string[];
  sources: string[];
  repost: 'all' | 'original' | 'repost';
  duty_department_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export function schemeJson(r: SchemeRow) {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    regionWords: r.region_words,
    subjectWords: r.subject_words,
    mustWords: r.must_words,
    excludeWords: r.exclude_words,
    channels: r.channels,
    channelLabels: r.channels.map((c) => (CHANNELS as Record<string, string>)[c] ?? c),
    sources: r.sources,
    repost: r.repost,
    dutyDepartmentId: r.duty_department_id,
    createdAt: toIsoShanghai(r.created_at),
    updatedAt: toIsoShanghai(r.updated_at),
  };
}

/** A scheme as written (`row`, after `before` when it changed): the answer and its audit record. */
function schemeWritten(action: string, row: SchemeRow, before?: SchemeRow) {
  const result = schemeJson(row);
  return {
    result,
    audit: {
      action,
      subjectKind: 'opinion_scheme',
      subjectId: row.id,
      ...(before && { before: schemeJson(before) }),
      after: result,
    },
  };
}

const uniq = (list: string[]) => [...new Set(list)];
const DUPLICATE = '已有同名监测方案';
const checkDuty = (trx: Parameters<typeof requireDepartment>[0], id: number | null | undefined) =>
  requireDepartment(trx, id, 'dutyDepartmentId', '值班部门不存在');

/** 监测方案: which posts the platform watches (region, subject, must and exclude words, channels). */
export class SchemeService {
  constructor(private readonly core: Core) {}

  async list(p: Principal | undefined) {
    authorize(p, 'opinion.read');
    const rows = await this.core.db.selectFrom('opinion_schemes').selectAll().orderBy('id').execute();
    return rows.map(schemeJson);
  }

  create(ctx: Ctx, input: SchemeInput) {
    return configChange(
      this.core,
      ctx,
      async (trx) => {
        await checkDuty(trx, input.dutyDepartmentId);
        const now = this.core.clock.now();
        const row = await trx
          .insertInto('opinion_schemes')
          .values({
            name: input.name,
            enabled: input.enabled,
            region_words: uniq(input.regionWords),
            subject_words: uniq(input.subjectWords),
            must_words: uniq(input.mustWords),
            exclude_words: uniq(input.excludeWords),
            channels: uniq(input.channels),
            sources: uniq(input.sources),
            repost: input.repost,
            duty_department_id: input.dutyDepartmentId,
            created_by: actorUserId(ctx.actor),
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return schemeWritten('opinion.scheme.create', row);
      },
      { duplicate: DUPLICATE },
    );
  }

  update(ctx: Ctx, id: number, patch: Partial<SchemeInput>) {
    return configChange(
      this.core,
      ctx,
      async (trx) => {
        const before = await lockById(trx, 'opinion_schemes', id, '监测方案不存在');
        if (patch.dutyDepartmentId !== undefined) await checkDuty(trx, patch.dutyDepartmentId);
        const row = await trx
          .updateTable('opinion_schemes')
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
            ...(patch.regionWords ? { region_words: uniq(patch.regionWords) } : {}),
            ...(patch.subjectWords ? { subject_words: uniq(patch.subjectWords) } : {}),
            ...(patch.mustWords ? { must_words: uniq(patch.mustWords) } : {}),
            ...(patch.excludeWords ? { exclude_words: uniq(patch.excludeWords) } : {}),
            ...(patch.channels ? { channels: uniq(patch.channels) } : {}),
            ...(patch.sources ? { sources: uniq(patch.sources) } : {}),
            ...(patch.repost ? { repost: patch.repost } : {}),
            ...(patch.dutyDepartmentId !== undefined ? { duty_department_id: patch.dutyDepartmentId } : {}),
            updated_at: this.core.clock.now(),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return schemeWritten('opinion.scheme.update', row, before);
      },
      { duplicate: DUPLICATE },
    );
  }

  remove(ctx: Ctx, id: number): Promise<void> {
    return removeConfigRow(this.core, ctx, 'opinion_schemes', id, {
      action: 'opinion.scheme.delete',
      subjectKind: 'opinion_scheme',
      missing: '监测方案不存在',
      before: (row) => schemeJson(row),
    });
  }
}
