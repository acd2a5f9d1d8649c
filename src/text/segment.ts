import { readFileSync } from 'node:fs';
import path from 'node:path';
import nodejieba from 'nodejieba';
import { DICT_DIR } from './resources.js';

/**
 * nodejieba is a process-wide singleton: the dictionary is loaded once (≈0.7 s) with the shipped
 * 政务 user dictionary; local terms (place names, institutions) and lexicon terms are inserted
 * afterwards so they come out as single tokens and lexicon matches stay explainable.
 */

export const GOV_DICT_FILE = path.join(DICT_DIR, 'gov.dict.txt');
export const STOPWORDS_FILE = path.join(DICT_DIR, 'stopwords.txt');

let loaded = false;
const inserted = new Set<string>();

function ensureLoaded(): void {
  if (loaded) return;
  nodejieba.load({ userDict: GOV_DICT_FILE });
  loaded = true;
}

/** Adds words to the segmenter (idempotent). Returns how many were new. */
export function addWords(words: Iterable<string>, tag = 'nz'): number {
  ensureLoaded();
  let added = 0;
  for (const raw of words) {
    const w = raw.trim().toLowerCase();
    if (w.length < 2 || w.length > 30 || inserted.has(w) || /\s/.test(w)) continue;
    nodejieba.insertWord(w, tag);
    inserted.add(w);
    added++;
  }
  return added;
}

const ALNUM_RE = /^[a-z0-9.%]+$/;

/**
 * Segments already-normalised text. cppjieba splits digit runs into single digits ("12345" →
 * 1,2,3,4,5), so adjacent alphanumeric pieces are glued back together.
 */
export function cut(normalised: string): string[] {
  ensureLoaded();
  const raw = nodejieba.cut(normalised);
  const out: string[] = [];
  let glue = false;
  for (const t of raw) {
    if (ALNUM_RE.test(t)) {
      if (glue) out[out.length - 1] += t;
      else out.push(t);
      glue = true;
    } else {
      out.push(t);
      glue = false;
    }
  }
  return out;
}

/**
 * jieba's part of speech for each of `words` its dictionaries hold (ns: place, n: noun, v: verb…);
 * a word it only guesses (tag x) or splits is left out.
 */
export function partsOfSpeech(words: Iterable<string>): Map<string, string> {
  ensureLoaded();
  const out = new Map<string, string>();
  for (const w of words) {
    const tagged = nodejieba.tag(w);
    if (tagged.length === 1 && tagged[0]!.word === w && tagged[0]!.tag !== 'x') out.set(w, tagged[0]!.tag);
  }
  return out;
}

/** Finer segmentation for search indexes: also emits the words inside long words. */
export function cutForSearch(normalised: string): string[] {
  ensureLoaded();
  return nodejieba.cutForSearch(normalised);
}

let stopwords: Set<string> | null = null;

export function stopWords(): Set<string> {
  if (!stopwords) {
    stopwords = new Set(
      readFileSync(STOPWORDS_FILE, 'utf8')
        .split('\n')
        .map((l) => l.replace(/\r$/, ''))
        .filter((l) => l.length > 0 && !l.startsWith('# ')),
    );
  }
  return stopwords;
}

const HAN_RE = /\p{Script=Han}/u;
const WORDISH_RE = /^[\p{Script=Han}a-z0-9][\p{Script=Han}a-z0-9._%-]*$/u;
const NUMBER_RE = /^[0-9.%]+$/;

function testContentToken(t: string): boolean {
  if (t.length < 2 || !WORDISH_RE.test(t) || NUMBER_RE.test(t)) return false;
  if (!HAN_RE.test(t) && t.length < 3) return false;
  return !stopWords().has(t);
}

// Every item asks about the same few thousand words: remembering the answer is cheaper than three
// regular expressions per token. Bounded, since crawled text brings endless one-off tokens.
const contentCache = new Map<string, boolean>();

/** Tokens worth counting as content: not stop words, not punctuation, not bare numbers, ≥2 chars. */
export function isContentToken(t: string): boolean {
  if (t.length < 2) return false;
  let ok = contentCache.get(t);
  if (ok === undefined) {
    ok = testContentToken(t);
    if (contentCache.size >= 100_000) contentCache.clear();
    contentCache.set(t, ok);
  }
  return ok;
}

export function contentTokens(tokens: readonly string[]): string[] {
  return tokens.filter(isContentToken);
}
