import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Shipped language resources live in the repository (data/dict, data/lexicons), resolved from
 * this module so `tsx src/…` and `node dist/…` find the same files.
 */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DICT_DIR = path.join(PROJECT_ROOT, 'data', 'dict');
export const LEXICON_DIR = path.join(PROJECT_ROOT, 'data', 'lexicons');
