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

/** The LSH bucket keys of a signature, one per band, written into `keys`. */
function bandKeys(sig: Uint32Array, keys: Float64Array): Float64Array {
  for (let b = 0; b < BANDS; b++) {
    let h = 0x12345 + b;
    for (let r = 0; r < ROWS; r++) h = fmix((h ^ sig[b * ROWS + r]!) >>> 0);
    keys[b] = b * 4294967296 + h;
  }
  return keys;
}

/**
 * Words of a fingerprint: the low 4 bits of each of the 64 rows, 8 rows a word. Rows whose
 * fingerprints differ differ, so 64 minus the differing nibbles bounds the rows two signatures
 * share from above: most bucket neighbours are rejected on 8 words instead of ~40 rows.
 */
const FP_WORDS = MINHASH_SIZE / 8;

function fingerprint(sig: Uint32Array, out: Int32Array, at: number): void {
  for (let k = 0; k < FP_WORDS; k++) {
    let w = 0;
    for (let j = 0; j < 8; j++) w |= (sig[k * 8 + j]! & 15) << (j * 4);
    out[at + k] = w;
  }
}

/** Rows whose fingerprint nibbles differ between the fingerprints at `a` (in `x`) and `b` (in `y`). */
function differingRows(x: Int32Array, a: number, y: Int32Array, b: number): number {
  let n = 0;
  for (let k = 0; k < FP_WORDS; k++) {
    let d = x[a + k]! ^ y[b + k]!;
    // Fold each nibble onto its low bit, then add up the 8 bits (at most 8: fits a nibble).
    d |= d >>> 1;
    d |= d >>> 2;
    d &= 0x11111111;
    n += Math.imul(d, 0x11111111) >>> 28;
  }
  return n;
}

export function toBytes(sig: Uint32Array): Buffer {
  return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);
}

export function fromBytes(buf: Uint8Array): Uint32Array {
  const copy = new Uint8Array(buf);
  return new Uint32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}

const LIVE = 1;
const DROPPED = 2;

/**
 * LSH index over a sliding time window, holding at most `maxEntries` originals: beyond that the
 * earliest added are forgotten first (a flood must not grow the leader's memory without end; a
 * copy of a forgotten original is clustered by its words instead).
 *
 * Entries live in slots of typed arrays (signature, fingerprint, time, thresholds), and buckets
 * list slot numbers: a lookup walks flat memory instead of one object per entry, and the garbage
 * collector has a few large arrays to look at instead of hundreds of thousands of small ones.
 */
export class DuplicateIndex<T> {
  /** Band key → slots, oldest first. */
  private readonly buckets = new Map<number, number[]>();
  private entries = 0;
  private lookups = 0;
  /** Slots in the order they were added (evicted from the front); kept only under a cap. */
  private order: number[] = [];
  private capacity = 0;
  private used = 0;
  private freeSlots: number[] = [];
  private refs: (T | undefined)[] = [];
  private sigs = new Uint32Array(0);
  /** Fingerprints, FP_WORDS a slot. */
  private fps = new Int32Array(0);
  private ats = new Float64Array(0);
  /** The similarity the entry itself needs (short posts: near identity). */
  private mins = new Float64Array(0);
  /** Shingles in the set (0 = unknown): lets a repost that adds a comment still match. */
  private sizes = new Int32Array(0);
  /** The lookup that last compared the entry: one comparison per lookup, without a Set. */
  private seen = new Float64Array(0);
  /** LIVE while the slot holds an entry, DROPPED until the next sweep frees it, else free. */
  private live = new Uint8Array(0);
  private readonly keys = new Float64Array(BANDS);
  private readonly probe = new Int32Array(FP_WORDS);

  constructor(
    /** Estimated Jaccard at or above which two items are copies. */
    readonly threshold: number,
    readonly windowMs: number,
    readonly maxEntries = Infinity,
  ) {}

