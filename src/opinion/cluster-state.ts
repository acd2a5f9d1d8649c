import type { Severity } from '../events/tables.js';
import type { ItemAnalysis } from './analysis/analyse.js';
import { topTerms, type TermVector } from './analysis/cluster.js';
import {
  decay,
  itemHeat,
  negativeRatio,
  suggestSeverity,
  trendOf,
  type CasualtyFacts,
  type EventSnapshot,
  type Trend,
  type WarningRules,
} from './analysis/rules.js';
import { AREAS } from './analysis/lexicon.js';
import { mergePlaces } from './analysis/places.js';

/** Places kept per story: enough for a story told across a few towns, bounded for a runaway one. */
const MAX_PLACES = 50;

/**
 * What the pipeline knows about a cluster besides its centroid: running aggregates from which
 * the event row is derived. Kept in memory by the (single) pipeline leader and persisted in
 * opinion_clusters.stats, so a restart resumes exactly.
 */
export interface ClusterStats {
  title: string;
  /** The title came from a headline (news / WeChat title), not a snippet of a post. */
  headline: boolean;
  areas: Record<string, number>;
  signals: Record<string, number>;
  channels: Record<string, number>;
  schemes: Record<string, number>;
  /** label → trigger word → items */
  triggers: Record<string, Record<string, number>>;
  /** sentiment trigger words of negative items → items */
  negativeWords: Record<string, number>;
  casualties: EventCasualties;
  /** Early-warning rules already raised for the event. */
  fired: string[];
  policyIds: number[];
  /** hour start (epoch ms) → [items, negative], last 48 h. */
  hours: Record<string, [number, number]>;
  /** minute start (epoch ms) → items, over the spike window: small to store, exact enough. */
  minutes: Record<string, number>;
  /** Place names the items mention. */
  places: string[];
}

/** Largest figures any item of the event gave, and what weighs on the severity. */
export interface EventCasualties extends CasualtyFacts {
  evidence: string[];
}

export interface ClusterMeta {
  id: number;
  eventId: number | null;
  firstSeen: number;
  lastSeen: number;
  itemsCount: number;
  uniqueAuthors: number;
  negative: number;
  positive: number;
  duplicates: number;
  hotness: number;
  hotnessAt: number;
  /**
   * Authors known to have posted in the cluster: all of them up to MAX_CLUSTER_AUTHORS, then no
   * more (the database's opinion_cluster_authors holds them all and decides who is new).
   */
  authors: Set<string>;
  stats: ClusterStats;
}

/**
 * Authors a cluster keeps in memory: a story reposted by a million accounts would otherwise hold
 * a million names. Larger than a batch, so a cluster reaches it only over several batches.
 */
export const MAX_CLUSTER_AUTHORS = 2_000;

/** Whether folding an item added a distinct author, did not, or cannot tell from memory. */
export type AuthorFold = 'new' | 'known' | 'unknown';

export function emptyStats(): ClusterStats {
  return {
    title: '',
    headline: false,
    areas: {},
    signals: {},
    channels: {},
    schemes: {},
    triggers: {},
    negativeWords: {},
    casualties: { deaths: 0, injuries: 0, missing: 0, sick: 0, evacuated: 0, evidence: [] },
    fired: [],
    policyIds: [],
    hours: {},
    minutes: {},
    places: [],
  };
}

export function newMeta(id: number, at: number, now: number): ClusterMeta {
  return {
    id,
    eventId: null,
    firstSeen: at,
    lastSeen: at,
    itemsCount: 0,
    uniqueAuthors: 0,
    negative: 0,
    positive: 0,
    duplicates: 0,
    hotness: 0,
    hotnessAt: now,
    authors: new Set(),
    stats: emptyStats(),
  };
}

const bump = (r: Record<string, number>, k: string, n = 1) => {
  r[k] = (r[k] ?? 0) + n;
};

const HOUR = 3600_000;

function snippet(text: string, max = 40): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  const cut = clean.split(/[。！？!?\n]/)[0] ?? clean;
  return (cut.length > max ? cut.slice(0, max) + '…' : cut) || clean.slice(0, max);
}

export interface ItemFacts {
  at: number;
  author: string;
  channel: string;
  title: string;
  content: string;
  metrics: Record<string, number> | null;
  duplicate: boolean;
}

/**
 * Folds one analysed item into the cluster's aggregates. Returns whether the author is new (the
 * caller records it), or 'unknown' when the cluster holds MAX_CLUSTER_AUTHORS already and the
 * author is not among them: the caller asks the database and counts the author if new there.
 */
