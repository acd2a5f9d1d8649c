import { analyseItem, type ItemAnalysis } from '../analysis/analyse.js';
import type { CompiledLexicons } from '../analysis/lexicon.js';
import type { Scheme } from '../settings.js';
import type { ClaimedItem } from './sql.js';

/** What analysing an item depends on besides the item: reloaded on every configuration change. */
export interface AnalysisConfig {
  lexicons: CompiledLexicons;
  schemes: Scheme[];
  /** Place names among the local terms (lower-cased). */
  knownPlaces: Set<string>;
  /** Every local term, for the segmenter. */
  localTerms: string[];
}

/** An item's analysis, or why it failed (the item is then stored as failed). */
export type AnalysisResult = ItemAnalysis | { error: string };

export const failed = (r: AnalysisResult | undefined): r is { error: string } =>
  r !== undefined && 'error' in r;

/** Analyses items: in this thread, or on a pool of worker threads (analysis-pool.ts). */
export interface Analyser {
  /** Results in the order of `items`. */
  analyse(items: readonly ClaimedItem[]): Promise<AnalysisResult[]>;
  configure(config: AnalysisConfig): Promise<void>;
  close(): Promise<void>;
  /** Shutdown has begun: stop waiting for threads that are still starting. */
  abandonStart(): void;
  /** Threads doing the analysis (1: this one). */
  readonly threads: number;
}

export function analyseClaimed(it: ClaimedItem, c: AnalysisConfig): AnalysisResult {
  try {
    return analyseItem(
      {
        title: it.title,
        content: it.content,
        channel: it.channel,
        source: it.source,
        isRepost: it.is_repost,
      },
      c.lexicons,
      c.schemes,
      c.knownPlaces,
    );
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Analysis on the event loop, in slices of about a millisecond so that requests, sockets and
 * timers are served in between: the fallback when worker threads cannot start.
 */
export class InThreadAnalyser implements Analyser {
  readonly threads = 1;
  private config: AnalysisConfig | null = null;

  async configure(config: AnalysisConfig): Promise<void> {
    this.config = config;
  }

  async analyse(items: readonly ClaimedItem[]): Promise<AnalysisResult[]> {
    const config = this.config;
    if (!config) throw new Error('analyser not configured');
    const out: AnalysisResult[] = [];
    let i = 0;
    while (i < items.length) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const until = performance.now() + 1;
      do out.push(analyseClaimed(items[i++]!, config));
      while (i < items.length && performance.now() < until);
    }
    return out;
  }

  async close(): Promise<void> {}

  abandonStart(): void {}
}
