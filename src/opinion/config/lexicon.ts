import type { Core } from '../../context.js';
import type { Principal } from '../../auth/principal.js';
import { actorUserId } from '../../auth/principal.js';
import { authorize } from '../../auth/policy.js';
import type { Ctx } from '../../shared/context.js';
import { z } from '../../shared/validation.js';
import { AREAS, HAZARD_KIND_LABELS, HAZARD_KINDS, SIGNALS } from '../analysis/lexicon.js';
import { shippedLexicons } from '../settings.js';
import { configChange, removeConfigRow } from './change.js';

export const lexiconSchema = z
  .object({
    lexicon: z.enum(['area', 'signal', 'sentiment']),
    label: z.string().trim(),
    word: z.string().trim().min(1).max(30),
    weight: z.coerce.number().positive().max(5).default(1),
    removed: z.boolean().default(false),
    /** The incident kind a 突发 signal word tells; absent or empty keeps the shipped kind. */
    kind: z.preprocess(
      (k) => (k === '' ? null : k),
      z
        .enum(HAZARD_KINDS, {
          error: `未知的事件类型，可选：${HAZARD_KINDS.map((k) => `${k}（${HAZARD_KIND_LABELS[k]}）`).join('、')}`,
        })
        .nullish(),
    ),
  })
  .superRefine((v, ctx) => {
    const ok =
      v.lexicon === 'area'
        ? (AREAS as readonly string[]).includes(v.label)
        : v.lexicon === 'signal'
          ? (SIGNALS as readonly string[]).includes(v.label)
          : ['negative', 'positive'].includes(v.label);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['label'], message: '未知的类别' });
    if (v.kind && v.lexicon !== 'signal')
      ctx.addIssue({ code: 'custom', path: ['kind'], message: '只有突发事件词可以设置事件类型' });
    if (v.kind && v.removed)
      ctx.addIssue({ code: 'custom', path: ['kind'], message: '移除的词不再有事件类型' });
  });
export type LexiconInput = z.output<typeof lexiconSchema>;

/** Local edits of the shipped lexicons (领域, 突发信号, 情感): added, reweighted or removed words. */
export class LexiconService {
  constructor(private readonly core: Core) {}

  async list(p: Principal | undefined) {
    authorize(p, 'opinion.read');
    const rows = await this.core.db
      .selectFrom('opinion_lexicon_overrides')
      .selectAll()
      .orderBy('id')
      .execute();
    const lx = shippedLexicons();
    return {
      shipped: {
        areas: Object.fromEntries(Object.entries(lx.areas).map(([k, v]) => [k, Object.keys(v)])),
        signals: Object.fromEntries(Object.entries(lx.signals).map(([k, v]) => [k, Object.keys(v)])),
        negative: Object.keys(lx.negative),
        positive: Object.keys(lx.positive),
        negators: lx.negators,
        kinds: lx.kinds,
      },
      overrides: rows.map((r) => ({
        id: r.id,
        lexicon: r.lexicon,
        label: r.label,
        word: r.word,
        weight: r.weight,
        removed: r.removed,
        kind: r.kind,
      })),
    };
  }

  set(ctx: Ctx, input: LexiconInput) {
    return configChange(this.core, ctx, async (trx) => {
      const row = await trx
        .insertInto('opinion_lexicon_overrides')
        .values({
          lexicon: input.lexicon,
          label: input.label,
          word: input.word.toLowerCase(),
          weight: input.weight,
          removed: input.removed,
          kind: input.kind ?? null,
          created_by: actorUserId(ctx.actor),
          created_at: this.core.clock.now(),
        })
        .onConflict((oc) =>
          oc
            .columns(['lexicon', 'label', 'word'])
            .doUpdateSet({ weight: input.weight, removed: input.removed, kind: input.kind ?? null }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return {
        result: { id: row.id },
        audit: {
          action: 'opinion.lexicon.set',
          subjectKind: 'opinion_lexicon',
          subjectId: row.id,
          after: input,
        },
      };
    });
  }

  remove(ctx: Ctx, id: number): Promise<void> {
    return removeConfigRow(this.core, ctx, 'opinion_lexicon_overrides', id, {
      action: 'opinion.lexicon.delete',
      subjectKind: 'opinion_lexicon',
      missing: '词条不存在',
      before: (row) => ({ lexicon: row.lexicon, label: row.label, word: row.word }),
    });
  }
}
