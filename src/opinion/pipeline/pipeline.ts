import type { Core } from '../../context.js';
import { insertAlerts } from '../../alerts/store.js';
import type { ItemAnalysis } from '../analysis/analyse.js';
import type { WarningRules } from '../analysis/rules.js';
import { deriveEvent, trimStats, type ClusterMeta, type DerivedEvent } from '../cluster-state.js';
import { PolicyMatcher } from '../policy-link.js';
import { loadLexicons, loadLocalTerms, loadRules, loadSchemes, type Scheme } from '../settings.js';
import type { Trx } from '../../db/database.js';
import { applyLabelDelta, labelDelta, type LabelAdjustment } from '../cluster-adjust.js';
import { alertsForBatch } from './alerts.js';
import { InThreadAnalyser, failed, piecesOf, type Analyser, type AnalysisResult } from './analyser.js';
import { eventFigures, foldBatch, toPromote, type FoldedBatch } from './fold.js';
import { foldInChunks } from './fold-chunks.js';
import { linkPolicies } from './policy-links.js';
import { StageProfile } from './profile.js';
import { ReadAhead } from './read-ahead.js';
import * as db from './sql.js';
import { ClusterMemory, type ClusterWrites } from './state.js';

const HOUR = 3600_000;
/** Events still moving: their hotness and trend are refreshed as time passes. */
const ACTIVE_EVENT_MS = 48 * HOUR;
/** The opinion center's id is looked up again after this long (departments rarely change). */
const CENTER_TTL_MS = 60_000;

/**
 * Called after each batch is committed (live views), with the ids of the items it stored and of
 * the events analysts' corrections moved (their items are not new).
 */
export type BatchListener = (itemIds: number[], correctedEventIds: number[]) => void;

/**
 * The opinion pipeline: claims queued items, analyses them, folds reposts, clusters items into
 * events, raises early warnings, all in ONE transaction per batch, so a crash either keeps the
 * whole batch queued or commits all of it. Cluster and duplicate state lives in memory on the
 * single leader (see worker.ts) and is rebuilt from the database on start or after any failure.
 */
export class OpinionPipeline {
  private rules!: WarningRules;
  private schemes: Scheme[] = [];
  private mem: ClusterMemory | null = null;
  private readonly policies = new PolicyMatcher();
  private center: { id: number | null; at: number } = { id: null, at: -Infinity };
  private readonly readAhead: ReadAhead;
  private readonly listeners = new Set<BatchListener>();
  /** Corrections may wait in opinion_cluster_adjustments. */
  private adjustmentsDue = true;
  readonly profile: StageProfile;

  constructor(
    private readonly core: Core,
    private readonly analyser: Analyser = new InThreadAnalyser(),
  ) {
    this.profile = new StageProfile(core.config.opinionProfile);
    this.readAhead = new ReadAhead(core.db, () => this.analyser, core.logger);
  }

  get isLoaded(): boolean {
    return this.mem !== null;
  }

  /** The cluster state in memory (null until loaded): what a reload must rebuild exactly. */
  get memory(): ClusterMemory | null {
    return this.mem;
  }

  /** Threads analysing items. */
  get analysisThreads(): number {
    return this.analyser.threads;
  }

