import { leftmostLongest, type Match } from './ahocorasick.js';
import { parseChineseNumber } from '../../text/numbers.js';
import { type CasualtyKind, type CompiledLexicons, type Family, type Role } from './lexicon.js';

/**
 * Lexicon classification of one normalised text: 民生 areas, 突发事件 signals with casualty
 * figures, and sentiment with negation. Every label carries the words that produced it.
 */

export interface LabelHit {
  label: string;
  score: number;
  triggers: string[];
}

export interface SentimentTrigger {
  word: string;
  polarity: -1 | 1;
  /** The effect after negation and intensifiers: negative values pull towards 负面. */
  value: number;
  negatedBy?: string;
  intensifiedBy?: string;
}

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface SentimentResult {
  label: SentimentLabel;
  score: number;
  triggers: SentimentTrigger[];
}

export interface Casualties {
  deaths: number;
  injuries: number;
  missing: number;
  /** The phrases the figures were read from, e.g. "3人死亡". */
  evidence: string[];
}

export interface Classification {
  areas: LabelHit[];
  signals: LabelHit[];
  casualties: Casualties;
  sentiment: SentimentResult;
}

export const AREA_THRESHOLD = 1;
export const SIGNAL_THRESHOLD = 1.5;
const NEGATION_REACH = 4;
const SENTIMENT_THRESHOLD = 1;
const CLAUSE_BREAK = /[，。！？；,.!?;\n…、：:]/;

interface RoleMatch extends Match {
  role: Role;
}

/** Splits raw automaton matches by lexicon family, then keeps leftmost-longest within each. */
function byFamily(c: CompiledLexicons, text: string): Record<Family, Match[]> {
  const raw = c.matcher.findAll(text);
  const fam: Record<Family, Match[]> = { area: [], signal: [], sentiment: [] };
  for (const m of raw) {
    const f = c.byFamily[m.term]!;
    if (f.area.length) fam.area.push(m);
    if (f.signal.length) fam.signal.push(m);
    if (f.sentiment.length) fam.sentiment.push(m);
  }
  return {
    area: fam.area,
    signal: leftmostLongest(fam.signal),
    sentiment: leftmostLongest(fam.sentiment),
  };
}

function roleMatches(c: CompiledLexicons, matches: Match[], family: Family): RoleMatch[] {
  const out: RoleMatch[] = [];
  for (const m of matches)
    for (const role of c.byFamily[m.term]![family])
      out.push({ term: m.term, start: m.start, end: m.end, role });
  return out;
}

function scoreLabels(c: CompiledLexicons, matches: RoleMatch[]): Map<string, LabelHit & { strong: boolean }> {
  const per = new Map<string, RoleMatch[]>();
  for (const m of matches) {
    if (m.role.kind !== 'area' && m.role.kind !== 'signal') continue;
    const list = per.get(m.role.label) ?? [];
    list.push(m);
    per.set(m.role.label, list);
  }
  const out = new Map<string, LabelHit & { strong: boolean }>();
  for (const [label, list] of per) {
    const seen = new Set<string>();
    let score = 0;
    let strong = false;
    for (const m of leftmostLongest(list)) {
      const word = c.terms[m.term]!;
      if (seen.has(word)) continue;
      seen.add(word);
      score += m.role.kind === 'area' || m.role.kind === 'signal' ? m.role.weight : 0;
      if (m.role.kind === 'signal' && m.role.strong) strong = true;
      if (m.role.kind === 'area' && m.role.weight >= 1) strong = true;
    }
    out.set(label, { label, score, triggers: [...seen], strong });
  }
  return out;
}

const NUM = '(\\d+|[零一二两三四五六七八九十百千]+)';

function casualtyPatterns(words: Record<CasualtyKind, string[]>): { kind: CasualtyKind; re: RegExp }[] {
  return (Object.entries(words) as [CasualtyKind, string[]][]).map(([kind, list]) => {
    const sorted = [...list].sort((a, b) => b.length - a.length);
    const long = sorted.filter((w) => w.length > 1).join('|');
    const short = sorted.filter((w) => w.length === 1).join('|') || '(?!)';
    // "3人死亡" "3名工人受伤" | "3死5伤" (one-character words only right after the number) |
    // "死亡3人" "受伤人数12人"
    const re = new RegExp(
      `(?<!第)${NUM}\\s*(?:人|名|位)[\\p{Script=Han}]{0,3}?(?:${long})|(?<!第)${NUM}(?:${short})|(?:${long})(?:人数)?\\s*${NUM}\\s*(?:人|名)`,
      'gu',
    );
    return { kind, re };
  });
}

const patternCache = new WeakMap<object, { kind: CasualtyKind; re: RegExp }[]>();

