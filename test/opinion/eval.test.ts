/**
 * Issue 11 §7: the in-domain evaluation (npm run eval:opinion) must not regress. The floors sit
 * a little under the figures measured when the analysis was rebuilt (see README), and each
 * figure must beat its naive baseline.
 */
import { evaluate, type EvalReport } from '../../scripts/opinion-eval/evaluate.js';

let r: EvalReport;
beforeAll(() => {
  r = evaluate();
});

it('is a set of at least 1,200 items with at least 30 multi-post stories', () => {
  expect(r.items).toBeGreaterThanOrEqual(1200);
  expect(r.clustering.stories).toBeGreaterThanOrEqual(30);
});

it('negative: F1 ≥ 0.85 and above the naive word list', () => {
  expect(r.sentiment.negative!.ours.f1).toBeGreaterThanOrEqual(0.85);
  expect(r.sentiment.negative!.ours.precision).toBeGreaterThanOrEqual(0.9);
  expect(r.sentiment.negative!.ours.f1).toBeGreaterThan(r.sentiment.negative!.naive.f1);
  expect(r.sentiment.positive!.ours.f1).toBeGreaterThanOrEqual(0.85);
});

it('民生 areas: precision ≥ 0.9, F1 above the naive list', () => {
  expect(r.areas.ours.precision).toBeGreaterThanOrEqual(0.9);
  expect(r.areas.ours.f1).toBeGreaterThan(r.areas.naive.f1);
});

it('emergency signals: top signal right on ≥ 90 % of emergency items, few false alarms', () => {
  expect(r.signals.accuracy).toBeGreaterThanOrEqual(0.9);
  for (const s of Object.values(r.signals.perSignal)) expect(s.accuracy).toBeGreaterThanOrEqual(0.8);
  expect(r.signals.falseAlarms).toBeLessThanOrEqual(0.08);
});

it('near-duplicates: ≥ 95 % of different posts apart, ≥ 90 % of copies merged', () => {
  expect(r.nearDup.differentApart).toBeGreaterThanOrEqual(0.95);
  expect(r.nearDup.copiesMerged).toBeGreaterThanOrEqual(0.9);
  expect(r.nearDup.perKind['short-different']).toBe(1);
});

it('stories: B³ F ≥ 0.85 and purity ≥ 0.9, above every-post-alone', () => {
  expect(r.clustering.bcubed.f1).toBeGreaterThanOrEqual(0.85);
  expect(r.clustering.purity).toBeGreaterThanOrEqual(0.9);
  expect(r.clustering.bcubed.f1).toBeGreaterThan(r.clustering.singletonsBaseline.f1);
});

it('national incidents: each incident raises its own alert, a second one rarely', () => {
  expect(r.incidents.incidents).toBeGreaterThanOrEqual(28);
  // Before the gazetteer 9 of 28 incidents started no cluster of their own: no alert.
  expect(r.incidents.alerts.lost).toBeLessThanOrEqual(1);
  expect(r.incidents.alerts.extra).toBeLessThanOrEqual(2);
  expect(r.incidents.purity).toBeGreaterThanOrEqual(0.9);
  expect(r.incidents.bcubed.f1).toBeGreaterThanOrEqual(0.85);
});
