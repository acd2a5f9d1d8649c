import type { Db, Executor, Trx } from '../../db/database.js';
import { ClusterIndex, type TermChanges, type TermVector } from '../analysis/cluster.js';
import { DuplicateIndex, fromBytes } from '../analysis/minhash.js';
import type { WarningRules } from '../analysis/rules.js';
import {
  MAX_CLUSTER_AUTHORS,
  emptyStats,
  trimStats,
  type ClusterMeta,
  type ClusterStats,
} from '../cluster-state.js';
import type { DupRef } from './assign.js';
import { clusterRow } from './fold.js';
import {
  clusterAuthors,
  clusterHours,
  clusterLog,
  clusterTerms,
  duplicateCandidates,
  reserveClusterIds,
  type ClusterRow,
} from './sql.js';
import {
  ClusterJournal,
  applyTermChanges,
  decodeClusterLog,
  decodeTermLog,
  type Checkpoint,
  type LogRow,
} from './cluster-log.js';

const HOUR = 3600_000;
/** Terms kept per centroid: a story's vocabulary, not every word its posts used. */
const CENTROID_TERMS = 60;
const NO_TERMS: TermVector = new Map();
/**
 * Duplicate candidates kept at most (≈ 0.5 KB each: a 64-word signature, its band postings and the
 * item reference), ≈ 100 MiB: a province's 72-hour window of originals would otherwise be tens of
 * millions. Copies mostly follow their original within hours, so the earliest go first.
 */
export const MAX_DUPLICATE_CANDIDATES = 200_000;
/**
 * Clusters kept at most (≈ 4 KB each with their aggregates: 17,600 one-post clusters took 70 MiB of
 * heap), ≈ 200 MiB: a 48-hour window of a province's posts, most of them clusters of one, would
 * otherwise be millions. Those seen longest ago go first; a later post of theirs starts a new one.
 */
export const MAX_CLUSTERS = 50_000;

/**
 * How a batch stores its clusters (cluster-log.ts): the rows of its new and newly promoted
 * clusters and a log row, or, at a checkpoint, everything changed since the last one, the log
 * emptied.
 */
export type ClusterWrites =
  | { kind: 'log'; store: ClusterRow[]; row: LogRow }
  | { kind: 'checkpoint'; checkpoint: Checkpoint; clearLog: boolean };

/**
 * The clusters and duplicate candidates within their windows, held in memory by the pipeline
 * leader and rebuilt from the database on start or after any failure (the rolled-back batch may
 * have changed them).
 */
export class ClusterMemory {
  readonly metas = new Map<number, ClusterMeta>();
  private idPool: number[] = [];
  private readonly journal = new ClusterJournal(performance.now());
  /** Clusters created since the last batch was stored: their rows are written with it. */
  private readonly created = new Set<number>();
  /** Centroids of clusters revived for the batch being stored (see revive). */
  private readonly revived = new Map<number, TermVector>();

  private constructor(
    readonly clusters: ClusterIndex,
    readonly dups: DuplicateIndex<DupRef>,
  ) {}