export function foldItem(
  m: ClusterMeta,
  a: ItemAnalysis,
  f: ItemFacts,
  now: number,
  rules: WarningRules,
  maxAuthors = MAX_CLUSTER_AUTHORS,
): AuthorFold {
  const s = m.stats;
  m.itemsCount++;
  if (f.at < m.firstSeen) m.firstSeen = f.at;
  if (f.at > m.lastSeen) m.lastSeen = f.at;
  const sentiment = a.classification.sentiment.label;
  if (sentiment === 'negative') m.negative++;
  if (sentiment === 'positive') m.positive++;
  if (f.duplicate) m.duplicates++;
  // Heat at `now`: decay what we had, add this item decayed from its publication.
  const half = rules.hotnessHalfLifeHours;
  m.hotness =
    decay(m.hotness, m.hotnessAt, now, half) +
    decay(itemHeat(f.duplicate, f.metrics), Math.min(f.at, now), now, half);
  m.hotnessAt = Math.max(m.hotnessAt, now);
  let authorFold: AuthorFold = 'known';
  const author = f.author.trim();
  if (author && !m.authors.has(author)) {
    if (m.authors.size < maxAuthors) {
      m.authors.add(author);
      m.uniqueAuthors++;
      authorFold = 'new';
    } else authorFold = 'unknown';
  } else if (!author) {
    // Anonymous items (12345 hotline calls) are each a separate voice.
    m.uniqueAuthors++;
  }
  for (const h of a.classification.areas) {
    bump(s.areas, h.label);
    const t = (s.triggers[h.label] ??= {});
    for (const w of h.triggers) bump(t, w);
  }
  for (const h of a.classification.signals) {
    bump(s.signals, h.label);
    const t = (s.triggers[h.label] ??= {});
    for (const w of h.triggers) bump(t, w);
  }
  if (sentiment === 'negative')
    for (const t of a.classification.sentiment.triggers) if (t.value < 0) bump(s.negativeWords, t.word);
  bump(s.channels, f.channel);
  for (const id of a.schemeIds) bump(s.schemes, String(id));
  const c = a.classification.casualties;
  s.casualties.deaths = Math.max(s.casualties.deaths, c.deaths);
  s.casualties.injuries = Math.max(s.casualties.injuries, c.injuries);
  s.casualties.missing = Math.max(s.casualties.missing, c.missing);
  s.casualties.sick = Math.max(s.casualties.sick ?? 0, c.sick);
  s.casualties.evacuated = Math.max(s.casualties.evacuated ?? 0, c.evacuated);
  if (a.classification.context.school) s.casualties.school = true;
  if (a.classification.context.hazardous) s.casualties.hazardous = true;
  for (const e of c.evidence)
    if (s.casualties.evidence.length < 6 && !s.casualties.evidence.includes(e)) s.casualties.evidence.push(e);
  // Title: the first headline wins; until one arrives, the opening of the earliest original post.
  if (f.title && !s.headline) {
    s.title = snippet(f.title, 60);
    s.headline = true;
  } else if (!s.headline && (!s.title || (!f.duplicate && f.at < m.firstSeen + 1))) {
    s.title = snippet(f.content);
  }
  const hour = String(Math.floor(f.at / HOUR) * HOUR);
  const cell = (s.hours[hour] ??= [0, 0]);
  cell[0]++;
  if (sentiment === 'negative') cell[1]++;
  bump(s.minutes, String(Math.floor(f.at / 60_000) * 60_000));
  if (a.places.some((p) => !s.places.includes(p))) {
    const merged = new Set(s.places);
    if (mergePlaces(merged, a.places)) s.places = [...merged].slice(0, MAX_PLACES);
  }
  return authorFold;
}

/** Drops hour and minute cells that no rule or sparkline needs any more. */
export function trimStats(m: ClusterMeta, now: number, rules: WarningRules): void {
  const keepHours = Math.max(48, rules.spike.baselineHours + 2) * HOUR;
  for (const k of Object.keys(m.stats.hours)) if (Number(k) < now - keepHours) delete m.stats.hours[k];
  const since = now - rules.spike.windowMinutes * 60_000;
  for (const k of Object.keys(m.stats.minutes)) if (Number(k) + 60_000 <= since) delete m.stats.minutes[k];
}

/** Hourly counts for the last `hours` hours ending with the current one, oldest first. */
export function hourlySeries(stats: Pick<ClusterStats, 'hours'>, now: number, hours = 24): number[] {
  const end = Math.floor(now / HOUR) * HOUR;
  const out: number[] = [];
  for (let h = end - (hours - 1) * HOUR; h <= end; h += HOUR) out.push(stats.hours[String(h)]?.[0] ?? 0);
  return out;
}

