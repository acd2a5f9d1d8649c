import { sql } from 'kysely';
import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { actorUserId } from '../auth/principal.js';
import { authorize } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { HttpProblem } from '../shared/errors.js';
import { toIsoShanghai } from '../shared/time.js';
import { z, fields } from '../shared/validation.js';
import { cut, isContentToken, normalize, stopWords } from '../text/index.js';
import { analyseItem, analysisText } from './analysis/analyse.js';
import { AREAS, SIGNALS } from './analysis/lexicon.js';
import {
  candidateTerms,
  proposeTerms,
  scoreCorrections,
  type CorrectionSample,
  type CorrectionScores,
  type TermProposal,
} from './analysis/learn.js';
import { loadLexicons } from './settings.js';
import {
  correctedLabels,
  evidenceOf,
  sameLabels,
  type AnalysisLabels,
  type CountedLabels,
} from './cluster-adjust.js';
import { CORRECTION_NOTICE, QUEUE_CHANNEL } from './ingest.js';
import type { SentimentLabel } from './tables.js';
import type { Trx } from '../db/database.js';
import type { Ctx } from '../shared/context.js';

export const correctionSchema = z
  .object({
    sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
    areas: z
      .array(z.enum(AREAS as unknown as [string, ...string[]], { message: '未知的民生领域' }))
      .max(AREAS.length)
      .optional(),
    /** null = no 突发 signal. */
    signal: z
      .enum(SIGNALS as unknown as [string, ...string[]], { message: '未知的突发事件类别' })
      .nullable()
      .optional(),
    note: fields.optionalText(500),
  })
  .strict()
  .refine((v) => v.sentiment !== undefined || v.areas !== undefined || v.signal !== undefined, {
    message: '至少修正情感、领域或突发信号之一',
    path: ['sentiment'],
  });
export type CorrectionInput = z.output<typeof correctionSchema>;

const NONE = { sentiment: 'neutral', areas: [], signal: null };

export interface CorrectionsSummary {
  scores: CorrectionScores;
  proposals: TermProposal[];
  recent: { id: number; itemId: number; sentiment: string | null; createdAt: string | null }[];
}

/**
 * 人工研判: analysts correct an item's sentiment, areas and 突发 signal. The correction is stored
 * (with the analysed text, which outlives the item's partition), audited, applied to the item so
 * every list shows the corrected labels, and used: a held-out third scores the current analysis,
 * the rest proposes lexicon terms that one click turns into lexicon overrides.
 */
export class OpinionCorrections {
  constructor(private readonly core: Core) {}

  async correct(ctx: Ctx, itemId: number, input: CorrectionInput) {
    authorize(ctx.actor, 'opinion.configure');
    return this.core.db.transaction().execute(async (trx) => {
      const item = await trx
        .selectFrom('opinion_items')
        .select([
          'id',
          'published_at',
          'title',
          'content',
          'sentiment',
          'categories',
          'signal',
          'labels',
          'status',
          'cluster_id',
        ])
        .where('id', '=', itemId)
        .forUpdate()
        .executeTakeFirst();
      if (!item) throw HttpProblem.notFound('信息不存在');
      if (item.status !== 'analysed') throw HttpProblem.conflict('该信息尚未完成分析，请稍后再修正');
      const previous = { sentiment: item.sentiment, areas: item.categories, signal: item.signal };
      const signal = input.signal === undefined ? null : (input.signal ?? '');
      const row = await trx
        .insertInto('opinion_corrections')
        .values({
          item_id: item.id,
          published_at: item.published_at,
          text: analysisText(item.title, item.content),
          sentiment: input.sentiment ?? null,
          areas: input.areas ?? null,
          signal,
          previous: JSON.stringify(previous),
          note: input.note ?? '',
          corrected_by: actorUserId(ctx.actor),
          created_at: this.core.clock.now(),
        })
        .returning(['id', 'created_at'])
        .executeTakeFirstOrThrow();
      const correction = {
        id: row.id,
        at: toIsoShanghai(row.created_at),
        by: actorUserId(ctx.actor),
        previous,
        ...(input.sentiment ? { sentiment: input.sentiment } : {}),
        ...(input.areas ? { areas: input.areas } : {}),
        ...(input.signal !== undefined ? { signal: input.signal } : {}),
      };
      await sql`
        update opinion_items set
          sentiment = coalesce(${input.sentiment ?? null}, sentiment),
          categories = coalesce(${input.areas ?? null}::text[], categories),
          signal = case when ${input.signal !== undefined} then ${input.signal ?? null} else signal end,
          labels = coalesce(labels, '{}'::jsonb) || jsonb_build_object('correction', ${JSON.stringify(correction)}::jsonb)
        where id = ${item.id} and published_at = ${item.published_at}
      `.execute(trx);
      if (item.cluster_id !== null) await this.adjustCluster(trx, item, item.cluster_id, row.id, input);
      await recordAudit(trx, {
        ...ctx,
        action: 'opinion.item.correct',
        subjectKind: 'opinion_item',
        subjectId: item.id,
        before: previous,
        after: { sentiment: input.sentiment, areas: input.areas, signal: input.signal, note: input.note },
      });
      return { id: row.id, itemId: item.id, correction };
    });
  }

