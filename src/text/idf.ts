import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Inverse document frequencies from jieba's corpus (idf.utf8, ~260k words). Words jieba has never
 * seen (new place names, local terms) get the median, as jieba's own extractor does.
 */
let idf: Map<string, number> | null = null;
let median = 11.7;

export function idfTable(): Map<string, number> {
  if (idf) return idf;
  const file = path.join(
    path.dirname(createRequire(import.meta.url).resolve('nodejieba')),
    'submodules/cppjieba/dict/idf.utf8',
  );
  const map = new Map<string, number>();
  const values: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const sp = line.lastIndexOf(' ');
    if (sp <= 0) continue;
    const v = Number(line.slice(sp + 1));
    if (!Number.isFinite(v)) continue;
    map.set(line.slice(0, sp), v);
    values.push(v);
  }
  values.sort((a, b) => a - b);
  if (values.length) median = values[values.length >> 1]!;
  idf = map;
  return idf;
}

export function idfOf(word: string): number {
  return idfTable().get(word) ?? median;
}
