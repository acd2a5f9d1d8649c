/**
 * Where a batch's time goes, stage by stage (config OPINION_PROFILE; read by bench:ingest). Off,
 * `mark` is a single branch: the pipeline calls it a dozen times per item.
 */
export class StageProfile {
  private readonly totals = new Map<string, number>();
  private last = 0;

  constructor(readonly enabled: boolean) {}

  /** Charges the time since the previous mark to `stage`; 'start' only sets the mark. */
  mark(stage: string): void {
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
