import type { Db, Trx } from '../../db/database.js';
import { ClusterIndex, type TermVector } from '../analysis/cluster.js';
import { DuplicateIndex, fromBytes } from '../analysis/minhash.js';
import type { WarningRules } from '../analysis/rules.js';
import { emptyStats, trimStats, type ClusterMeta, type ClusterStats } from '../cluster-state.js';
import type { DupRef } from './assign.js';
import { clusterHours, clusterTerms, duplicateCandidates, reserveClusterIds, termLog } from './sql.js';
import { TermJournal, applyTermChanges, decodeTermLog, type CentroidRow } from './term-log.js';

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
 * How a batch stores its centroid term changes (term-log.ts): a log row (none when nothing
 * changed), or, at a checkpoint, the whole centroids changed since the last one, the log emptied.
 */
export type TermWrites =
  { kind: 'log'; row: string | null } | { kind: 'checkpoint'; centroids: CentroidRow[]; clearLog: boolean };

/**
 * The clusters and duplicate candidates within their windows, held in memory by the pipeline
 * leader and rebuilt from the database on start or after any failure (the rolled-back batch may
 * have changed them).
 */
export class ClusterMemory {
  readonly metas = new Map<number, ClusterMeta>();
  private idPool: number[] = [];
  private readonly journal = new TermJournal(performance.now());

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
    const rows = await db
      .selectFrom('opinion_clusters')
      .selectAll()
      .where('last_seen_at', '>=', new Date(now - rules.cluster.windowHours * HOUR))
      .execute();
    const authors = rows.length
      ? await db
          .selectFrom('opinion_cluster_authors')
          .selectAll()
          .where(
            'cluster_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute()
      : [];
    const byCluster = new Map<number, Set<string>>();
    for (const a of authors) {
      let s = byCluster.get(a.cluster_id);
      if (!s) byCluster.set(a.cluster_id, (s = new Set()));
      s.add(a.author);
    }
    // Terms and hours have tables of their own (migration 101).
    const ids = rows.map((r) => r.id);
    // Changes logged since the last checkpoint are replayed on the centroids (those of clusters
    // out of the window too: the next checkpoint writes them).
    const log = (await termLog(db)).map(decodeTermLog);
    const logged = new Set(log.flatMap((changes) => [...changes.keys()]));
    const terms = await clusterTerms(db, [...new Set([...ids, ...logged])]);
    for (const changes of log) applyTermChanges(terms, changes);
    const hours = await clusterHours(db, ids);
    for (const r of rows) {
      const meta: ClusterMeta = {
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
        authors: byCluster.get(r.id) ?? new Set(),
        stats: { ...emptyStats(), ...(r.stats as Partial<ClusterStats>), hours: hours.get(r.id) ?? {} },
      };
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
    for (const changes of log)
      mem.journal.replayed(changes, (id) => mem.clusters.clusters.get(id) ?? { terms: terms.get(id)! });
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

  /** Makes sure `n` new cluster ids are at hand (one round trip for many batches). */
  async reserveIds(trx: Trx, n: number): Promise<void> {
    if (this.idPool.length >= n) return;
    this.idPool.push(...(await reserveClusterIds(trx, Math.max(n, 64))));
  }

  nextId(): number {
    const id = this.idPool.shift();
    if (id === undefined) throw new Error('no reserved cluster id');
    return id;
  }

  /**
   * What the batch being stored writes of the centroid terms it changed: a log row, or a
   * checkpoint when one is due (`at`: a monotonic clock, ms). Taken as written: a batch that fails
   * is rolled back as a whole and memory rebuilt from the database.
   */
  termWrites(at = performance.now()): TermWrites {
    this.noteTermChanges();
    if (this.journal.checkpointDue(at)) return this.termCheckpoint(at);
    return { kind: 'log', row: this.journal.takeLogRow() };
  }

  /** Every centroid changed since the last checkpoint, whole, as a checkpoint writes it. */
  termCheckpoint(at = performance.now()): TermWrites {
    this.noteTermChanges();
    const clearLog = this.journal.logRows > 0;
    return { kind: 'checkpoint', centroids: this.journal.takeCheckpoint(at), clearLog };
  }

  /** Takes the index's term changes while every changed cluster is still held. */
  private noteTermChanges(): void {
    this.journal.note(this.clusters.takeTermChanges(), (id) => this.clusters.clusters.get(id));
  }

  termsOf(clusterId: number): TermVector {
    return this.clusters.clusters.get(clusterId)?.terms ?? NO_TERMS;
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
