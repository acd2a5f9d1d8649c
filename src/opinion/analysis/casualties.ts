import { AhoCorasick } from './ahocorasick.js';
import { CHINESE_DIGITS, CHINESE_UNITS } from '../../text/numbers.js';

/**
 * Casualty and affected-people figures read from a text ("3人死亡", "3死5伤", "死亡3人",
 * "三十多名学生食物中毒", "疏散群众五百余人", "新增确诊病例12例") in ONE linear pass: number runs
 * are found by a character scan and the casualty words around them by an Aho–Corasick automaton,
 * each number looking at a bounded window. No regular expression with nested quantifiers ever
 * sees the text (a crawled post of 100,000 × 「一」 once stalled the process for minutes).
 */

export type CasualtyKind = 'deaths' | 'injuries' | 'missing' | 'sick' | 'evacuated';
export const CASUALTY_KINDS: readonly CasualtyKind[] = ['deaths', 'injuries', 'missing', 'sick', 'evacuated'];

export interface Casualties {
  deaths: number;
  injuries: number;
  missing: number;
  /** Poisoned, taken ill, hospitalised, infected. */
  sick: number;
  /** Evacuated, moved to safety. */
  evacuated: number;
  /** The phrases the figures were read from, e.g. "3人死亡". */
  evidence: string[];
}

export function noCasualties(): Casualties {
  return { deaths: 0, injuries: 0, missing: 0, sick: 0, evacuated: 0, evidence: [] };
}

const DIGIT = CHINESE_DIGITS;
/** Casualty and evacuation counts also come in 万 (万余人). */
const UNIT: Readonly<Record<string, number>> = { ...CHINESE_UNITS, 万: 10000 };
/** Vague amounts that still say how many people: 数百人 ≈ 200. */
const VAGUE: Record<string, number> = {
  数十: 20,
  数百: 200,
  数千: 2000,
  数万: 20000,
  上百: 100,
  上千: 1000,
  上万: 10000,
  近百: 90,
  近千: 900,
  几十: 20,
  几百: 200,
  多名: 2,
};

/** First characters of VAGUE's words: the scan slices two characters only where one may start. */
const VAGUE_FIRST = new Set(Object.keys(VAGUE).map((w) => w[0]!));
/** Characters of Chinese numerals (a Set: `in` on the tables was most of the scan's time). */
const CN_NUM = new Set([...Object.keys(DIGIT), ...Object.keys(UNIT)]);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isCnNum = (ch: string) => CN_NUM.has(ch);
const MAX_RUN = 12;

/** A number written in digits (with an optional 万), in Chinese numerals, or mixed ("2万"). */
export function parseAmount(s: string): number {
  if (!s || s.length > MAX_RUN) return NaN;
  const wan = s.indexOf('万');
  if (wan >= 0) {
    const head = wan === 0 ? 1 : parseAmount(s.slice(0, wan));
    const tail = wan === s.length - 1 ? 0 : parseAmount(s.slice(wan + 1));
    return head * 10000 + (Number.isFinite(tail) ? tail : 0);
  }
  let allDigits = true;
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i)) && s[i] !== '.') allDigits = false;
  if (allDigits) return Number(s);
  let hasUnit = false;
  for (const ch of s) {
    if (!isCnNum(ch)) return NaN;
    if (ch in UNIT) hasUnit = true;
  }
  if (!hasUnit) {
    let v = 0;
    for (const ch of s) v = v * 10 + DIGIT[ch]!;
    return v;
  }
  let total = 0;
  let digit = -1;
  for (const ch of s) {
    if (ch in DIGIT) digit = DIGIT[ch]!;
    else {
      total += (digit < 0 ? 1 : digit) * UNIT[ch]!;
      digit = -1;
    }
  }
  return total + (digit > 0 ? digit : 0);
}

export const DEFAULT_CASUALTY_WORDS: Record<CasualtyKind, string[]> = {
  deaths: ['死亡', '遇难', '身亡', '丧生', '罹难', '殉职', '遇害', '不治', '死', '亡'],
  injuries: ['受伤', '伤', '重伤', '轻伤', '烧伤', '砍伤', '撞伤', '炸伤', '负伤', '划伤', '擦伤'],
  missing: ['失联', '失踪', '被困', '下落不明', '被埋', '受困'],
  sick: [
    '中毒',
    '不适',
    '送医',
    '就医',
    '住院',
    '入院',
    '就诊',
    '感染',
    '确诊',
    '发病',
    '病例',
    '呕吐',
    '腹泻',
    '腹痛',
    '发热',
    '发烧',
    '症状',
  ],
  evacuated: ['疏散', '撤离', '转移', '安置', '避险'],
};

/** Words that may stand between a figure and its casualty word before the window closes. */
const BREAK = new Set([...'，。！？；,.!?;\n…：:、（）()【】[]"“”']);
const CLASSIFIERS = new Set(['人', '名', '位', '例', '户']);
const APPROX = new Set(['余', '多', '来']);
/** Words allowed between a casualty word and the figure after it: "死亡人数达3人". */
const AFTER_WINDOW = 8;
const BEFORE_WINDOW = 8;

