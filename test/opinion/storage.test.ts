import { sql } from 'kysely';
import request from 'supertest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { ManualClock } from '../../src/shared/clock.js';
import { crawlerDelivery } from '../support/opinion-fixtures.js';
import { ingest, ingestToken, payload, workerOf } from '../support/opinion.js';
import { ClusterMemory } from '../../src/opinion/pipeline/state.js';
import { loadRules } from '../../src/opinion/settings.js';
import { MAX_CLUSTER_AUTHORS } from '../../src/opinion/cluster-state.js';

/** Issue 16: each item is written once, and a restart rebuilds the cluster state it left. */
const NOW = new Date('2025-06-12T08:00:00Z');
const BASE = new Date('2025-06-12T06:00:00Z');
let tp: TestPlatform;
let token: string;

beforeAll(async () => {
  tp = await startTestPlatform({ clock: new ManualClock(NOW), start: false });
  token = await ingestToken(tp);
  // Counts every row written to opinion_items (a row trigger reaches every partition).
  await sql`
    create table item_writes (op text not null);
    create function count_item_write() returns trigger language plpgsql as $$
      begin insert into item_writes values (tg_op); return null; end $$;
    create trigger count_item_writes after insert or update on opinion_items
      for each row execute function count_item_write();
  `.execute(tp.db.db);
});
afterAll(async () => tp.close());

const pipeline = () => workerOf(tp).pipeline;
async function drain(): Promise<void> {
  while ((await pipeline().processBatch(40)) > 0);
}

it('keeps an accepted item in the queue as delivered and stores it analysed, once', async () => {
  const tricky = {
    source: 'forum',
    channel: 'forum',
    externalId: 'tricky-1',
    title: '标题 "引号" \\ 反斜杠 {花括号,逗号}',
    content: '青石镇化工厂爆炸，"有人受伤"吗？路径 C:\\temp\\{a,b} 与 emoji 😀',
    author: '网友"甲"',
    publishedAt: '2025-06-12T14:30:00+08:00',
    metrics: { likes: 3 },
    isRepost: false,
  };
  const items = [...payload(crawlerDelivery(), BASE), tricky];
  expect((await ingest(tp, token, items).expect(200)).body.accepted).toBe(items.length);

  const counts = async () =>
    (
      await sql<{ stored: number; queued: number; writes: number; updates: number }>`
        select (select count(*)::int from opinion_items) as stored, (select count(*)::int from opinion_queue) as queued,
          (select count(*)::int from item_writes) as writes,
          (select count(*)::int from item_writes where op = 'UPDATE') as updates
      `.execute(tp.db.db)
    ).rows[0]!;
  expect(await counts()).toEqual({ stored: 0, queued: items.length, writes: 0, updates: 0 });
  // Not analysed yet, still counted and listed.
  const read = await ingestToken(tp, ['read']);
  const stats = await request(tp.url)
    .get('/api/opinion/stats')
    .set('Authorization', `Bearer ${read}`)
    .expect(200);
  expect(stats.body).toMatchObject({ items: items.length, pending: items.length, analysed: 0 });
  const listed = await request(tp.url)
    .get('/api/opinion/items?limit=500')
    .set('Authorization', `Bearer ${read}`)
    .expect(200);
  expect(listed.body.items).toHaveLength(items.length);
  expect(listed.body.items.every((i: { status: string }) => i.status === 'pending')).toBe(true);

  await drain();
  expect(await counts()).toEqual({ stored: items.length, queued: 0, writes: items.length, updates: 0 });
  const row = (
    await sql<Record<string, unknown>>`
      select title, content, author, metrics, is_repost, status, received_at, cluster_id, keywords
      from opinion_items where external_id = 'tricky-1'
    `.execute(tp.db.db)
  ).rows[0]!;
  expect(row).toMatchObject({
    title: tricky.title,
    content: tricky.content,
    author: tricky.author,
    metrics: tricky.metrics,
    is_repost: false,
    status: 'analysed',
    received_at: NOW,
  });
  expect(row.cluster_id).toEqual(expect.any(Number));
  const after = await request(tp.url)
    .get('/api/opinion/stats')
    .set('Authorization', `Bearer ${read}`)
    .expect(200);
  expect(after.body).toMatchObject({ items: items.length, pending: 0, analysed: items.length });
});

