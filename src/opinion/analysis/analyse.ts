import { normalize } from '../../text/normalize.js';
import { cut } from '../../text/segment.js';
import { contentTermWeights, type WeightedTerm } from '../../text/keywords.js';
import { contentTokens, isContentToken } from '../../text/segment.js';
import { idfTable } from '../../text/idf.js';
import { classify, type Classification } from './classify.js';
import type { CompiledLexicons } from './lexicon.js';
import { minhash } from './minhash.js';
import { emojiSentiment } from './emoji.js';
import { itemVector, KIND_TERM_PREFIX, type TermVector } from './cluster.js';
import { hazardKinds } from './hazards.js';
import { matchesScheme, type SchemeRule } from './schemes.js';
import { extractPlaces } from './places.js';
import { GENERIC_FACTOR, GENERIC_TERMS, PLACE_FACTOR } from './generic.js';

/** Everything the pipeline learns from one item without looking at other items. */
export interface ItemAnalysis {
  text: string;
  terms: WeightedTerm[];
  keywords: string[];
  vector: TermVector;
  /** MinHash of the character-bigram set, for near-duplicate detection (empty when too short). */
  minhash: Uint32Array;
  /** Estimated Jaccard this item needs to be a copy of another: short posts need near-identity. */
  dupThreshold: number;
  /** Size of the shingle set behind `minhash`. */
  shingleCount: number;
  classification: Classification;
  /** The strongest 突发事件 signal, if any. */
  signal: string | null;
  isRepost: boolean;
  schemeIds: number[];
  /** Place names mentioned: clusters with disjoint places are never merged. */
  places: string[];
}

export interface AnalysisInput {
  title?: string | null;
  content: string;
  channel: string;
  source: string;
  isRepost?: boolean | null;
}

const REPOST_RE = /\/\/@|转发微博|^\s*(?:转发|转|rt)\s*[:：]/i;

/** Category pseudo-terms pull items of the same area together and different areas apart. */
const CATEGORY_WEIGHT = 0.3;

/**
 * Long words also contribute the dictionary words inside them at half weight, so a post naming
 * "城南实验小学" and one naming "实验小学" in "城南新区" still share terms.
 */
function withSubwords(terms: readonly WeightedTerm[]): WeightedTerm[] {
  const out = new Map<string, number>();
  for (const t of terms) out.set(t.word, (out.get(t.word) ?? 0) + t.weight);
  for (const t of terms) {
    if (t.word.length < 4) continue;
    for (const sub of subwordsOf(t.word)) out.set(sub, (out.get(sub) ?? 0) + t.weight * 0.5);
  }
  return [...out].map(([word, weight]) => ({ word, weight })).sort((a, b) => b.weight - a.weight);
}

const NO_SUBWORDS: readonly string[] = [];
// The dictionary and stop words never change, so a word's parts are found once (bounded cache).
const subwordCache = new Map<string, readonly string[]>();

/** Dictionary content words inside a Han word of 4+ characters, shortest first, left to right. */
function subwordsOf(w: string): readonly string[] {
  let subs = subwordCache.get(w);
  if (subs) return subs;
  subs = NO_SUBWORDS;
  if (/^\p{Script=Han}+$/u.test(w)) {
    const dict = idfTable();
    const found: string[] = [];
    for (let len = 2; len < w.length; len++)
      for (let i = 0; i + len <= w.length; i++) {
        const sub = w.slice(i, i + len);
        if (dict.has(sub) && isContentToken(sub)) found.push(sub);
      }
    if (found.length) subs = found;
  }
  if (subwordCache.size >= 50_000) subwordCache.clear();
  subwordCache.set(w, subs);
  return subs;
}

/**
 * Analysis reads at most this many characters of an item (title first): enough for any post or
 * news article's substance, and a bound on the time one item can take. The stored item keeps its
 * full text.
 */
export const MAX_ANALYSIS_CHARS = 4000;

export function analysisText(title: string | null | undefined, content: string): string {
  const t = title ? title.slice(0, 500) : '';
  const joined = !t || content.startsWith(t) ? content : `${t}。${content}`;
  if (joined.length <= MAX_ANALYSIS_CHARS) return joined;
  // Do not cut a surrogate pair in half.
  const end = /[\ud800-\udbff]/.test(joined[MAX_ANALYSIS_CHARS - 1]!)
    ? MAX_ANALYSIS_CHARS - 1
    : MAX_ANALYSIS_CHARS;
  return joined.slice(0, end);
}

