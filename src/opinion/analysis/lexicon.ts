import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LEXICON_DIR } from '../../text/resources.js';
import { AhoCorasick } from './ahocorasick.js';
import { DEFAULT_CASUALTY_WORDS, type CasualtyKind } from './casualties.js';

/** The 民生 areas of SPEC §2.2 (seed 001 §十一), in display order. */
export const AREAS = [
  '就学',
  '就医',
  '住房保障',
  '安全生产',
  '防灾减灾救灾',
  '食品药品安全',
  '养老服务',
  '征收补偿',
  '环境保护',
] as const;
export type Area = (typeof AREAS)[number];

export const SIGNALS = ['灾害事故', '公共卫生', '社会安全'] as const;
export type Signal = (typeof SIGNALS)[number];

/**
 * Incident kinds, finer than the 突发 signal: two 灾害事故 posts from one county, one about a flood
 * and one about a gas explosion, are two incidents (src/opinion/analysis/hazards.ts).
 */
export const HAZARD_KINDS = [
  'flood',
  'fire',
  'explosion',
  'leak',
  'traffic',
  'mine',
  'collapse',
  'landslide',
  'earthquake',
  'storm',
  'water',
  'poisoning',
  'epidemic',
  'violence',
] as const;
export type HazardKind = (typeof HAZARD_KINDS)[number];

/** How the settings page names each kind. */
export const HAZARD_KIND_LABELS: Record<HazardKind, string> = {
  flood: '洪涝',
  fire: '火灾',
  explosion: '爆炸',
  leak: '泄漏',
  traffic: '交通事故',
  mine: '矿山事故',
  collapse: '坍塌',
  landslide: '滑坡泥石流',
  earthquake: '地震',
  storm: '台风冰雹暴雪',
  water: '水上事故与溺水',
  poisoning: '中毒',
  epidemic: '疫情',
  violence: '暴力伤人',
};

export function isHazardKind(k: string): k is HazardKind {
  return (HAZARD_KINDS as readonly string[]).includes(k);
}

export type { CasualtyKind } from './casualties.js';

/** Weighted terms per label (area or signal). */
export type LabelTerms = Record<string, Record<string, number>>;

export interface Lexicons {
  areas: LabelTerms;
  signals: LabelTerms;
  /** Strong terms per signal: a signal needs at least one. */
  signalStrong: Record<string, string[]>;
  casualtyWords: Record<CasualtyKind, string[]>;
  /** Phrases that contain a signal word without meaning it (信息爆炸, 感染力). */
  signalExcludes: string[];
  /** Words that make an incident weigh more in the suggested severity (schools, 危化品). */
  severityContext: { school: string[]; hazardous: string[] };
  /** The incident kind each word tells, lower-cased (most are signal terms; 降雨 is not). */
  kinds: Record<string, HazardKind>;
  negative: Record<string, number>;
  positive: Record<string, number>;
  negators: string[];
  intensifiers: Record<string, number>;
  blockers: string[];
}

/** An edit stored in the database on top of the shipped files. */
export interface LexiconOverride {
  lexicon: 'area' | 'signal' | 'sentiment';
  /** Area or signal name, or 'negative' / 'positive' for sentiment. */
  label: string;
  word: string;
  weight: number;
  /** true removes a shipped word (and, for a signal word, its kind). */
  removed: boolean;
  /** Signal words only: the incident kind the word tells; absent keeps the shipped one. */
  kind?: HazardKind | null;
}

interface StrongWeak {
  /** Unmistakable names of the thing (score 2). */
  decisive?: string[];
  strong: string[];
  weak?: string[];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(path.join(LEXICON_DIR, file), 'utf8')) as T;
}

function weighted(groups: Record<string, StrongWeak>): LabelTerms {
  const out: LabelTerms = {};
  for (const [label, g] of Object.entries(groups)) {
    const terms: Record<string, number> = {};
    for (const w of g.weak ?? []) terms[w] = 0.5;
    for (const w of g.strong) terms[w] = 1;
    for (const w of g.decisive ?? []) terms[w] = 2;
    out[label] = terms;
  }
  return out;
}

/** Word → kind from the file's kind → words; a typo in a kind or a word under two kinds throws. */
export function kindsOf(groups: Record<string, string[]>): Record<string, HazardKind> {
  const out: Record<string, HazardKind> = {};
  for (const [kind, words] of Object.entries(groups)) {
    if (!isHazardKind(kind)) throw new Error(`emergency.json: unknown incident kind ${kind}`);
    for (const word of words) {
      const w = word.toLowerCase();
      if (out[w] && out[w] !== kind) throw new Error(`emergency.json: ${word} is both ${out[w]} and ${kind}`);
      out[w] = kind;
    }
  }
  return out;
}

/** The shipped lexicons (data/lexicons/*.json). */
export function loadShippedLexicons(): Lexicons {
  const areas = readJson<{ areas: Record<string, StrongWeak> }>('areas.json');
  const emergency = readJson<{
    signals: Record<string, StrongWeak>;
    casualtyWords: Partial<Record<CasualtyKind, string[]>>;
    exclude?: string[];
    severityContext?: { school: string[]; hazardous: string[] };
    kinds?: Record<string, string[]>;
  }>('emergency.json');
  const sentiment = readJson<{
    negative: Record<string, number>;
    positive: Record<string, number>;
    negators: string[];
    intensifiers: Record<string, number>;
    blockers: string[];
  }>('sentiment.json');
  return {
    areas: weighted(areas.areas),
    signals: weighted(emergency.signals),
    signalStrong: Object.fromEntries(
      Object.entries(emergency.signals).map(([k, g]) => [k, [...(g.decisive ?? []), ...g.strong]]),
    ),
    casualtyWords: { ...DEFAULT_CASUALTY_WORDS, ...emergency.casualtyWords },
    signalExcludes: [...(emergency.exclude ?? [])],
    severityContext: emergency.severityContext ?? { school: [], hazardous: [] },
    kinds: kindsOf(emergency.kinds ?? {}),
    negative: { ...sentiment.negative },
    positive: { ...sentiment.positive },
    negators: [...sentiment.negators],
    intensifiers: { ...sentiment.intensifiers },
    blockers: [...sentiment.blockers],
  };
}

