/**
 * 人工研判 moves the item's cluster: the arithmetic, without a database. A corrected item must
 * leave its cluster as if the analysis had given the corrected labels in the first place.
 */
import type { ItemAnalysis } from '../../src/opinion/analysis/analyse.js';
import type { SentimentLabel } from '../../src/opinion/analysis/classify.js';
import { noCasualties } from '../../src/opinion/analysis/casualties.js';
import { DEFAULT_RULES } from '../../src/opinion/analysis/rules.js';
import {
  applyLabelDelta,
  correctedLabels,
  evidenceOf,
  labelDelta,
  sameLabels,
  type CountedLabels,
  type LabelAdjustment,
} from '../../src/opinion/cluster-adjust.js';
import { deriveEvent, foldItem, newMeta, type ClusterMeta } from '../../src/opinion/cluster-state.js';

const T0 = Date.UTC(2026, 5, 1, 8);

interface Hits {
  sentiment: SentimentLabel;
  areas?: Record<string, string[]>;
  signals?: Record<string, string[]>;
  /** Sentiment trigger words and their values. */
  words?: Record<string, number>;
}

function analysis(h: Hits): ItemAnalysis {
  const hits = (r: Record<string, string[]> = {}) =>
    Object.entries(r).map(([label, triggers]) => ({ label, score: 1, triggers }));
  const signals = hits(h.signals);
  return {
    classification: {
      areas: hits(h.areas),
      signals,
      casualties: noCasualties(),
      sentiment: {
        label: h.sentiment,
        score: 0,
        triggers: Object.entries(h.words ?? {}).map(([word, value]) => ({
          word,
          value,
          polarity: value < 0 ? -1 : 1,
        })),
      },
      context: { school: false, hazardous: false },
    },
    signal: signals[0]?.label ?? null,
    schemeIds: [],
    places: [],
  } as unknown as ItemAnalysis;
}

/** A cluster of items folded at T0 + k minutes. */
function cluster(items: Hits[]): ClusterMeta {
  const m = newMeta(1, T0, T0);
  items.forEach((h, k) =>
    foldItem(
      m,
      analysis(h),
      {
        at: T0 + k * 60_000,
        author: `u${k}`,
        channel: 'weibo',
        title: '',
        content: `帖子${k}`,
        metrics: null,
        duplicate: false,
      },
      T0,
      DEFAULT_RULES,
    ),
  );
  return m;
}

function labelsOf(h: Hits): CountedLabels {
  return {
    sentiment: h.sentiment,
    areas: Object.keys(h.areas ?? {}),
    signals: Object.keys(h.signals ?? {}),
  };
}

/** The labels (stored as fold.ts stores them) the analysis gave `h`, as the correction reads them. */
function stored(h: Hits) {
  const a = analysis(h).classification;
  return { areas: a.areas, signals: a.signals, sentiment: a.sentiment };
}

/** What the analysis would have said had it given the corrected labels, trigger words kept. */
function asCorrected(h: Hits, to: CountedLabels): Hits {
  const keep = (labels: string[], r: Record<string, string[]> = {}) =>
    Object.fromEntries(labels.map((l) => [l, r[l] ?? []]));
  return {
    sentiment: to.sentiment ?? 'neutral',
    areas: keep(to.areas, h.areas),
    signals: keep(to.signals, h.signals),
    words: h.words,
  };
}

const adjustment = (h: Hits, before: CountedLabels, after: CountedLabels): LabelAdjustment => ({
  clusterId: 1,
  at: T0,
  before,
  after,
  evidence: evidenceOf(stored(h)),
});

const figures = (m: ClusterMeta) => {
  const d = deriveEvent(m, new Map(), T0 + 10 * 60_000, DEFAULT_RULES);
  return { negative: m.negative, positive: m.positive, stats: m.stats, derived: d };
};

const other: Hits = { sentiment: 'neutral', areas: { 住房保障: ['拥堵'] }, words: { 拥堵: -0.5 } };