interface Compiled {
  matcher: AhoCorasick;
  words: string[];
  kinds: CasualtyKind[];
}
const cache = new WeakMap<object, Compiled>();

function compile(words: Record<CasualtyKind, string[]>): Compiled {
  let c = cache.get(words);
  if (c) return c;
  const list: string[] = [];
  const kinds: CasualtyKind[] = [];
  for (const k of CASUALTY_KINDS)
    for (const w of words[k] ?? []) {
      list.push(w);
      kinds.push(k);
    }
  c = { matcher: new AhoCorasick(list), words: list, kinds };
  cache.set(words, c);
  return c;
}

interface NumberRun {
  start: number;
  end: number;
  value: number;
  /** 一 alone is mostly an article ("一名男子持刀…"): it counts only right before its word. */
  article: boolean;
}

/** Every number in the text, each found once (runs too long to be a count are skipped whole). */
function numbers(text: string, limit: number): NumberRun[] {
  const out: NumberRun[] = [];
  let i = 0;
  while (i < text.length && out.length < limit) {
    const ch = text[i]!;
    if (VAGUE_FIRST.has(ch)) {
      const two = text.slice(i, i + 2);
      if (VAGUE[two] !== undefined && two !== '多名') {
        out.push({ start: i, end: i + 2, value: VAGUE[two]!, article: false });
        i += 2;
        continue;
      }
    }
    if (!isDigit(text.charCodeAt(i)) && !isCnNum(ch)) {
      i++;
      continue;
    }
    let j = i;
    while (
      j < text.length &&
      (isDigit(text.charCodeAt(j)) || isCnNum(text[j]!) || (text[j] === '.' && j > i))
    )
      j++;
    const run = text.slice(i, Math.min(j, i + MAX_RUN + 1));
    const value = j - i <= MAX_RUN ? parseAmount(run) : NaN;
    if (Number.isFinite(value) && value > 0 && text[i - 1] !== '第')
      out.push({ start: i, end: j, value, article: run === '一' });
    i = j;
  }
  return out;
}

/**
 * Casualty figures of a normalised text. The same figure repeated (reposts, a headline and its
 * body) is one figure: each kind keeps its largest, not the sum.
 */
export function extractCasualties(
  text: string,
  words: Record<CasualtyKind, string[]> = DEFAULT_CASUALTY_WORDS,
): Casualties {
  const out = noCasualties();
  const c = compile(words);
  const nums = numbers(text, 400);
  if (!nums.length) return out;
  // Longest casualty word starting / ending at each offset.
  const startAt = new Map<number, number>();
  const endAt = new Map<number, number>();
  for (const m of c.matcher.findAll(text)) {
    const s = startAt.get(m.start);
    if (s === undefined || c.words[s]!.length < c.words[m.term]!.length) startAt.set(m.start, m.term);
    const e = endAt.get(m.end);
    if (e === undefined || c.words[e]!.length < c.words[m.term]!.length) endAt.set(m.end, m.term);
  }
  const record = (kind: CasualtyKind, n: number, from: number, to: number) => {
    if (n <= 0 || n > 10_000_000) return;
    if (n > out[kind]) out[kind] = n;
    const phrase = text.slice(from, to);
    if (out.evidence.length < 8 && !out.evidence.includes(phrase)) out.evidence.push(phrase);
  };
  for (const n of nums) {
    let e = n.end;
    if (APPROX.has(text[e] ?? '')) e++;
    const classified = CLASSIFIERS.has(text[e] ?? '');
    const after = classified ? e + 1 : e;
    // "3人死亡", "30余名学生出现呕吐", "3死5伤"
    let found = false;
    const reach = n.article ? 0 : AFTER_WINDOW;
    for (let q = after; q <= after + reach && q < text.length; q++) {
      if (q > after && BREAK.has(text[q - 1]!)) break;
      const t = startAt.get(q);
      if (t === undefined) continue;
      const word = c.words[t]!;
      // One-character words (死, 伤) only right after the figure: "3死5伤", "致6人亡".
      if (word.length === 1 && q !== after) continue;
      if (!classified && q !== after) break;
      record(c.kinds[t]!, n.value, n.start, q + word.length);
      found = true;
      break;
    }
    if (found || !classified || n.article) continue;
    // "死亡3人", "疏散群众500余人", "新增确诊病例12例"
    for (let q = n.start; q >= n.start - BEFORE_WINDOW && q > 0; q--) {
      if (q < n.start && BREAK.has(text[q]!)) break;
      const t = endAt.get(q);
      if (t === undefined || c.words[t]!.length < 2) continue;
      record(c.kinds[t]!, n.value, q - c.words[t]!.length, e + 1);
      break;
    }
  }
  return out;
}
