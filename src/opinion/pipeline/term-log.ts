import type { TermChanges, TermVector } from '../analysis/cluster.js';

/**
 * Centroid terms are checkpointed, not written batch by batch: a hot story's terms change in
 * every batch, so each batch appends its term changes to a log as ONE row, and every few seconds
 * a checkpoint writes the whole centroid of each cluster changed since the last one (a row per
 * cluster, however often it changed) and empties the log. A rebuild reads the checkpointed
 * centroids and replays the log on top, so a crash loses no centroid change a committed batch
 * made.
 */

/** Checkpoint when this many batches have been logged since the last one… */
export const CHECKPOINT_BATCHES = 50;
/** …or this long has passed (ms)… */
export const CHECKPOINT_MS = 5_000;
/** …or this many clusters wait for one (bounds the replay and the checkpoint's statement). */
export const CHECKPOINT_CLUSTERS = 20_000;

export function checkpointDue(p: { batches: number; sinceMs: number; clusters: number }): boolean {
  return p.batches >= CHECKPOINT_BATCHES || p.sinceMs >= CHECKPOINT_MS || p.clusters >= CHECKPOINT_CLUSTERS;
}

/** A cluster's whole centroid as a checkpoint writes it. */
export interface CentroidRow {
  cluster_id: number;
  terms: string[];
  weights: number[];
}

/** What holds a cluster's current centroid (the index's cluster state, kept after it is pruned). */
export interface HasTerms {
  terms: TermVector;
}

/**
 * The term changes not yet logged (merged: a term's latest weight, or null once trimmed) and the
 * clusters changed since the last checkpoint, with what holds their current centroid.
 */
export class TermJournal {
  private unlogged = new Map<number, Map<string, number | null>>();
  private readonly dirty = new Map<number, HasTerms>();
  /** Log rows written since the last checkpoint. */
  logRows = 0;

  constructor(private checkpointAt: number) {}

  /** Clusters a checkpoint would write. */
  get clusters(): number {
    return this.dirty.size;
  }

  /**
   * Changes taken from the cluster index; `holder` gives each changed cluster's current state,
   * which must still be held (take the changes before the index forgets a cluster).
   */
  note(changes: ReadonlyMap<number, TermChanges>, holder: (id: number) => HasTerms | undefined): void {
    for (const [id, c] of changes) {
      const h = holder(id);
      if (!h) throw new Error(`centroid of cluster ${id} changed but is no longer held`);
      this.dirty.set(id, h);
      let terms = this.unlogged.get(id);
      if (!terms) this.unlogged.set(id, (terms = new Map()));
      for (const [term, weight] of c.set) terms.set(term, weight);
      for (const term of c.removed) terms.set(term, null);
    }
  }

  /** A rebuild replayed a log row: its clusters still wait for the checkpoint. */
  replayed(changes: ReadonlyMap<number, TermChanges>, holder: (id: number) => HasTerms): void {
    for (const id of changes.keys()) this.dirty.set(id, holder(id));
    this.logRows++;
  }

  checkpointDue(at: number): boolean {
    const batches = this.logRows + (this.unlogged.size ? 1 : 0);
    return checkpointDue({ batches, sinceMs: at - this.checkpointAt, clusters: this.dirty.size });
  }

  /** The changes noted since the last row, as the next log row (null when there are none). */
  takeLogRow(): string | null {
    if (!this.unlogged.size) return null;
    const changes = new Map<number, TermChanges>();
    for (const [id, terms] of this.unlogged) {
      const c: TermChanges = { set: [], removed: [] };
      for (const [term, weight] of terms) {
        if (weight === null) c.removed.push(term);
        else c.set.push([term, weight]);
      }
      changes.set(id, c);
    }
    this.unlogged = new Map();
    this.logRows++;
    return encodeTermLog(changes);
  }

  /** The centroids changed since the last checkpoint, whole; the log is then to be emptied. */
  takeCheckpoint(at: number): CentroidRow[] {
    const rows: CentroidRow[] = [];
    for (const [id, h] of this.dirty)
      rows.push({ cluster_id: id, terms: [...h.terms.keys()], weights: [...h.terms.values()] });
    this.dirty.clear();
    this.unlogged = new Map();
    this.logRows = 0;
    this.checkpointAt = at;
    return rows;
  }
}

/** A log row's cluster entry: id, terms and weights set, terms removed. */
type LogEntry = [id: number, terms: string[], weights: number[], removed: string[]];

/** Term changes as a log row (JSON numbers round-trip doubles exactly). */
function encodeTermLog(changes: ReadonlyMap<number, TermChanges>): string {
  const entries: LogEntry[] = [];
  for (const [id, c] of changes)
    entries.push([id, c.set.map(([t]) => t), c.set.map(([, w]) => w), c.removed]);
  return JSON.stringify(entries);
}

export function decodeTermLog(text: string): Map<number, TermChanges> {
  const out = new Map<number, TermChanges>();
  for (const [id, terms, weights, removed] of JSON.parse(text) as LogEntry[])
    out.set(id, { set: terms.map((t, i) => [t, weights[i]!]), removed });
  return out;
}

/** Applies changes to stored centroids (a cluster with no terms yet gets a vector). */
export function applyTermChanges(
  vectors: Map<number, TermVector>,
  changes: ReadonlyMap<number, TermChanges>,
): void {
  for (const [id, c] of changes) {
    let v = vectors.get(id);
    if (!v) vectors.set(id, (v = new Map()));
    for (const [term, weight] of c.set) v.set(term, weight);
    for (const term of c.removed) v.delete(term);
  }
}
