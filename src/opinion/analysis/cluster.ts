/**
 * Online (single-pass) clustering of items into candidate events. Each cluster keeps a centroid
 * of its items' TF-IDF vectors (top terms only); an item joins the most similar cluster active
 * in its time window when the cosine similarity reaches the threshold, else it starts a new one.
 */

export type TermVector = Map<string, number>;

export interface ClusterOptions {
  /** Cosine similarity an item needs to join a cluster. */
  threshold: number;
  /** An item joins only clusters whose items lie within this distance in time. */
  windowMs: number;
  /** Terms kept per centroid. */
  maxTerms: number;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = {
  threshold: 0.25,
  windowMs: 48 * 3600_000,
  maxTerms: 60,
};

export interface ClusterState {
  id: number;
  terms: TermVector;
  firstSeen: number;
  lastSeen: number;
  items: number;
}

/** Makes an item vector from weighted terms (L2-normalised, top `max` terms). */
export function itemVector(terms: readonly { word: string; weight: number }[], max = 24): TermVector {
  const top = terms.slice(0, max);
  let norm = 0;
  for (const t of top) norm += t.weight * t.weight;
  norm = Math.sqrt(norm) || 1;
  const v: TermVector = new Map();
  for (const t of top) v.set(t.word, t.weight / norm);
  return v;
}

export function cosine(a: TermVector, b: TermVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [w, x] of small) {
    const y = large.get(w);
    if (y !== undefined) dot += x * y;
  }
  if (dot === 0) return 0;
  let na = 0;
  let nb = 0;
  for (const x of a.values()) na += x * x;
  for (const y of b.values()) nb += y * y;
  return dot / Math.sqrt(na * nb);
}

const MAX_POSTING = 2000;

export class ClusterIndex {
  readonly clusters = new Map<number, ClusterState>();
  private readonly inverted = new Map<string, Set<number>>();

  constructor(readonly options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS) {}

  /** The best cluster for an item vector at time `at`, or null below the threshold. */
  best(v: TermVector, at: number): { id: number; similarity: number } | null {
    const candidates = new Set<number>();
    for (const w of v.keys()) {
      const posting = this.inverted.get(w);
      // A term shared by thousands of clusters says nothing about which one this item belongs to.
      if (!posting || posting.size > MAX_POSTING) continue;
      for (const id of posting) candidates.add(id);
    }
    let best: { id: number; similarity: number } | null = null;
    const win = this.options.windowMs;
    for (const id of candidates) {
      const c = this.clusters.get(id)!;
      if (at < c.firstSeen - win || at > c.lastSeen + win) continue;
      const s = cosine(v, c.terms);
      if (
        s >= this.options.threshold &&
        (!best || s > best.similarity || (s === best.similarity && id < best.id))
      )
        best = { id, similarity: s };
    }
    return best;
  }

  /** Restores or creates a cluster (state loaded from the database, or a new one). */
  put(state: ClusterState): void {
    const old = this.clusters.get(state.id);
    if (old) this.unindex(old);
    this.clusters.set(state.id, state);
    this.index(state);
  }

  /** Adds an item's vector to a cluster's centroid; `weight` < 1 for near-duplicates. */
  addItem(id: number, v: TermVector, at: number, weight = 1): ClusterState {
    const c = this.clusters.get(id);
    if (!c) throw new Error(`no cluster ${id}`);
    this.unindex(c);
    for (const [w, x] of v) c.terms.set(w, (c.terms.get(w) ?? 0) + x * weight);
    if (c.terms.size > this.options.maxTerms) {
      const kept = [...c.terms].sort((a, b) => b[1] - a[1]).slice(0, this.options.maxTerms);
      c.terms = new Map(kept);
    }
    c.items++;
    if (at < c.firstSeen) c.firstSeen = at;
    if (at > c.lastSeen) c.lastSeen = at;
    this.index(c);
    return c;
  }

  /** Forgets clusters whose last item is older than `before` (epoch ms). */
  prune(before: number): number[] {
    const dropped: number[] = [];
    for (const c of this.clusters.values()) {
      if (c.lastSeen < before) {
        this.unindex(c);
        this.clusters.delete(c.id);
        dropped.push(c.id);
      }
    }
    return dropped;
  }

  private index(c: ClusterState): void {
    for (const w of c.terms.keys()) {
      if (w.startsWith('#')) continue;
      let set = this.inverted.get(w);
      if (!set) this.inverted.set(w, (set = new Set()));
      set.add(c.id);
    }
  }

  private unindex(c: ClusterState): void {
    for (const w of c.terms.keys()) {
      const set = this.inverted.get(w);
      if (!set) continue;
      set.delete(c.id);
      if (!set.size) this.inverted.delete(w);
    }
  }
}

/** The heaviest centroid terms, skipping category pseudo-terms: the event's keywords. */
export function topTerms(v: TermVector, n: number): string[] {
  return [...v]
    .filter(([w]) => !w.startsWith('#'))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([w]) => w);
}
