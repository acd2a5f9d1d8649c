import { normalize } from './normalize.js';
import { contentTokens, cut, cutForSearch, isContentToken, stopWords } from './segment.js';
import { idfOf } from './idf.js';

const HAN_RE = /\p{Script=Han}/u;

export interface WeightedTerm {
  word: string;
  weight: number;
}

/** TF-IDF weights of content tokens (term frequency × jieba IDF), highest first. */
export function termWeights(tokens: readonly string[]): WeightedTerm[] {
  return contentTermWeights(contentTokens(tokens));
}

/** termWeights of tokens already filtered by contentTokens (callers that need both lists). */
export function contentTermWeights(content: readonly string[]): WeightedTerm[] {
  const tf = new Map<string, number>();
  for (const t of content) tf.set(t, (tf.get(t) ?? 0) + 1);
  const out: WeightedTerm[] = [];
  for (const [word, n] of tf) out.push({ word, weight: n * idfOf(word) });
  out.sort((a, b) => b.weight - a.weight || (a.word < b.word ? -1 : 1));
  return out;
}

/** Top-n TF-IDF keywords of a raw text (normalised and segmented here). */
export function keywordsWeighted(text: string, n = 10): WeightedTerm[] {
  return termWeights(cut(normalize(text))).slice(0, Math.max(0, n));
}

/** Top-n TF-IDF keywords of a raw text, e.g. a policy document's keywords. */
export function keywords(text: string, n = 10): string[] {
  return keywordsWeighted(text, n).map((k) => k.word);
}

/**
 * Tokens for a PostgreSQL full-text index with the 'simple' configuration: search-mode
 * segmentation (long words also yield their parts, so 住房 finds 住房保障), no stop words.
 * Use the same function for documents and queries:
 *   to_tsvector('simple', tokensForSearch(body).join(' '))
 *   plainto_tsquery('simple', tokensForSearch(query).join(' '))
 */
export function tokensForSearch(text: string): string[] {
  const out: string[] = [];
  for (const t of cutForSearch(normalize(text))) {
    // Single characters stay searchable (房, 医) unless they are stop words.
    if (isContentToken(t) || (t.length === 1 && HAN_RE.test(t) && !stopWords().has(t))) out.push(t);
  }
  return out;
}
