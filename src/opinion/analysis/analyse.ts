import { normalize } from '../../text/normalize.js';
import { cut } from '../../text/segment.js';
import { contentTermWeights, type WeightedTerm } from '../../text/keywords.js';
import { contentTokens, isContentToken } from '../../text/segment.js';
import { idfTable } from '../../text/idf.js';
import { classify, type Classification } from './classify.js';
import type { CompiledLexicons } from './lexicon.js';
import { minhash } from './minhash.js';
import { itemVector, type TermVector } from './cluster.js';
import { matchesScheme, type SchemeRule } from './schemes.js';
import { extractPlaces } from './places.js';

/** Everything the pipeline learns from one item without looking at other items. */
export interface ItemAnalysis {
  text: string;
  terms: WeightedTerm[];
  keywords: string[];
  vector: TermVector;
  /** MinHash of the content-token set, for near-duplicate detection. */
  minhash: Uint32Array;
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

export function analysisText(title: string | null | undefined, content: string): string {
  if (!title) return content;
  return content.startsWith(title) ? content : `${title}。${content}`;
}

export function analyseItem(
  input: AnalysisInput,
  lexicons: CompiledLexicons,
  schemes: readonly SchemeRule[] = [],
  knownPlaces: ReadonlySet<string> = new Set(),
): ItemAnalysis {
  const raw = analysisText(input.title, input.content);
  const text = normalize(raw);
  const tokens = cut(text);
  const content = contentTokens(tokens);
  const terms = contentTermWeights(content).slice(0, 30);
  const classification = classify(lexicons, text, tokens);
  const vector = itemVector(withSubwords(terms));
  for (const a of classification.areas) vector.set(`#area:${a.label}`, CATEGORY_WEIGHT);
  for (const s of classification.signals) vector.set(`#signal:${s.label}`, CATEGORY_WEIGHT);
  const isRepost = input.isRepost ?? REPOST_RE.test(input.content);
  const subject = { text, channel: input.channel, source: input.source, isRepost };
  return {
    text,
    terms,
    keywords: terms.slice(0, 8).map((t) => t.word),
    vector,
    minhash: minhash(content),
    classification,
    signal: classification.signals[0]?.label ?? null,
    isRepost,
    schemeIds: schemes.filter((s) => matchesScheme(s, subject)).map((s) => s.id),
    places: extractPlaces(tokens, knownPlaces),
  };
}
