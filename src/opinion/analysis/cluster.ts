/**
 * Online (single-pass) clustering of items into candidate events. Each cluster keeps a centroid
 * of its items' TF-IDF vectors (top terms only); an item joins the most similar cluster active
 * in its time window when the cosine similarity reaches the threshold, else it starts a new one.
 */

import { GENERIC_TERMS } from './generic.js';
import { mergePlaces, placesOverlap } from './places.js';

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

/**
 * Pseudo-terms naming the kind of incident (#kind:flood): never posted to the index, but
 * sharing one says what happened, as a shared word would.
 */
export const KIND_TERM_PREFIX = '#kind:';

/** What a shared term says about a match: a category pseudo-term, a frame or place word, or what happened. */
const TERM_CATEGORY = 1;
const TERM_FRAME = 2;

/** A word that says where or how a post is told, not what happened: a generic word or part of a place named. */
function isFrameWord(w: string, places: readonly string[]): boolean {
  if (GENERIC_TERMS.has(w)) return true;
  for (const p of places) if (p.includes(w)) return true;
  return false;
}

/** A cluster's centroid terms written since the last take: new or changed weights, terms trimmed. */
export interface TermChanges {
  set: [term: string, weight: number][];
  removed: string[];
}

/** A cluster as the inverted index holds it: postings point here, not at ids to look up. */
interface Posted {
  c: ClusterState;
  /** The lookup that last took this cluster as a candidate: each is scored once, without a Set. */
  seen: number;
  /** The lookup that is scoring this cluster, and its running dot product and shared terms. */
  scoring: number;
  dot: number;
  shared: number;
  telling: number;
}

export class ClusterIndex {
  readonly clusters = new Map<number, ClusterState>();
  private readonly posted = new Map<number, Posted>();
  private readonly inverted = new Map<string, Set<Posted>>();
  /** Terms touched per cluster since the last takeTermChanges(); weights are read when taken. */
  private changed = new Map<number, Set<string>>();
  /** Changes of clusters pruned before they were taken (their centroids are gone by then). */
  private prunedChanges = new Map<number, TermChanges>();
  private lookups = 0;
  // Scratch space of best(), reused so that a lookup allocates nothing per term or candidate.
  private readonly keys: string[] = [];
  private readonly vals: number[] = [];
  private readonly probe: string[] = [];
  private readonly probeWeights: number[] = [];
  private readonly candidates: Posted[] = [];
  private tag = new Uint8Array(64);

  constructor(readonly options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS) {}

  /**
   * The best cluster for an item vector at time `at`, or null below the threshold. An item naming
   * places joins no cluster that names only other places; with `unplacedMin`, an item and a
   * cluster of which only one names a place need at least that similarity.
   */
  best(
    v: TermVector,
    at: number,
    places: readonly string[] = [],
    unplacedMin = 0,
  ): { id: number; similarity: number } | null {
    // The item's terms as flat arrays, walked in the Map's order so every dot product (and the
    // norm) is the very same floating-point sum `cosine` computes (threshold ties come out
    // identical).
    const { keys, vals, probe, probeWeights: pw } = this;
    let size = 0;
    let n2 = 0;
    let probes = 0;
    for (const [w, x] of v) {
      keys[size] = w;
      vals[size++] = x;
      n2 += x * x;
      // Candidates come from the item's most telling terms only; a term shared by hundreds of
      // clusters ("希望", "尽快") says nothing about which one this item belongs to. The heaviest
      // CANDIDATE_TERMS, the earlier first among equal weights (a stable sort's order).
      if (w.charCodeAt(0) === 35 /* # */) continue;
      if (probes === CANDIDATE_TERMS && !(x > pw[probes - 1]!)) continue;
      let i = probes < CANDIDATE_TERMS ? probes++ : probes - 1;
      for (; i > 0 && x > pw[i - 1]!; i--) {
        probe[i] = probe[i - 1]!;
        pw[i] = pw[i - 1]!;
      }
      probe[i] = w;
      pw[i] = x;
    }
    const nv = Math.sqrt(n2);
    if (this.tag.length < size) this.tag = new Uint8Array(size * 2);
    const stamp = ++this.lookups;
    const win = this.options.windowMs;
    const candidates = this.candidates;
    let found = 0;
    for (let p = 0; p < probes; p++) {
      const posting = this.inverted.get(probe[p]!);
      if (!posting || posting.size > MAX_POSTING) continue;
      for (const e of posting) {
        if (e.seen === stamp) continue;
        e.seen = stamp;
        const c = e.c;
        if (at < c.firstSeen - win || at > c.lastSeen + win) continue;
        if (!this.placesAgree(c, places)) continue;
        e.scoring = stamp;
        e.dot = 0;
        e.shared = 0;
        e.telling = 0;
        candidates[found++] = e;
      }
    }
    if (!found) return null;
    // A word no cluster holds (it has no posting) adds nothing to any dot product: leave it out
    // of the loops below, keeping the others in order (category pseudo-terms are never posted).
    const tag = this.tag;
    let live = 0;
    for (let i = 0; i < size; i++) {
      const w = keys[i]!;
      const isTag = w.charCodeAt(0) === 35; /* # */
      if (!isTag && !this.inverted.has(w)) continue;
      keys[live] = w;
      vals[live] = vals[i]!;
      tag[live++] = isTag
        ? w.startsWith(KIND_TERM_PREFIX)
          ? 0
          : TERM_CATEGORY
        : isFrameWord(w, places)
          ? TERM_FRAME
          : 0;
    }
    // Dot products term by term, in the item's order (each cluster's sum is added up in the very
    // order `cosine` uses): through the term's posting when it is shorter than the candidate list
    // (most of a candidate's lookups would miss), else by looking the term up in each candidate
    // (pseudo-terms are never posted).
    for (let i = 0; i < live; i++) {
      const w = keys[i]!;
      const x = vals[i]!;
      const shares = tag[i] !== TERM_CATEGORY ? 1 : 0;
      const tells = tag[i] === 0 ? 1 : 0;
      const posting = w.charCodeAt(0) === 35 /* # */ ? undefined : this.inverted.get(w);
      if (posting && posting.size < found) {
        for (const e of posting) {
          if (e.scoring !== stamp) continue;
          const y = e.c.terms.get(w);
          if (y === undefined) continue;
          e.dot += x * y;
          e.shared += shares;
          e.telling += tells;
        }
      } else {
        for (let k = 0; k < found; k++) {
          const e = candidates[k]!;
          const y = e.c.terms.get(w);
          if (y === undefined) continue;
          e.dot += x * y;
          e.shared += shares;
          e.telling += tells;
        }
      }
    }
    let has = false;
    let bestId = 0;
    let bestSim = 0;
    for (let k = 0; k < found; k++) {
      const e = candidates[k]!;
      const c = e.c;
      // Sharing only the place and the frame (安徽六安 … 发生) is two incidents in one place: a
      // story's posts also share what happened.
      if (e.shared < MIN_SHARED_TERMS || e.telling === 0) continue;
      c.norm ??= norm(c.terms);
      const dot = e.dot;
      const s = dot === 0 || nv === 0 || c.norm === 0 ? 0 : dot / (nv * c.norm);
      // One side naming places and the other none: `unplacedMin` (0 = the usual threshold).
      if (unplacedMin && !c.places?.size !== !places.length && s < unplacedMin) continue;
      // The most similar wins, the lower id among equals: the same whatever the candidates' order.
      if (s >= this.options.threshold && (!has || s > bestSim || (s === bestSim && c.id < bestId))) {
        has = true;
        bestId = c.id;
        bestSim = s;
      }
    }
    candidates.length = 0;
    return has ? { id: bestId, similarity: bestSim } : null;
  }

