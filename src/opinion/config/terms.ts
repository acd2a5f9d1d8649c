import type { Core } from '../../context.js';
import type { Principal } from '../../auth/principal.js';
import { actorUserId } from '../../auth/principal.js';
import { authorize } from '../../auth/policy.js';
import type { Ctx } from '../../shared/context.js';
import { HttpProblem } from '../../shared/errors.js';
import { toIsoShanghai } from '../../shared/time.js';
import { z } from '../../shared/validation.js';
import { configChange, removeConfigRow } from './change.js';

export const termSchema = z.object({
  word: z.string().trim().min(2, '至少 2 个字').max(30, '不超过 30 个字').regex(/^\S+$/, '不能含空格'),
  kind: z.enum(['place', 'institution', 'other']).default('place'),
});
export type TermInput = z.output<typeof termSchema>;

/** 本地词: place and institution names the segmenter must keep whole (and places for 属地). */
export class TermService {
  constructor(private readonly core: Core) {}

  async list(p: Principal | undefined) {
    authorize(p, 'opinion.read');
    const rows = await this.core.db.selectFrom('opinion_local_terms').selectAll().orderBy('word').execute();
    return rows.map((r) => ({
      id: r.id,
      word: r.word,
      kind: r.kind,
      createdAt: toIsoShanghai(r.created_at),
    }));
  }

  add(ctx: Ctx, terms: TermInput[]) {
    return configChange(this.core, ctx, async (trx) => {
      if (terms.length === 0)
        throw HttpProblem.badRequest('请填写本地词', [{ field: 'words', message: '至少一个词' }]);
      const rows = await trx
        .insertInto('opinion_local_terms')
        .values(
          terms.map((t) => ({
            word: t.word,
            kind: t.kind,
            created_by: actorUserId(ctx.actor),
            created_at: this.core.clock.now(),
          })),
        )
        .onConflict((oc) => oc.column('word').doNothing())
        .returningAll()
        .execute();
      return {
        result: { added: rows.length },
        audit: rows.length
          ? {
              action: 'opinion.terms.add',
              subjectKind: 'opinion_local_terms',
              after: rows.map((r) => r.word),
            }
          : null,
      };
    });
  }

  /** Takes effect for segmentation after a restart (jieba cannot forget an inserted word). */
  remove(ctx: Ctx, id: number): Promise<void> {
    return removeConfigRow(this.core, ctx, 'opinion_local_terms', id, {
      action: 'opinion.terms.delete',
      subjectKind: 'opinion_local_terms',
      missing: '词条不存在',
      before: (row) => row.word,
    });
  }
}
