import type { TermVector } from '../analysis/cluster.js';
import { idfOf } from '../../text/idf.js';
import type { PolicyMatcher } from '../policy-link.js';

/**
 * A centroid term links an event to a policy only when it is this rare in jieba's corpus (idf
 * ≥ 7 leaves out the ≈1 % most frequent words: 政策 4.5, 学校 5.7, 医院 5.9, 补偿 6.9, but keeps
 * 拆迁 7.8, 养老 7.9). Everyday words shared by every policy and every complaint would link
 * each event to half the published documents.
 */
export const SPECIFIC_TERM_MIN_IDF = 7;

/**
 * At most this many specific terms are compared: the centroid keeps its oldest (after each trim,
 * its heaviest) terms first, and a 60-term tail of one-off words only adds chance matches.
 */
export const MAX_LINK_TERMS = 20;

/** The centroid terms an event is compared with policy keywords on. */
export function specificTerms(terms: TermVector): string[] {
  const out: string[] = [];
  for (const w of terms.keys()) {
    if (out.length >= MAX_LINK_TERMS) break;
    if (!w.startsWith('#') && idfOf(w) >= SPECIFIC_TERM_MIN_IDF) out.push(w);
  }
  return out;
}

/**
 * The policies an event concerns, sorted: those linked before, those its items named (title or
 * 文号) and those sharing specific keywords with its centroid. Links are never taken back.
 */
export function linkPolicies(
  linkedBefore: readonly number[],
  named: Iterable<number>,
  terms: TermVector,
  policies: Pick<PolicyMatcher, 'size' | 'byKeywords'>,
): number[] {
  const linked = new Set(linkedBefore);
  for (const p of named) linked.add(p);
  if (policies.size) for (const p of policies.byKeywords(specificTerms(terms))) linked.add(p);
  return [...linked].sort((x, y) => x - y);
}
