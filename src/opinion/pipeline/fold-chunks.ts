import type { ItemAnalysis } from '../analysis/analyse.js';
import { piecesOf } from './analyser.js';
import type { FoldedBatch } from './fold.js';
import type { ClusterHourRow } from './sql.js';

export interface ChunkOptions {
  /** Items folded at a time. */
  chunk?: number;
  /** The event loop gets a turn at least this often (ms), so pages and sockets wait less. */
  sliceMs?: number;
  /** Told when a chunk's analyses are in ('analyse') and when it is folded ('fold'). */
  mark?: (stage: 'analyse' | 'fold') => void;
}

/**
 * Folds a batch chunk by chunk, in its order, each chunk as soon as its analyses are in (the
 * threads analyse later chunks meanwhile), with a turn of the event loop every `sliceMs`. Gives
 * what one `fold` of all the items gives: folding an item depends only on the items before it
 * (the cluster memory carries from chunk to chunk), and the chunks' results are merged, an
 * hour's counts of a cluster added up.
 */
export async function foldInChunks<I extends { id: number }>(
  items: readonly I[],
  analysesOf: (chunk: readonly I[]) => Promise<ReadonlyMap<number, ItemAnalysis>>,
  fold: (chunk: readonly I[], analyses: ReadonlyMap<number, ItemAnalysis>) => FoldedBatch,
  { chunk = 32, sliceMs = 10, mark }: ChunkOptions = {},
): Promise<FoldedBatch> {
  // What folding no items gives: the empty batch the chunks are merged into.
  const out = fold([], new Map());
  const hours = new Map<string, ClusterHourRow>();
  let slice = performance.now();
  for (const part of piecesOf(items, chunk)) {
    const analyses = await analysesOf(part);
    mark?.('analyse');
    const f = fold(part, analyses);
    out.itemRows.push(...f.itemRows);
    for (const m of f.touched) out.touched.add(m);
    out.newAuthors.push(...f.newAuthors);
    out.unknownAuthors.push(...f.unknownAuthors);
    for (const h of f.hours) {
      const key = `${h.clusterId}|${h.hour.getTime()}`;
      const cell = hours.get(key);
      if (!cell) hours.set(key, { ...h });
      else {
        cell.items += h.items;
        cell.negative += h.negative;
      }
    }
    for (const [clusterId, ids] of f.namedPolicies) {
      const s = out.namedPolicies.get(clusterId);
      if (s) for (const id of ids) s.add(id);
      else out.namedPolicies.set(clusterId, new Set(ids));
    }
    mark?.('fold');
    if (performance.now() - slice >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  out.hours = [...hours.values()];
  return out;
}
