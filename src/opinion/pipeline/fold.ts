import type { ItemAnalysis } from '../analysis/analyse.js';
import { toBytes } from '../analysis/minhash.js';
import { shouldPromote, type WarningRules } from '../analysis/rules.js';
import {
  emergencySignalOf,
  foldItem,
  newMeta,
  type ClusterMeta,
  type DerivedEvent,
} from '../cluster-state.js';
import { applyAssignment, decideCluster } from './assign.js';
import type {
  ClaimedItem,
  AnalysedItemRow,
  ClusterAuthorRow,
  ClusterHourRow,
  ClusterRow,
  EventFigures,
} from './sql.js';
import type { ClusterMemory } from './state.js';

const HOUR = 3600_000;

/** What folding a batch into the clusters produced, ready to be stored. */
export interface FoldedBatch {
  itemRows: AnalysedItemRow[];
  /** Clusters the batch changed. */
  touched: Set<ClusterMeta>;
  newAuthors: ClusterAuthorRow[];
  /** Authors of clusters holding MAX_CLUSTER_AUTHORS already: new or not, the database tells. */
  unknownAuthors: ClusterAuthorRow[];
  hours: ClusterHourRow[];
  /** Policies the batch's items name (title or 文号), by cluster. */
  namedPolicies: Map<number, Set<number>>;
}

export function failedRow(it: ClaimedItem): AnalysedItemRow {
  return {
    id: it.id,
    publishedAt: it.published_at,
    status: 'failed',
    sentiment: null,
    sentimentScore: null,
    categories: [],
    signal: null,
    keywords: [],
    labels: null,
    minhash: null,
    duplicateOf: null,
    clusterId: null,
    schemeIds: [],
  };
}

/**
 * Assigns each analysed item (publication order) to a cluster and folds it into the cluster's
 * aggregates, in memory. `analyses` holds an analysis for every item that did not fail.
 */
export function foldBatch(
  items: readonly ClaimedItem[],
  analyses: ReadonlyMap<number, ItemAnalysis>,
  mem: ClusterMemory,
  namedPolicies: (text: string) => number[],
  now: number,
  rules: WarningRules,
): FoldedBatch {
  const out: FoldedBatch = {
    itemRows: [],
    touched: new Set(),
    newAuthors: [],
    unknownAuthors: [],
    hours: [],
    namedPolicies: new Map(),
  };
  mem.bound();
  const hours = new Map<string, ClusterHourRow>();
  for (const it of items) {
    const a = analyses.get(it.id);
    if (!a) {
      out.itemRows.push(failedRow(it));
      continue;
    }
    const at = it.published_at.getTime();
    const decision = decideCluster(a, at, mem.clusters, mem.dups, (id) => mem.metas.has(id));
    const clusterId = applyAssignment(decision, it.id, a, at, mem.clusters, mem.dups, () => {
      const id = mem.nextId();
      mem.metas.set(id, newMeta(id, at, now));
      return id;
    });
    const copyOf = decision.kind === 'duplicate' ? decision.of : null;
    const meta = mem.metas.get(clusterId)!;
    const author = it.author.trim();
    const facts = {
      at,
      author,
      channel: it.channel,
      title: it.title,
      content: it.content,
      metrics: it.metrics,
      duplicate: copyOf !== null,
    };
    const authorFold = foldItem(meta, a, facts, now, rules);
    if (authorFold === 'new') out.newAuthors.push({ clusterId, author });
    else if (authorFold === 'unknown') out.unknownAuthors.push({ clusterId, author });
    out.touched.add(meta);
    const hour = Math.floor(at / HOUR) * HOUR;
    const key = `${clusterId}|${hour}`;
    let cell = hours.get(key);
    if (!cell) hours.set(key, (cell = { clusterId, hour: new Date(hour), items: 0, negative: 0 }));
    cell.items++;
    if (a.classification.sentiment.label === 'negative') cell.negative++;
    const named = namedPolicies(a.text);
    if (named.length) {
      const s = out.namedPolicies.get(clusterId) ?? new Set();
      for (const p of named) s.add(p);
      out.namedPolicies.set(clusterId, s);
    }
    out.itemRows.push(itemRow(it, a, clusterId, copyOf));
  }
  out.hours = [...hours.values()];
  return out;
}

function itemRow(
  it: ClaimedItem,
  a: ItemAnalysis,
  clusterId: number,
  copyOf: { itemId: number; similarity: number } | null,
): AnalysedItemRow {
  const cls = a.classification;
  return {
    id: it.id,
    publishedAt: it.published_at,
    status: 'analysed',
    sentiment: cls.sentiment.label,
    sentimentScore: cls.sentiment.score,
    categories: cls.areas.map((x) => x.label),
    signal: a.signal,
    keywords: a.keywords,
    labels: {
      areas: cls.areas,
      signals: cls.signals,
      casualties: cls.casualties,
      sentiment: cls.sentiment,
      schemes: a.schemeIds,
      repost: a.isRepost,
      duplicateSimilarity: copyOf?.similarity,
    },
    minhash: toBytes(a.minhash),
    duplicateOf: copyOf?.itemId ?? null,
    clusterId,
    schemeIds: a.schemeIds,
  };
}

/** Clusters of the batch that become events now (SPEC §2.2 promotion rules). */
export function toPromote(touched: Iterable<ClusterMeta>, rules: WarningRules): ClusterMeta[] {
  return [...touched].filter(
    (m) =>
      m.eventId === null &&
      shouldPromote(
        {
          itemsCount: m.itemsCount,
          uniqueAuthors: m.uniqueAuthors,
          // Only the signal: the full snapshot (minute and hour sums) is not needed to promote.
          emergencySignal: emergencySignalOf(m),
        },
        rules,
      ),
  );
}

export function eventFigures(d: DerivedEvent): EventFigures {
  return {
    title: d.title,
    firstSeenAt: d.first_seen_at,
    lastSeenAt: d.last_seen_at,
    keywords: d.keywords,
    categories: d.categories,
    channels: d.channels,
    itemsCount: d.items_count,
    uniqueAuthors: d.unique_authors,
    negativeCount: d.negative_count,
    duplicatesCount: d.duplicates_count,
    hotness: d.hotness,
    trend: d.trend,
    emergencySignal: d.emergency_signal,
    suggestedSeverity: d.suggested_severity,
    policyIds: d.policy_ids,
    schemeIds: d.scheme_ids,
    analysis: d.analysis,
  };
}

/**
 * A cluster's row: its counters and statistics, logged by every batch that touches the cluster and
 * checkpointed with its centroid (cluster-log.ts); its hourly counts have a table of their own,
 * added to by every batch (addClusterHours).
 */
export function clusterRow(m: ClusterMeta): ClusterRow {
  const { hours: _hours, ...stats } = m.stats;
  return {
    id: m.id,
    event_id: m.eventId,
    first_seen_at: new Date(m.firstSeen),
    last_seen_at: new Date(m.lastSeen),
    items_count: m.itemsCount,
    unique_authors: m.uniqueAuthors,
    negative_count: m.negative,
    positive_count: m.positive,
    duplicates_count: m.duplicates,
    hotness: m.hotness,
    hotness_at: new Date(m.hotnessAt),
    stats,
  };
}
