/**
 * Scores the opinion analysis on the in-domain labeled set (test/fixtures/opinion-eval/set.json):
 * sentiment P/R/F1 per label, 民生 areas, top 突发 signal, near-duplicate pairs and story
 * clustering (purity, B³), each next to a naive baseline. Used by `npm run eval:opinion` and by
 * test/opinion/eval.test.ts, which asserts minimum figures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyseItem, type ItemAnalysis } from '../../src/opinion/analysis/analyse.js';
import { compileLexicons, loadShippedLexicons, segmenterWords } from '../../src/opinion/analysis/lexicon.js';
import { ClusterIndex } from '../../src/opinion/analysis/cluster.js';
import { DuplicateIndex } from '../../src/opinion/analysis/minhash.js';
import { DEFAULT_RULES } from '../../src/opinion/analysis/rules.js';
import { applyAssignment, decideCluster, type DupRef } from '../../src/opinion/pipeline/assign.js';
import { addWords } from '../../src/text/segment.js';
import type { EvalItem, EvalPair } from './build-set.js';

export const SET_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test/fixtures/opinion-eval/set.json',
);

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision: r3(precision), recall: r3(recall), f1: r3(f1), support: tp + fn };
}
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function labelPrf<T>(gold: T[], pred: T[], label: T): Prf {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  gold.forEach((g, i) => {
    const p = pred[i];
    if (p === label && g === label) tp++;
    else if (p === label) fp++;
    else if (g === label) fn++;
  });
  return prf(tp, fp, fn);
}

// ---- naive baselines: what a word list or a bigram overlap gets on the same items ----
const NAIVE_NEG = [
  '差',
  '不好',
  '垃圾',
  '失望',
  '生气',
  '愤怒',
  '投诉',
  '难吃',
  '慢',
  '脏',
  '贵',
  '坑',
  '骗',
  '烂',
  '讨厌',
  '恶心',
  '糟糕',
  '无语',
  '不满',
  '难过',
  '伤心',
  '烦',
  '死',
  '哭',
  '怕',
  '没人管',
  '问题',
];
const NAIVE_POS = ['好', '满意', '感谢', '谢谢', '点赞', '赞', '喜欢', '开心', '不错', '方便', '推荐'];
export function naiveSentiment(text: string): 'negative' | 'neutral' | 'positive' {
  if (NAIVE_NEG.some((w) => text.includes(w))) return 'negative';
  if (NAIVE_POS.some((w) => text.includes(w))) return 'positive';
  return 'neutral';
}
const NAIVE_AREA: Record<string, string[]> = {
  就学: ['学校', '学生', '孩子'],
  就医: ['医院', '医生', '看病'],
  住房保障: ['房', '物业'],
  安全生产: ['安全', '工地'],
  防灾减灾救灾: ['灾', '暴雨'],
  食品药品安全: ['食品', '吃'],
  养老服务: ['老人', '养老'],
  征收补偿: ['拆迁', '补偿'],
  环境保护: ['污染', '环保'],
};
const NAIVE_SIGNAL: [string, string[]][] = [
  ['灾害事故', ['火', '爆炸', '车祸', '地震', '事故']],
  ['公共卫生', ['中毒', '疫情']],
  ['社会安全', ['刀', '杀', '袭击']],
];
function naiveSignal(text: string): string | null {
  for (const [s, words] of NAIVE_SIGNAL) if (words.some((w) => text.includes(w))) return s;
  return null;
}
function bigrams(t: string): Set<string> {
  const s = new Set<string>();
  const clean = t.replace(/[\s\p{P}\p{S}]/gu, '');
  for (let i = 0; i + 1 < clean.length; i++) s.add(clean.slice(i, i + 2));
  return s;
}
function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union ? inter / union : 0;
}

// ---- clustering scores ----
export function bcubed(gold: string[], pred: string[]): { precision: number; recall: number; f1: number } {
  const byGold = new Map<string, number[]>();
  const byPred = new Map<string, number[]>();
  gold.forEach((g, i) => byGold.set(g, [...(byGold.get(g) ?? []), i]));
  pred.forEach((p, i) => byPred.set(p, [...(byPred.get(p) ?? []), i]));
  let p = 0;
  let r = 0;
  for (let i = 0; i < gold.length; i++) {
    const sameP = byPred.get(pred[i]!)!;
    const sameG = byGold.get(gold[i]!)!;
    const both = sameP.filter((j) => gold[j] === gold[i]).length;
    p += both / sameP.length;
    r += both / sameG.length;
  }
  p /= gold.length || 1;
  r /= gold.length || 1;
  return { precision: r3(p), recall: r3(r), f1: r3(p + r ? (2 * p * r) / (p + r) : 0) };
}
/** EVAL_DEBUG=1: the predicted clusters that mix gold stories, with their texts. */
function printMixed(gold: string[], pred: string[], items: readonly EvalItem[]): void {
  const groups = new Map<string, string[]>();
  pred.forEach((p, k) => groups.set(p, [...(groups.get(p) ?? []), `${gold[k]} ${items[k]!.text}`]));
  for (const g of groups.values())
    if (new Set(g.map((x) => x.split(' ')[0])).size > 1) console.log(g.join('\n  '), '\n');
}

