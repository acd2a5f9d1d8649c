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
  /** Euclidean norm of `terms`, kept current by the index. */
  norm?: number;
  /** Places named by the cluster's items. */
  places?: Set<string>;
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

export function norm(v: TermVector): number {
  let n = 0;
  for (const x of v.values()) n += x * x;
  return Math.sqrt(n);
}

export function cosine(a: TermVector, b: TermVector, normA = norm(a), normB = norm(b)): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [w, x] of small) {
    const y = large.get(w);
    if (y !== undefined) dot += x * y;
  }
  return dot === 0 || normA === 0 || normB === 0 ? 0 : dot / (normA * normB);
}

const MAX_POSTING = 150;
const CANDIDATE_TERMS = 10;
/**
 * Terms an item must share with a cluster's centroid to join it: one shared word ("晚上",
 * "怎么") glues unrelated short posts; a story's posts share at least what happened and where.
 */
export const MIN_SHARED_TERMS = 2;

/** A cluster's centroid terms written since the last take: new or changed weights, terms trimmed. */
export interface TermChanges {
  set: [term: string, weight: number][];
  removed: string[];
}

export class ClusterIndex {
  readonly clusters = new Map<number, ClusterState>();
  private readonly inverted = new Map<string, Set<number>>();
  /** Terms touched per cluster since the last takeTermChanges(); weights are read when taken. */
  private changed = new Map<number, Set<string>>();
  /** Changes of clusters pruned before they were taken (their centroids are gone by then). */
  private prunedChanges = new Map<number, TermChanges>();

  constructor(readonly options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS) {}

  /**
   * The best cluster for an item vector at time `at`, or null below the threshold. An item naming
   * places joins no cluster that names only other places.
   */
  best(v: TermVector, at: number, places: readonly string[] = []): { id: number; similarity: number } | null {
    // Candidates come from the item's most telling terms only; a term shared by hundreds of
    // clusters ("希望", "尽快") says nothing about which one this item belongs to.
    const candidates = new Set<number>();
    const probe = [...v].filter(([w]) => !w.startsWith('#')).sort((a, b) => b[1] - a[1]);
    for (let i = 0; i < probe.length && i < CANDIDATE_TERMS; i++) {
      const posting = this.inverted.get(probe[i]![0]);
      if (!posting || posting.size > MAX_POSTING) continue;
      for (const id of posting) candidates.add(id);
    }
    let best: { id: number; similarity: number } | null = null;
    const win = this.options.windowMs;
    const nv = norm(v);
    // The item's terms as flat arrays, walked in the Map's order so every dot product is the very
    // same floating-point sum `cosine` computes (threshold ties come out identical).
    const keys: string[] = [];
    const vals: number[] = [];
    for (const [w, x] of v) {
      keys.push(w);
      vals.push(x);
    }
    const size = keys.length;
    for (const id of candidates) {
      const c = this.clusters.get(id)!;
      if (at < c.firstSeen - win || at > c.lastSeen + win) continue;
      if (!this.placesAgree(c, places)) continue;
      c.norm ??= norm(c.terms);
      const terms = c.terms;
      let dot = 0;
      let shared = 0;
      for (let i = 0; i < size; i++) {
        const y = terms.get(keys[i]!);
        if (y === undefined) continue;
        dot += vals[i]! * y;
        if (keys[i]!.charCodeAt(0) !== 35 /* # */) shared++;
      }
      if (shared < MIN_SHARED_TERMS) continue;
      const s = dot === 0 || nv === 0 || c.norm === 0 ? 0 : dot / (nv * c.norm);
      if (
        s >= this.options.threshold &&
        (!best || s > best.similarity || (s === best.similarity && id < best.id))
      )
        best = { id, similarity: s };
    }
    return best;
  }

  /** Whether an item naming `places` may join cluster `c`: never across different places. */
  placesAgree(c: ClusterState | number, places: readonly string[]): boolean {
    const cl = typeof c === 'number' ? this.clusters.get(c) : c;
    if (!cl || !places.length || !cl.places?.size) return true;
    return places.some((p) => cl.places!.has(p));
  }