  static async load(db: Db, now: number, rules: WarningRules): Promise<ClusterMemory> {
    const mem = new ClusterMemory(
      new ClusterIndex({
        threshold: rules.cluster.threshold,
        windowMs: rules.cluster.windowHours * HOUR,
        maxTerms: CENTROID_TERMS,
      }),
      new DuplicateIndex(rules.dedup.minSimilarity, rules.dedup.windowHours * HOUR, MAX_DUPLICATE_CANDIDATES),
    );
    // What batches logged since the last checkpoint is newer than the stored rows and centroids.
    const log = await clusterLog(db);
    const termLogs = log.map((r) => (r.terms ? decodeTermLog(r.terms) : new Map<number, TermChanges>()));
    const rowLogs = log.map((r) => (r.clusters ? decodeClusterLog(r.clusters) : []));
    const logged = new Map<number, ClusterRow>();
    for (const rs of rowLogs) for (const r of rs) logged.set(r.id, r);
    const since = new Date(now - rules.cluster.windowHours * HOUR);
    const stored = await db
      .selectFrom('opinion_clusters')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('last_seen_at', '>=', since),
          ...(logged.size ? [eb('id', 'in', [...logged.keys()])] : []),
        ]),
      )
      .execute();
    const byId = new Map<number, ClusterRow>(stored.map((r) => [r.id, r]));
    for (const [id, r] of logged) byId.set(id, r);
    const rows = [...byId.values()].filter((r) => r.last_seen_at >= since);
    const byCluster = await clusterAuthors(
      db,
      rows.map((r) => r.id),
      MAX_CLUSTER_AUTHORS,
    );
    // Terms and hours have tables of their own (migration 101).
    const ids = rows.map((r) => r.id);
    // Logged term changes are replayed on the centroids (those of clusters out of the window too:
    // the next checkpoint writes them).
    const termIds = termLogs.flatMap((changes) => [...changes.keys()]);
    const terms = await clusterTerms(db, [...new Set([...ids, ...termIds])]);
    for (const changes of termLogs) applyTermChanges(terms, changes);
    const hours = await clusterHours(db, ids);
    for (const r of rows) {
      const meta = metaOf(r, byCluster.get(r.id) ?? new Set(), hours.get(r.id) ?? {});
      trimStats(meta, now, rules);
      mem.metas.set(r.id, meta);
      mem.clusters.put(
        {
          id: r.id,
          terms: terms.get(r.id) ?? new Map(),
          firstSeen: meta.firstSeen,
          lastSeen: meta.lastSeen,
          items: meta.itemsCount,
          places: new Set(meta.stats.places),
        },
        true,
      );
    }
    log.forEach((_, i) =>
      mem.journal.replayed(
        termLogs[i]!,
        (id) => mem.clusters.clusters.get(id) ?? { terms: terms.get(id)! },
        rowLogs[i]!,
        (id) => {
          const m = mem.metas.get(id);
          return m ? () => clusterRow(m) : () => logged.get(id)!;
        },
      ),
    );
    for (const it of await duplicateCandidates(
      db,
      new Date(now - rules.dedup.windowHours * HOUR),
      MAX_DUPLICATE_CANDIDATES,
    ))
      mem.dups.add(
        { itemId: it.id, clusterId: it.cluster_id },
        fromBytes(it.minhash),
        it.published_at.getTime(),
      );
    return mem;
  }

  /**
   * Clusters no longer held (out of their window, or forgotten for room) as a rebuild reads them,
   * the log replayed: a correction of one of their items still moves them and their event. They
   * are not put back in the index (no new item joins them); their centroids are kept until the
   * batch has stored them, for the event's keywords.
   */
  async revive(
    db: Executor,
    ids: readonly number[],
    now: number,
    rules: WarningRules,
  ): Promise<ClusterMeta[]> {
    if (!ids.length) return [];
    const want = new Set(ids);
    const terms = await clusterTerms(db, ids);
    const logged = new Map<number, ClusterRow>();
    for (const r of await clusterLog(db)) {
      if (r.terms) {
        const changes = decodeTermLog(r.terms);
        for (const id of [...changes.keys()]) if (!want.has(id)) changes.delete(id);
        applyTermChanges(terms, changes);
      }
      if (r.clusters) for (const c of decodeClusterLog(r.clusters)) if (want.has(c.id)) logged.set(c.id, c);
    }
    const rows = new Map<number, ClusterRow>(
      (await db.selectFrom('opinion_clusters').selectAll().where('id', 'in', ids).execute()).map((r) => [
        r.id,
        r,
      ]),
    );
    for (const [id, r] of logged) rows.set(id, r);
    const hours = await clusterHours(db, ids);
    return [...rows.values()].map((r) => {
      // Its authors matter only to items joining it, which none will.
      const meta = metaOf(r, new Set(), hours.get(r.id) ?? {});
      trimStats(meta, now, rules);
      this.revived.set(r.id, terms.get(r.id) ?? new Map());
      return meta;
    });
  }

  /** Makes sure `n` new cluster ids are at hand (one round trip for many batches). */
  async reserveIds(trx: Trx, n: number): Promise<void> {
    if (this.idPool.length >= n) return;
    this.idPool.push(...(await reserveClusterIds(trx, Math.max(n, 64))));
  }

  nextId(): number {
    const id = this.idPool.shift();
    if (id === undefined) throw new Error('no reserved cluster id');
    this.created.add(id);
    return id;
  }

  /**
   * What the batch being stored writes of the clusters it touched (`promoted`: those it made
   * events): a log row, or a checkpoint when one is due (`at`: a monotonic clock, ms) and the
   * batch may take it. Taken as written: a batch that fails is rolled back as a whole and memory
   * rebuilt from the database.
   */
  clusterWrites(
    touched: Iterable<ClusterMeta>,
    promoted: Iterable<ClusterMeta>,
    { at = performance.now(), mayCheckpoint = true }: { at?: number; mayCheckpoint?: boolean } = {},
  ): ClusterWrites {
    this.noteTermChanges();
    this.revived.clear();
    const rows: ClusterRow[] = [];
    for (const m of touched) {
      rows.push(clusterRow(m));
      this.journal.touched(m.id, () => clusterRow(m));
    }
    if (mayCheckpoint && this.journal.checkpointDue(at)) return this.checkpoint(at);
    const events = new Set([...promoted].map((m) => m.id));
    const store = rows.filter((r) => this.created.has(r.id) || events.has(r.id));
    this.created.clear();
    return { kind: 'log', store, row: this.journal.takeLogRow(rows) };
  }

  /** Every cluster changed since the last checkpoint, as a checkpoint writes it. */
  checkpoint(at = performance.now()): ClusterWrites {
    this.noteTermChanges();
    const clearLog = this.journal.logRows > 0;
    this.created.clear();
    return { kind: 'checkpoint', checkpoint: this.journal.takeCheckpoint(at), clearLog };
  }

  /** Takes the index's term changes while every changed cluster is still held. */
  private noteTermChanges(): void {
    this.journal.note(this.clusters.takeTermChanges(), (id) => this.clusters.clusters.get(id));
  }

  termsOf(clusterId: number): TermVector {
    return this.clusters.clusters.get(clusterId)?.terms ?? this.revived.get(clusterId) ?? NO_TERMS;
  }

  /**
   * Forgets the clusters seen longest ago beyond `max` (checked before each batch, so that what a
   * batch touches is still held when it is stored); lets the count overrun by a quarter so that
   * the sort is rare.
   */
  bound(max = MAX_CLUSTERS): void {
    if (this.clusters.clusters.size <= max * 1.25) return;
    this.noteTermChanges();
    for (const id of this.clusters.evictOldest(max)) this.metas.delete(id);
  }

  /** Forgets clusters and duplicate candidates that fell out of their windows. */
  prune(now: number, rules: WarningRules): void {
    this.noteTermChanges();
    for (const id of this.clusters.prune(now - rules.cluster.windowHours * HOUR)) this.metas.delete(id);
    this.dups.prune(now - rules.dedup.windowHours * HOUR);
  }
}

/** A cluster's state as its stored (or logged) row, authors and hourly counts give it. */
function metaOf(r: ClusterRow, authors: Set<string>, hours: ClusterStats['hours']): ClusterMeta {
  return {
    id: r.id,
    eventId: r.event_id,
    firstSeen: r.first_seen_at.getTime(),
    lastSeen: r.last_seen_at.getTime(),
    itemsCount: r.items_count,
    uniqueAuthors: r.unique_authors,
    negative: r.negative_count,
    positive: r.positive_count,
    duplicates: r.duplicates_count,
    hotness: r.hotness,
    hotnessAt: r.hotness_at.getTime(),
    authors,
    stats: { ...emptyStats(), ...(r.stats as Partial<ClusterStats>), hours },
  };
}
