/** How the opinion worker sizes its next batch from the last one (a pure rule, no I/O). */
import { nextBatchSize } from '../../src/opinion/worker.js';

const opts = { minBatch: 50, batchSize: 500 };

it('keeps batches small while the queue is short', () => {
  expect(nextBatchSize(3, 50, opts)).toBe(50);
  expect(nextBatchSize(0, 200, opts)).toBe(50);
  // A burst is over: the next batch shrinks to what the queue held, not step by step.
  expect(nextBatchSize(40, 500, opts)).toBe(80);
});

it('grows towards the largest batch while a backlog lasts', () => {
  const sizes = [50];
  while (sizes.length < 6) sizes.push(nextBatchSize(sizes.at(-1)!, sizes.at(-1)!, opts));
  expect(sizes).toEqual([50, 100, 200, 400, 500, 500]);
});

it('follows a rising rate at once', () => {
  expect(nextBatchSize(120, 200, opts)).toBe(240);
});
