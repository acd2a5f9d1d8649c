import { sql, type RawBuilder } from 'kysely';
import { keywords, tokensForSearch } from '../text/index.js';

/** How many jieba keywords each document keeps for linking opinion events. */
export const KEYWORD_COUNT = 12;

function joinTokens(text: string): string {
  if (!text.trim()) return '';
  return tokensForSearch(text).join(' ');
}

export function policyKeywords(title: string, body: string): string[] {
  return keywords(`${title}\n${title}\n${body}`, KEYWORD_COUNT);
}

/**
 * The tsvector of a document: jieba tokens joined by spaces and read with the 'simple'
 * configuration, so PostgreSQL needs no Chinese parser. Title outranks body outranks 解读.
 */
export function searchVector(title: string, body: string, interpretations: string): RawBuilder<string> {
  return sql<string>`setweight(to_tsvector('simple', ${joinTokens(title)}), 'A')
    || setweight(to_tsvector('simple', ${joinTokens(body)}), 'B')
    || setweight(to_tsvector('simple', ${joinTokens(interpretations)}), 'C')`;
}

/** A query the same tokens must all match; null when the words carry no searchable token. */
export function searchQuery(q: string): RawBuilder<unknown> | null {
  const tokens = joinTokens(q);
  if (!tokens) return null;
  return sql`plainto_tsquery('simple', ${tokens})`;
}