describe('a correction moves its cluster by the difference', () => {
  const cases: { name: string; item: Hits; input: Parameters<typeof correctedLabels>[1] }[] = [
    {
      name: 'neutral → negative: counts, hour and negative words in',
      item: { sentiment: 'neutral', areas: { 食品药品安全: ['饭馆'] }, words: { 黑炭: -0.8, 好: 0.5 } },
      input: { sentiment: 'negative' },
    },
    {
      name: 'negative → positive: negative words out',
      item: { sentiment: 'negative', areas: { 住房保障: ['地铁'] }, words: { 挤: -1, 太差: -1 } },
      input: { sentiment: 'positive' },
    },
    {
      name: 'areas replaced: the dropped area takes its trigger words with it',
      item: { sentiment: 'negative', areas: { 住房保障: ['拥堵', '堵车'], 征收补偿: ['占道'] } },
      input: { areas: ['环境保护'] },
    },
    {
      name: 'an analyst names a 突发 signal the analysis missed',
      item: { sentiment: 'negative', areas: { 安全生产: ['工厂'] } },
      input: { signal: '公共卫生' },
    },
    {
      name: 'every signal the analysis found goes when the analyst says none',
      item: { sentiment: 'negative', signals: { 灾害事故: ['灾害事故'], 公共卫生: ['起火', '浓烟'] } },
      input: { signal: null },
    },
    {
      name: 'one signal kept of two: it keeps its trigger words',
      item: { sentiment: 'negative', signals: { 灾害事故: ['灾害事故'], 公共卫生: ['起火'] } },
      input: { signal: '公共卫生', sentiment: 'neutral', areas: [] },
    },
  ];
  it.each(cases)('$name', ({ item, input }) => {
    const before = labelsOf(item);
    const after = correctedLabels(before, input);
    const m = cluster([item, other]);
    applyLabelDelta(m, labelDelta(adjustment(item, before, after)));
    expect(figures(m)).toEqual(figures(cluster([asCorrected(item, after), other])));
  });

  it('a second correction moves from the first one’s labels, and back leaves the cluster as it was', () => {
    const item: Hits = { sentiment: 'neutral', areas: { 就学: ['学校'] }, signals: { 公共卫生: ['起火'] } };
    const m = cluster([item, other]);
    const original = structuredClone(figures(m));
    const a = labelsOf(item);
    const b = correctedLabels(a, { sentiment: 'negative', signal: null });
    const c = correctedLabels(b, { areas: ['就医'] });
    applyLabelDelta(m, labelDelta(adjustment(item, a, b)));
    applyLabelDelta(m, labelDelta(adjustment(item, b, c)));
    expect(figures(m)).toEqual(figures(cluster([asCorrected(item, c), other])));
    applyLabelDelta(m, labelDelta(adjustment(item, c, a)));
    expect(figures(m)).toEqual(original);
  });

  it('the event takes the corrected signal and negative share', () => {
    const calm: Hits = { sentiment: 'neutral', areas: { 安全生产: ['工厂'] } };
    const m = cluster([calm]);
    expect(deriveEvent(m, new Map(), T0, DEFAULT_RULES)).toMatchObject({
      negative_count: 0,
      emergency_signal: null,
    });
    const before = labelsOf(calm);
    applyLabelDelta(
      m,
      labelDelta(
        adjustment(calm, before, correctedLabels(before, { sentiment: 'negative', signal: '灾害事故' })),
      ),
    );
    const d = deriveEvent(m, new Map(), T0, DEFAULT_RULES);
    expect(d).toMatchObject({ negative_count: 1, emergency_signal: '灾害事故' });
    expect(d.analysis.hourly).toBeDefined();
    expect(m.stats.hours[String(T0)]).toEqual([1, 1]);
  });

  it('never counts below zero, and leaves a trimmed hour alone', () => {
    const m = newMeta(1, T0, T0);
    const before: CountedLabels = { sentiment: 'negative', areas: ['就学'], signals: ['公共卫生'] };
    const after: CountedLabels = { sentiment: 'neutral', areas: [], signals: [] };
    const moved = applyLabelDelta(
      m,
      labelDelta({
        clusterId: 1,
        at: T0,
        before,
        after,
        evidence: { triggers: { 就学: ['学校'] }, negativeWords: ['差'] },
      }),
    );
    expect(moved).toBe(0);
    expect(m.negative).toBe(0);
    expect(m.stats).toMatchObject({ areas: {}, signals: {}, triggers: {}, negativeWords: {}, hours: {} });
  });

  it('tells a correction that changes nothing', () => {
    const a: CountedLabels = { sentiment: 'negative', areas: ['就学', '住房保障'], signals: [] };
    expect(sameLabels(a, correctedLabels(a, { areas: ['住房保障', '就学'] }))).toBe(true);
    expect(sameLabels(a, correctedLabels(a, { signal: null }))).toBe(true);
    expect(sameLabels(a, correctedLabels(a, { sentiment: 'neutral' }))).toBe(false);
  });
});
