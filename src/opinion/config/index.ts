import type { Core } from '../../context.js';
import { LexiconService } from './lexicon.js';
import { RulesService } from './rules.js';
import { SchemeService } from './schemes.js';
import { TermService } from './terms.js';

/** The opinion configuration, one service per resource; every change goes through `configChange`. */
export interface OpinionConfig {
  schemes: SchemeService;
  terms: TermService;
  lexicon: LexiconService;
  rules: RulesService;
}

export function opinionConfig(core: Core): OpinionConfig {
  return {
    schemes: new SchemeService(core),
    terms: new TermService(core),
    lexicon: new LexiconService(core),
    rules: new RulesService(core),
  };
}
