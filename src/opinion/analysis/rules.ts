import type { Severity } from '../../events/tables.js';
import type { AlertSeverity } from '../../db/schema.js';
import { AREAS } from './lexicon.js';

/**
 * Early-warning decisions (及时预警, 苗头性舆情) as pure functions over an event snapshot. All
 * thresholds are configuration (stored in opinion_settings, edited on the admin page).
 */

export interface WarningRules {
  /** Candidate clusters become events at this many items (emergencies at one). */
  promoteMinItems: number;
  spike: { enabled: boolean; windowMinutes: number; baselineHours: number; minItems: number; factor: number };
  negativeArea: { enabled: boolean; areas: string[]; minItems: number; minNegativeRatio: number };
  emergency: { enabled: boolean };
  /** Hotness half-life. */
  hotnessHalfLifeHours: number;
  cluster: { threshold: number; windowHours: number };
  /** Estimated token-set Jaccard at which two items are copies (reposts, 洗稿). */
  dedup: { minSimilarity: number; windowHours: number };
}

export const DEFAULT_RULES: WarningRules = {
  promoteMinItems: 3,
  spike: { enabled: true, windowMinutes: 60, baselineHours: 24, minItems: 20, factor: 3 },
  negativeArea: { enabled: true, areas: [...AREAS], minItems: 3, minNegativeRatio: 0.5 },
  emergency: { enabled: true },
  hotnessHalfLifeHours: 6,
  cluster: { threshold: 0.15, windowHours: 48 },
  dedup: { minSimilarity: 0.6, windowHours: 72 },
};

export type RuleName = 'spike' | 'negative_area' | 'emergency';

export const RULE_LABELS: Record<RuleName, string> = {
  spike: '声量激增',
  negative_area: '重点领域负面',
  emergency: '突发事件信号',
};

export interface EventSnapshot {
  itemsCount: number;
  negativeCount: number;
  categories: string[];
  emergencySignal: string | null;
  /** Items in the spike window ending now. */
  recentCount: number;
  /** Items in the baseline period before the spike window. */
  baselineCount: number;
  deaths: number;
  injuries: number;
  missing: number;
  sick?: number;
  evacuated?: number;
}

export interface Warning {
  rule: RuleName;
  severity: AlertSeverity;
  reasons: string[];
}

export function negativeRatio(s: { itemsCount: number; negativeCount: number }): number {
  return s.itemsCount > 0 ? s.negativeCount / s.itemsCount : 0;
}

/** Which rules fire for this snapshot, each with the reasons an analyst reads in the alert. */
export function evaluateWarnings(s: EventSnapshot, r: WarningRules): Warning[] {
  const out: Warning[] = [];
  if (r.emergency.enabled && s.emergencySignal) {
    const reasons = [`突发事件信号：${s.emergencySignal}`];
    if (s.deaths) reasons.push(`死亡 ${s.deaths} 人`);
    if (s.injuries) reasons.push(`受伤 ${s.injuries} 人`);
    if (s.missing) reasons.push(`失联/被困 ${s.missing} 人`);
    if (s.sick) reasons.push(`中毒/送医 ${s.sick} 人`);
    if (s.evacuated) reasons.push(`疏散/转移 ${s.evacuated} 人`);
    out.push({ rule: 'emergency', severity: 'critical', reasons });
  }
  const ratio = negativeRatio(s);
  const keyAreas = s.categories.filter((c) => r.negativeArea.areas.includes(c));
  // An emergency alert already tells the duty desk everything a negative-area warning would.
  if (
    r.negativeArea.enabled &&
    !(r.emergency.enabled && s.emergencySignal) &&
    keyAreas.length > 0 &&
    s.itemsCount >= r.negativeArea.minItems &&
    ratio >= r.negativeArea.minNegativeRatio
  ) {
    out.push({
      rule: 'negative_area',
      severity: 'warning',
      reasons: [
        `重点领域：${keyAreas.join('、')}`,
        `负面占比 ${Math.round(ratio * 100)}%（${s.negativeCount}/${s.itemsCount}）`,
      ],
    });
  }
  if (r.spike.enabled && s.recentCount >= r.spike.minItems) {
    const windows = (r.spike.baselineHours * 60) / r.spike.windowMinutes;
    const baseline = s.baselineCount / Math.max(1, windows);
    if (s.recentCount >= r.spike.factor * Math.max(1, baseline)) {
      out.push({
        rule: 'spike',
        severity: s.recentCount >= 5 * r.spike.minItems ? 'critical' : 'warning',
        reasons: [
          `${r.spike.windowMinutes} 分钟内 ${s.recentCount} 条`,
          `前 ${r.spike.baselineHours} 小时平均每 ${r.spike.windowMinutes} 分钟 ${baseline.toFixed(1)} 条`,
        ],
      });
    }
  }
  return out;
}

/** The casualty figures and circumstances that weigh on an event's severity. */
export interface CasualtyFacts {
  deaths: number;
  injuries: number;
  missing: number;
  /** Poisoned, taken ill, hospitalised (absent in events stored before it was read). */
  sick?: number;
  evacuated?: number;
  /** Schools, kindergartens, pupils involved. */
  school?: boolean;
  /** Hazardous chemicals or gas involved. */
  hazardous?: boolean;
}

export interface SeverityFacts extends CasualtyFacts {
  /** The event's 突发 signal, if any. */
  signal?: string | null;
  itemsCount: number;
}

const SEVERITY_ORDER: Severity[] = ['general', 'large', 'major', 'extraordinary'];
const atLeast = (a: Severity, b: Severity): Severity =>
  SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b;

