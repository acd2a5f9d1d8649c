import type { Db } from '../db/database.js';
import { addWords } from '../text/segment.js';
import { normalize } from '../text/normalize.js';
import {
  applyOverrides,
  compileLexicons,
  isHazardKind,
  loadShippedLexicons,
  segmenterWords,
  type CompiledLexicons,
  type LexiconOverride,
  type Lexicons,
} from './analysis/lexicon.js';
import { mergeRules, type WarningRules } from './analysis/rules.js';
import type { SchemeRule } from './analysis/schemes.js';

/** Configuration the pipeline reads from the database: lexicon edits, local terms, rules, schemes. */

export const CONFIG_CHANNEL = 'opinion_config';
export const RULES_KEY = 'rules';

let shipped: Lexicons | null = null;
export function shippedLexicons(): Lexicons {
  return (shipped ??= loadShippedLexicons());
}

export async function loadLexicons(db: Db): Promise<CompiledLexicons> {
  const rows = await db.selectFrom('opinion_lexicon_overrides').selectAll().orderBy('id').execute();
  const overrides: LexiconOverride[] = rows.map((r) => ({
    lexicon: r.lexicon,
    label: r.label,
    word: r.word,
    weight: r.weight,
    removed: r.removed,
    kind: r.kind && isHazardKind(r.kind) ? r.kind : null,
  }));
  const lx = applyOverrides(shippedLexicons(), overrides);
  addWords(segmenterWords(lx));
  return compileLexicons(lx);
}

/**
 * Inserts local terms into this thread's segmenter; returns them all (for worker threads' own
 * segmenters) and the place names among them (lower-cased).
 */
export async function loadLocalTerms(db: Db): Promise<{ words: string[]; places: Set<string> }> {
  const rows = await db.selectFrom('opinion_local_terms').select(['word', 'kind']).execute();
  const words = rows.map((r) => r.word);
  addWords(words);
  return { words, places: new Set(rows.filter((r) => r.kind === 'place').map((r) => r.word.toLowerCase())) };
}

export async function loadRules(db: Db): Promise<WarningRules> {
  const row = await db
    .selectFrom('opinion_settings')
    .select('value')
    .where('key', '=', RULES_KEY)
    .executeTakeFirst();
  return mergeRules(row?.value);
}

export interface Scheme extends SchemeRule {
  name: string;
  dutyDepartmentId: number | null;
}

const words = (list: string[]) => [...new Set(list.map((w) => normalize(w)).filter(Boolean))];

export async function loadSchemes(db: Db): Promise<Scheme[]> {
  const rows = await db
    .selectFrom('opinion_schemes')
    .selectAll()
    .where('enabled', '=', true)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    regionWords: words(r.region_words),
    subjectWords: words(r.subject_words),
    mustWords: words(r.must_words),
    excludeWords: words(r.exclude_words),
    channels: r.channels,
    sources: r.sources,
    repost: r.repost,
    dutyDepartmentId: r.duty_department_id,
  }));
}
