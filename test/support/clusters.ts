import { ClusterIndex, type ClusterOptions } from '../../src/opinion/analysis/cluster.js';
import type { ItemAnalysis } from '../../src/opinion/analysis/analyse.js';

/** A cluster index holding one cluster (id 1, seen at time 0) started by the analysed item `a`. */
export function indexWith(
  a: Pick<ItemAnalysis, 'vector' | 'places'>,
  options?: ClusterOptions,
): ClusterIndex {
  const idx = new ClusterIndex(options);
  idx.put({
    id: 1,
    terms: new Map(a.vector),
    firstSeen: 0,
    lastSeen: 0,
    items: 1,
    places: new Set(a.places),
  });
  return idx;
}