/**
 * Suggested severity following the national 突发事件 grading (突发事件应对法 and the special
 * plans): deaths (incl. missing) ≥30 特别重大, 10–29 重大, 3–9 较大; injuries ≥100, 50–99, 10–49;
 * poisoned / taken ill ≥100 重大 (≥30 较大); evacuated ≥100,000 特别重大, ≥10,000 重大, ≥1,000
 * 较大. Schools and hazardous chemicals weigh more: a mass poisoning of pupils (≥30) or a
 * chemical or gas leak with evacuation is 重大, so confirming it opens the 5 h and 24 h clocks;
 * any casualty at a school or with hazardous chemicals is at least 较大. Volume alone lifts to
 * 较大 at most.
 */
export function suggestSeverity(s: SeverityFacts): Severity {
  const dead = s.deaths + s.missing;
  const sick = s.sick ?? 0;
  const evacuated = s.evacuated ?? 0;
  let level: Severity = 'general';
  if (dead >= 30 || s.injuries >= 100 || sick >= 1000 || evacuated >= 100_000) return 'extraordinary';
  if (dead >= 10 || s.injuries >= 50 || sick >= 100 || evacuated >= 10_000) level = 'major';
  else if (dead >= 3 || s.injuries >= 10 || sick >= 30 || evacuated >= 1000 || s.itemsCount >= 200)
    level = 'large';
  if (s.school && (sick >= 30 || s.injuries >= 10 || dead >= 3)) level = atLeast(level, 'major');
  else if (s.school && (sick >= 10 || s.injuries >= 3 || dead >= 1)) level = atLeast(level, 'large');
  // A chemical or gas leak that moves people out is handled as 重大 (5 h / 24 h).
  if (s.hazardous && s.signal && evacuated > 0) level = atLeast(level, 'major');
  else if (s.hazardous && s.signal && (dead > 0 || s.injuries > 0 || sick > 0))
    level = atLeast(level, 'large');
  return level;
}

export function shouldPromote(
  s: { itemsCount: number; uniqueAuthors: number; emergencySignal: string | null },
  r: WarningRules,
): boolean {
  if (s.emergencySignal && r.emergency.enabled) return true;
  // Several posts by one account are one voice, not an event.
  return s.itemsCount >= r.promoteMinItems && s.uniqueAuthors >= Math.min(2, r.promoteMinItems);
}

/** exp-decayed heat: value `h` known at `fromMs`, seen at `toMs`. */
export function decay(h: number, fromMs: number, toMs: number, halfLifeHours: number): number {
  if (toMs <= fromMs) return h;
  return h * Math.pow(0.5, (toMs - fromMs) / (halfLifeHours * 3600_000));
}

/**
 * One item's contribution to heat: originals count 1, near-duplicates (reposts) 0.5, plus
 * engagement on a log scale.
 */
export function itemHeat(duplicate: boolean, metrics: Record<string, number> | null | undefined): number {
  const base = duplicate ? 0.5 : 1;
  if (!metrics) return base;
  const engagement =
    (metrics.shares ?? 0) + (metrics.comments ?? 0) + (metrics.likes ?? 0) / 5 + (metrics.views ?? 0) / 1000;
  return base + Math.log10(1 + Math.max(0, engagement));
}

export type Trend = 'rising' | 'flat' | 'falling';

/**
 * Trend of an event's volume from hourly counts (oldest first, the last bucket being the hour that
 * contains `now`): the item rate of the last `windowHours` hours against the rate of the
 * `windowHours` hours before them. The current hour counts only for the part that has passed, so
 * the first minutes of a new hour do not read as a drop. 回落 needs both the window and the last
 * sixty minutes to run at most half the earlier rate: an event still growing never reads as falling.
 */
export function trendOf(hourly: readonly number[], now: number, windowHours = 3): Trend {
  const w = Math.min(windowHours, Math.floor(hourly.length / 2));
  if (w < 1) return 'flat';
  const n = hourly.length;
  const passed = (now % 3600_000) / 3600_000;
  const sum = (from: number, to: number) => hourly.slice(from, to).reduce((a, b) => a + b, 0);
  const recent = sum(n - w, n);
  const recentRate = recent / Math.max(w - 1 + passed, 0.25);
  const previous = sum(n - 2 * w, n - w);
  const previousRate = previous / w;
  if (recent >= 3 && recentRate >= 1.5 * Math.max(previousRate, 0.5)) return 'rising';
  // The last sixty minutes: the current hour so far plus the unpassed share of the hour before.
  const lastHour = hourly[n - 1]! + (1 - passed) * (hourly[n - 2] ?? 0);
  if (previous >= 3 && recentRate <= 0.5 * previousRate && lastHour <= 0.5 * previousRate) return 'falling';
  return 'flat';
}

/** Merges stored settings over the defaults, ignoring unknown or mistyped values. */
export function mergeRules(stored: unknown): WarningRules {
  const out: WarningRules = structuredClone(DEFAULT_RULES);
  if (!stored || typeof stored !== 'object') return out;
  const merge = (target: Record<string, unknown>, src: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(src)) {
      const t = target[k];
      if (t === undefined) continue;
      if (Array.isArray(t)) {
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) target[k] = [...v];
      } else if (typeof t === 'object' && t && v && typeof v === 'object')
        merge(t as Record<string, unknown>, v as Record<string, unknown>);
      else if (typeof t === typeof v) target[k] = v;
    }
  };
  merge(out as unknown as Record<string, unknown>, stored as Record<string, unknown>);
  return out;
}
