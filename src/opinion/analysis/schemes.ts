/**
 * 监测方案 matching, the way Chinese 舆情 systems define what to watch: any 地域词, any
 * 主体/事件词, all must-words, no 排除词, optional channel/source filters and original/repost.
 * Words match as substrings of the normalised text (schemes are written as phrases, not tokens).
 */
export interface SchemeRule {
  id: number;
  regionWords: string[];
  subjectWords: string[];
  mustWords: string[];
  excludeWords: string[];
  channels: string[];
  sources: string[];
  repost: 'all' | 'original' | 'repost';
}

export interface SchemeSubject {
  text: string;
  channel: string;
  source: string;
  isRepost: boolean;
}

export function matchesScheme(s: SchemeRule, item: SchemeSubject): boolean {
  if (s.channels.length && !s.channels.includes(item.channel)) return false;
  if (s.sources.length && !s.sources.includes(item.source)) return false;
  if (s.repost === 'original' && item.isRepost) return false;
  if (s.repost === 'repost' && !item.isRepost) return false;
  const t = item.text;
  if (s.regionWords.length && !s.regionWords.some((w) => t.includes(w))) return false;
  if (s.subjectWords.length && !s.subjectWords.some((w) => t.includes(w))) return false;
  if (!s.mustWords.every((w) => t.includes(w))) return false;
  if (s.excludeWords.some((w) => t.includes(w))) return false;
  // A scheme with no words at all would watch everything: treat it as not yet configured.
  return s.regionWords.length + s.subjectWords.length + s.mustWords.length > 0;
}

/** Which words of the scheme matched, for the item's explanation. */
export function schemeTriggers(s: SchemeRule, text: string): string[] {
  return [...s.regionWords, ...s.subjectWords, ...s.mustWords].filter((w) => text.includes(w));
}
