/**
 * npm run eval:opinion — scores the opinion analysis on the hand-written labeled set under
 * test/fixtures/opinion-eval/ against naive baselines (see scripts/opinion-eval/evaluate.ts).
 * EVAL_JSON=1 prints the report as JSON.
 */
import { evaluate, formatReport } from './opinion-eval/evaluate.js';

const report = evaluate();
console.log(process.env.EVAL_JSON ? JSON.stringify(report, null, 2) : formatReport(report));