export function extractCasualties(c: CompiledLexicons, text: string): Casualties {
  let patterns = patternCache.get(c);
  if (!patterns) {
    patterns = casualtyPatterns(c.lexicons.casualtyWords);
    patternCache.set(c, patterns);
  }
  const out: Casualties = { deaths: 0, injuries: 0, missing: 0, evidence: [] };
  for (const { kind, re } of patterns) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const n = parseChineseNumber(m[1] ?? m[2] ?? m[3] ?? '');
      if (!Number.isFinite(n) || n <= 0 || n > 100000) continue;
      // The same figure repeated in reposts is one figure: keep the largest, not the sum.
      if (n > out[kind]) out[kind] = n;
      if (out.evidence.length < 6 && !out.evidence.includes(m[0])) out.evidence.push(m[0]);
    }
  }
  return out;
}

/** Offsets where jieba tokens start or end; single-character words must sit on them. */
export function tokenBoundaries(tokens: readonly string[]): Set<number> {
  const b = new Set<number>([0]);
  let pos = 0;
  for (const t of tokens) {
    pos += t.length;
    b.add(pos);
  }
  return b;
}

function aligned(m: Match, boundaries: Set<number> | undefined): boolean {
  if (!boundaries || m.end - m.start > 1) return true;
  return boundaries.has(m.start) && boundaries.has(m.end);
}

export function scoreSentiment(
  c: CompiledLexicons,
  text: string,
  matches: Match[],
  boundaries?: Set<number>,
): SentimentResult {
  const triggers: SentimentTrigger[] = [];
  let negators: RoleMatch[] = [];
  let intensifier: RoleMatch | null = null;
  let score = 0;
  let lastEnd = 0;
  for (const m of roleMatches(c, matches, 'sentiment')) {
    if (!aligned(m, boundaries)) continue;
    // A clause break or a long gap ends the reach of pending modifiers.
    const gap = text.slice(lastEnd, m.start);
    if (CLAUSE_BREAK.test(gap) || gap.length > NEGATION_REACH) {
      negators = [];
      intensifier = null;
    }
    const r = m.role;
    if (r.kind === 'negator') negators.push(m);
    else if (r.kind === 'intensifier') intensifier = m;
    else if (r.kind === 'blocker') {
      /* consumes the span so 不少 / 非法 do not negate */
    } else if (r.kind === 'sentiment') {
      const factor = intensifier && intensifier.role.kind === 'intensifier' ? intensifier.role.factor : 1;
      const negated = negators.length % 2 === 1;
      let value = r.polarity * r.weight * factor;
      // 不满意 is clearly negative; 不担心 is only mildly positive.
      if (negated) value = r.polarity > 0 ? -value : -value * 0.5;
      score += value;
      const t: SentimentTrigger = { word: c.terms[m.term]!, polarity: r.polarity, value };
      if (negated) t.negatedBy = negators.map((n) => c.terms[n.term]).join('');
      if (intensifier) t.intensifiedBy = c.terms[intensifier.term]!;
      triggers.push(t);
      negators = [];
      intensifier = null;
    }
    lastEnd = m.end;
  }
  score = Math.round(score * 100) / 100;
  const label: SentimentLabel =
    score <= -SENTIMENT_THRESHOLD ? 'negative' : score >= SENTIMENT_THRESHOLD ? 'positive' : 'neutral';
  return { label, score, triggers };
}

/**
 * Classifies a normalised text. `tokens` (jieba output for the same text) lets single-character
 * sentiment words (差, 好) count only as whole words, not inside 出差 or 好像.
 */
export function classify(c: CompiledLexicons, text: string, tokens?: readonly string[]): Classification {
  const fam = byFamily(c, text);
  const boundaries = tokens ? tokenBoundaries(tokens) : undefined;
  const areas = [...scoreLabels(c, roleMatches(c, fam.area, 'area')).values()]
    .filter((h) => h.score >= AREA_THRESHOLD && h.strong)
    .map(({ label, score, triggers }) => ({ label, score, triggers }))
    .sort((a, b) => b.score - a.score);
  const casualties = extractCasualties(c, text);
  const anyCasualty = casualties.deaths + casualties.injuries + casualties.missing > 0;
  const signals = [...scoreLabels(c, roleMatches(c, fam.signal, 'signal')).values()]
    .filter((h) => h.strong && (h.score >= SIGNAL_THRESHOLD || (anyCasualty && h.score >= 1)))
    .map(({ label, score, triggers }) => ({ label, score, triggers }))
    .sort((a, b) => b.score - a.score);
  const sentiment = scoreSentiment(c, text, fam.sentiment, boundaries);
  return { areas, signals, casualties, sentiment };
}
