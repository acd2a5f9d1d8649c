/**
 * A worker thread of the analysis pool (analysis-pool.ts). Each thread has its own jieba, loaded
 * with the shipped dictionary, the lexicon words and the local terms it was started with: a
 * configuration change starts new threads, so a removed local term is really gone.
 */
import { workerData } from 'node:worker_threads';
import { compileLexicons, segmenterWords, type Lexicons } from '../analysis/lexicon.js';
import { addWords } from '../../text/segment.js';
import { analyseClaimed, type AnalysisConfig, type AnalysisResult } from './analyser.js';
import type { ClaimedItem } from './sql.js';

/** The configuration as it crosses to the thread (compiled matchers are rebuilt there). */
export interface WorkerConfig {
  lexicons: Lexicons;
  schemes: AnalysisConfig['schemes'];
  knownPlaces: string[];
  localTerms: string[];
}

const w = workerData as WorkerConfig;
addWords(segmenterWords(w.lexicons));
addWords(w.localTerms);
const config: AnalysisConfig = {
  lexicons: compileLexicons(w.lexicons),
  schemes: w.schemes,
  knownPlaces: new Set(w.knownPlaces),
  localTerms: w.localTerms,
};

export default function analyse(items: ClaimedItem[]): AnalysisResult[] {
  return items.map((it) => analyseClaimed(it, config));
}