/** EVAL_DEBUG=1: the gold stories spread over several predicted clusters, by cluster. */
function printSplit(gold: string[], pred: string[], items: readonly EvalItem[]): void {
  const groups = new Map<string, Map<string, string[]>>();
  gold.forEach((g, k) => {
    const byPred = groups.get(g) ?? new Map<string, string[]>();
    byPred.set(pred[k]!, [...(byPred.get(pred[k]!) ?? []), items[k]!.text]);
    groups.set(g, byPred);
  });
  for (const [g, byPred] of groups)
    if (byPred.size > 1)
      console.log(`split ${g}:\n  ${[...byPred.values()].map((t) => t.join(' | ')).join('\n  ')}\n`);
}

/**
 * Alerts as the pipeline raises them: a cluster's alert belongs to the story of its first item.
 * `lost`: stories that start no cluster (their alert was someone else's); `extra`: clusters
 * beyond one per story (a second alert for one incident).
 */
function alertsOf(gold: string[], pred: string[], at: number[]): { lost: number; extra: number } {
  const first = new Map<string, number>();
  pred.forEach((p, i) => {
    const j = first.get(p);
    if (j === undefined || at[i]! < at[j]!) first.set(p, i);
  });
  const owners = new Set([...first.values()].map((i) => gold[i]!));
  return { lost: new Set(gold).size - owners.size, extra: first.size - owners.size };
}

/** Gold stories with an item in a predicted cluster that holds another story's item: events lost in another. */
function storiesMerged(gold: string[], pred: string[]): number {
  const storiesOf = new Map<string, Set<string>>();
  pred.forEach((p, i) => storiesOf.set(p, (storiesOf.get(p) ?? new Set()).add(gold[i]!)));
  const merged = new Set<string>();
  for (const stories of storiesOf.values()) if (stories.size > 1) for (const g of stories) merged.add(g);
  return merged.size;
}

function purity(gold: string[], pred: string[]): number {
  const byPred = new Map<string, Map<string, number>>();
  pred.forEach((p, i) => {
    const m = byPred.get(p) ?? new Map<string, number>();
    m.set(gold[i]!, (m.get(gold[i]!) ?? 0) + 1);
    byPred.set(p, m);
  });
  let right = 0;
  for (const m of byPred.values()) right += Math.max(...m.values());
  return r3(right / (gold.length || 1));
}

