import { sql, type Transaction } from 'kysely';
import type { Core } from '../context.js';
import type { Database } from '../db/schema.js';
import type { Principal } from '../auth/principal.js';
import { actorUserId } from '../auth/principal.js';
import { authorize } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { isUniqueViolation } from '../db/errors.js';
import { HttpProblem } from '../shared/errors.js';
import { toIsoShanghai } from '../shared/time.js';
import { z, fields } from '../shared/validation.js';
import { CHANNELS, channelCode } from './channels.js';
import { AREAS, SIGNALS } from './analysis/lexicon.js';
import { DEFAULT_RULES, mergeRules } from './analysis/rules.js';
import { CONFIG_CHANNEL, RULES_KEY, loadRules, shippedLexicons } from './settings.js';

type Trx = Transaction<Database>;

export interface Ctx {
  actor: Principal | undefined;
  requestId?: string;
}

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

export const termSchema = z.object({
  word: z.string().trim().min(2, '至少 2 个字').max(30, '不超过 30 个字').regex(/^\S+$/, '不能含空格'),
  kind: z.enum(['place', 'institution', 'other']).default('place'),
});

export const lexiconSchema = z
  .object({
    lexicon: z.enum(['area', 'signal', 'sentiment']),
    label: z.string().trim(),
    word: z.string().trim().min(1).max(30),
    weight: z.coerce.number().positive().max(5).default(1),
    removed: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    const ok =
      v.lexicon === 'area'
        ? (AREAS as readonly string[]).includes(v.label)
        : v.lexicon === 'signal'
          ? (SIGNALS as readonly string[]).includes(v.label)
          : ['negative', 'positive'].includes(v.label);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['label'], message: '未知的类别' });
  });

const uniq = (list: string[]) => [...new Set(list)];

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

/** 监测方案, local terms, lexicon edits and warning thresholds; each change wakes the pipeline. */
export class OpinionConfigService {
  constructor(private readonly core: Core) {}

  private async changed(trx: Trx): Promise<void> {
    await sql`select pg_notify(${CONFIG_CHANNEL}, '')`.execute(trx);
  }

  private async checkDepartment(trx: Trx, id: number | null): Promise<void> {
    if (id === null) return;
    const d = await trx.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst();
    if (!d)
      throw HttpProblem.unprocessable('值班部门不存在', [
        { field: 'dutyDepartmentId', message: '部门不存在' },
      ]);
  }

  async listSchemes(p: Principal | undefined) {
    authorize(p, 'opinion.read');
    const rows = await this.core.db.selectFrom('opinion_schemes').selectAll().orderBy('id').execute();
    return rows.map(schemeJson);
  }

  async createScheme(ctx: Ctx, input: SchemeInput) {
    authorize(ctx.actor, 'opinion.configure');
    try {
      return await this.core.db.transaction().execute(async (trx) => {
        await this.checkDepartment(trx, input.dutyDepartmentId);
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
            created_at: this.core.clock.now(),
            updated_at: this.core.clock.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          ...ctx,
          action: 'opinion.scheme.create',
          subjectKind: 'opinion_scheme',
          subjectId: row.id,
          after: schemeJson(row),
        });
        await this.changed(trx);
        return schemeJson(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw HttpProblem.conflict('已有同名监测方案');
      throw err;
    }
  }

  async updateScheme(ctx: Ctx, id: number, patch: Partial<SchemeInput>) {
    authorize(ctx.actor, 'opinion.configure');
    try {
      return await this.core.db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('opinion_schemes')
          .selectAll()
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!before) throw HttpProblem.notFound('监测方案不存在');
        if (patch.dutyDepartmentId !== undefined) await this.checkDepartment(trx, patch.dutyDepartmentId);
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
        await recordAudit(trx, {
          ...ctx,
          action: 'opinion.scheme.update',
          subjectKind: 'opinion_scheme',
          subjectId: id,
          before: schemeJson(before),
          after: schemeJson(row),
        });
        await this.changed(trx);
        return schemeJson(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw HttpProblem.conflict('已有同名监测方案');
      throw err;
    }
  }

  async deleteScheme(ctx: Ctx, id: number): Promise<void> {
    authorize(ctx.actor, 'opinion.configure');
    await this.core.db.transaction().execute(async (trx) => {
      const before = await trx
        .deleteFrom('opinion_schemes')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!before) throw HttpProblem.notFound('监测方案不存在');
      await recordAudit(trx, {
        ...ctx,
        action: 'opinion.scheme.delete',
        subjectKind: 'opinion_scheme',
        subjectId: id,
        before: schemeJson(before),
      });
      await this.changed(trx);
    });
  }

  async listTerms(p: Principal | undefined) {
    authorize(p, 'opinion.read');
    const rows = await this.core.db.selectFrom('opinion_local_terms').selectAll().orderBy('word').execute();
    return rows.map((r) => ({
      id: r.id,
      word: r.word,
      kind: r.kind,
      createdAt: toIsoShanghai(r.created_at),
    }));
  }

  async addTerms(ctx: Ctx, terms: z.output<typeof termSchema>[]) {
    authorize(ctx.actor, 'opinion.configure');
    if (terms.length === 0)
      throw HttpProblem.badRequest('请填写本地词', [{ field: 'words', message: '至少一个词' }]);
    return this.core.db.transaction().execute(async (trx) => {
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
      if (rows.length) {
        await recordAudit(trx, {
          ...ctx,
          action: 'opinion.terms.add',
          subjectKind: 'opinion_local_terms',
          after: rows.map((r) => r.word),
        });
        await this.changed(trx);
      }
      return { added: rows.length };
    });
  }

