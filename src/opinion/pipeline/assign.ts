import type { ItemAnalysis } from '../analysis/analyse.js';
import { ClusterIndex, type TermVector } from '../analysis/cluster.js';
import { DuplicateIndex } from '../analysis/minhash.js';

/** A copy adds no terms to its cluster's centroid (one empty vector, not one per copy). */
const NO_TERMS: TermVector = new Map();

/** What the duplicate index remembers of an original item. */
export interface DupRef {
  itemId: number;
  clusterId: number;
}

/** The parts of an item's analysis that decide its cluster. */
export type AssignInput = Pick<
  ItemAnalysis,
  'minhash' | 'dupThreshold' | 'shingleCount' | 'vector' | 'places' | 'signal'
>;

/**
 * An emergency post naming no place joins a story that names places (or one naming places joins a
 * story that names none) only when this close to it. 刚刚化工厂爆炸了, crawled while national news
 * of an explosion elsewhere is in the window, is as likely a new local incident; folded into the
 * other it would raise no alert, and a lost alert costs more than a second one.
 */
export const PLACELESS_EMERGENCY_MIN_SIMILARITY = 0.7;

/**
 * Where an item goes: a near-copy of an earlier item joins that item's cluster (counted as heat,
 * centroid untouched); otherwise the most similar active cluster; otherwise a new cluster.
 */
export type Assignment =
  | { kind: 'duplicate'; clusterId: number; of: { itemId: number; similarity: number } }
  | { kind: 'joined'; clusterId: number; similarity: number }
  | { kind: 'new' };

/**
 * Decides an item's cluster without changing anything. `known` says whether a cluster is still
 * held in memory (a copy of an item whose cluster has been pruned is clustered afresh).
 */
export function decideCluster(
  a: AssignInput,
  at: number,
  clusters: ClusterIndex,
  dups: DuplicateIndex<DupRef>,
  known: (clusterId: number) => boolean,
): Assignment {
  const found = dups.nearest(a.minhash, at, a.dupThreshold, a.shingleCount);
  // A copy naming another place is that place's story (template complaints), not a repost.
  if (found && clusters.placesAgree(found.ref.clusterId, a.places) && known(found.ref.clusterId))
    return {
      kind: 'duplicate',
      clusterId: found.ref.clusterId,
      of: { itemId: found.ref.itemId, similarity: found.similarity },
    };
  // Either way round: an emergency naming a place does not join a story naming none either.
  const best = clusters.best(
    a.vector,
    at,
    a.places,
    a.signal !== null ? PLACELESS_EMERGENCY_MIN_SIMILARITY : 0,
  );
  return best ? { kind: 'joined', clusterId: best.id, similarity: best.similarity } : { kind: 'new' };
}

/**
 * Applies a decision to the in-memory indexes and returns the item's cluster id; `newId` gives
 * the id of a new cluster. Originals (not copies) become duplicate candidates themselves.
 */
export function applyAssignment(
  d: Assignment,
  itemId: number,
  a: AssignInput,
  at: number,
  clusters: ClusterIndex,
  dups: DuplicateIndex<DupRef>,
  newId: () => number,
): number {
  let clusterId: number;
  if (d.kind === 'duplicate') {
    clusterId = d.clusterId;
    clusters.addItem(clusterId, NO_TERMS, at, 0, a.places);
    return clusterId;
  }
  if (d.kind === 'joined') {
    clusterId = d.clusterId;
    clusters.addItem(clusterId, a.vector, at, 1, a.places);
  } else {
    clusterId = newId();
    clusters.put({
      id: clusterId,
      terms: new Map(a.vector),
      firstSeen: at,
      lastSeen: at,
      items: 0,
      places: new Set(a.places),
    });
  }
  dups.add({ itemId, clusterId }, a.minhash, at, a.dupThreshold, a.shingleCount);
  return clusterId;
}