/** Labels present in at least a quarter of the items: what the event is about, not a side remark. */
function majorLabels(counts: Record<string, number>, items: number, order: readonly string[] = []): string[] {
  const min = Math.max(1, Math.ceil(items * 0.25));
  return Object.entries(counts)
    .filter(([, n]) => n >= min)
    .sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([k]) => k);
}

export function emergencySignalOf(m: ClusterMeta): string | null {
  const min = Math.max(1, Math.ceil(m.itemsCount * 0.2));
  const best = Object.entries(m.stats.signals).sort((a, b) => b[1] - a[1])[0];
  return best && best[1] >= min ? best[0] : null;
}

export function snapshotOf(m: ClusterMeta, now: number, rules: WarningRules): EventSnapshot {
  const windowMs = rules.spike.windowMinutes * 60_000;
  // for…in, not Object.entries: this runs for every touched cluster of every batch.
  const { minutes, hours } = m.stats;
  let recentCount = 0;
  for (const k in minutes) {
    const t = Number(k);
    if (t + 60_000 > now - windowMs && t <= now + 60_000) recentCount += minutes[k]!;
  }
  const baseFrom = now - windowMs - rules.spike.baselineHours * HOUR;
  let baselineCount = 0;
  for (const k in hours) {
    const h = Number(k);
    if (h >= baseFrom && h + HOUR <= now - windowMs) baselineCount += hours[k]![0];
  }
  return {
    itemsCount: m.itemsCount,
    negativeCount: m.negative,
    categories: majorLabels(m.stats.areas, m.itemsCount, AREAS),
    emergencySignal: emergencySignalOf(m),
    recentCount,
    baselineCount,
    deaths: m.stats.casualties.deaths,
    injuries: m.stats.casualties.injuries,
    missing: m.stats.casualties.missing,
    sick: m.stats.casualties.sick ?? 0,
    evacuated: m.stats.casualties.evacuated ?? 0,
  };
}

/** The opinion_events fields the pipeline owns, derived from the cluster. */
export interface DerivedEvent {
  title: string;
  keywords: string[];
  categories: string[];
  channels: string[];
  items_count: number;
  unique_authors: number;
  negative_count: number;
  duplicates_count: number;
  hotness: number;
  trend: Trend;
  emergency_signal: string | null;
  suggested_severity: Severity;
  first_seen_at: Date;
  last_seen_at: Date;
  scheme_ids: number[];
  policy_ids: number[];
  analysis: Record<string, unknown>;
}

export function deriveEvent(
  m: ClusterMeta,
  terms: TermVector,
  now: number,
  rules: WarningRules,
): DerivedEvent {
  const snap = snapshotOf(m, now, rules);
  const s = m.stats;
  const topWords = (r: Record<string, number>, n: number) =>
    Object.entries(r)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([word, items]) => ({ word, items }));
  return {
    title: s.title || '（无标题）',
    keywords: topTerms(terms, 10),
    categories: snap.categories,
    channels: Object.entries(s.channels)
      .sort((a, b) => b[1] - a[1])
      .map(([c]) => c),
    items_count: m.itemsCount,
    unique_authors: m.uniqueAuthors,
    negative_count: m.negative,
    duplicates_count: m.duplicates,
    hotness: Math.round(decay(m.hotness, m.hotnessAt, now, rules.hotnessHalfLifeHours) * 100) / 100,
    trend: trendOf(hourlySeries(s, now, 6), now),
    emergency_signal: snap.emergencySignal,
    suggested_severity: suggestSeverity({
      ...s.casualties,
      itemsCount: m.itemsCount,
      signal: snap.emergencySignal,
    }),
    first_seen_at: new Date(m.firstSeen),
    last_seen_at: new Date(m.lastSeen),
    scheme_ids: Object.keys(s.schemes).map(Number),
    policy_ids: [...s.policyIds],
    analysis: {
      clusterId: m.id,
      negativeRatio: Math.round(negativeRatio(snap) * 1000) / 1000,
      sentiment: {
        negative: m.negative,
        positive: m.positive,
        neutral: m.itemsCount - m.negative - m.positive,
      },
      areas: s.areas,
      signals: s.signals,
      triggers: Object.fromEntries(Object.entries(s.triggers).map(([k, v]) => [k, topWords(v, 8)])),
      negativeWords: topWords(s.negativeWords, 10),
      channels: s.channels,
      casualties: s.casualties,
      places: s.places,
      fired: s.fired,
      hourly: hourlySeries(s, now, 24),
    },
  };
}