  /** Takes effect for segmentation after a restart (jieba cannot forget an inserted word). */
  async deleteTerm(ctx: Ctx, id: number): Promise<void> {
    authorize(ctx.actor, 'opinion.configure');
    await this.core.db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('opinion_local_terms')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw HttpProblem.notFound('词条不存在');
      await recordAudit(trx, {
        ...ctx,
        action: 'opinion.terms.delete',
        subjectKind: 'opinion_local_terms',
        subjectId: id,
        before: row.word,
      });
      await this.changed(trx);
    });
  }

  async listLexicon(p: Principal | undefined) {
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
      },
      overrides: rows.map((r) => ({
        id: r.id,
        lexicon: r.lexicon,
        label: r.label,
        word: r.word,
        weight: r.weight,
        removed: r.removed,
      })),
    };
  }

  async setLexiconWord(ctx: Ctx, input: z.output<typeof lexiconSchema>) {
    authorize(ctx.actor, 'opinion.configure');
    return this.core.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('opinion_lexicon_overrides')
        .values({
          lexicon: input.lexicon,
          label: input.label,
          word: input.word.toLowerCase(),
          weight: input.weight,
          removed: input.removed,
          created_by: actorUserId(ctx.actor),
          created_at: this.core.clock.now(),
        })
        .onConflict((oc) =>
          oc
            .columns(['lexicon', 'label', 'word'])
            .doUpdateSet({ weight: input.weight, removed: input.removed }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        ...ctx,
        action: 'opinion.lexicon.set',
        subjectKind: 'opinion_lexicon',
        subjectId: row.id,
        after: input,
      });
      await this.changed(trx);
      return { id: row.id };
    });
  }

  async deleteLexiconWord(ctx: Ctx, id: number): Promise<void> {
    authorize(ctx.actor, 'opinion.configure');
    await this.core.db.transaction().execute(async (trx) => {
      const row = await trx
        .deleteFrom('opinion_lexicon_overrides')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw HttpProblem.notFound('词条不存在');
      await recordAudit(trx, {
        ...ctx,
        action: 'opinion.lexicon.delete',
        subjectKind: 'opinion_lexicon',
        subjectId: id,
        before: { lexicon: row.lexicon, label: row.label, word: row.word },
      });
      await this.changed(trx);
    });
  }

  async rules(p: Principal | undefined) {
    authorize(p, 'opinion.read');
    return { rules: await loadRules(this.core.db), defaults: DEFAULT_RULES };
  }

  async setRules(ctx: Ctx, body: unknown) {
    authorize(ctx.actor, 'opinion.configure');
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw HttpProblem.badRequest('预警规则须为 JSON 对象', [{ field: '(body)', message: '须为对象' }]);
    const rules = mergeRules(body);
    const bad = validateRules(rules);
    if (bad.length) throw HttpProblem.unprocessable('预警规则取值无效', bad);
    return this.core.db.transaction().execute(async (trx) => {
      const before = await loadRules(trx);
      await trx
        .insertInto('opinion_settings')
        .values({
          key: RULES_KEY,
          value: JSON.stringify(rules),
          updated_at: this.core.clock.now(),
          updated_by: actorUserId(ctx.actor),
        })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            value: JSON.stringify(rules),
            updated_at: this.core.clock.now(),
            updated_by: actorUserId(ctx.actor),
          }),
        )
        .execute();
      await recordAudit(trx, {
        ...ctx,
        action: 'opinion.rules.set',
        subjectKind: 'opinion_rules',
        before,
        after: rules,
      });
      await this.changed(trx);
      return { rules };
    });
  }
}

function validateRules(r: ReturnType<typeof mergeRules>) {
  const errors: { field: string; message: string }[] = [];
  const pos = (field: string, v: number, max = Infinity) => {
    if (!(v > 0) || v > max)
      errors.push({ field, message: `须为大于 0${max < Infinity ? ` 且不超过 ${max}` : ''} 的数` });
  };
  pos('promoteMinItems', r.promoteMinItems, 10_000);
  pos('spike.windowMinutes', r.spike.windowMinutes, 24 * 60);
  pos('spike.baselineHours', r.spike.baselineHours, 24 * 30);
  pos('spike.minItems', r.spike.minItems);
  pos('spike.factor', r.spike.factor, 1000);
  pos('negativeArea.minItems', r.negativeArea.minItems);
  pos('negativeArea.minNegativeRatio', r.negativeArea.minNegativeRatio, 1);
  pos('hotnessHalfLifeHours', r.hotnessHalfLifeHours, 24 * 30);
  pos('cluster.threshold', r.cluster.threshold, 1);
  pos('cluster.windowHours', r.cluster.windowHours, 24 * 30);
  pos('dedup.minSimilarity', r.dedup.minSimilarity, 1);
  pos('dedup.windowHours', r.dedup.windowHours, 24 * 30);
  for (const a of r.negativeArea.areas)
    if (!(AREAS as readonly string[]).includes(a))
      errors.push({ field: 'negativeArea.areas', message: `未知领域：${a}` });
  return errors;
}