/** Applies database edits to a copy of the lexicons. Unknown labels are ignored. */
export function applyOverrides(base: Lexicons, overrides: readonly LexiconOverride[]): Lexicons {
  const lx: Lexicons = structuredClone(base);
  for (const o of overrides) {
    const word = o.word.trim().toLowerCase();
    if (!word) continue;
    let table: Record<string, number> | undefined;
    if (o.lexicon === 'area') table = lx.areas[o.label];
    else if (o.lexicon === 'signal') table = lx.signals[o.label];
    else if (o.label === 'negative') table = lx.negative;
    else if (o.label === 'positive') table = lx.positive;
    if (!table) continue;
    if (o.removed) {
      delete table[word];
      if (o.lexicon === 'signal') {
        lx.signalStrong[o.label] = lx.signalStrong[o.label]!.filter((w) => w !== word);
        // A word no signal knows any more tells no kind either: the kinds are no second lexicon.
        if (!Object.values(lx.signals).some((t) => word in t)) delete lx.kinds[word];
      }
    } else {
      table[word] = o.weight;
      if (o.lexicon === 'signal' && o.weight >= 1 && !lx.signalStrong[o.label]!.includes(word))
        lx.signalStrong[o.label]!.push(word);
      if (o.lexicon === 'signal' && o.kind) lx.kinds[word] = o.kind;
    }
  }
  return lx;
}

export type Role =
  | { kind: 'area'; label: string; weight: number }
  | { kind: 'signal'; label: string; weight: number; strong: boolean }
  | { kind: 'signalExclude' }
  | { kind: 'sentiment'; polarity: -1 | 1; weight: number }
  | { kind: 'negator' }
  | { kind: 'intensifier'; factor: number }
  | { kind: 'blocker' };

export type Family = 'area' | 'signal' | 'sentiment';

export function familyOf(role: Role): Family {
  if (role.kind === 'area') return 'area';
  if (role.kind === 'signal' || role.kind === 'signalExclude') return 'signal';
  return 'sentiment';
}

/** Lexicons compiled into one automaton; each term carries its roles in every lexicon. */
export interface CompiledLexicons {
  lexicons: Lexicons;
  terms: string[];
  roles: Role[][];
  /** Per term, its roles split by family (precomputed: classification runs per item). */
  byFamily: Record<Family, Role[]>[];
  matcher: AhoCorasick;
  /** lexicons.kinds as a map: looked up once per token of every signalled item. */
  kindOf: ReadonlyMap<string, HazardKind>;
}

export function compileLexicons(lx: Lexicons): CompiledLexicons {
  const index = new Map<string, number>();
  const terms: string[] = [];
  const roles: Role[][] = [];
  const add = (word: string, role: Role) => {
    const w = word.toLowerCase();
    if (!w) return;
    let i = index.get(w);
    if (i === undefined) {
      i = terms.length;
      index.set(w, i);
      terms.push(w);
      roles.push([]);
    }
    roles[i]!.push(role);
  };
  for (const [label, t] of Object.entries(lx.areas))
    for (const [w, weight] of Object.entries(t)) add(w, { kind: 'area', label, weight });
  for (const [label, t] of Object.entries(lx.signals)) {
    const strong = new Set(lx.signalStrong[label] ?? []);
    for (const [w, weight] of Object.entries(t))
      add(w, { kind: 'signal', label, weight, strong: strong.has(w) });
  }
  for (const w of lx.signalExcludes) add(w, { kind: 'signalExclude' });
  for (const [w, weight] of Object.entries(lx.negative)) add(w, { kind: 'sentiment', polarity: -1, weight });
  for (const [w, weight] of Object.entries(lx.positive)) add(w, { kind: 'sentiment', polarity: 1, weight });
  for (const w of lx.negators) add(w, { kind: 'negator' });
  for (const [w, factor] of Object.entries(lx.intensifiers)) add(w, { kind: 'intensifier', factor });
  for (const w of lx.blockers) add(w, { kind: 'blocker' });
  const byFamily = roles.map((list) => {
    const f: Record<Family, Role[]> = { area: [], signal: [], sentiment: [] };
    for (const r of list) f[familyOf(r)].push(r);
    return f;
  });
  const kindOf = new Map(Object.entries(lx.kinds));
  return { lexicons: lx, terms, roles, byFamily, matcher: new AhoCorasick(terms), kindOf };
}

/** Multi-character lexicon words, to be inserted into jieba so they come out as tokens. */
export function segmenterWords(lx: Lexicons): string[] {
  const all = new Set<string>();
  for (const t of [...Object.values(lx.areas), ...Object.values(lx.signals), lx.negative, lx.positive])
    for (const w of Object.keys(t)) if (w.length >= 2) all.add(w);
  return [...all];
}