  /** The most similar earlier entry at or above the threshold within the time window. */
  nearest(sig: Uint32Array, at: number, minSimilarity = 0, size = 0): { ref: T; similarity: number } | null {
    if (sig[0] === 0xffffffff) return null;
    let best = -1;
    let bestSimilarity = 0;
    const stamp = ++this.lookups;
    const own = Math.max(this.threshold, minSimilarity);
    const { probe, fps, sigs, ats, mins, sizes, seen } = this;
    fingerprint(sig, probe, 0);
    const keys = bandKeys(sig, this.keys);
    for (let b = 0; b < BANDS; b++) {
      const list = this.buckets.get(keys[b]!);
      if (!list) continue;
      // Newest first, and only so far back: copies follow their original closely, and a bucket
      // crowded by boilerplate must not make every lookup slow.
      for (let i = list.length - 1; i >= 0 && i >= list.length - MAX_SCAN; i--) {
        const e = list[i]!;
        if (seen[e] === stamp) continue;
        seen[e] = stamp;
        if (Math.abs(ats[e]! - at) > this.windowMs) continue;
        let threshold = Math.max(own, mins[e]!);
        // A quoted copy (转发 with a comment, 原文 with a source line) contains the original:
        // containment ≥ 0.9 of the smaller set, read from the Jaccard and the two set sizes.
        const small = Math.min(size, sizes[e]!);
        if (small >= CONTAINMENT_MIN) {
          const big = Math.max(size, sizes[e]!);
          threshold = Math.min(threshold, (CONTAINMENT * small) / (small + big - CONTAINMENT * small));
        }
        const minSame = Math.max(0, Math.ceil(threshold * MINHASH_SIZE - 1e-9));
        // Only an entry reaching the threshold and beating the best so far matters: stop counting
        // as soon as too many rows differ for that (the similarity itself is computed as before).
        const need = best >= 0 ? Math.floor(bestSimilarity * MINHASH_SIZE) + 1 : minSame;
        // The row-by-row count below would stop short of `need` too: skip it.
        if (MINHASH_SIZE - differingRows(probe, 0, fps, e * FP_WORDS) < need) continue;
        const base = e * MINHASH_SIZE;
        let same = 0;
        let left = MINHASH_SIZE - need;
        for (let r = 0; r < MINHASH_SIZE; r++) {
          if (sig[r] === sigs[base + r] && sig[r] !== 0xffffffff) same++;
          else if (--left < 0) break;
        }
        if (left < 0) continue;
        const s = same / MINHASH_SIZE;
        if (s >= threshold && (best < 0 || s > bestSimilarity)) {
          best = e;
          bestSimilarity = s;
        }
      }
    }
    return best < 0 ? null : { ref: this.refs[best]!, similarity: bestSimilarity };
  }

  add(ref: T, sig: Uint32Array, at: number, minSimilarity = 0, size = 0): void {
    if (sig[0] === 0xffffffff) return;
    const e = this.slot();
    this.refs[e] = ref;
    this.sigs.set(sig.subarray(0, MINHASH_SIZE), e * MINHASH_SIZE);
    // Rows a short signature lacks never count as shared (as with the signature itself).
    if (sig.length < MINHASH_SIZE)
      this.sigs.fill(0xffffffff, e * MINHASH_SIZE + sig.length, (e + 1) * MINHASH_SIZE);
    fingerprint(sig, this.fps, e * FP_WORDS);
    this.ats[e] = at;
    this.mins[e] = minSimilarity;
    this.sizes[e] = size;
    this.seen[e] = 0;
    this.live[e] = LIVE;
    const keys = bandKeys(sig, this.keys);
    for (let b = 0; b < BANDS; b++) {
      const list = this.buckets.get(keys[b]!);
      if (list) list.push(e);
      else this.buckets.set(keys[b]!, [e]);
    }
    this.entries++;
    if (this.maxEntries === Infinity) return;
    this.order.push(e);
    // Evicting is a pass over all buckets: done once the cap is overrun by a quarter.
    if (this.order.length > this.maxEntries * 1.25) {
      for (const gone of this.order.splice(0, this.order.length - this.maxEntries)) this.live[gone] = DROPPED;
      this.sweep();
    }
  }

  /** Drops entries older than `before` (epoch ms). */
  prune(before: number): void {
    let dropped = 0;
    for (let e = 0; e < this.used; e++)
      if (this.live[e] === LIVE && this.ats[e]! < before) {
        this.live[e] = DROPPED;
        dropped++;
      }
    if (!dropped) return;
    this.sweep();
    if (this.order.length) this.order = this.order.filter((e) => this.live[e] === LIVE);
  }

  get size(): number {
    return this.entries;
  }

  /** Takes entries no longer live out of the buckets and frees their slots. */
  private sweep(): void {
    for (const [key, list] of this.buckets) {
      if (list.every((e) => this.live[e] === LIVE)) continue;
      const kept = list.filter((e) => this.live[e] === LIVE);
      if (kept.length) this.buckets.set(key, kept);
      else this.buckets.delete(key);
    }
    for (let e = 0; e < this.used; e++)
      if (this.live[e] === DROPPED) {
        this.live[e] = 0;
        this.refs[e] = undefined;
        this.freeSlots.push(e);
        this.entries--;
      }
  }

  /** A free slot, growing the arrays when all are taken. */
  private slot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    if (this.used === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    return this.used++;
  }

  private grow(capacity: number): void {
    const more = <A extends Uint32Array | Int32Array | Float64Array | Uint8Array>(
      a: A,
      make: (n: number) => A,
      per = 1,
    ): A => {
      const b = make(capacity * per);
      b.set(a as never);
      return b;
    };
    this.sigs = more(this.sigs, (n) => new Uint32Array(n), MINHASH_SIZE);
    this.fps = more(this.fps, (n) => new Int32Array(n), FP_WORDS);
    this.ats = more(this.ats, (n) => new Float64Array(n));
    this.mins = more(this.mins, (n) => new Float64Array(n));
    this.sizes = more(this.sizes, (n) => new Int32Array(n));
    this.seen = more(this.seen, (n) => new Float64Array(n));
    this.live = more(this.live, (n) => new Uint8Array(n));
    this.capacity = capacity;
  }
}