  /** Whether an item naming `places` may join cluster `c`: never across different places (same place at any grain). */
  placesAgree(c: ClusterState | number, places: readonly string[]): boolean {
    const cl = typeof c === 'number' ? this.clusters.get(c) : c;
    if (!cl || !places.length || !cl.places?.size) return true;
    for (const p of places) if (cl.places.has(p)) return true;
    return placesOverlap(cl.places, places);
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
    this.posted.set(state.id, { c: state, seen: 0, scoring: 0, dot: 0, shared: 0, telling: 0 });
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
    if (places.length) mergePlaces((c.places ??= new Set()), places);
    if (weight > 0) {
      this.touch(c.id, v.keys());
      for (const [w, x] of v) {
        const old = c.terms.get(w);
        c.terms.set(w, (old ?? 0) + x * weight);
        if (old === undefined && !w.startsWith('#')) this.post(w, c);
      }
      // Trimming is amortised: let the centroid grow by half before cutting back to maxTerms.
      if (c.terms.size > this.options.maxTerms * 1.5) {
        const sorted = [...c.terms].sort((a, b) => b[1] - a[1]);
        const cut = sorted.slice(this.options.maxTerms).map(([w]) => w);
        for (const w of cut) this.unpost(w, c);
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
    for (const c of this.clusters.values()) if (c.lastSeen < before) dropped.push(this.drop(c));
    return dropped;
  }

  /**
   * Forgets the clusters seen longest ago until `keep` remain: a flood of unrelated posts (each its
   * own cluster) must not grow the leader's memory without end. Returns their ids.
   */
  evictOldest(keep: number): number[] {
    if (this.clusters.size <= keep) return [];
    const byAge = [...this.clusters.values()].sort((a, b) => a.lastSeen - b.lastSeen || a.id - b.id);
    return byAge.slice(0, byAge.length - keep).map((c) => this.drop(c));
  }

  private drop(c: ClusterState): number {
    const words = this.changed.get(c.id);
    if (words) {
      this.prunedChanges.set(c.id, changesOf(c.terms, words));
      this.changed.delete(c.id);
    }
    this.unindex(c);
    this.clusters.delete(c.id);
    this.posted.delete(c.id);
    return c.id;
  }

  private post(w: string, c: ClusterState): void {
    let set = this.inverted.get(w);
    if (!set) this.inverted.set(w, (set = new Set()));
    set.add(this.posted.get(c.id)!);
  }

  private unpost(w: string, c: ClusterState): void {
    const set = this.inverted.get(w);
    if (!set) return;
    set.delete(this.posted.get(c.id)!);
    if (!set.size) this.inverted.delete(w);
  }

  private index(c: ClusterState): void {
    for (const w of c.terms.keys()) if (!w.startsWith('#')) this.post(w, c);
  }

  private unindex(c: ClusterState): void {
    for (const w of c.terms.keys()) this.unpost(w, c);
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
