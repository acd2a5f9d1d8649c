import pg from 'pg';
import type { Core } from '../context.js';
import { OpinionPipeline } from './pipeline/pipeline.js';
import { PoolAnalyser } from './pipeline/analysis-pool.js';
import { InThreadAnalyser } from './pipeline/analyser.js';
import { CORRECTION_NOTICE, QUEUE_CHANNEL } from './ingest.js';
import { CONFIG_CHANNEL } from './settings.js';
import { dropExpired, ensureItemPartitions, monthsAround } from './partitions.js';

/** One pipeline leader per database: cluster state is in memory, so only one node may mutate it. */
const LEADER_LOCK = 0x6f70696e; // 'opin'

export interface WorkerOptions {
  /** Largest batch; batches shrink towards minBatch when the queue is short, for latency. */
  batchSize: number;
  minBatch: number;
  /** Poll interval when no NOTIFY arrives (lost notifications, other writers). */
  pollMs: number;
  maintenanceMs: number;
}

const DEFAULTS: WorkerOptions = { batchSize: 500, minBatch: 50, pollMs: 1000, maintenanceMs: 60_000 };

/**
 * The next batch's limit after a batch of `limit` claimed `claimed` items. A full batch means a
 * backlog: take twice as many (fewer statements per item, more throughput). A partial one took
 * the whole queue: the next takes up to twice that, so batches stay small while the queue is
 * short (an item waits for a short batch ahead of it) and follow a rising rate at once.
 */
export function nextBatchSize(
  claimed: number,
  limit: number,
  { minBatch, batchSize }: Pick<WorkerOptions, 'minBatch' | 'batchSize'>,
): number {
  const next = claimed >= limit ? limit * 2 : claimed * 2;
  return Math.min(batchSize, Math.max(minBatch, next));
}

/**
 * Runs the pipeline: becomes leader via a session advisory lock on a dedicated connection (a
 * crashed leader's lock vanishes with its connection), LISTENs for new items, drains the queue
 * batch by batch, and does periodic maintenance (hotness/trend refresh, partitions, retention).
 */
export class OpinionWorker {
  readonly pipeline: OpinionPipeline;
  private readonly opts: WorkerOptions;
  private client: pg.Client | null = null;
  private running = false;
  private leader = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private configChanged = false;
  private lastMaintenance = 0;
  private lastRetention = 0;
  private batch = 0;

  constructor(
    private readonly core: Core,
    opts: Partial<WorkerOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    const threads = core.config.opinionAnalysisThreads;
    this.pipeline = new OpinionPipeline(
      core,
      threads > 0 ? new PoolAnalyser({ threads, logger: core.logger }) : new InThreadAnalyser(),
    );
  }

  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await ensureItemPartitions(this.core.db, monthsAround(this.core.clock.now(), 2));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    this.pipeline.interrupt();
    await this.loop;
    this.loop = null;
    await this.pipeline.close();
  }

  /** Resolves when the queue is empty (tests, benchmarks). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.core.pool.query<{ n: number }>('select count(*)::int as n from opinion_queue');
      if (r.rows[0]!.n === 0) return;
      if (Date.now() > until) throw new Error('opinion queue did not drain');
      this.wake();
      await sleep(20);
    }
  }

  private wake(): void {
    this.pendingWake = true;
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private idle(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    }).then(() => {
      this.pendingWake = false;
    });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.core.databaseUrl,
      application_name: 'gov-opinion-worker',
    });
    client.on('error', (err) => {
      this.core.logger.warn({ err }, 'opinion worker connection lost');
      this.leader = false;
      if (this.client === client) this.client = null;
      this.wake();
    });
    client.on('notification', (msg) => {
      if (msg.channel === CONFIG_CHANNEL) this.configChanged = true;
      else if (msg.payload === CORRECTION_NOTICE) this.pipeline.correctionsQueued();
      else if (this.leader) this.pipeline.itemsQueued(this.opts.batchSize);
      this.wake();
    });
    await client.connect();
    await client.query(`listen ${QUEUE_CHANNEL}`);
    await client.query(`listen ${CONFIG_CHANNEL}`);
    this.client = client;
  }

  private async tryLead(): Promise<boolean> {
    if (!this.client) await this.connect();
    const r = await this.client!.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
      LEADER_LOCK,
    ]);
    this.leader = r.rows[0]!.ok;
    if (this.leader) await this.pipeline.load();
    return this.leader;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.leader && !(await this.tryLead())) {
          await this.idle(5000);
          continue;
        }
        if (this.configChanged) {
          this.configChanged = false;
          await this.pipeline.reloadConfig();
        }
        this.batch ||= this.opts.minBatch;
        const n = await this.pipeline.processBatch(this.batch);
        this.batch = nextBatchSize(n, this.batch, this.opts);
        failures = 0;
        await this.maintain();
        if (n === 0) await this.idle(this.opts.pollMs);
      } catch (err) {
        if (!this.running) break;
        failures++;
        this.core.logger.error({ err, failures }, 'opinion pipeline batch failed; state reloaded');
        await this.idle(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)));
        // The failed transaction rolled back; memory may not have: rebuild it from the database.
        try {
          if (this.leader) await this.pipeline.load();
        } catch (e) {
          this.core.logger.warn({ err: e }, 'opinion pipeline reload failed');
        }
      }
    }
    await this.release();
  }

  private async maintain(): Promise<void> {
    const now = this.core.clock.now();
    const wall = Date.now();
    if (wall - this.lastMaintenance < this.opts.maintenanceMs) return;
    this.lastMaintenance = wall;
    await this.pipeline.refreshActiveEvents();
    this.pipeline.prune();
    await ensureItemPartitions(this.core.db, monthsAround(now, 2));
    if (wall - this.lastRetention >= 3600_000) {
      this.lastRetention = wall;
      const before = new Date(now.getTime() - this.core.config.opinionRetentionDays * 86400_000);
      const dropped = await dropExpired(this.core.db, before);
      if (dropped.length) this.core.logger.info({ dropped }, 'opinion retention: partitions dropped');
    }
  }

  private async release(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.leader = false;
    if (!c) return;
    try {
      await c.query('select pg_advisory_unlock_all()');
    } catch {
      /* connection already gone: the lock went with it */
    }
    await c.end().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