  /**
   * Restores or creates a cluster. `stored`: the state was loaded from the database, so its terms
   * are not changes to write back.
   */
  put(state: ClusterState, stored = false): void {
    const old = this.clusters.get(state.id);
    if (old) {
      this.unindex(old);
      if (!stored) this.touch(old.id, old.terms.keys());
    }
    state.norm = norm(state.terms);
    this.clusters.set(state.id, state);
    this.index(state);
    if (!stored) this.touch(state.id, state.terms.keys());
  }

  /**
   * The centroid terms changed since the last call, by cluster: what to write so that the stored
   * centroids equal these (a term trimmed and added again since is in `set`, not `removed`).
   */
  takeTermChanges(): Map<number, TermChanges> {
    const out = this.prunedChanges;
    for (const [id, words] of this.changed) {
      const c = this.clusters.get(id);
      if (c) out.set(id, changesOf(c.terms, words));
    }
    this.changed = new Map();
    this.prunedChanges = new Map();
    return out;
  }

  private touch(id: number, words: Iterable<string>): void {
    let set = this.changed.get(id);
    if (!set) this.changed.set(id, (set = new Set()));
    for (const w of words) set.add(w);
  }

  /** Adds an item's vector to a cluster's centroid; `weight` < 1 for near-duplicates. */
  addItem(id: number, v: TermVector, at: number, weight = 1, places: readonly string[] = []): ClusterState {
    const c = this.clusters.get(id);
    if (!c) throw new Error(`no cluster ${id}`);
    if (places.length) {
      c.places ??= new Set();
      for (const p of places) c.places.add(p);
    }
    if (weight > 0) {
      this.touch(c.id, v.keys());
      for (const [w, x] of v) {
        const old = c.terms.get(w);
        c.terms.set(w, (old ?? 0) + x * weight);
        if (old === undefined && !w.startsWith('#')) this.post(w, c.id);
      }
      // Trimming is amortised: let the centroid grow by half before cutting back to maxTerms.
      if (c.terms.size > this.options.maxTerms * 1.5) {
        const sorted = [...c.terms].sort((a, b) => b[1] - a[1]);
        const cut = sorted.slice(this.options.maxTerms).map(([w]) => w);
        for (const w of cut) this.unpost(w, c.id);
        this.touch(c.id, cut);
        c.terms = new Map(sorted.slice(0, this.options.maxTerms));
      }
      c.norm = norm(c.terms);
    }
    c.items++;
    if (at < c.firstSeen) c.firstSeen = at;
    if (at > c.lastSeen) c.lastSeen = at;
    return c;
  }

  /** Forgets clusters whose last item is older than `before` (epoch ms). */
  prune(before: number): number[] {
    const dropped: number[] = [];
    for (const c of this.clusters.values()) {
      if (c.lastSeen < before) {
        const words = this.changed.get(c.id);
        if (words) {
          this.prunedChanges.set(c.id, changesOf(c.terms, words));
          this.changed.delete(c.id);
        }
        this.unindex(c);
        this.clusters.delete(c.id);
        dropped.push(c.id);
      }
    }
    return dropped;
  }

  private post(w: string, id: number): void {
    let set = this.inverted.get(w);
    if (!set) this.inverted.set(w, (set = new Set()));
    set.add(id);
  }

  private unpost(w: string, id: number): void {
    const set = this.inverted.get(w);
    if (!set) return;
    set.delete(id);
    if (!set.size) this.inverted.delete(w);
  }

  private index(c: ClusterState): void {
    for (const w of c.terms.keys()) if (!w.startsWith('#')) this.post(w, c.id);
  }

  private unindex(c: ClusterState): void {
    for (const w of c.terms.keys()) this.unpost(w, c.id);
  }
}

function changesOf(terms: TermVector, words: Iterable<string>): TermChanges {
  const out: TermChanges = { set: [], removed: [] };
  for (const w of words) {
    const x = terms.get(w);
    if (x === undefined) out.removed.push(w);
    else out.set.push([w, x]);
  }
  return out;
}

/** The heaviest centroid terms, skipping category pseudo-terms: the event's keywords. */
export function topTerms(v: TermVector, n: number): string[] {
  return [...v]
    .filter(([w]) => !w.startsWith('#'))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([w]) => w);
}
