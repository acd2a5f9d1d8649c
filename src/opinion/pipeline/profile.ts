/**
 * Where a batch's time goes, stage by stage (config OPINION_PROFILE; read by bench:ingest). Off,
 * `mark` is a single branch: the pipeline calls it a dozen times per item.
 */
export class StageProfile {
  private readonly totals = new Map<string, number>();
  private last = 0;
  private batchIds: readonly number[] = [];
  /**
   * Told when each stage of a batch ends, with the batch's item ids and the wall-clock time
   * (bench:ingest follows its probe items from POST to console with it).
   */
  tracer: ((stage: string, itemIds: readonly number[], at: number) => void) | null = null;

  constructor(readonly enabled: boolean) {}

  /** The items of the batch whose stages are being marked (for the tracer). */
  items(ids: readonly number[]): void {
    this.batchIds = ids;
  }

  /** Charges the time since the previous mark to `stage`; 'start' only sets the mark. */
  mark(stage: string): void {
    if (this.tracer && stage !== 'start') this.tracer(stage, this.batchIds, Date.now());
    if (!this.enabled) return;
    const t = performance.now();
    if (stage !== 'start') this.totals.set(stage, (this.totals.get(stage) ?? 0) + t - this.last);
    this.last = t;
  }

  /** Milliseconds per stage so far. */
  report(reset = false): Record<string, number> {
    const out = Object.fromEntries([...this.totals].map(([k, v]) => [k, Math.round(v)]));
    if (reset) this.totals.clear();
    return out;
  }
}