/** The pipeline's assignment (src/opinion/pipeline/assign.ts): copy → its cluster, else nearest centroid. */
function clusterAll(list: { item: EvalItem; a: ItemAnalysis }[]): string[] {
  const H = 3600_000;
  const clusters = new ClusterIndex({
    threshold: DEFAULT_RULES.cluster.threshold,
    windowMs: DEFAULT_RULES.cluster.windowHours * H,
    maxTerms: 60,
  });
  const dups = new DuplicateIndex<DupRef>(
    DEFAULT_RULES.dedup.minSimilarity,
    DEFAULT_RULES.dedup.windowHours * H,
  );
  let next = 1;
  const order = list.map((_, i) => i).sort((x, y) => list[x]!.item.at - list[y]!.item.at);
  const assigned = new Array<string>(list.length);
  for (const i of order) {
    const { item, a } = list[i]!;
    const at = item.at * 60_000;
    const d = decideCluster(a, at, clusters, dups, () => true);
    assigned[i] = String(applyAssignment(d, i, a, at, clusters, dups, () => next++));
  }
  return assigned;
}

/** Near-duplicate lookup with the item's own minimum similarity, as the pipeline does it. */
function dupLookup<T>(
  dups: DuplicateIndex<T>,
  a: ItemAnalysis,
  at: number,
): { ref: T; similarity: number } | null {
  return dups.nearest(a.minhash, at, a.dupThreshold, a.shingleCount);
}

export interface EvalReport {
  items: number;
  sentiment: Record<string, { ours: Prf; naive: Prf }>;
  areas: { ours: Prf; naive: Prf };
  signals: {
    accuracy: number;
    naiveAccuracy: number;
    falseAlarms: number;
    naiveFalseAlarms: number;
    perSignal: Record<string, { accuracy: number; naive: number; n: number }>;
    perKind: Record<string, number>;
  };
  nearDup: {
    accuracy: number;
    copiesMerged: number;
    differentApart: number;
    naive: { accuracy: number; copiesMerged: number; differentApart: number };
    perKind: Record<string, number>;
  };
  clustering: {
    stories: number;
    purity: number;
    bcubed: { precision: number; recall: number; f1: number };
    singletonsBaseline: { precision: number; recall: number; f1: number };
  };
  incidents: {
    incidents: number;
    purity: number;
    bcubed: { precision: number; recall: number; f1: number };
    /** Incidents with items in a cluster that also holds another incident's: alerts at risk. */
    merged: number;
    alerts: { lost: number; extra: number };
  };
  msPerItem: number;
}

