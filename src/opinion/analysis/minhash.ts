/**
 * Near-duplicate detection (reposts, 洗稿) with MinHash over an item's character-bigram set and
 * LSH banding. Character shingles (not token sets, which reduce two different short posts to the
 * same one or two words) separate copies from different posts; short posts must be nearly
 * identical (see duplicateThreshold in analyse.ts).
 */
export const MINHASH_SIZE = 64;
const BANDS = 16;
const ROWS = MINHASH_SIZE / BANDS;
const MAX_SCAN = 256;
/** Containment that makes a copy, and the smallest shingle set it applies to. */
const CONTAINMENT = 0.9;
const CONTAINMENT_MIN = 12;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

/** The MinHash signature of a token set; an empty set gives all 0xffffffff. */
export function minhash(tokens: Iterable<string>): Uint32Array {
  const sig = new Uint32Array(MINHASH_SIZE).fill(0xffffffff);
  const seen = new Set<string>();
  for (const t of tokens) {
    if (seen.has(t)) continue;
    seen.add(t);
    // Double hashing: hash i = fmix(h1 + i·h2), independent enough for MinHash.
    const h1 = fnv(t, 0);
    const h2 = fnv(t, 0x9e3779b9) | 1;
    for (let i = 0; i < MINHASH_SIZE; i++) {
      const h = fmix((h1 + Math.imul(i, h2)) >>> 0);
      if (h < sig[i]!) sig[i] = h;
    }
  }
  return sig;
}

/** Estimated Jaccard similarity of the two token sets. */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < MINHASH_SIZE; i++) if (a[i] === b[i] && a[i] !== 0xffffffff) same++;
  return same / MINHASH_SIZE;
}

function bandKeys(sig: Uint32Array): number[] {
  const keys: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h = 0x12345 + b;
    for (let r = 0; r < ROWS; r++) h = fmix((h ^ sig[b * ROWS + r]!) >>> 0);
    keys.push(b * 4294967296 + h);
  }
  return keys;
}

export function toBytes(sig: Uint32Array): Buffer {
  return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);
}

export function fromBytes(buf: Uint8Array): Uint32Array {
  const copy = new Uint8Array(buf);
  return new Uint32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

interface Entry<T> {
  ref: T;
  sig: Uint32Array;
  at: number;
  /** The similarity this entry itself needs (short posts: near identity). */
  min: number;
  /** Shingles in the set (0 = unknown): lets a repost that adds a comment still match. */
  size: number;
  /** The lookup that last compared this entry: one comparison per lookup, without a Set. */
  seen: number;
}

/**
 * LSH index over a sliding time window, holding at most `maxEntries` originals: beyond that the
 * earliest added are forgotten first (a flood must not grow the leader's memory without end; a
 * copy of a forgotten original is clustered by its words instead).
 */
export class DuplicateIndex<T> {
  private readonly buckets = new Map<number, Entry<T>[]>();
  private entries = 0;
  private lookups = 0;
  /** Entries in the order they were added (evicted from the front). */
  private order: Entry<T>[] = [];

  constructor(
    /** Estimated Jaccard at or above which two items are copies. */
    readonly threshold: number,
    readonly windowMs: number,
    readonly maxEntries = Infinity,
  ) {}

  /** The most similar earlier entry at or above the threshold within the time window. */
  nearest(sig: Uint32Array, at: number, minSimilarity = 0, size = 0): { ref: T; similarity: number } | null {
    if (sig[0] === 0xffffffff) return null;
    let best: { ref: T; similarity: number } | null = null;
    const stamp = ++this.lookups;
    const own = Math.max(this.threshold, minSimilarity);
    for (const key of bandKeys(sig)) {
      const list = this.buckets.get(key);
      if (!list) continue;
      // Newest first, and only so far back: copies follow their original closely, and a bucket
      // crowded by boilerplate must not make every lookup slow.
      for (let i = list.length - 1; i >= 0 && i >= list.length - MAX_SCAN; i--) {
        const e = list[i]!;
        if (e.seen === stamp) continue;
        e.seen = stamp;
        if (Math.abs(e.at - at) > this.windowMs) continue;
        let threshold = Math.max(own, e.min);
        // A quoted copy (转发 with a comment, 原文 with a source line) contains the original:
        // containment ≥ 0.9 of the smaller set, read from the Jaccard and the two set sizes.
        const small = Math.min(size, e.size);
        if (small >= CONTAINMENT_MIN) {
          const big = Math.max(size, e.size);
          threshold = Math.min(threshold, (CONTAINMENT * small) / (small + big - CONTAINMENT * small));
        }
        const minSame = Math.max(0, Math.ceil(threshold * MINHASH_SIZE - 1e-9));
        // Only an entry reaching the threshold and beating the best so far matters: stop counting
        // as soon as too many rows differ for that (the similarity itself is computed as before).
        const need = best ? Math.floor(best.similarity * MINHASH_SIZE) + 1 : minSame;
        const other = e.sig;
        let same = 0;
        let left = MINHASH_SIZE - need;
        for (let r = 0; r < MINHASH_SIZE; r++) {
          if (sig[r] === other[r] && sig[r] !== 0xffffffff) same++;
          else if (--left < 0) break;
        }
        if (left < 0) continue;
        const s = same / MINHASH_SIZE;
        if (s >= threshold && (!best || s > best.similarity)) best = { ref: e.ref, similarity: s };
      }
    }
    return best;
  }

  add(ref: T, sig: Uint32Array, at: number, minSimilarity = 0, size = 0): void {
    if (sig[0] === 0xffffffff) return;
    const e = { ref, sig, at, min: minSimilarity, size, seen: 0 };
    for (const key of bandKeys(sig)) {
      const list = this.buckets.get(key);
      if (list) list.push(e);
      else this.buckets.set(key, [e]);
    }
    this.entries++;
    if (this.maxEntries === Infinity) return;
    this.order.push(e);
    // Evicting is a pass over all buckets: done once the cap is overrun by a quarter.
    if (this.order.length > this.maxEntries * 1.25)
      this.evict(new Set(this.order.splice(0, this.order.length - this.maxEntries)));
  }

  private evict(gone: Set<Entry<T>>): void {
    for (const [key, list] of this.buckets) {
      const kept = list.filter((e) => !gone.has(e));
      if (kept.length) this.buckets.set(key, kept);
      else this.buckets.delete(key);
    }
    this.entries -= gone.size;
  }

  /** Drops entries older than `before` (epoch ms). */
  prune(before: number): void {
    const alive = new Set<Entry<T>>();
    for (const [key, list] of this.buckets) {
      const kept = list.filter((e) => e.at >= before);
      for (const e of kept) alive.add(e);
      if (kept.length) this.buckets.set(key, kept);
      else this.buckets.delete(key);
    }
    this.entries = alive.size;
    if (this.order.length) this.order = this.order.filter((e) => alive.has(e));
  }

  get size(): number {
    return this.entries;
  }
}