  /** Runs `fn` after every committed batch (a listener's failure never fails a batch). */
  onBatchStored(fn: BatchListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** (Re)builds all state from the database. */
  async load(): Promise<void> {
    this.mem = null;
    await this.reloadConfig();
    const now = this.core.clock.now().getTime();
    this.mem = await ClusterMemory.load(this.core.db, now, this.rules);
    // Corrections committed while no leader listened, or taken by a batch that rolled back.
    this.adjustmentsDue = true;
    await this.policies.refresh(this.core.db, now, true);
  }

  /** Reloads configuration only (schemes, rules, lexicons, local terms), keeping cluster state. */
  async reloadConfig(): Promise<void> {
    this.readAhead.invalidate();
    const d = this.core.db;
    const localTerms = await loadLocalTerms(d);
    const lexicons = await loadLexicons(d);
    this.rules = await loadRules(d);
    this.schemes = await loadSchemes(d);
    await this.analyser.configure({
      lexicons,
      schemes: this.schemes,
      knownPlaces: localTerms.places,
      localTerms: localTerms.words,
    });
    this.readAhead.invalidate();
  }

  /** Items were queued: the leader analyses them ahead of their batch, once loaded. */
  itemsQueued(limit: number): void {
    if (this.mem) this.readAhead.poke(limit);
  }

  /** Queued items known (analysed ahead) to carry an emergency signal: the next batch takes them first. */
  signalledItems(limit: number): number[] {
    return this.readAhead.signalledItems(limit);
  }

  /** Shutdown has begun: a batch waiting for threads to start analyses in this thread instead. */
  interrupt(): void {
    this.analyser.abandonStart();
  }

  /** Stops the analysis threads; the next batch reloads everything (and starts them again). */
  async close(): Promise<void> {
    this.readAhead.invalidate();
    this.mem = null;
    await this.analyser.close();
  }

  /**
   * Processes up to `limit` queued items in one transaction, after a batch of the queued items the
   * read-ahead found emergency signals in, if any. Returns how many the former claimed (0 when
   * the queue is empty). Throws on database failure; the caller reloads state.
   */
  async processBatch(limit: number): Promise<number> {
    if (!this.mem) await this.load();
    // Items read ahead with an emergency signal go first, in a batch of their own: their alerts
    // wait for a few statements, not for a large batch of routine posts (at most one such batch
    // per batch, so a stream of them cannot starve the queue).
    const signalled = this.signalledItems(limit);
    if (signalled.length) await this.runBatch(limit, signalled);
    return this.runBatch(limit);
  }

  /** One batch, in one transaction: the queue's oldest items, or those of `only`. */
  private async runBatch(limit: number, only?: readonly number[]): Promise<number> {
    const mem = this.mem!;
    const nowDate = this.core.clock.now();
    const now = nowDate.getTime();
    await this.policies.refresh(this.core.db, now);
    const prof = this.profile;
    let stored: number[] = [];
    let adjusted: ClusterMeta[] = [];
    const n = await this.core.db.transaction().execute(async (trx) => {
      prof.items([]);
      prof.mark('start');
      const { claimed, items } = await db.claimItems(trx, limit, only);
      prof.mark('claim-sql');
      // Corrections are looked for when one was announced (or state was rebuilt), not every batch.
      const adjust = !only && this.adjustmentsDue;
      if (adjust) this.adjustmentsDue = false;
      const adjustments = adjust ? await db.takeClusterAdjustments(trx) : [];
      if (claimed === 0 && !adjustments.length) return 0;
      const ids = items.map((it) => it.id);
      prof.items(ids);
      let batch: FoldedBatch;
      if (claimed) {
        // Signalled items are claimed out of order: they say nothing about what is queued before them.
        if (!only) this.readAhead.claimed(ids, claimed >= limit, limit);
        await mem.reserveIds(trx, items.length);
        prof.mark('claim');
        const analysesOf = this.analyses(items);
        batch = await foldInChunks(
          items,
          analysesOf,
          (chunk, analyses) =>
            foldBatch(chunk, analyses, mem, (t) => this.policies.named(t), now, this.rules),
          { mark: (stage) => prof.mark(stage) },
        );
      } else batch = foldBatch([], new Map(), mem, () => [], now, this.rules);
      // After the fold, which may forget clusters: those adjusted are still held when stored.
      if (adjustments.length) adjusted = await this.applyAdjustments(trx, adjustments, batch, now);
      await db.storeItems(trx, batch.itemRows, nowDate);
      prof.mark('items-update');
      // A batch of signalled items stays small: the checkpoint waits for the next batch.
      if (batch.touched.size) await this.storeClusters(trx, batch, nowDate, !only);
      stored = ids;
      return claimed;
    });
    prof.mark('commit');
    // Event ids are known once the batch has stored (promoted) them.
    const corrected = [...new Set(adjusted.map((m) => m.eventId).filter((id) => id !== null))];
    if (stored.length || corrected.length)
      for (const fn of this.listeners) this.notify(fn, stored, corrected);
    return n;
  }

  /**
   * Moves the clusters that analysts' corrections changed by the difference, and adds them to the
   * batch: it stores their event figures (and alerts) and their rows as it does for new items.
   * Clusters no longer held are read back for the batch (their events are still shown).
   */
  private async applyAdjustments(
    trx: Trx,
    adjustments: readonly LabelAdjustment[],
    batch: FoldedBatch,
    now: number,
  ): Promise<ClusterMeta[]> {
    const mem = this.mem!;
    const moved: ClusterMeta[] = [];
    const missing = [...new Set(adjustments.map((a) => a.clusterId))].filter((id) => !mem.metas.has(id));
    const revived = new Map((await mem.revive(trx, missing, now, this.rules)).map((m) => [m.id, m]));
    for (const adj of adjustments) {
      // Cluster rows are never deleted; an adjustment without one has nothing to move.
      const m = mem.metas.get(adj.clusterId) ?? revived.get(adj.clusterId);
      if (!m) continue;
      const d = labelDelta(adj);
      const negative = applyLabelDelta(m, d);
      batch.touched.add(m);
      moved.push(m);
      if (!negative) continue;
      // One row per cluster and hour: a batch's hours are one upsert.
      const hour = Number(d.hour);
      const cell = batch.hours.find((h) => h.clusterId === m.id && h.hour.getTime() === hour);
      if (cell) cell.negative += negative;
      else batch.hours.push({ clusterId: m.id, hour: new Date(hour), items: 0, negative });
    }
    return moved;
  }

  /** Analysts corrected items (the queue channel's notice): the next batch applies them. */
  correctionsQueued(): void {
    this.adjustmentsDue = true;
  }

  /**
   * The analyses of a batch's items, chunk by chunk: read ahead (done or under way) or started now
   * in pieces; a chunk waits only for its own items. Failures are logged and left out (the fold
   * stores those items as failed); a read-ahead that failed is analysed again.
   */
  private analyses<I extends db.ClaimedItem>(
    items: readonly I[],
  ): (chunk: readonly I[]) => Promise<Map<number, ItemAnalysis>> {
    const pending: Map<number, Promise<AnalysisResult | undefined>> = this.readAhead.take(
      items.map((it) => it.id),
    );
    const rest = items.filter((it) => !pending.has(it.id));
    const pieces = piecesOf(rest);
    this.analyser.analysePieces(rest).forEach((piece, i) => {
      const error = (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) });
      const results = piece.catch((err: unknown) => pieces[i]!.map(() => error(err)));
      pieces[i]!.forEach((it, k) =>
        pending.set(
          it.id,
          results.then((r) => r[k] ?? { error: 'no result' }),
        ),
      );
    });
    return async (chunk) => {
      const results = await Promise.all(chunk.map((it) => pending.get(it.id)!));
      const again = chunk.filter((_, i) => results[i] === undefined);
      const redone = new Map<I, AnalysisResult | undefined>();
      if (again.length) (await this.analyser.analyse(again)).forEach((r, i) => redone.set(again[i]!, r));
      const out = new Map<number, ItemAnalysis>();
      chunk.forEach((it, i) => {
        const r = results[i] ?? redone.get(it) ?? { error: 'no result' };
        pending.delete(it.id);
        if (failed(r)) this.core.logger.warn({ err: r.error, itemId: it.id }, 'opinion analysis failed');
        else out.set(it.id, r);
      });
      return out;
    };
  }

  /** Policy links, promotion, event rows, alerts, then the cluster rows, authors and hours. */
  private async storeClusters(
    trx: Trx,
    batch: FoldedBatch,
    nowDate: Date,
    mayCheckpoint: boolean,
  ): Promise<void> {
    const now = nowDate.getTime();
    const { rules, profile: prof } = this;
    const mem = this.mem!;
    // Authors of clusters that hold no more in memory count as the database finds them new
    // (before the figures are derived). Such a cluster grew over several batches: its row is stored.
    if (batch.unknownAuthors.length) {
      const byId = new Map([...batch.touched].map((m) => [m.id, m]));
      for (const id of await db.addUnknownAuthors(trx, batch.unknownAuthors)) byId.get(id)!.uniqueAuthors++;
    }
    for (const m of batch.touched) {
      trimStats(m, now, rules);
      const named = batch.namedPolicies.get(m.id) ?? [];
      m.stats.policyIds = linkPolicies(m.stats.policyIds, named, mem.termsOf(m.id), this.policies);
    }
    const derived = new Map<ClusterMeta, DerivedEvent>();
    const derive = (m: ClusterMeta) => {
      let d = derived.get(m);
      if (!d) derived.set(m, (d = deriveEvent(m, mem.termsOf(m.id), now, rules)));
      return d;
    };
    const promote = toPromote(batch.touched, rules);
    const eventIds = await db.insertEvents(
      trx,
      promote.map((m) => ({
        ...eventFigures(derive(m)),
        clusterId: m.id,
        detectedAt: new Date(m.firstSeen),
      })),
      nowDate,
    );
    for (const m of promote) m.eventId = eventIds.get(m.id) ?? null;
    prof.mark('events-insert');
    const existing = [...batch.touched].filter((m) => m.eventId !== null && !promote.includes(m));
    const updates = existing.map((m) => ({ ...eventFigures(derive(m)), eventId: m.eventId! }));
    prof.mark('events-derive');
    const dismissed = await db.updateEvents(trx, updates, nowDate);
    prof.mark('events-update');
    // A dismissed event keeps its figures up to date but raises no further warnings.
    const raised = alertsForBatch(
      [...batch.touched].filter((m) => m.eventId !== null && !dismissed.has(m.eventId)),
      {
        now,
        rules,
        schemes: this.schemes,
        opinionCenterId: await this.opinionCenter(trx, now),
        derive,
        policyById: (id) => this.policies.byId(id),
      },
    );
    for (const r of raised) r.cluster.stats.fired.push(r.firedKey);
    await insertAlerts(
      trx,
      raised.map((r) => r.alert),
      nowDate,
    );
    prof.mark('alerts');
    const writes = mem.clusterWrites(batch.touched, promote, { mayCheckpoint });
    await this.writeClusters(trx, writes, nowDate);
    prof.mark(writes.kind === 'log' ? 'clusters-log' : 'clusters-checkpoint');
    await db.insertClusterAuthors(trx, batch.newAuthors);
    await db.addClusterHours(trx, batch.hours);
    prof.mark('authors-hours');
  }

  private async writeClusters(trx: Trx, w: ClusterWrites, now: Date): Promise<void> {
    if (w.kind === 'log') {
      await db.upsertClusters(trx, w.store, now);
      await db.appendClusterLog(trx, w.row);
      return;
    }
    await db.upsertClusters(trx, w.checkpoint.clusters, now);
    await db.writeCentroids(trx, w.checkpoint.centroids);
    if (w.clearLog) await db.clearClusterLog(trx);
  }

  /**
   * Writes every cluster change not yet checkpointed and empties the log, in a transaction of its
   * own; only between batches (tests; batches checkpoint by themselves every few seconds).
   */
  async checkpoint(): Promise<void> {
    const mem = this.mem;
    if (!mem) return;
    const w = mem.checkpoint();
    try {
      await this.core.db.transaction().execute((trx) => this.writeClusters(trx, w, this.core.clock.now()));
    } catch (err) {
      // What was taken must not be forgotten: rebuild from what is stored (the log included).
      this.mem = null;
      throw err;
    }
  }

  private async opinionCenter(trx: Trx, now: number): Promise<number | null> {
    if (now - this.center.at >= CENTER_TTL_MS) this.center = { id: await db.opinionCenterId(trx), at: now };
    return this.center.id;
  }

  private notify(fn: BatchListener, ids: number[], correctedEventIds: number[]): void {
    try {
      fn(ids, correctedEventIds);
    } catch (err) {
      this.core.logger.warn({ err }, 'opinion batch listener failed');
    }
  }

  /** Refreshes hotness and trend of recently active events as time passes without new items. */
  async refreshActiveEvents(): Promise<number> {
    const mem = this.mem;
    if (!mem) return 0;
    const nowDate = this.core.clock.now();
    const now = nowDate.getTime();
    const rows: db.EventHeatRow[] = [];
    for (const m of mem.metas.values()) {
      if (m.eventId === null || now - m.lastSeen > ACTIVE_EVENT_MS) continue;
      const d = deriveEvent(m, mem.termsOf(m.id), now, this.rules);
      rows.push({ eventId: m.eventId, hotness: d.hotness, trend: d.trend });
    }
    await db.refreshEventHeat(this.core.db, rows, nowDate);
    return rows.length;
  }

  /** Forgets clusters and duplicate candidates that fell out of their windows. */
  prune(): void {
    this.mem?.prune(this.core.clock.now().getTime(), this.rules);
  }
}
