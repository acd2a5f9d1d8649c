/**
 * The read-ahead analyses queued items before any batch claims them, no further than two
 * batches ahead, and hands a batch the analyses of its items: the very analyses the batch would
 * have made itself.
 */
import { compileLexicons, loadShippedLexicons } from '../../src/opinion/analysis/lexicon.js';
import { itemKey, itemSchema, storeBatch } from '../../src/opinion/ingest.js';
import { InThreadAnalyser, failed } from '../../src/opinion/pipeline/analyser.js';
import { ReadAhead } from '../../src/opinion/pipeline/read-ahead.js';
import { peekQueue } from '../../src/opinion/pipeline/sql.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const TEXTS = [
  '桃花岭村化工厂发生爆炸，已造成3人死亡',
  '城南实验小学学位不足，家长非常不满',
  '长者食堂开业，点赞',
];
const now = new Date();

let db: TestDatabase;
const analyser = new InThreadAnalyser();
beforeAll(async () => {
  db = await createTestDatabase();
  await analyser.configure({
    lexicons: compileLexicons(loadShippedLexicons()),
    schemes: [],
    knownPlaces: new Set(),
    localTerms: [],
  });
  const prepared = Array.from({ length: 50 }, (_, i) => {
    const item = itemSchema.parse({
      source: 'test',
      channel: 'weibo',
      externalId: `ra-${i}`,
      content: `${TEXTS[i % TEXTS.length]}（${i}）`,
      publishedAt: new Date(now.getTime() - (50 - i) * 60_000).toISOString(),
    });
    const publishedAt = new Date(item.publishedAt);
    return { key: itemKey(item, publishedAt), publishedAt, item };
  });
  expect(await storeBatch(db.db, prepared, now)).toBe(50);
});
afterAll(() => db.drop());

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
}

it('analyses queued items ahead, at most two batches, and hands each batch its own', async () => {
  const queued = await peekQueue(db.db, 0, 100);
  expect(queued).toHaveLength(50);
  const ahead = new ReadAhead(db.db, () => analyser, createLogger('silent'));
  // Each arrival (NOTIFY) pokes it: a batch's worth more each time, up to two batches.
  ahead.poke(10);
  await until(() => ahead.held >= 10);
  ahead.poke(10);
  await until(() => ahead.held >= 20);
  ahead.poke(10);
  await new Promise((r) => setTimeout(r, 100));
  expect(ahead.held).toBe(20);
  // The explosion posts (every third) among them are known to carry an emergency signal.
  const explosions = queued.slice(0, 20).filter((_, i) => i % 3 === 0);
  await until(() => ahead.signalledItems(100).length >= explosions.length);
  expect(ahead.signalledItems(100)).toEqual(explosions.map((it) => it.id));
  expect(ahead.signalledItems(2)).toEqual(explosions.slice(0, 2).map((it) => it.id));

  // A batch claims the first ten: it gets their analyses, equal to analysing them now.
  const first = queued.slice(0, 10);
  ahead.claimed(
    first.map((it) => it.id),
    true,
    10,
  );
  const taken = ahead.take(first.map((it) => it.id));
  expect([...taken.keys()]).toEqual(first.map((it) => it.id));
  // Taken by a batch: no longer waiting to go first.
  expect(ahead.signalledItems(100)).toEqual(
    explosions.filter((it) => it.id > first[9]!.id).map((it) => it.id),
  );
  const got = await Promise.all(first.map((it) => taken.get(it.id)!));
  const direct = await analyser.analyse(first);
  got.forEach((r, i) => {
    const d = direct[i]!;
    if (!r || failed(r) || failed(d)) throw new Error('analysis failed');
    expect(r.text).toBe(d.text);
    expect([...r.vector]).toEqual([...d.vector]);
    expect(r.classification).toEqual(d.classification);
  });

  // A full batch means a backlog: the read-ahead moves on to the next items, still two batches.
  await until(() => ahead.held >= 20);
  const next = ahead.take(queued.slice(10, 30).map((it) => it.id));
  expect(next.size).toBe(20);
  expect(ahead.take(queued.slice(30).map((it) => it.id)).size).toBe(0);
});
