import { sql } from 'kysely';
import type { Core } from '../context.js';
import { DEFAULT_RENOTIFY_MINUTES, type NewAlert } from '../alerts/model.js';
import { insertAlerts } from '../alerts/store.js';
import { analyseItem, type ItemAnalysis } from './analysis/analyse.js';
import { ClusterIndex, type TermVector } from './analysis/cluster.js';
import { DuplicateIndex, fromBytes, toBytes } from './analysis/minhash.js';
import {
  RULE_LABELS,
  evaluateWarnings,
  shouldPromote,
  type RuleName,
  type WarningRules,
} from './analysis/rules.js';
import type { CompiledLexicons } from './analysis/lexicon.js';
import { idfOf } from '../text/idf.js';
import {
  deriveEvent,
  emptyStats,
  foldItem,
  newMeta,
  snapshotOf,
  trimStats,
  type ClusterMeta,
  type ClusterStats,
} from './cluster-state.js';
import { PolicyMatcher } from './policy-link.js';
import { loadLexicons, loadLocalTerms, loadRules, loadSchemes, type Scheme } from './settings.js';
import { type Trx } from '../db/database.js';

interface ClaimedItem {
  id: number;
  published_at: Date;
  source: string;
  channel: string;
  title: string;
  content: string;
  author: string;
  metrics: Record<string, number> | null;
  is_repost: boolean | null;
}

interface DupRef {
  itemId: number;
  clusterId: number;
}

const HOUR = 3600_000;

const PROFILE = process.env.OPINION_PROFILE ? new Map<string, number>() : null;
let lastMark = 0;
function mark(label: string): void {
  if (!PROFILE) return;
  const t = performance.now();
  if (label !== 'start') PROFILE.set(label, (PROFILE.get(label) ?? 0) + t - lastMark);
  lastMark = t;
}
export function pipelineProfile(reset = false): Record<string, number> {
  const out = Object.fromEntries([...(PROFILE ?? [])].map(([k, v]) => [k, Math.round(v)]));
  if (reset) PROFILE?.clear();
  return out;
}

/**
 * The opinion pipeline: claims queued items, analyses them, folds reposts, clusters items into
 * events, raises early warnings, all in ONE transaction per batch, so a crash either keeps the
 * whole batch queued or commits all of it. Cluster and duplicate state lives in memory on the
 * single leader (see worker.ts) and is rebuilt from the database on start or after any failure.
 */
export class OpinionPipeline {
  private lexicons!: CompiledLexicons;
  private rules!: WarningRules;
  private schemes: Scheme[] = [];
  private knownPlaces = new Set<string>();
  private clusters!: ClusterIndex;
  private metas = new Map<number, ClusterMeta>();
  private dups!: DuplicateIndex<DupRef>;
  private idPool: number[] = [];
  private readonly policies = new PolicyMatcher();
  private opinionCenter: { id: number | null; at: number } = { id: null, at: -Infinity };
  private loaded = false;
  /**
   * Analyses of queued items done ahead of their batch, while the previous batch waits for the
   * database (analyseItem is a pure function of the item and the configuration). Bumping
   * `configVersion` invalidates them and any read-ahead in flight.
   */
  private ahead = new Map<number, ItemAnalysis>();
  private configVersion = 0;
  private readingAhead = false;
  private aheadWanted: { afterId: number; limit: number } | null = null;
  /** Highest item id a batch has claimed: read-ahead skips what a batch has taken already. */
  private claimedUpTo = 0;