export function evaluate(file = SET_FILE): EvalReport {
  const set = JSON.parse(readFileSync(file, 'utf8')) as { items: EvalItem[]; pairs: EvalPair[] };
  const shipped = loadShippedLexicons();
  addWords(segmenterWords(shipped));
  const lx = compileLexicons(shipped);
  const t0 = performance.now();
  const analysed = new Map<string, ItemAnalysis>();
  for (const it of set.items)
    analysed.set(it.id, analyseItem({ content: it.text, channel: it.channel, source: 'eval' }, lx));
  const msPerItem = (performance.now() - t0) / set.items.length;

  // Sentiment
  const sItems = set.items.filter((i) => i.sentiment);
  const gold = sItems.map((i) => i.sentiment!);
  const ours = sItems.map((i) => analysed.get(i.id)!.classification.sentiment.label);
  const naive = sItems.map((i) => naiveSentiment(i.text));
  const sentiment: EvalReport['sentiment'] = {};
  for (const l of ['negative', 'neutral', 'positive'] as const)
    sentiment[l] = { ours: labelPrf(gold, ours, l), naive: labelPrf(gold, naive, l) };

  // Areas (micro over item × area)
  const aItems = set.items.filter((i) => i.areas);
  const areaCounts = (predOf: (i: EvalItem) => string[]) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const i of aItems) {
      const p = new Set(predOf(i));
      for (const g of i.areas!)
        if (p.has(g)) tp++;
        else fn++;
      for (const x of p) if (!i.areas!.includes(x)) fp++;
    }
    return prf(tp, fp, fn);
  };
  const areas = {
    ours: areaCounts((i) => analysed.get(i.id)!.classification.areas.map((a) => a.label)),
    naive: areaCounts((i) =>
      Object.entries(NAIVE_AREA)
        .filter(([, w]) => w.some((x) => i.text.includes(x)))
        .map(([a]) => a),
    ),
  };

  // Signals
  const emergencies = set.items.filter((i) => i.signal);
  const calm = set.items.filter((i) => i.signal === null);
  const perSignal: EvalReport['signals']['perSignal'] = {};
  const perKind: Record<string, [number, number]> = {};
  let right = 0;
  let naiveRight = 0;
  for (const i of emergencies) {
    const ok = analysed.get(i.id)!.signal === i.signal;
    const nok = naiveSignal(i.text) === i.signal;
    right += ok ? 1 : 0;
    naiveRight += nok ? 1 : 0;
    const s = (perSignal[i.signal!] ??= { accuracy: 0, naive: 0, n: 0 });
    s.n++;
    s.accuracy += ok ? 1 : 0;
    s.naive += nok ? 1 : 0;
    const k = (perKind[i.kind] ??= [0, 0]);
    k[0] += ok ? 1 : 0;
    k[1]++;
  }
  for (const s of Object.values(perSignal)) {
    s.accuracy = r3(s.accuracy / s.n);
    s.naive = r3(s.naive / s.n);
  }
  const falseAlarms = calm.filter((i) => analysed.get(i.id)!.signal !== null).length;
  const naiveFalseAlarms = calm.filter((i) => naiveSignal(i.text) !== null).length;

  // Near-duplicate pairs
  const byId = new Map(set.items.map((i) => [i.id, i]));
  let dupRight = 0;
  let naiveDupRight = 0;
  let copies = 0;
  let copiesMerged = 0;
  let naiveCopiesMerged = 0;
  let different = 0;
  let apart = 0;
  let naiveApart = 0;
  const pk: Record<string, [number, number]> = {};
  for (const p of set.pairs) {
    const a = analysed.get(p.a)!;
    const b = analysed.get(p.b)!;
    const idx = new DuplicateIndex<string>(DEFAULT_RULES.dedup.minSimilarity, 3600_000);
    idx.add(p.a, a.minhash, 0, a.dupThreshold, a.shingleCount);
    const merged = dupLookup(idx, b, 1) !== null;
    const naiveMerged = jaccard(bigrams(byId.get(p.a)!.text), bigrams(byId.get(p.b)!.text)) >= 0.6;
    dupRight += merged === p.duplicate ? 1 : 0;
    naiveDupRight += naiveMerged === p.duplicate ? 1 : 0;
    const k = (pk[p.kind] ??= [0, 0]);
    k[0] += merged === p.duplicate ? 1 : 0;
    k[1]++;
    if (p.duplicate) {
      copies++;
      copiesMerged += merged ? 1 : 0;
      naiveCopiesMerged += naiveMerged ? 1 : 0;
    } else {
      different++;
      apart += merged ? 0 : 1;
      naiveApart += naiveMerged ? 0 : 1;
    }
  }

  // Story clustering: multi-post stories plus single posts that belong to no story
  const cItems = set.items.filter((i) => i.story && !i.story.startsWith('incident-'));
  const pred = clusterAll(cItems.map((item) => ({ item, a: analysed.get(item.id)! })));
  const goldStories = cItems.map((i) => i.story!);
  if (process.env.EVAL_DEBUG) printMixed(goldStories, pred, cItems);

  // National incidents: one kind in several regions at once, clustered on their own.
  const incItems = set.items.filter((i) => i.story?.startsWith('incident-'));
  const incPred = clusterAll(incItems.map((item) => ({ item, a: analysed.get(item.id)! })));
  const incGold = incItems.map((i) => i.story!);
  if (process.env.EVAL_DEBUG) {
    printMixed(incGold, incPred, incItems);
    printSplit(incGold, incPred, incItems);
  }

  return {
    items: set.items.length,
    sentiment,
    areas,
    signals: {
      accuracy: r3(right / emergencies.length),
      naiveAccuracy: r3(naiveRight / emergencies.length),
      falseAlarms: r3(falseAlarms / calm.length),
      naiveFalseAlarms: r3(naiveFalseAlarms / calm.length),
      perSignal,
      perKind: Object.fromEntries(Object.entries(perKind).map(([k, [a, n]]) => [k, r3(a / n)])),
    },
    nearDup: {
      accuracy: r3(dupRight / set.pairs.length),
      copiesMerged: r3(copiesMerged / copies),
      differentApart: r3(apart / different),
      naive: {
        accuracy: r3(naiveDupRight / set.pairs.length),
        copiesMerged: r3(naiveCopiesMerged / copies),
        differentApart: r3(naiveApart / different),
      },
      perKind: Object.fromEntries(Object.entries(pk).map(([k, [a, n]]) => [k, r3(a / n)])),
    },
    clustering: {
      stories: new Set(goldStories.filter((s) => s.startsWith('story-'))).size,
      purity: purity(goldStories, pred),
      bcubed: bcubed(goldStories, pred),
      singletonsBaseline: bcubed(
        goldStories,
        cItems.map((i) => i.id),
      ),
    },
    incidents: {
      incidents: new Set(incGold).size,
      purity: purity(incGold, incPred),
      bcubed: bcubed(incGold, incPred),
      merged: storiesMerged(incGold, incPred),
      alerts: alertsOf(
        incGold,
        incPred,
        incItems.map((i) => i.at),
      ),
    },
    msPerItem: Math.round(msPerItem * 1000) / 1000,
  };
}

