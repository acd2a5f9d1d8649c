import type { Db } from '../../db/database.js';
import type { Logger } from '../../shared/logger.js';
import type { Analyser, AnalysisResult } from './analyser.js';
import { failed, piecesOf } from './analyser.js';
import { peekQueue } from './sql.js';

/** An analysis done or under way; undefined when it failed (its batch analyses the item again). */
export type PendingAnalysis = Promise<AnalysisResult | undefined>;

/**
 * Analyses queued items as they arrive, ahead of the batch that will claim them, while the
 * current batch folds and waits for the database: an analysis depends only on the item and the
 * configuration, so by the time a batch claims its items their analyses are done or under way,
 * and the batch waits only for the pieces it needs. Reads without claiming: nothing is written,
 * and a crash or failure only loses the cache. At most `limit` items are being analysed ahead at
 * once, and at most twice that many are held. `invalidate` (configuration changed) drops the
 * cache and whatever is in flight.
 */
export class ReadAhead {
  private readonly cache = new Map<number, PendingAnalysis>();
  private version = 0;
  private running = false;
  private again = false;
  /** The last batch was full: more is queued than it took. */
  private backlog = false;
  private limit = 0;
  /** Highest item id a batch has claimed: what a batch has taken already is not read again. */
  private claimedUpTo = 0;
  /** Highest item id read ahead (reset by `invalidate`). */
  private readUpTo = 0;
  /** Pieces being analysed ahead, oldest first, with their item counts. */
  private readonly inflight: { done: Promise<unknown>; items: number }[] = [];
  /** Items read ahead whose analysis found an emergency signal, not taken by a batch yet. */
  private readonly signalled = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly analyser: () => Analyser,
    private readonly logger: Logger,
  ) {}

  /** Analyses held for batches to take, done or under way. */
  get held(): number {
    return this.cache.size;
  }

  invalidate(): void {
    this.version++;
    this.cache.clear();
    this.signalled.clear();
    this.readUpTo = this.claimedUpTo;
  }

  /**
   * A batch claimed these ids; a full batch means a backlog, read ahead of once the batch has
   * taken its analyses (`take`).
   */
  claimed(ids: readonly number[], fullBatch: boolean, limit: number): void {
    let max = this.claimedUpTo;
    for (const id of ids) if (id > max) max = id;
    this.claimedUpTo = max;
    this.backlog = fullBatch;
    this.limit = limit;
  }

  /** Items were queued (or may be): analyse up to `limit` of those beyond what was read. */
  poke(limit: number): void {
    this.limit = limit;
    this.again = true;
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /**
   * The analyses of a batch's items that were read ahead (done or under way), taken out of the
   * cache; items missing from the map must be analysed by the batch.
   */
  take(ids: readonly number[]): Map<number, PendingAnalysis> {
    const out = new Map<number, PendingAnalysis>();
    for (const id of ids) {
      this.signalled.delete(id);
      const a = this.cache.get(id);
      if (!a) continue;
      this.cache.delete(id);
      out.set(id, a);
    }
    // What is left at or below the claimed ids was taken by no batch (removed by retention, or
    // committed late and claimed later): it is analysed again if it ever comes.
    for (const id of this.cache.keys())
      if (id <= this.claimedUpTo) {
        this.cache.delete(id);
        this.signalled.delete(id);
      }
    // Room was made: behind a full batch there is more to read.
    if (this.backlog) this.poke(this.limit);
    return out;
  }

  /**
   * Up to `limit` queued items whose analysis (done ahead) found an emergency signal, oldest
   * first: the pipeline stores them in a batch of their own ahead of the queue, so their alerts
   * do not wait for a large batch.
   */
  signalledItems(limit: number): number[] {
    return [...this.signalled].sort((a, b) => a - b).slice(0, limit);
  }

  private async loop(): Promise<void> {
    try {
      while (this.again) {
        this.again = false;
        await this.read();
      }
    } catch (err) {
      this.logger.debug({ err }, 'opinion read-ahead failed');
    } finally {
      this.running = false;
    }
  }

  private inflightItems(): number {
    return this.inflight.reduce((n, p) => n + p.items, 0);
  }

  private async read(): Promise<void> {
    // Back-pressure: the threads are busy with what was read already.
    while (this.inflight.length && this.inflightItems() >= this.limit) await this.inflight[0]!.done;
    const version = this.version;
    const after = Math.max(this.claimedUpTo, this.readUpTo);
    // No further than two batches ahead: analyses nobody takes yet only hold memory.
    const room = Math.min(this.limit - this.inflightItems(), 2 * this.limit - this.cache.size);
    if (room <= 0) return;
    const rows = (await peekQueue(this.db, after, room)).filter(
      (it) => it.id > this.claimedUpTo && !this.cache.has(it.id),
    );
    if (!rows.length || this.version !== version) return;
    for (const it of rows) if (it.id > this.readUpTo) this.readUpTo = it.id;
    const chunks = piecesOf(rows);
    this.analyser()
      .analysePieces(rows)
      .forEach((piece, i) => {
        const chunk = chunks[i]!;
        const results = piece.catch((err: unknown) => {
          this.logger.debug({ err }, 'opinion read-ahead failed');
          return [] as AnalysisResult[];
        });
        const slot = { done: results, items: chunk.length };
        this.inflight.push(slot);
        void results.then(() => this.inflight.splice(this.inflight.indexOf(slot), 1));
        chunk.forEach((it, k) =>
          this.cache.set(
            it.id,
            results.then((r) => {
              const a = r[k] && !failed(r[k]) ? r[k] : undefined;
              if (a?.signal && this.version === version && this.cache.has(it.id)) this.signalled.add(it.id);
              return a;
            }),
          ),
        );
      });
  }
}
