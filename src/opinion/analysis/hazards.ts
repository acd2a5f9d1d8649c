import type { HazardKind } from './lexicon.js';

/**
 * What kind of incident a post reports, finer than its 突发 signal: two 灾害事故 posts from one
 * county, one about a flood and one about a gas explosion, are two incidents; a flood post saying
 * 强降雨 and another saying 洪水 are one. The kind is a term the clustering counts as telling.
 * The words come from the lexicon (the `kinds` of data/lexicons/emergency.json and the kinds
 * analysts give signal words in 词库调整), so a word added there tells its kind too.
 */

/** The incident kinds a post's tokens name, most mentioned first (at most two). */
export function hazardKinds(
  kindOf: ReadonlyMap<string, HazardKind>,
  tokens: readonly string[],
): HazardKind[] {
  const counts = new Map<HazardKind, number>();
  for (const t of tokens) {
    const k = kindOf.get(t);
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([k]) => k);
}