/** Below this many letters a post has no copy signature: it is too short to tell copies apart. */
export const MIN_SHINGLE_CHARS = 5;

const isLetter = (c: number) =>
  (c >= 0x4e00 && c <= 0x9fff) ||
  (c >= 0x3400 && c <= 0x4dbf) ||
  (c >= 48 && c <= 57) ||
  (c >= 97 && c <= 122);

/**
 * Character bigrams of the letters (Han, a–z, 0–9) of a normalised text: what copies share.
 * Token sets fail here: two different short posts reduce to the same one or two words.
 */
export function shingles(normalised: string): { set: string[]; letters: number } {
  let letters = '';
  for (let i = 0; i < normalised.length; i++)
    if (isLetter(normalised.charCodeAt(i))) letters += normalised[i];
  if (letters.length < MIN_SHINGLE_CHARS) return { set: [], letters: letters.length };
  const set = new Set<string>();
  for (let i = 0; i + 1 < letters.length; i++) set.add(letters.slice(i, i + 2));
  return { set: [...set], letters: letters.length };
}

/** The similarity a copy needs, by length: a short post is a copy only when nearly identical. */
export function duplicateThreshold(letters: number): number {
  if (letters < 10) return 0.9;
  if (letters < 20) return 0.8;
  if (letters < 30) return 0.7;
  return 0;
}

/**
 * Term weights for telling stories apart: WHAT happened weighs, generic frame words hardly, and the
 * place only a little (two matters in one township are two stories; the place is enforced by
 * the cluster index, which never merges different places).
 */
function storyTerms(terms: readonly WeightedTerm[], places: readonly string[]): WeightedTerm[] {
  const out = new Map<string, number>();
  for (const t of terms) {
    if (GENERIC_TERMS.has(t.word)) {
      out.set(t.word, (out.get(t.word) ?? 0) + t.weight * GENERIC_FACTOR);
      continue;
    }
    const place = placeTerm(t.word, places);
    if (place) out.set(place, Math.max(out.get(place) ?? 0, t.weight * PLACE_FACTOR));
    else out.set(t.word, (out.get(t.word) ?? 0) + t.weight);
  }
  return [...out]
    .map(([word, weight]) => ({ word, weight }))
    .sort((a, b) => b.weight - a.weight || (a.word < b.word ? -1 : 1));
}

/**
 * The one term for a place however it is written: 响水 and 响水县 (of 江苏省/盐城市/响水县) are
 * both 响水县, so two posts about one county share it. Undefined for a word that names no place.
 */
function placeTerm(word: string, places: readonly string[]): string | undefined {
  for (const p of places) {
    if (!p.includes(word)) continue;
    for (const part of p.split('/')) if (part.includes(word)) return part;
    return word;
  }
  return undefined;
}

export function analyseItem(
  input: AnalysisInput,
  lexicons: CompiledLexicons,
  schemes: readonly SchemeRule[] = [],
  knownPlaces: ReadonlySet<string> = new Set(),
): ItemAnalysis {
  const raw = analysisText(input.title, input.content);
  const text = normalize(raw);
  const sh = shingles(text);
  const tokens = cut(text);
  const content = contentTokens(tokens);
  const classification = classify(lexicons, text, tokens, emojiSentiment(raw));
  const places = extractPlaces(tokens, knownPlaces);
  const terms = storyTerms(contentTermWeights(content), places).slice(0, 30);
  const vector = itemVector(withSubwords(terms));
  for (const a of classification.areas) vector.set(`#area:${a.label}`, CATEGORY_WEIGHT);
  for (const s of classification.signals) vector.set(`#signal:${s.label}`, CATEGORY_WEIGHT);
  if (classification.signals.length)
    for (const k of hazardKinds(lexicons.kindOf, tokens))
      vector.set(`${KIND_TERM_PREFIX}${k}`, CATEGORY_WEIGHT);
  const isRepost = input.isRepost ?? REPOST_RE.test(raw);
  const subject = { text, channel: input.channel, source: input.source, isRepost };
  return {
    text,
    terms,
    keywords: terms.slice(0, 8).map((t) => t.word),
    vector,
    minhash: minhash(sh.set),
    dupThreshold: duplicateThreshold(sh.letters),
    shingleCount: sh.set.length,
    classification,
    signal: classification.signals[0]?.label ?? null,
    isRepost,
    schemeIds: schemes.filter((s) => matchesScheme(s, subject)).map((s) => s.id),
    places,
  };
}