export function formatReport(r: EvalReport): string {
  const f = (p: Prf) => `P ${p.precision.toFixed(3)}  R ${p.recall.toFixed(3)}  F1 ${p.f1.toFixed(3)}`;
  const lines = [
    `opinion analysis on ${r.items} hand-written items (${r.msPerItem} ms/item)`,
    '',
    'sentiment',
  ];
  for (const [l, v] of Object.entries(r.sentiment))
    lines.push(
      `  ${l.padEnd(9)} ours  ${f(v.ours)}  (n=${v.ours.support})`,
      `  ${''.padEnd(9)} naive ${f(v.naive)}`,
    );
  lines.push('民生 areas (micro)', `  ours  ${f(r.areas.ours)}`, `  naive ${f(r.areas.naive)}`);
  lines.push(
    '突发 signals (top signal right on emergency items)',
    `  ours ${r.signals.accuracy}  naive ${r.signals.naiveAccuracy}   false alarms on calm items: ours ${r.signals.falseAlarms}  naive ${r.signals.naiveFalseAlarms}`,
  );
  for (const [s, v] of Object.entries(r.signals.perSignal))
    lines.push(`  ${s}: ours ${v.accuracy}  naive ${v.naive}  (n=${v.n})`);
  lines.push(
    `  per kind: ${Object.entries(r.signals.perKind)
      .map(([k, v]) => `${k.replace('emergency-', '')} ${v}`)
      .join(', ')}`,
  );
  lines.push(
    'near-duplicate pairs',
    `  ours  accuracy ${r.nearDup.accuracy}  copies merged ${r.nearDup.copiesMerged}  different kept apart ${r.nearDup.differentApart}`,
    `  naive accuracy ${r.nearDup.naive.accuracy}  copies merged ${r.nearDup.naive.copiesMerged}  different kept apart ${r.nearDup.naive.differentApart} (char-bigram Jaccard ≥ 0.6)`,
    `  per kind: ${Object.entries(r.nearDup.perKind)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  const b = r.clustering.bcubed;
  const s = r.clustering.singletonsBaseline;
  lines.push(
    `story clustering (${r.clustering.stories} multi-post stories + single posts)`,
    `  ours  purity ${r.clustering.purity}  B³ P ${b.precision} R ${b.recall} F ${b.f1}`,
    `  naive (every post alone)  B³ P ${s.precision} R ${s.recall} F ${s.f1}`,
  );
  const inc = r.incidents;
  lines.push(
    `national incidents (${inc.incidents}: one kind in three regions at once, named at different grains, with placeless local reports and follow-ups)`,
    `  ours  purity ${inc.purity}  B³ P ${inc.bcubed.precision} R ${inc.bcubed.recall} F ${inc.bcubed.f1}  incidents merged into another: ${inc.merged}`,
    `  alerts: incidents with no alert of their own ${inc.alerts.lost}, second alerts for one incident ${inc.alerts.extra}`,
  );
  return lines.join('\n');
}
