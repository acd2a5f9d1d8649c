/**
 * Shared Chinese text utilities: normalisation, jieba segmentation with the 政务 dictionary and
 * local terms, stop words, TF-IDF keywords and search tokens.
 */
export { normalize, toHalfWidth, toSimplified, stripNoise, hasHan } from './normalize.js';
export { cut, cutForSearch, addWords, contentTokens, isContentToken, stopWords } from './segment.js';
export { keywords, keywordsWeighted, termWeights, tokensForSearch, type WeightedTerm } from './keywords.js';
export { idfOf } from './idf.js';