it('rebuilds from the database exactly the cluster state the pipeline holds', async () => {
  const held = pipeline().memory!;
  expect(held.metas.size).toBeGreaterThan(3);
  const rebuilt = await ClusterMemory.load(tp.db.db, NOW.getTime(), await loadRules(tp.db.db));
  expect([...rebuilt.metas.keys()].sort()).toEqual([...held.metas.keys()].sort());
  for (const [id, meta] of held.metas) {
    expect(rebuilt.metas.get(id)).toEqual(meta);
    expect(rebuilt.termsOf(id)).toEqual(held.termsOf(id));
  }
});

it('logs the cluster changes of a batch, and a checkpoint writes only the clusters changed since the last', async () => {
  // Start from a checkpoint: the centroids table then holds every centroid and the log is empty.
  await pipeline().checkpoint();
  const logRows = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from opinion_cluster_log`.execute(tp.db.db)).rows[0]!
      .n;
  expect(await logRows()).toBe(0);
  await sql`
    create table centroid_writes (op text not null);
    create function count_centroid_write() returns trigger language plpgsql as $$
      begin insert into centroid_writes values (tg_op); return null; end $$;
    create trigger count_centroid_writes after insert or update or delete on opinion_cluster_centroids
      for each row execute function count_centroid_write();
  `.execute(tp.db.db);
  const followUp = {
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'wb-follow-up',
    content: '青石镇化工厂爆炸已造成3人死亡，工业园区附近居民担心浓烟有毒',
    author: '青石镇居民老李',
    publishedAt: '2025-06-12T15:10:00+08:00',
  };
  await ingest(tp, token, [followUp]).expect(200);
  await drain();
  const joined = (
    await sql<{
      cluster_id: number;
    }>`select cluster_id from opinion_items where external_id = 'wb-follow-up'`.execute(tp.db.db)
  ).rows[0]!.cluster_id;
  const centroid = pipeline().memory!.termsOf(joined);
  expect(centroid.size).toBeGreaterThan(20);
  // Between checkpoints a batch logs its changes, and a rebuild replays the log: a crash now
  // would lose none of them.
  const rebuilt = await ClusterMemory.load(tp.db.db, NOW.getTime(), await loadRules(tp.db.db));
  expect(rebuilt.termsOf(joined)).toEqual(centroid);
  const meta = pipeline().memory!.metas.get(joined)!;
  expect(rebuilt.metas.get(joined)).toEqual(meta);
  await pipeline().checkpoint();
  expect(await logRows()).toBe(0);
  // The post joined one story and changed its centroid only: one row written, whole.
  const writes = (await sql<{ n: number }>`select count(*)::int as n from centroid_writes`.execute(tp.db.db))
    .rows[0]!.n;
  expect(writes).toBe(1);
  const stored = await sql<{ terms: string[]; weights: number[] }>`
    select terms, weights from opinion_cluster_centroids where cluster_id = ${joined}
  `.execute(tp.db.db);
  const row = stored.rows[0]!;
  expect(new Map(row.terms.map((t, i) => [t, row.weights[i]]))).toEqual(centroid);
  // The cluster's row is checkpointed with it.
  const cluster = await sql<{ items_count: number; last_seen_at: Date }>`
    select items_count, last_seen_at from opinion_clusters where id = ${joined}
  `.execute(tp.db.db);
  expect(cluster.rows[0]).toEqual({ items_count: meta.itemsCount, last_seen_at: new Date(meta.lastSeen) });
});

it('counts the authors of a cluster that holds no more in memory as the database finds them new', async () => {
  const joined = (
    await sql<{ cluster_id: number }>`
      select cluster_id from opinion_items where external_id = 'wb-follow-up'`.execute(tp.db.db)
  ).rows[0]!.cluster_id;
  const meta = pipeline().memory!.metas.get(joined)!;
  const [stored] = [...meta.authors];
  // As if the story had reached MAX_CLUSTER_AUTHORS with names other than those it stored.
  meta.authors = new Set(Array.from({ length: MAX_CLUSTER_AUTHORS }, (_, i) => `转发者${i}`));
  const before = meta.uniqueAuthors;
  const post = (externalId: string, author: string) => ({
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId,
    content: '青石镇化工厂爆炸已造成3人死亡，工业园区附近居民担心浓烟有毒，希望尽快公布检测结果',
    author,
    publishedAt: '2025-06-12T15:20:00+08:00',
  });
  await ingest(tp, token, [post('wb-known-author', stored!), post('wb-new-author', '新来的网友')]).expect(
    200,
  );
  await drain();
  const items = await sql<{ cluster_id: number }>`
    select cluster_id from opinion_items where external_id in ('wb-known-author', 'wb-new-author')`.execute(
    tp.db.db,
  );
  expect(items.rows.map((r) => r.cluster_id)).toEqual([joined, joined]);
  // One of the two posted before: one more distinct author, in memory and on the event.
  expect(meta.uniqueAuthors).toBe(before + 1);
  expect(meta.authors.size).toBe(MAX_CLUSTER_AUTHORS);
  const event = await sql<{ unique_authors: number }>`
    select unique_authors from opinion_events where id = ${meta.eventId}`.execute(tp.db.db);
  expect(event.rows[0]!.unique_authors).toBe(before + 1);
  const authors = await sql<{ author: string }>`
    select author from opinion_cluster_authors where cluster_id = ${joined} and author in (${stored}, '新来的网友')`.execute(
    tp.db.db,
  );
  expect(authors.rows.map((r) => r.author).sort()).toEqual([stored, '新来的网友'].sort());
});

it('stores queued items with an emergency signal first, in a transaction of their own', async () => {
  const routine = ['北关村路灯坏了一个月没人修', '西城区公园厕所太脏', '白沙镇公交车班次太少'].map(
    (content, i) => ({
      source: 'forum',
      channel: 'forum',
      externalId: `routine-${i}`,
      content,
      author: `居民${i}`,
      publishedAt: '2025-06-12T15:30:00+08:00',
    }),
  );
  const emergency = {
    source: 'weibo-crawler',
    channel: 'weibo',
    externalId: 'emergency-late',
    content: '龙泉街道一居民楼发生燃气爆炸，已造成2人死亡',
    author: '龙泉街道网友',
    publishedAt: '2025-06-12T15:35:00+08:00',
  };
  await ingest(tp, token, [...routine, emergency]).expect(200);
  // The leader reads queued items ahead as they arrive (on NOTIFY): here by hand.
  pipeline().itemsQueued(40);
  for (let i = 0; i < 500 && !pipeline().signalledItems(10).length; i++)
    await new Promise((r) => setTimeout(r, 10));
  expect(pipeline().signalledItems(10)).toHaveLength(1);
  expect(await pipeline().processBatch(40)).toBe(3);
  const rows = await sql<{ external_id: string; tx: string }>`
    select external_id, xmin::text as tx from opinion_items
    where external_id in ('routine-0', 'routine-1', 'routine-2', 'emergency-late')`.execute(tp.db.db);
  const tx = new Map(rows.rows.map((r) => [r.external_id, BigInt(r.tx)]));
  // The emergency, though published last, was committed first and alone.
  expect(new Set(routine.map((r) => tx.get(r.externalId))).size).toBe(1);
  expect(tx.get('emergency-late')!).toBeLessThan(tx.get('routine-0')!);
  expect(pipeline().signalledItems(10)).toEqual([]);
});

it('keeps a batch of signalled items small: it takes no checkpoint, however due', async () => {
  // A memory of its own: what it hands out is not written, so the pipeline's must not be used.
  const mem = await ClusterMemory.load(tp.db.db, NOW.getTime(), await loadRules(tp.db.db));
  const due = performance.now() + 60_000;
  expect(mem.clusterWrites([], [], { at: due, mayCheckpoint: false }).kind).toBe('log');
  expect(mem.clusterWrites([], [], { at: due }).kind).toBe('checkpoint');
});
