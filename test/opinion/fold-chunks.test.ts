/**
 * Folding a batch chunk by chunk as its analyses stream in (pipeline.ts) gives the very result of
 * folding the whole batch at once, whatever order the analyses arrive in; and a chunk is folded
 * while later chunks are still being analysed.
 */
import type { ItemAnalysis } from '../../src/opinion/analysis/analyse.js';
import { compileLexicons, loadShippedLexicons } from '../../src/opinion/analysis/lexicon.js';
import { DEFAULT_RULES } from '../../src/opinion/analysis/rules.js';
import { InThreadAnalyser, failed, piecesOf } from '../../src/opinion/pipeline/analyser.js';
import { foldBatch, type FoldedBatch } from '../../src/opinion/pipeline/fold.js';
import { foldInChunks } from '../../src/opinion/pipeline/fold-chunks.js';
import type { ClaimedItem } from '../../src/opinion/pipeline/sql.js';
import { ClusterMemory } from '../../src/opinion/pipeline/state.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const T0 = Date.UTC(2026, 5, 1, 8);
const TEXTS = [
  '桃花岭村化工厂发生爆炸，已造成3人死亡、5人受伤',
  '城南实验小学学位不足，孩子被调剂到外区学校，家长非常不满',
  '长者食堂开业，老人吃饭方便了，点赞',
  '转发微博 //@网友: 县人民医院急诊排队四个小时还没看上病',
  '河西街道工地噪音扰民到半夜，投诉没人管',
];
// 75 items over three hours: reposts, repeat authors and one cluster-hour spread over chunks.
const items: ClaimedItem[] = Array.from({ length: 75 }, (_, i) => ({
  id: 1000 + i,
  published_at: new Date(T0 + i * 137_000),
  source: 'test',
  channel: i % 3 ? 'weibo' : 'news',
  title: '',
  content:
    i % 4 === 3
      ? `转发微博 //@u${i - 1}: ${TEXTS[(i - 1) % TEXTS.length]}`
      : `${TEXTS[i % TEXTS.length]}（${i % 7}）`,
  author: `u${i % 11}`,
  metrics: null,
  is_repost: null,
}));
// A policy "named" by the school posts, so named policies are merged across chunks too.
const named = (text: string) => (text.includes('学校') ? [7] : []);

let db: TestDatabase;
let analyses: Map<number, ItemAnalysis>;
beforeAll(async () => {
  db = await createTestDatabase();
  const analyser = new InThreadAnalyser();
  await analyser.configure({
    lexicons: compileLexicons(loadShippedLexicons()),
    schemes: [],
    knownPlaces: new Set(),
    localTerms: [],
  });
  const results = await analyser.analyse(items);
  analyses = new Map();
  results.forEach((r, i) => {
    if (failed(r)) throw new Error(r.error);
    analyses.set(items[i]!.id, r);
  });
});
afterAll(() => db.drop());

async function memory(): Promise<ClusterMemory> {
  const mem = await ClusterMemory.load(db.db, T0, DEFAULT_RULES);
  await db.db.transaction().execute((trx) => mem.reserveIds(trx, items.length));
  return mem;
}

/** The batch with cluster ids renumbered in order of first use (each memory reserves its own). */
function canonical(b: FoldedBatch) {
  const ids = new Map<number, number>();
  const id = (c: number | null) => (c === null ? null : (ids.get(c) ?? ids.set(c, ids.size).get(c)!));
  const itemRows = b.itemRows.map((r) => ({ ...r, clusterId: id(r.clusterId) }));
  return {
    itemRows,
    touched: [...b.touched]
      .map((m) => ({ ...m, id: id(m.id), authors: [...m.authors].sort() }))
      .sort((x, y) => x.id! - y.id!),
    newAuthors: b.newAuthors.map((a) => ({ ...a, clusterId: id(a.clusterId) })),
    hours: b.hours
      .map((h) => ({ ...h, clusterId: id(h.clusterId) }))
      .sort((x, y) => x.clusterId! - y.clusterId! || x.hour.getTime() - y.hour.getTime()),
    namedPolicies: [...b.namedPolicies].map(([c, s]) => [id(c), [...s].sort()]).sort(),
  };
}

it('gives what folding the whole batch gives, with analyses arriving in any order', async () => {
  const whole = await memory();
  const expected = foldBatch(items, analyses, whole, named, T0 + 4 * 3600_000, DEFAULT_RULES);

  const streamed = await memory();
  const chunks = piecesOf(items, 10);
  // Later chunks' analyses arrive first: chunk k after (chunks - k) turns of the event loop.
  const ready = chunks.map(
    (chunk, k) =>
      new Promise<Map<number, ItemAnalysis>>((resolve) => {
        let turns = chunks.length - k;
        const tick = () =>
          --turns > 0
            ? setImmediate(tick)
            : resolve(new Map(chunk.map((it) => [it.id, analyses.get(it.id)!])));
        setImmediate(tick);
      }),
  );
  const marks: string[] = [];
  const got = await foldInChunks(
    items,
    (chunk) => ready[chunks.findIndex((c) => c[0]!.id === chunk[0]!.id)]!,
    (chunk, a) => foldBatch(chunk, a, streamed, named, T0 + 4 * 3600_000, DEFAULT_RULES),
    { chunk: 10, sliceMs: 0, mark: (stage) => marks.push(stage) },
  );

  expect(canonical(got)).toEqual(canonical(expected));
  expect(expected.hours.length).toBeGreaterThan(1);
  expect(expected.newAuthors.length).toBeGreaterThan(1);
  expect(expected.itemRows.some((r) => r.duplicateOf !== null)).toBe(true);
  expect(marks).toEqual(chunks.flatMap(() => ['analyse', 'fold']));
});

it('folds a chunk without waiting for the analyses of later chunks', async () => {
  const mem = await memory();
  let folded = 0;
  let release: () => void = () => undefined;
  const firstFolded = new Promise<void>((resolve) => (release = resolve));
  const seen: number[] = [];
  await foldInChunks(
    items.slice(0, 40),
    async (chunk) => {
      // The second chunk's analyses come only once the first chunk has been folded.
      if (chunk[0]!.id !== items[0]!.id) await firstFolded;
      seen.push(folded);
      return new Map(chunk.map((it) => [it.id, analyses.get(it.id)!]));
    },
    (chunk, a) => {
      const f = foldBatch(chunk, a, mem, named, T0, DEFAULT_RULES);
      folded += chunk.length;
      release();
      return f;
    },
    { chunk: 20 },
  );
  expect(seen).toEqual([0, 20]);
});
