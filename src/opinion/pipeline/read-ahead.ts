import type { Db } from '../../db/database.js';
import type { Logger } from '../../shared/logger.js';
import type { Analyser, AnalysisResult } from './analyser.js';
import { failed } from './analyser.js';
import { peekQueue } from './sql.js';

/**
 * Analyses of queued items done ahead of their batch, while the previous batch waits for the
 * database (an analysis depends only on the item and the configuration). Reads without claiming:
 * nothing is written, and a crash or failure only loses the cache. `invalidate` (configuration
 * changed) drops the cache and whatever is in flight.
 */
export class ReadAhead {
  private readonly cache = new Map<number, AnalysisResult>();
  private version = 0;
  private running = false;
  private wanted: { afterId: number; limit: number } | null = null;
  /** Highest item id a batch has claimed: what a batch has taken already is not read again. */
  private claimedUpTo = 0;
  private inflight: Promise<void> | null = null;
  private inflightIds = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly analyser: () => Analyser,
    private readonly logger: Logger,
  ) {}

  invalidate(): void {
    this.version++;
    this.cache.clear();
  }

  /** A batch claimed these ids; a full batch means a backlog, worth reading ahead of. */
  claimed(ids: readonly number[], fullBatch: boolean, limit: number): void {
    let max = this.claimedUpTo;
    for (const id of ids) if (id > max) max = id;
    this.claimedUpTo = max;
    if (fullBatch) this.start(max, limit);
  }

  /**
   * The cached analyses of a batch's items (taken out of the cache). Items still being analysed
   * ahead are waited for rather than analysed twice.
   */
  async take(ids: readonly number[]): Promise<Map<number, AnalysisResult>> {
    if (this.inflight && ids.some((id) => this.inflightIds.has(id))) await this.inflight;
    const out = new Map<number, AnalysisResult>();
    for (const id of ids) {
      const a = this.cache.get(id);
      if (!a) continue;
      this.cache.delete(id);
      out.set(id, a);
    }
    return out;
  }

  private start(afterId: number, limit: number): void {
    this.wanted = { afterId, limit };
    if (this.running) return;
    this.running = true;
    void (async () => {
      try {
        for (let w = this.wanted; w; w = this.wanted) {
          this.wanted = null;
          // Items removed by retention never come back for their cached analysis.
          if (this.cache.size > 4 * w.limit) this.cache.clear();
          await this.read(w.afterId, w.limit);
        }
      } catch (err) {
        this.logger.debug({ err }, 'opinion read-ahead failed');
      } finally {
        this.running = false;
      }
    })();
  }

  private async read(afterId: number, limit: number): Promise<void> {
    const version = this.version;
    const rows = (await peekQueue(this.db, afterId, limit)).filter(
      (it) => it.id > this.claimedUpTo && !this.cache.has(it.id),
    );
    if (!rows.length || this.version !== version) return;
    const fill = async () => {
      const results = await this.analyser().analyse(rows);
      if (this.version !== version) return;
      rows.forEach((it, i) => {
        // A failure is analysed again in its batch, which records it.
        const r = results[i];
        if (r && !failed(r)) this.cache.set(it.id, r);
      });
    };
    this.inflightIds = new Set(rows.map((r) => r.id));
    this.inflight = fill().catch((err: unknown) => this.logger.debug({ err }, 'opinion read-ahead failed'));
    try {
      await this.inflight;
    } finally {
      this.inflight = null;
      this.inflightIds = new Set();
    }
  }
}
