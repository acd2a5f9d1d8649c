import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Logger } from '../../shared/logger.js';
import {
  InThreadAnalyser,
  piecesOf,
  type Analyser,
  type AnalysisConfig,
  type AnalysisResult,
} from './analyser.js';
import type { WorkerConfig } from './analysis-worker.js';
import type { ClaimedItem } from './sql.js';

const HERE = fileURLToPath(import.meta.url);
/**
 * The worker module next to this one: compiled JavaScript in production (dist/), TypeScript in
 * development and tests, loaded through tsx's loader (a thread does not inherit the parent's).
 */
const DEFAULT_WORKER = HERE.replace(/analysis-pool\.(ts|js)$/, 'analysis-worker.$1');

/** A thread must load jieba (≈0.7 s) and answer one item within this, or the pool is not used. */
const START_TIMEOUT_MS = 60_000;

const WARM_UP: ClaimedItem = {
  id: 0,
  published_at: new Date(0),
  source: 'warm-up',
  channel: 'weibo',
  title: '',
  content: '青石镇化工厂发生爆炸，已造成2人受伤',
  author: '',
  metrics: null,
  is_repost: null,
};

export interface PoolOptions {
  threads: number;
  logger: Logger;
  /** Another worker module (tests: one that cannot start). */
  workerFile?: string;
  /** Called with each pool as it is created (tests count the threads it starts). */
  onPool?: (pool: Piscina) => void;
}

/**
 * Analysis on a pool of worker threads (piscina): normalisation, segmentation, classification,
 * MinHash and scheme matching leave the event loop, which keeps serving pages, sockets and
 * timers during a flood. Each configuration starts a new pool (new jieba dictionaries); the old
 * one finishes what it has and closes. When threads cannot start or fail, items are analysed in
 * this thread instead, so the pipeline never stops for want of workers.
 */
export class PoolAnalyser implements Analyser {
  private pool: Piscina | null = null;
  /** A pool loading its dictionaries (seconds under load); shutdown must not wait for it. */
  private starting: Piscina | null = null;
  private readonly inThread = new InThreadAnalyser();
  private generation = 0;
  /** Pools already destroyed: a second destroy() while the first waits makes piscina start threads again. */
  private readonly retired = new WeakSet<Piscina>();

  constructor(private readonly opts: PoolOptions) {}

  get threads(): number {
    return this.pool ? this.opts.threads : this.inThread.threads;
  }

  /** Whether worker threads are in use (false: degraded to in-thread analysis). */
  get pooled(): boolean {
    return this.pool !== null;
  }

  async configure(config: AnalysisConfig): Promise<void> {
    await this.inThread.configure(config);
    const generation = ++this.generation;
    const data: WorkerConfig = {
      lexicons: config.lexicons.lexicons,
      schemes: config.schemes,
      knownPlaces: [...config.knownPlaces],
      localTerms: config.localTerms,
    };
    const file = this.opts.workerFile ?? DEFAULT_WORKER;
    const next = new Piscina({
      filename: file,
      workerData: data,
      minThreads: this.opts.threads,
      maxThreads: this.opts.threads,
      idleTimeout: Infinity,
      execArgv: file.endsWith('.ts') ? ['--import', 'tsx'] : [],
    });
    next.on('error', (err: unknown) => this.opts.logger.warn({ err }, 'opinion analysis thread failed'));
    this.opts.onPool?.(next);
    this.starting = next;
    try {
      await Promise.all(
        Array.from({ length: this.opts.threads }, () =>
          withTimeout(next.run([WARM_UP]) as Promise<AnalysisResult[]>, START_TIMEOUT_MS),
        ),
      );
    } catch (err) {
      this.retire(next);
      if (generation !== this.generation) return;
      this.opts.logger.warn({ err }, 'opinion analysis threads did not start: analysing in the main thread');
      await this.swap(null);
      return;
    } finally {
      if (this.starting === next) this.starting = null;
    }
    if (generation !== this.generation) {
      this.retire(next);
      return;
    }
    await this.swap(next);
  }

  private async swap(next: Piscina | null): Promise<void> {
    const old = this.pool;
    this.pool = next;
    // In-flight pieces on the old pool finish before its threads go.
    if (old) await old.close().catch(() => undefined);
  }

  async analyse(items: readonly ClaimedItem[]): Promise<AnalysisResult[]> {
    return (await Promise.all(this.analysePieces(items))).flat();
  }

  /** Small pieces, queued at once: the threads take them in order, each answered on its own. */
  analysePieces(items: readonly ClaimedItem[]): Promise<AnalysisResult[]>[] {
    const pool = this.pool;
    if (!pool) return this.inThread.analysePieces(items);
    return piecesOf(items).map(async (piece) => {
      try {
        return (await pool.run(piece)) as AnalysisResult[];
      } catch (err) {
        this.opts.logger.warn({ err }, 'opinion analysis thread failed: piece analysed in the main thread');
        return this.inThread.analyse(piece);
      }
    });
  }

  async close(): Promise<void> {
    this.abandonStart();
    await this.swap(null);
  }

  abandonStart(): void {
    this.generation++;
    const starting = this.starting;
    this.starting = null;
    if (starting) this.retire(starting);
  }

  /** Destroys a pool once, without waiting: a thread still loading jieba must not hold up shutdown. */
  private retire(pool: Piscina): void {
    if (this.retired.has(pool)) return;
    this.retired.add(pool);
    pool
      .destroy()
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'opinion analysis threads did not stop'));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
