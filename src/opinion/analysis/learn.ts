import { GENERIC_TERMS } from './generic.js';

/**
 * Learning from analysts' corrections (人工研判), as pure functions: a deterministic part of the
 * corrections is held out to score the current analysis honestly; the rest proposes lexicon terms
 * (words that recur in corrected items and that no lexicon knows yet) for one-click acceptance.
 */

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface CorrectionSample {
  id: number;
  text: string;
  /** null: the analyst did not correct this field. */
  sentiment: SentimentLabel | null;
  areas: string[] | null;
  /** '' = no signal; null = not corrected. */
  signal: string | null;
  previous: { sentiment?: string | null; areas?: string[]; signal?: string | null };
}

export interface Prediction {
  sentiment: string;
  areas: string[];
  signal: string | null;
}

/** Every third correction (by id) is held out: never used for proposals, only for scoring. */
export function isHeldOut(id: number): boolean {
  return id % 3 === 0;
}

export interface FieldScore {
  n: number;
  right: number;
  /** Share the analysis gets right now (null when n = 0). */
  accuracy: number | null;
  /** The same as a percentage for display, e.g. "83%" ('' when n = 0). */
  percent: string;
}

export interface CorrectionScores {
  total: number;
  heldOut: number;
  sentiment: FieldScore;
  areas: FieldScore;
  signal: FieldScore;
}

const field = (n: number, right: number): FieldScore => ({
  n,
  right,
  accuracy: n ? Math.round((right / n) * 1000) / 1000 : null,
  percent: n ? `${Math.round((right / n) * 100)}%` : '',
});
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

/** How the current analysis scores on the held-out corrections (the analyst's word is truth). */
export function scoreCorrections(
  samples: readonly CorrectionSample[],
  predict: (text: string) => Prediction,
): CorrectionScores {
  const held = samples.filter((s) => isHeldOut(s.id));
  let sn = 0,
    sr = 0,
    an = 0,
    ar = 0,
    gn = 0,
    gr = 0;
  for (const s of held) {
    const p = predict(s.text);
    if (s.sentiment) {
      sn++;
      if (p.sentiment === s.sentiment) sr++;
    }
    if (s.areas) {
      an++;
      if (sameSet(p.areas, s.areas)) ar++;
    }
    if (s.signal !== null) {
      gn++;
      if ((p.signal ?? '') === s.signal) gr++;
    }
  }
  return {
    total: samples.length,
    heldOut: held.length,
    sentiment: field(sn, sr),
    areas: field(an, ar),
    signal: field(gn, gr),
  };
}

export interface TermProposal {
  lexicon: 'area' | 'signal' | 'sentiment';
  /** Area, signal, or 'negative' / 'positive'. */
  label: string;
  word: string;
  /** Corrected items (learning part) the word occurs in for this label. */
  support: number;
}

/**
 * Terms to propose from the learning part: for each corrected label the analysis missed, the
 * content words of those items that no lexicon knows, counted per label; a word that also occurs
 * in items corrected to the opposite sentiment is not proposed.
 */
export function proposeTerms(
  samples: readonly CorrectionSample[],
  tokens: (text: string) => string[],
  known: (word: string) => boolean,
  max = 30,
): TermProposal[] {
  const counts = new Map<string, TermProposal>();
  const sentimentOf = new Map<string, Set<string>>();
  const bump = (lexicon: TermProposal['lexicon'], label: string, words: Set<string>) => {
    for (const word of words) {
      const key = `${lexicon}\u0000${label}\u0000${word}`;
      const p = counts.get(key) ?? { lexicon, label, word, support: 0 };
      p.support++;
      counts.set(key, p);
    }
  };
  for (const s of samples) {
    if (isHeldOut(s.id)) continue;
    const words = new Set(
      tokens(s.text).filter((w) => w.length >= 2 && w.length <= 8 && !GENERIC_TERMS.has(w) && !known(w)),
    );
    if (!words.size) continue;
    if (s.sentiment)
      for (const w of words) (sentimentOf.get(w) ?? sentimentOf.set(w, new Set()).get(w)!).add(s.sentiment);
    if (s.sentiment && s.sentiment !== 'neutral' && s.previous.sentiment !== s.sentiment)
      bump('sentiment', s.sentiment, words);
    if (s.areas) for (const a of s.areas) if (!(s.previous.areas ?? []).includes(a)) bump('area', a, words);
    if (s.signal && s.signal !== (s.previous.signal ?? '')) bump('signal', s.signal, words);
  }
  return [...counts.values()]
    .filter((p) => p.lexicon !== 'sentiment' || (sentimentOf.get(p.word)?.size ?? 0) <= 1)
    .sort((a, b) => b.support - a.support || (a.word < b.word ? -1 : 1))
    .slice(0, max);
}

const HAN = /^\p{Script=Han}$/u;

/**
 * Candidate words of a segmented text: its content tokens, plus the character pairs of runs of
 * single characters — how the segmenter leaves new slang it does not know (稀碎, 拉胯).
 */
export function candidateTerms(
  tokens: readonly string[],
  isContent: (t: string) => boolean,
  isStop: (ch: string) => boolean,
): string[] {
  const out = tokens.filter(isContent);
  let run = '';
  const flush = () => {
    for (let i = 0; i + 1 < run.length; i++) {
      const pair = run.slice(i, i + 2);
      if (!isStop(pair[0]!) && !isStop(pair[1]!)) out.push(pair);
    }
    run = '';
  };
  for (const t of tokens) {
    if (t.length === 1 && HAN.test(t)) run += t;
    else flush();
  }
  flush();
  return out;
}
