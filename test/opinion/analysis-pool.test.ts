/**
 * The analysis pool: worker threads give the very analysis the main thread gives, a new
 * configuration (a removed local term) takes effect in new threads, and when threads cannot
 * start the pipeline analyses in the main thread instead. No database needed.
 */
import path from 'node:path';
import { createLogger } from '../../src/shared/logger.js';
import { compileLexicons, loadShippedLexicons, segmenterWords } from '../../src/opinion/analysis/lexicon.js';
import { addWords } from '../../src/text/segment.js';
import {
  InThreadAnalyser,
  failed,
  piecesOf,
  type AnalysisConfig,
  type AnalysisResult,
} from '../../src/opinion/pipeline/analyser.js';
import { PoolAnalyser } from '../../src/opinion/pipeline/analysis-pool.js';
import type { ItemAnalysis } from '../../src/opinion/analysis/analyse.js';
import type { ClaimedItem } from '../../src/opinion/pipeline/sql.js';

const LONG = 180_000;

const logger = createLogger('silent');
const lexicons = compileLexicons(loadShippedLexicons());
const config = (localTerms: string[] = []): AnalysisConfig => ({
  lexicons,
  schemes: [
    {
      id: 4,
      name: '化工',
      regionWords: [],
      subjectWords: ['化工厂'],
      mustWords: [],
      excludeWords: [],
      channels: [],
      sources: [],
      repost: 'any',
      dutyDepartmentId: null,
    } as never,
  ],
  knownPlaces: new Set(localTerms),
  localTerms,
});

const TEXTS = [
  '桃花岭村化工厂发生爆炸，已造成3人死亡、5人受伤',
  '城南实验小学学位不足，孩子被调剂到外区学校，家长非常不满',
  '长者食堂开业，老人吃饭方便了，点赞',
  '转发微博 //@网友: 县人民医院急诊排队四个小时还没看上病',
];
const items: ClaimedItem[] = Array.from({ length: 40 }, (_, i) => ({
  id: i + 1,
  published_at: new Date(Date.UTC(2026, 5, 1, 8, i)),
  source: 'test',
  channel: i % 2 ? 'weibo' : 'news',
  title: i % 5 === 0 ? '本地新闻' : '',
  content: `${TEXTS[i % TEXTS.length]}（${i}）`,
  author: `u${i}`,
  metrics: null,
  is_repost: null,
}));

const ok = (r: AnalysisResult | undefined): ItemAnalysis => {
  if (!r || failed(r)) throw new Error(`analysis failed: ${JSON.stringify(r)}`);
  return r;
};
const words = (r: AnalysisResult | undefined) => ok(r).terms.map((t) => t.word);

let pool: PoolAnalyser | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
}, LONG);

it(
  'analyses on worker threads exactly as the main thread does, results in item order',
  async () => {
    const local = ['桃花岭村'];
    pool = new PoolAnalyser({ threads: 2, logger });
    await pool.configure(config(local));
    expect(pool.pooled).toBe(true);
    expect(pool.threads).toBe(2);
    const pooled = await pool.analyse(items);
    // Piece by piece (a batch folds its first pieces while later ones are analysed): the same.
    const pieces = await Promise.all(pool.analysePieces(items));
    expect(pieces.map((p) => p.length)).toEqual(piecesOf(items).map((p) => p.length));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.flat().map((r) => ok(r).text)).toEqual(pooled.map((r) => ok(r).text));
    // The main thread's segmenter gets the same words, as loadLexicons and loadLocalTerms give it.
    addWords(segmenterWords(lexicons.lexicons));
    addWords(local);
    const inThread = new InThreadAnalyser();
    await inThread.configure(config(local));
    const here = await inThread.analyse(items);
    expect(pooled).toHaveLength(items.length);
    pooled.forEach((r, i) => {
      const a = ok(r);
      const b = ok(here[i]);
      expect(a.text).toBe(b.text);
      expect(a.terms).toEqual(b.terms);
      expect([...a.vector]).toEqual([...b.vector]);
      expect([...a.minhash]).toEqual([...b.minhash]);
      expect(a.classification).toEqual(b.classification);
      expect(a.schemeIds).toEqual(b.schemeIds);
      expect(a.places).toEqual(b.places);
    });
    expect(ok(pooled[0]).schemeIds).toEqual([4]);
    expect(ok(pooled[0]).signal).toBe('灾害事故');
  },
  LONG,
);

it(
  'a removed local term is gone once the pool is configured again, without a restart',
  async () => {
    pool = new PoolAnalyser({ threads: 1, logger });
    await pool.configure(config(['桃花岭村']));
    expect(words((await pool.analyse([items[0]!]))[0])).toContain('桃花岭村');
    await pool.configure(config([]));
    expect(pool.pooled).toBe(true);
    expect(words((await pool.analyse([items[0]!]))[0])).not.toContain('桃花岭村');
  },
  LONG,
);

it(
  'falls back to analysis in the main thread when the threads cannot start',
  async () => {
    pool = new PoolAnalyser({
      threads: 2,
      logger,
      workerFile: path.join(import.meta.dirname, 'no-such-worker.js'),
    });
    await pool.configure(config());
    expect(pool.pooled).toBe(false);
    expect(pool.threads).toBe(1);
    const r = await pool.analyse(items.slice(0, 3));
    expect(r.map((x) => ok(x).signal)).toEqual(['灾害事故', null, null]);
  },
  LONG,
);

it('shutdown does not wait for threads that are still starting: the batch analyses in this thread', async () => {
  pool = new PoolAnalyser({
    threads: 1,
    logger,
    workerFile: path.join(import.meta.dirname, '../fixtures/workers/never-starts.mjs'),
  });
  let settled = false;
  const configuring = pool.configure(config()).then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 200));
  expect(settled).toBe(false); // still waiting for the thread (it would wait a minute)
  pool.abandonStart();
  await configuring;
  expect(pool.pooled).toBe(false);
  expect(ok((await pool.analyse([items[0]!]))[0]).schemeIds).toEqual([4]);
}, 10_000);

it('a pool abandoned while starting is destroyed once and starts no thread again', async () => {
  let created = 0;
  pool = new PoolAnalyser({
    threads: 1,
    logger,
    workerFile: path.join(import.meta.dirname, '../fixtures/workers/never-starts.mjs'),
    onPool: (p) => p.on('workerCreate', () => created++),
  });
  const configuring = pool.configure(config());
  await new Promise((r) => setTimeout(r, 200));
  pool.abandonStart();
  await configuring;
  await pool.close();
  // A second destroy() while the first waits makes piscina replace the exiting thread.
  await new Promise((r) => setTimeout(r, 1000));
  expect(created).toBe(1);
}, 10_000);
