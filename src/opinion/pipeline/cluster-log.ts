import type { TermChanges, TermVector } from '../analysis/cluster.js';
import type { ClusterRow } from './sql.js';

/**
 * Cluster state is checkpointed, not written batch by batch: a hot story's row and centroid
 * change in every batch, so each batch appends its term changes and its touched clusters' rows to
 * a log as ONE row, and every few seconds a checkpoint writes the row and the whole centroid of
 * each cluster changed since the last one (however often it changed) and empties the log. A
 * rebuild reads the checkpointed state and replays the log on top, so a crash loses no change a
 * committed batch made. Rows of new and newly promoted clusters are written by their batch too:
 * other tables reference them and readers join items to events through them.
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

/** What a batch appends to the log: its term changes and its touched clusters' rows. */
export interface LogRow {
  terms: string | null;
  clusters: string | null;
}

/** A checkpoint: the clusters changed since the last one, rows and whole centroids. */
export interface Checkpoint {
  clusters: ClusterRow[];
  centroids: CentroidRow[];
}

/**
 * The term changes not yet logged (merged: a term's latest weight, or null once trimmed) and the
 * clusters changed since the last checkpoint, with what gives their current row and centroid.
 */
export class ClusterJournal {
  private unlogged = new Map<number, Map<string, number | null>>();
  private readonly centroids = new Map<number, HasTerms>();
  private readonly rows = new Map<number, () => ClusterRow>();
  /** Log rows written since the last checkpoint. */
  logRows = 0;

  constructor(private checkpointAt: number) {}

  /** Clusters a checkpoint would write. */
  get clusters(): number {
    return Math.max(this.rows.size, this.centroids.size);
  }

  /**
   * Changes taken from the cluster index; `holder` gives each changed cluster's current state,
   * which must still be held (take the changes before the index forgets a cluster).
   */
  note(changes: ReadonlyMap<number, TermChanges>, holder: (id: number) => HasTerms | undefined): void {
    for (const [id, c] of changes) {
      const h = holder(id);
      if (!h) throw new Error(`centroid of cluster ${id} changed but is no longer held`);
      this.centroids.set(id, h);
      let terms = this.unlogged.get(id);
      if (!terms) this.unlogged.set(id, (terms = new Map()));
      for (const [term, weight] of c.set) terms.set(term, weight);
      for (const term of c.removed) terms.set(term, null);
    }
  }

  /** A batch changed a cluster; `row` gives its current row when a checkpoint is taken. */
  touched(id: number, row: () => ClusterRow): void {
    this.rows.set(id, row);
  }

  /** A rebuild replayed a log row: its clusters still wait for the checkpoint. */
  replayed(
    terms: ReadonlyMap<number, TermChanges>,
    centroid: (id: number) => HasTerms,
    clusters: readonly ClusterRow[],
    row: (id: number) => () => ClusterRow,
  ): void {
    for (const id of terms.keys()) this.centroids.set(id, centroid(id));
    for (const r of clusters) this.touched(r.id, row(r.id));
    this.logRows++;
  }

  checkpointDue(at: number): boolean {
    return checkpointDue({
      batches: this.logRows + 1,
      sinceMs: at - this.checkpointAt,
      clusters: this.clusters,
    });
  }

  /** The next log row: the term changes noted since the last one, and the rows of `clusters`. */
  takeLogRow(clusters: readonly ClusterRow[]): LogRow {
    let terms: string | null = null;
    if (this.unlogged.size) {
      const changes = new Map<number, TermChanges>();
      for (const [id, t] of this.unlogged) {
        const c: TermChanges = { set: [], removed: [] };
        for (const [term, weight] of t) {
          if (weight === null) c.removed.push(term);
          else c.set.push([term, weight]);
        }
        changes.set(id, c);
      }
      this.unlogged = new Map();
      terms = encodeTermLog(changes);
    }
    this.logRows++;
    return { terms, clusters: clusters.length ? JSON.stringify(clusters) : null };
  }

  /** The clusters changed since the last checkpoint, rows and whole centroids; then the log is to be emptied. */
  takeCheckpoint(at: number): Checkpoint {
    const centroids: CentroidRow[] = [];
    for (const [id, h] of this.centroids)
      centroids.push({ cluster_id: id, terms: [...h.terms.keys()], weights: [...h.terms.values()] });
    const clusters = [...this.rows.values()].map((row) => row());
    this.centroids.clear();
    this.rows.clear();
    this.unlogged = new Map();
    this.logRows = 0;
    this.checkpointAt = at;
    return { clusters, centroids };
  }
}

/** The cluster rows of a log row (dates as JSON gives them back). */
export function decodeClusterLog(text: string): ClusterRow[] {
  return (
    JSON.parse(text) as (Omit<ClusterRow, 'first_seen_at' | 'last_seen_at' | 'hotness_at'> & {
      first_seen_at: string;
      last_seen_at: string;
      hotness_at: string;
    })[]
  ).map((r) => ({
    ...r,
    first_seen_at: new Date(r.first_seen_at),
    last_seen_at: new Date(r.last_seen_at),
    hotness_at: new Date(r.hotness_at),
  }));
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