  constructor(private readonly core: Core) {}

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** (Re)builds all state from the database. */
  async load(): Promise<void> {
    this.forgetAhead();
    const db = this.core.db;
    const now = this.core.clock.now().getTime();
    this.knownPlaces = await loadLocalTerms(db);
    this.lexicons = await loadLexicons(db);
    this.rules = await loadRules(db);
    this.schemes = await loadSchemes(db);
    this.clusters = new ClusterIndex({
      threshold: this.rules.cluster.threshold,
      windowMs: this.rules.cluster.windowHours * HOUR,
      maxTerms: 60,
    });
    this.metas = new Map();
    this.dups = new DuplicateIndex(this.rules.dedup.minSimilarity, this.rules.dedup.windowHours * HOUR);
    this.idPool = [];
    const since = new Date(now - this.rules.cluster.windowHours * HOUR);
    const rows = await db
      .selectFrom('opinion_clusters')
      .selectAll()
      .where('last_seen_at', '>=', since)
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
        stats: { ...emptyStats(), ...(r.stats as Partial<ClusterStats>) },
      };
      this.metas.set(r.id, meta);
      this.clusters.put({
        id: r.id,
        terms: new Map(Object.entries(r.terms)),
        firstSeen: meta.firstSeen,
        lastSeen: meta.lastSeen,
        items: meta.itemsCount,
        places: new Set(meta.stats.places),
      });
    }
    const dupSince = new Date(now - this.rules.dedup.windowHours * HOUR);
    const items = await sql<{ id: number; cluster_id: number; published_at: Date; minhash: Buffer }>`
      select id, cluster_id, published_at, minhash from opinion_items
      where published_at >= ${dupSince} and minhash is not null and cluster_id is not null and duplicate_of is null
    `.execute(db);
    for (const it of items.rows)
      this.dups.add(
        { itemId: it.id, clusterId: it.cluster_id },
        fromBytes(it.minhash),
        it.published_at.getTime(),
      );
    await this.policies.refresh(db, now, true);
    this.forgetAhead();
    this.loaded = true;
  }

  /** Reloads configuration only (schemes, rules, lexicons, local terms), keeping cluster state. */
  async reloadConfig(): Promise<void> {
    this.forgetAhead();
    const db = this.core.db;
    this.knownPlaces = await loadLocalTerms(db);
    this.lexicons = await loadLexicons(db);
    this.rules = await loadRules(db);
    this.schemes = await loadSchemes(db);
    this.forgetAhead();
  }

  /** Before and after a (re)load: the segmenter, lexicons or schemes may change in between. */
  private forgetAhead(): void {
    this.configVersion++;
    this.ahead.clear();
  }

  private analyse(it: ClaimedItem): ItemAnalysis {
    return analyseItem(
      {
        title: it.title,
        content: it.content,
        channel: it.channel,
        source: it.source,
        isRepost: it.is_repost,
      },
      this.lexicons,
      this.schemes,
      this.knownPlaces,
    );
  }

  /**
   * With a backlog, analyses the items queued after `afterId` while the current batch waits for
   * the database, in slices of about a millisecond so the batch's statements are not held up.
   * Reads without claiming: nothing is written, and a crash or failure just loses the cache.
   */
  private async readAhead(afterId: number, limit: number): Promise<void> {
    const version = this.configVersion;
    const rows = await sql<ClaimedItem>`
      select i.id, i.published_at, i.source, i.channel, i.title, i.content, i.author, i.metrics, i.is_repost
      from opinion_queue q join opinion_items i on i.id = q.item_id and i.published_at = q.published_at
      where q.item_id > ${afterId}
      order by q.item_id
      limit ${limit}
    `.execute(this.core.db);
    let i = 0;
    while (i < rows.rows.length) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.configVersion !== version || !this.loaded) return;
      const until = performance.now() + 1;
      do {
        const it = rows.rows[i++]!;
        if (it.id <= this.claimedUpTo || this.ahead.has(it.id)) continue;
        try {
          this.ahead.set(it.id, this.analyse(it));
        } catch {
          /* analysed again in its batch, which records the failure */
        }
      } while (i < rows.rows.length && performance.now() < until);
    }
  }

  private startReadAhead(afterId: number, limit: number): void {
    this.aheadWanted = { afterId, limit };
    if (this.readingAhead) return;
    this.readingAhead = true;
    void (async () => {
      try {
        for (let w = this.aheadWanted; w; w = this.aheadWanted) {
          this.aheadWanted = null;
          // Items removed by retention never come back for their cached analysis.
          if (this.ahead.size > 4 * w.limit) this.ahead.clear();
          await this.readAhead(w.afterId, w.limit);
        }
      } catch (err) {
        this.core.logger.debug({ err }, 'opinion read-ahead failed');
      } finally {
        this.readingAhead = false;
      }
    })();
  }

  private async clusterIds(trx: Trx, n: number): Promise<void> {
    if (this.idPool.length >= n) return;
    const want = Math.max(n, 64);
    const r = await sql<{ id: number }>`
      select nextval(pg_get_serial_sequence('opinion_clusters', 'id'))::int as id from generate_series(1, ${want})
    `.execute(trx);
    this.idPool.push(...r.rows.map((x) => x.id));
  }

  private async opinionCenterId(trx: Trx, now: number): Promise<number | null> {
    if (now - this.opinionCenter.at < 60_000) return this.opinionCenter.id;
    const row = await trx
      .selectFrom('departments')
      .select('id')
      .where('name', 'like', '%舆情%')
      .orderBy('id')
      .executeTakeFirst();
    this.opinionCenter = { id: row?.id ?? null, at: now };
    return this.opinionCenter.id;
  }

  /**
   * Processes up to `limit` queued items in one transaction. Returns how many were claimed
   * (0 when the queue is empty). Throws on database failure; the caller reloads state.
   */
  async processBatch(limit: number): Promise<number> {
    if (!this.loaded) await this.load();
    const db = this.core.db;
    const nowDate = this.core.clock.now();
    const now = nowDate.getTime();
    await this.policies.refresh(db, now);
    const n = await db.transaction().execute(async (trx) => {
      mark('start');
      const claimed = await sql<{ item_id: number; published_at: Date }>`
        delete from opinion_queue where item_id in (
          select item_id from opinion_queue order by item_id limit ${limit} for update skip locked
        ) returning item_id, published_at
      `.execute(trx);
      if (claimed.rows.length === 0) return 0;
      mark('claim');
      const ids = claimed.rows.map((r) => r.item_id);
      const maxId = Math.max(...ids);
      if (maxId > this.claimedUpTo) this.claimedUpTo = maxId;
      if (ids.length >= limit) this.startReadAhead(maxId, limit);
      let minAt = Infinity;
      let maxAt = -Infinity;
      for (const r of claimed.rows) {
        minAt = Math.min(minAt, r.published_at.getTime());
        maxAt = Math.max(maxAt, r.published_at.getTime());
      }
      const items = await sql<ClaimedItem>`
        select id, published_at, source, channel, title, content, author, metrics, is_repost
        from opinion_items
        where id = any(${ids}::bigint[]) and published_at between ${new Date(minAt)} and ${new Date(maxAt)}
        order by published_at, id
      `.execute(trx);
      mark('fetch');
      await this.clusterIds(trx, items.rows.length);
      await this.processItems(trx, items.rows, nowDate);
      mark('start');
      return claimed.rows.length;
    });
    mark('commit');
    return n;
  }

  private async processItems(trx: Trx, items: ClaimedItem[], nowDate: Date): Promise<void> {
    const now = nowDate.getTime();
    const rules = this.rules;
    const updates: unknown[] = [];
    const failed: { id: number; p: string }[] = [];
    const touched = new Set<ClusterMeta>();
    const newAuthors: { c: number; a: string }[] = [];
    const hourDelta = new Map<string, { c: number; h: string; n: number; neg: number }>();
    const namedPolicies = new Map<number, Set<number>>();

    mark('ids');
    for (const it of items) {
      const at = it.published_at.getTime();
      let a = this.ahead.get(it.id);
      try {
        if (a) this.ahead.delete(it.id);
        else a = this.analyse(it);
      } catch (err) {
        this.core.logger.warn({ err, itemId: it.id }, 'opinion analysis failed');
        failed.push({ id: it.id, p: it.published_at.toISOString() });
        continue;
      }
      mark('a-analyse');
      // Near-duplicate of an earlier item: same cluster, counted as heat, centroid untouched.
      const found = this.dups.nearest(a.minhash, at, a.dupThreshold, a.shingleCount);
      // A copy naming another place is that place's story (template complaints), not a repost.
      const dup = found && this.clusters.placesAgree(found.ref.clusterId, a.places) ? found : null;
      mark('a-dedup');
      let clusterId: number | null = dup && this.metas.has(dup.ref.clusterId) ? dup.ref.clusterId : null;
      if (clusterId !== null) {
        this.clusters.addItem(clusterId, new Map(), at, 0, a.places);
      } else {
        const best = this.clusters.best(a.vector, at, a.places);
        if (best) {
          clusterId = best.id;
          this.clusters.addItem(clusterId, a.vector, at, 1, a.places);
        } else {
          clusterId = this.idPool.shift()!;
          this.clusters.put({
            id: clusterId,
            terms: new Map(a.vector),
            firstSeen: at,
            lastSeen: at,
            items: 0,
            places: new Set(a.places),
          });
          this.metas.set(clusterId, newMeta(clusterId, at, now));
        }
      }
      mark('a-cluster');
      const isDup = clusterId !== null && dup !== null && dup.ref.clusterId === clusterId;
      if (!isDup) this.dups.add({ itemId: it.id, clusterId }, a.minhash, at, a.dupThreshold, a.shingleCount);
      const meta = this.metas.get(clusterId)!;
      const author = it.author.trim();
      if (
        foldItem(
          meta,
          a,
          {
            at,
            author,
            channel: it.channel,
            title: it.title,
            content: it.content,
            metrics: it.metrics,
            duplicate: isDup,
          },
          now,
          rules,
        )
      )
        newAuthors.push({ c: clusterId, a: author });
      touched.add(meta);
      const hour = new Date(Math.floor(at / HOUR) * HOUR).toISOString();
      const hk = `${clusterId}|${hour}`;
      const cell = hourDelta.get(hk) ?? { c: clusterId, h: hour, n: 0, neg: 0 };
      cell.n++;
      if (a.classification.sentiment.label === 'negative') cell.neg++;
      hourDelta.set(hk, cell);
      const named = this.policies.named(a.text);
      if (named.length) {
        const s = namedPolicies.get(clusterId) ?? new Set();
        for (const p of named) s.add(p);
        namedPolicies.set(clusterId, s);
      }
      const cls = a.classification;
      updates.push({
        id: it.id,
        p: it.published_at.toISOString(),
        s: cls.sentiment.label,
        ss: cls.sentiment.score,
        cat: cls.areas.map((x) => x.label),
        sig: a.signal,
        kw: a.keywords,
        l: {
          areas: cls.areas,
          signals: cls.signals,
          casualties: cls.casualties,
          sentiment: cls.sentiment,
          schemes: a.schemeIds,
          repost: a.isRepost,
          duplicateSimilarity: isDup ? dup!.similarity : undefined,
        },
        mh: toBytes(a.minhash).toString('base64'),
        d: isDup ? dup!.ref.itemId : null,
        c: clusterId,
        sch: a.schemeIds,
      });
    }

    if (updates.length) {
      await sql`
        update opinion_items o set
          status = 'analysed', analysed_at = ${nowDate}, sentiment = x.s, sentiment_score = x.ss,
          categories = x.cat, signal = x.sig, keywords = x.kw, labels = x.l,
          minhash = decode(x.mh, 'base64'), duplicate_of = x.d, cluster_id = x.c, scheme_ids = x.sch
        from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as x(
          id bigint, p timestamptz, s text, ss real, cat text[], sig text, kw text[], l jsonb, mh text,
          d bigint, c int, sch int[])
        where o.id = x.id and o.published_at = x.p
      `.execute(trx);
    }
    if (failed.length) {
      await sql`
        update opinion_items o set status = 'failed', analysed_at = ${nowDate}
        from jsonb_to_recordset(${JSON.stringify(failed)}::jsonb) as x(id bigint, p timestamptz)
        where o.id = x.id and o.published_at = x.p
      `.execute(trx);
    }
    mark('items-update');
    if (touched.size === 0) return;

    // Policy links and promotion are decided before the cluster rows are written.
    for (const m of touched) {
      trimStats(m, now, rules);
      const terms = this.clusters.clusters.get(m.id)?.terms ?? new Map<string, number>();
      const linked = new Set(m.stats.policyIds);
      for (const p of namedPolicies.get(m.id) ?? []) linked.add(p);
      if (this.policies.size) {
        const specific = [...terms.keys()].filter((w) => !w.startsWith('#') && idfOf(w) >= 7).slice(0, 20);
        for (const p of this.policies.byKeywords(specific)) linked.add(p);
      }
      m.stats.policyIds = [...linked].sort((x, y) => x - y);
    }
    const promote = [...touched].filter(
      (m) =>
        m.eventId === null &&
        shouldPromote(
          {
            itemsCount: m.itemsCount,
            uniqueAuthors: m.uniqueAuthors,
            emergencySignal: snapshotOf(m, now, rules).emergencySignal,
          },
          rules,
        ),
    );
    const derived = new Map<ClusterMeta, ReturnType<typeof deriveEvent>>();
    const derive = (m: ClusterMeta) => {
      let d = derived.get(m);
      if (!d) {
        d = deriveEvent(m, this.clusters.clusters.get(m.id)?.terms ?? new Map(), now, rules);
        derived.set(m, d);
      }
      return d;
    };
    if (promote.length) {
      const rows = promote.map((m) => ({
        k: m.id,
        ...eventRow(derive(m)),
        detected: new Date(m.firstSeen).toISOString(),
      }));
      const inserted = await sql<{ id: number; k: number }>`
        insert into opinion_events (
          origin, title, detected_at, first_seen_at, last_seen_at, keywords, categories, channels,
          items_count, unique_authors, negative_count, duplicates_count, hotness, hotness_at, trend,
          emergency_signal, suggested_severity, policy_ids, scheme_ids, analysis, severity, created_at, updated_at)
        select 'detected', x.title, x.detected, x.first_seen_at, x.last_seen_at, x.keywords, x.categories,
          x.channels, x.items_count, x.unique_authors, x.negative_count, x.duplicates_count, x.hotness,
          ${nowDate}, x.trend, x.emergency_signal, x.suggested_severity, x.policy_ids, x.scheme_ids,
          x.analysis, 'general', ${nowDate}, ${nowDate}
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
          k int, title text, detected timestamptz, first_seen_at timestamptz, last_seen_at timestamptz,
          keywords text[], categories text[], channels text[], items_count int, unique_authors int,
          negative_count int, duplicates_count int, hotness float8, trend text, emergency_signal text,
          suggested_severity text, policy_ids int[], scheme_ids int[], analysis jsonb)
        order by x.k
        returning id, (analysis->>'clusterId')::int as k
      `.execute(trx);
      const byCluster = new Map(inserted.rows.map((r) => [r.k, r.id]));
      for (const m of promote) m.eventId = byCluster.get(m.id) ?? null;
    }
    mark('events-insert');
    const existing = [...touched].filter((m) => m.eventId !== null && !promote.includes(m));
    const dismissed = new Set<number>();
    if (existing.length) {
      const rows = existing.map((m) => ({ id: m.eventId, ...eventRow(derive(m)) }));
      const updated = await sql<{ id: number; status: string }>`
        update opinion_events e set
          title = case when e.origin = 'detected' then x.title else e.title end,
          first_seen_at = least(e.first_seen_at, x.first_seen_at), last_seen_at = greatest(e.last_seen_at, x.last_seen_at),
          keywords = x.keywords, categories = x.categories, channels = x.channels, items_count = x.items_count,
          unique_authors = x.unique_authors, negative_count = x.negative_count,
          duplicates_count = x.duplicates_count, hotness = x.hotness, hotness_at = ${nowDate}, trend = x.trend,
          emergency_signal = x.emergency_signal, suggested_severity = x.suggested_severity,
          policy_ids = x.policy_ids, scheme_ids = x.scheme_ids, analysis = x.analysis, updated_at = ${nowDate}
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
          id int, title text, first_seen_at timestamptz, last_seen_at timestamptz, keywords text[],
          categories text[], channels text[], items_count int, unique_authors int, negative_count int,
          duplicates_count int, hotness float8, trend text, emergency_signal text, suggested_severity text,
          policy_ids int[], scheme_ids int[], analysis jsonb)
        where e.id = x.id
        returning e.id, e.status
      `.execute(trx);
      for (const r of updated.rows) if (r.status === 'dismissed') dismissed.add(r.id);
    }

    mark('events-update');
    // A dismissed event keeps its figures up to date but raises no further warnings.
    await this.raiseAlerts(
      trx,
      [...touched].filter((m) => m.eventId !== null && !dismissed.has(m.eventId)),
      derive,
      nowDate,
    );

    mark('alerts');
    const clusterRows = [...touched].map((m) => ({
      id: m.id,
      e: m.eventId,
      f: new Date(m.firstSeen).toISOString(),
      l: new Date(m.lastSeen).toISOString(),
      n: m.itemsCount,
      u: m.uniqueAuthors,
      neg: m.negative,
      pos: m.positive,
      dup: m.duplicates,
      h: m.hotness,
      ha: new Date(m.hotnessAt).toISOString(),
      t: Object.fromEntries(this.clusters.clusters.get(m.id)?.terms ?? []),
      s: m.stats,
    }));
    await sql`
      insert into opinion_clusters (id, event_id, first_seen_at, last_seen_at, items_count, unique_authors,
        negative_count, positive_count, duplicates_count, hotness, hotness_at, terms, stats, updated_at)
      select x.id, x.e, x.f, x.l, x.n, x.u, x.neg, x.pos, x.dup, x.h, x.ha, x.t, x.s, ${nowDate}
      from jsonb_to_recordset(${JSON.stringify(clusterRows)}::jsonb) as x(
        id int, e int, f timestamptz, l timestamptz, n int, u int, neg int, pos int, dup int, h float8,
        ha timestamptz, t jsonb, s jsonb)
      on conflict (id) do update set event_id = excluded.event_id, first_seen_at = excluded.first_seen_at,
        last_seen_at = excluded.last_seen_at, items_count = excluded.items_count,
        unique_authors = excluded.unique_authors, negative_count = excluded.negative_count,
        positive_count = excluded.positive_count, duplicates_count = excluded.duplicates_count,
        hotness = excluded.hotness, hotness_at = excluded.hotness_at, terms = excluded.terms,
        stats = excluded.stats, updated_at = excluded.updated_at
    `.execute(trx);
    mark('clusters-upsert');
    if (newAuthors.length) {
      await sql`
        insert into opinion_cluster_authors (cluster_id, author)
        select x.c, x.a from jsonb_to_recordset(${JSON.stringify(newAuthors)}::jsonb) as x(c int, a text)
        on conflict do nothing
      `.execute(trx);
    }
    await sql`
      insert into opinion_cluster_hours (cluster_id, hour, items, negative)
      select x.c, x.h, x.n, x.neg from jsonb_to_recordset(${JSON.stringify([...hourDelta.values()])}::jsonb)
        as x(c int, h timestamptz, n int, neg int)
      on conflict (cluster_id, hour) do update set items = opinion_cluster_hours.items + excluded.items,
        negative = opinion_cluster_hours.negative + excluded.negative
    `.execute(trx);
    mark('authors-hours');
  }

  private async raiseAlerts(
    trx: Trx,
    touched: ClusterMeta[],
    derive: (m: ClusterMeta) => ReturnType<typeof deriveEvent>,
    nowDate: Date,
  ): Promise<void> {
    const now = nowDate.getTime();
    const alerts: NewAlert[] = [];
    for (const m of touched) {
      if (m.eventId === null) continue;
      const eventId = m.eventId;
      const warnings = evaluateWarnings(snapshotOf(m, now, this.rules), this.rules).filter(
        (w) => !m.stats.fired.includes(w.rule),
      );
      const d = warnings.length || m.stats.policyIds.length ? derive(m) : null;
      if (warnings.length && d) {
        const department = this.routeDepartment(m) ?? (await this.opinionCenterId(trx, now));
        for (const w of warnings) {
          alerts.push({
            type: 'event.detected',
            severity: w.severity,
            title: `舆情预警（${RULE_LABELS[w.rule as RuleName]}）：${d.title}`,
            body: w.reasons.join('；'),
            subjectKind: 'event',
            subjectId: eventId,
            departmentId: department,
            dedupeKey: `event.detected:${eventId}:${w.rule}`,
            data: {
              eventId,
              rule: w.rule,
              ruleLabel: RULE_LABELS[w.rule as RuleName],
              reasons: w.reasons,
              suggestedSeverity: d.suggested_severity,
              categories: d.categories,
              emergencySignal: d.emergency_signal,
              negativeRatio: d.analysis.negativeRatio,
              itemsCount: d.items_count,
            },
            renotifyAt: w.severity === 'critical' ? new Date(now + DEFAULT_RENOTIFY_MINUTES * 60_000) : null,
          });
          m.stats.fired.push(w.rule);
        }
      }
      for (const policyId of m.stats.policyIds) {
        const key = `policy:${policyId}`;
        if (m.stats.fired.includes(key)) continue;
        const p = this.policies.byId(policyId);
        if (!p || !d) continue;
        alerts.push({
          type: 'policy.opinion',
          severity: 'warning',
          title: `政策舆情：${d.title}`,
          body: `舆情事件涉及本部门起草的《${p.title}》，请关注并加强解读。`,
          subjectKind: 'event',
          subjectId: eventId,
          departmentId: p.departmentId,
          dedupeKey: `policy.opinion:${eventId}:${policyId}`,
          data: { eventId, policyId, policyTitle: p.title, keywords: d.keywords },
        });
        m.stats.fired.push(key);
      }
    }
    await insertAlerts(trx, alerts, nowDate);
  }

  /** A matching 监测方案 with a duty group takes the event's alerts; else 舆情中心. */
  private routeDepartment(m: ClusterMeta): number | null {
    const counts = Object.entries(m.stats.schemes).sort((a, b) => b[1] - a[1]);
    for (const [id] of counts) {
      const s = this.schemes.find((x) => x.id === Number(id));
      if (s?.dutyDepartmentId) return s.dutyDepartmentId;
    }
    return null;
  }

  /** Refreshes hotness and trend of recently active events as time passes without new items. */
  async refreshActiveEvents(): Promise<number> {
    if (!this.loaded) return 0;
    const nowDate = this.core.clock.now();
    const now = nowDate.getTime();
    const rows: unknown[] = [];
    for (const m of this.metas.values()) {
      if (m.eventId === null || now - m.lastSeen > 48 * HOUR) continue;
      const d = deriveEvent(m, this.clusters.clusters.get(m.id)?.terms ?? new Map(), now, this.rules);
      rows.push({ id: m.eventId, hotness: d.hotness, trend: d.trend });
    }
    if (!rows.length) return 0;
    await sql`
      update opinion_events e set hotness = x.hotness, trend = x.trend, hotness_at = ${nowDate}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id int, hotness float8, trend text)
      where e.id = x.id and (e.hotness is distinct from x.hotness or e.trend is distinct from x.trend)
    `.execute(this.core.db);
    return rows.length;
  }

  /** Forgets clusters and duplicate candidates that fell out of their windows. */
  prune(): void {
    if (!this.loaded) return;
    const now = this.core.clock.now().getTime();
    for (const id of this.clusters.prune(now - this.rules.cluster.windowHours * HOUR)) this.metas.delete(id);
    this.dups.prune(now - this.rules.dedup.windowHours * HOUR);
  }
}

function eventRow(d: ReturnType<typeof deriveEvent>) {
  return {
    title: d.title,
    first_seen_at: d.first_seen_at.toISOString(),
    last_seen_at: d.last_seen_at.toISOString(),
    keywords: d.keywords,
    categories: d.categories,
    channels: d.channels,
    items_count: d.items_count,
    unique_authors: d.unique_authors,
    negative_count: d.negative_count,
    duplicates_count: d.duplicates_count,
    hotness: d.hotness,
    trend: d.trend,
    emergency_signal: d.emergency_signal,
    suggested_severity: d.suggested_severity,
    policy_ids: d.policy_ids,
    scheme_ids: d.scheme_ids,
    analysis: d.analysis,
  };
}

export type { TermVector };
