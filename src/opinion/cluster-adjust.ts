import type { ClusterMeta } from './cluster-state.js';
import type { SentimentLabel } from './tables.js';

const HOUR = 3600_000;

/**
 * The labels an item counts with in its cluster's figures: what the analysis said (foldItem
 * counts every area and every 突发 signal hit), or what 人工研判 made of it.
 */
export interface CountedLabels {
  sentiment: SentimentLabel | null;
  areas: string[];
  signals: string[];
}

/**
 * What the analysis found besides the labels, counted with them (foldItem): the trigger words of
 * each area and signal hit, and the negative sentiment words, counted while the item is negative.
 * A label the analysis did not find counts without trigger words.
 */
export interface LabelEvidence {
  triggers: Record<string, string[]>;
  negativeWords: string[];
}

/** A correction's change to its item's cluster (one opinion_cluster_adjustments row, migration 110). */
export interface LabelAdjustment {
  clusterId: number;
  /** The item's publication time (epoch ms): its hour cell. */
  at: number;
  before: CountedLabels;
  after: CountedLabels;
  evidence: LabelEvidence;
}

/** What a correction adds to (negative: takes from) a cluster's label-derived figures. */
export interface LabelDelta {
  negative: number;
  positive: number;
  areas: Record<string, number>;
  signals: Record<string, number>;
  /** label → trigger word → items */
  triggers: Record<string, Record<string, number>>;
  negativeWords: Record<string, number>;
  /** The item's hour (epoch ms start, as ClusterStats.hours keys it) and its negative items. */
  hour: string;
  hourNegative: number;
}

/** The analysis labels of an item's `labels` column (as fold.ts itemRow stores them). */
export interface AnalysisLabels {
  areas?: { label: string; triggers?: string[] }[];
  signals?: { label: string; triggers?: string[] }[];
  sentiment?: { label?: SentimentLabel; triggers?: { word: string; value: number }[] };
}

/** The evidence foldItem counted for an item, from its stored analysis labels. */
export function evidenceOf(labels: AnalysisLabels | null): LabelEvidence {
  const triggers: Record<string, string[]> = {};
  for (const h of [...(labels?.areas ?? []), ...(labels?.signals ?? [])])
    triggers[h.label] = [...(triggers[h.label] ?? []), ...(h.triggers ?? [])];
  const negativeWords = (labels?.sentiment?.triggers ?? []).filter((t) => t.value < 0).map((t) => t.word);
  return { triggers, negativeWords };
}

/**
 * The labels a correction leaves the item counting with: each corrected field replaces the
 * current one; a corrected signal (null = none) replaces all the signals the analysis found.
 */
export function correctedLabels(
  current: CountedLabels,
  input: { sentiment?: SentimentLabel; areas?: string[]; signal?: string | null },
): CountedLabels {
  return {
    sentiment: input.sentiment ?? current.sentiment,
    areas: input.areas ?? current.areas,
    signals: input.signal === undefined ? current.signals : input.signal === null ? [] : [input.signal],
  };
}

export function sameLabels(a: CountedLabels, b: CountedLabels): boolean {
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v) => y.includes(v));
  return a.sentiment === b.sentiment && same(a.areas, b.areas) && same(a.signals, b.signals);
}

const add = (r: Record<string, number>, k: string, n: number) => {
  const v = (r[k] ?? 0) + n;
  if (v) r[k] = v;
  else delete r[k];
};

/** Old labels out, new labels in: the difference a correction makes to its cluster's figures. */
export function labelDelta(adj: LabelAdjustment): LabelDelta {
  const { before, after, evidence } = adj;
  const d: LabelDelta = {
    negative: 0,
    positive: 0,
    areas: {},
    signals: {},
    triggers: {},
    negativeWords: {},
    hour: String(Math.floor(adj.at / HOUR) * HOUR),
    hourNegative: 0,
  };
  const sign = (s: SentimentLabel | null, label: SentimentLabel) => (s === label ? 1 : 0);
  d.negative = sign(after.sentiment, 'negative') - sign(before.sentiment, 'negative');
  d.positive = sign(after.sentiment, 'positive') - sign(before.sentiment, 'positive');
  d.hourNegative = d.negative;
  for (const w of evidence.negativeWords) add(d.negativeWords, w, d.negative);
  const labels = (kind: 'areas' | 'signals') => {
    const was = new Set(before[kind]);
    const is = new Set(after[kind]);
    for (const label of new Set([...was, ...is])) {
      const n = (is.has(label) ? 1 : 0) - (was.has(label) ? 1 : 0);
      if (!n) continue;
      add(d[kind], label, n);
      for (const w of evidence.triggers[label] ?? []) add((d.triggers[label] ??= {}), w, n);
      if (d.triggers[label] && !Object.keys(d.triggers[label]).length) delete d.triggers[label];
    }
  };
  labels('areas');
  labels('signals');
  return d;
}

/** Adds to a count, never below zero, dropping what reaches zero; returns what was added. */
function shift(r: Record<string, number>, k: string, n: number): number {
  const was = r[k] ?? 0;
  const v = Math.max(0, was + n);
  if (v) r[k] = v;
  else delete r[k];
  return v - was;
}

/**
 * Applies a delta to the cluster, as foldItem would have counted the corrected labels. Counts
 * never go below zero (state older than corrections moving the cluster cannot be trusted to hold
 * what is taken out). An hour cell already trimmed is left alone. Returns the negative items
 * added to the hour cell, which the caller adds to opinion_cluster_hours too.
 */
export function applyLabelDelta(m: ClusterMeta, d: LabelDelta): number {
  const s = m.stats;
  m.negative = Math.max(0, m.negative + d.negative);
  m.positive = Math.max(0, m.positive + d.positive);
  for (const kind of ['areas', 'signals'] as const)
    for (const [label, n] of Object.entries(d[kind])) {
      shift(s[kind], label, n);
      // As foldItem keeps them: a label's trigger words, if only an empty set, while items count it.
      const t = (s.triggers[label] ??= {});
      for (const [w, k] of Object.entries(d.triggers[label] ?? {})) shift(t, w, k);
      if (!Object.keys(t).length && !s.areas[label] && !s.signals[label]) delete s.triggers[label];
    }
  for (const [w, n] of Object.entries(d.negativeWords)) shift(s.negativeWords, w, n);
  const cell = s.hours[d.hour];
  if (!cell || !d.hourNegative) return 0;
  const was = cell[1];
  cell[1] = Math.min(cell[0], Math.max(0, was + d.hourNegative));
  return cell[1] - was;
}
