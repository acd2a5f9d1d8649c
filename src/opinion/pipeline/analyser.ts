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

/**
 * Items per piece of analysis: a batch's first pieces come back (and are folded) while the threads
 * still analyse its later ones, and a read-ahead piece is soon done (≈ 10 ms on a thread).
 */
export const PIECE_ITEMS = 32;

/** `items` in consecutive pieces of at most `size`. */
export function piecesOf<T>(items: readonly T[], size = PIECE_ITEMS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Analyses items: in this thread, or on a pool of worker threads (analysis-pool.ts). */
export interface Analyser {
  /** Results in the order of `items`. */
  analyse(items: readonly ClaimedItem[]): Promise<AnalysisResult[]>;
  /**
   * The same results piece by piece (`piecesOf(items)`), one promise per piece in item order,
   * each settling as soon as its piece is analysed: callers use the first while later ones run.
   */
  analysePieces(items: readonly ClaimedItem[]): Promise<AnalysisResult[]>[];
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

  analysePieces(items: readonly ClaimedItem[]): Promise<AnalysisResult[]>[] {
    // One piece after another: this thread analyses one thing at a time anyway.
    let previous: Promise<unknown> = Promise.resolve();
    return piecesOf(items).map((piece) => {
      const done = previous.then(() => this.analyse(piece));
      previous = done.catch(() => undefined);
      return done;
    });
  }

  async close(): Promise<void> {}

  abandonStart(): void {}
}