  /**
   * Queues the correction's change to the item's cluster for the pipeline leader, which alone
   * changes cluster state (opinion_cluster_adjustments, migration 110), and wakes it. What the
   * cluster counts for the item: its sentiment and areas columns (corrected or analysed), and the
   * signals of its latest correction that set one, else of the analysis (the signal column keeps
   * only the first).
   */
  private async adjustCluster(
    trx: Trx,
    item: {
      id: number;
      published_at: Date;
      sentiment: SentimentLabel | null;
      categories: string[];
      labels: unknown;
    },
    clusterId: number,
    correctionId: number,
    input: CorrectionInput,
  ): Promise<void> {
    const labels = item.labels as AnalysisLabels | null;
    const corrected = await trx
      .selectFrom('opinion_corrections')
      .select('signal')
      .where('item_id', '=', item.id)
      .where('published_at', '=', item.published_at)
      .where('signal', 'is not', null)
      .where('id', '<>', correctionId)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const before: CountedLabels = {
      sentiment: item.sentiment,
      areas: item.categories,
      signals: corrected
        ? corrected.signal
          ? [corrected.signal]
          : []
        : (labels?.signals ?? []).map((h) => h.label),
    };
    const after = correctedLabels(before, input);
    if (sameLabels(before, after)) return;
    await trx
      .insertInto('opinion_cluster_adjustments')
      .values({
        cluster_id: clusterId,
        item_id: item.id,
        published_at: item.published_at,
        correction_id: correctionId,
        before: JSON.stringify(before),
        after: JSON.stringify(after),
        evidence: JSON.stringify(evidenceOf(labels)),
      })
      .execute();
    await sql`select pg_notify(${QUEUE_CHANNEL}, ${CORRECTION_NOTICE})`.execute(trx);
  }

  /** Counts, held-out scores of the current analysis, and term proposals. */
  async summary(p: Principal | undefined): Promise<CorrectionsSummary> {
    authorize(p, 'opinion.read');
    const db = this.core.db;
    const rows = await db
      .selectFrom('opinion_corrections')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(5000)
      .execute();
    // The latest correction of an item is the analyst's word on it.
    const seen = new Set<number>();
    const samples: CorrectionSample[] = [];
    for (const r of rows) {
      if (seen.has(r.item_id)) continue;
      seen.add(r.item_id);
      samples.push({
        id: r.id,
        text: r.text,
        sentiment: r.sentiment,
        areas: r.areas,
        signal: r.signal,
        previous: (r.previous ?? {}) as CorrectionSample['previous'],
      });
    }
    const recent = rows.slice(0, 10).map((r) => ({
      id: r.id,
      itemId: r.item_id,
      sentiment: r.sentiment,
      createdAt: toIsoShanghai(r.created_at),
    }));
    // Nothing to score or learn from yet: spare the settings page compiling the lexicons.
    if (!samples.length) return { scores: scoreCorrections([], () => NONE), proposals: [], recent };
    const lexicons = await loadLexicons(db);
    const scores = scoreCorrections(samples, (text) => {
      const a = analyseItem({ content: text, channel: 'other', source: 'correction' }, lexicons);
      return {
        sentiment: a.classification.sentiment.label,
        areas: a.classification.areas.map((x) => x.label),
        signal: a.signal,
      };
    });
    const known = new Set(lexicons.terms);
    const overrides = await db
      .selectFrom('opinion_lexicon_overrides')
      .select(['lexicon', 'label', 'word'])
      .execute();
    const decided = new Set(overrides.map((o) => `${o.lexicon}\u0000${o.label}\u0000${o.word}`));
    const proposals = proposeTerms(
      samples,
      (text) => candidateTerms(cut(normalize(text)), isContentToken, (ch) => stopWords().has(ch)),
      (w) => known.has(w),
    ).filter((t) => !decided.has(`${t.lexicon}\u0000${t.label}\u0000${t.word}`));
    return { scores, proposals, recent };
  }
}
