/**
 * 人工研判 moves the event: a correction queues its change to the item's cluster, the pipeline
 * leader's next batch applies it (figures, alerts, cluster log) and deletes it in the same
 * transaction, and a rebuild from the database gives the same state (applied once, never lost).
 */
import { sql, type Kysely } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { ManualClock } from '../../src/shared/clock.js';
import { ingest, opinionDesk, workerOf } from '../support/opinion.js';
import { send } from '../support/actors.js';
import { ClusterMemory } from '../../src/opinion/pipeline/state.js';
import { loadRules } from '../../src/opinion/settings.js';
import { queueEarlierCorrections } from '../../src/db/migrations/110_opinion_cluster_adjustments.js';

const NOW = new Date('2025-06-12T08:00:00Z');
const clock = new ManualClock(NOW);
let tp: TestPlatform;
let desk: Awaited<ReturnType<typeof opinionDesk>>;

beforeAll(async () => {
  tp = await startTestPlatform({ clock, start: false });
  desk = await opinionDesk(tp);
});
afterAll(async () => tp.close());

const pipeline = () => workerOf(tp).pipeline;
async function drain(): Promise<void> {
  while ((await pipeline().processBatch(40)) > 0);
}

/** The leader heard the correction's notice (the worker's LISTEN is not running here). */
async function leaderBatch(): Promise<void> {
  pipeline().correctionsQueued();
  await drain();
}

const correct = (itemId: number, body: object) =>
  send(desk.analyst, 'post', `/api/opinion/items/${itemId}/correction`, body).expect(201);

async function eventOf(itemId: number) {
  return sql<{
    id: number;
    cluster_id: number;
    items_count: number;
    negative_count: number;
    emergency_signal: string | null;
    categories: string[];
    suggested_severity: string;
    keywords: string[];
  }>`
    select e.id, c.id as cluster_id, e.items_count, e.negative_count, e.emergency_signal, e.categories,
      e.suggested_severity, e.keywords
    from opinion_items i join opinion_clusters c on c.id = i.cluster_id join opinion_events e on e.id = c.event_id
    where i.id = ${itemId}
  `
    .execute(tp.db.db)
    .then((r) => r.rows[0]);
}

const pending = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from opinion_cluster_adjustments`.execute(tp.db.db))
    .rows[0]!.n;

/** What a restart would rebuild equals what the leader holds. */
async function expectRebuildEqualsHeld(): Promise<void> {
  const held = pipeline().memory!;
  const rebuilt = await ClusterMemory.load(tp.db.db, clock.now().getTime(), await loadRules(tp.db.db));
  expect([...rebuilt.metas.keys()].sort()).toEqual([...held.metas.keys()].sort());
  for (const [id, meta] of held.metas) expect(rebuilt.metas.get(id)).toEqual(meta);
}

let ids: number[] = [];

it('a correction moves its event: negative count, 突发 signal, and the emergency alert', async () => {
  const posts = ['张三', '李四', '王五', '赵六'].map((author, k) => ({
    source: 'forum-crawler',
    channel: 'forum',
    externalId: `water-${k}`,
    content: `幸福里小区今天又停水了，物业说水泵检修，第${k + 1}栋的住户都在等通知`,
    author,
    publishedAt: new Date(NOW.getTime() - (40 - k) * 60_000).toISOString(),
  }));
  await ingest(tp, desk.token, posts).expect(200);
  await drain();
  ids = (
    await tp.db.db
      .selectFrom('opinion_items')
      .select('id')
      .where('external_id', 'like', 'water-%')
      .orderBy('id')
      .execute()
  ).map((r) => r.id);
  const before = (await eventOf(ids[0]!))!;
  expect(before).toBeDefined();
  expect(before.emergency_signal).toBeNull();
  for (const id of ids) expect((await eventOf(id))?.id).toBe(before.id);
  const item = await tp.db.db
    .selectFrom('opinion_items')
    .select(['sentiment'])
    .where('id', '=', ids[1]!)
    .executeTakeFirstOrThrow();
  expect(item.sentiment).not.toBe('negative');

  await correct(ids[1]!, { sentiment: 'negative', signal: '灾害事故', note: '实为爆管' });
  expect(await pending()).toBe(1);
  // Nothing moves until the leader's batch takes it.
  expect(await eventOf(ids[1]!)).toEqual(before);
  await leaderBatch();
  expect(await pending()).toBe(0);
  const after = (await eventOf(ids[1]!))!;
  expect(after).toMatchObject({
    id: before.id,
    items_count: before.items_count,
    negative_count: before.negative_count + 1,
    emergency_signal: '灾害事故',
  });
  const meta = pipeline().memory!.metas.get(after.cluster_id)!;
  expect(meta.stats.signals).toMatchObject({ 灾害事故: 1 });
  // The early-warning rule the corrected labels meet raises its alert, stored as a batch stores it.
  const alert = await tp.db.db
    .selectFrom('alerts')
    .select(['severity', 'title'])
    .where('dedupe_key', '=', `event.detected:${after.id}:emergency`)
    .executeTakeFirst();
  expect(alert).toMatchObject({ severity: 'critical' });
  expect(meta.stats.fired).toContain('emergency');
  await expectRebuildEqualsHeld();
  const hours = await sql<{ negative: number }>`
    select sum(negative)::int as negative from opinion_cluster_hours where cluster_id = ${after.cluster_id}
  `.execute(tp.db.db);
  expect(hours.rows[0]!.negative).toBe(after.negative_count);
});

it('a reload applies nothing twice, from the log or from a checkpoint', async () => {
  const figures = await eventOf(ids[1]!);
  await pipeline().load();
  await leaderBatch();
  expect(await eventOf(ids[1]!)).toEqual(figures);
  await expectRebuildEqualsHeld();
  await pipeline().checkpoint();
  await pipeline().load();
  await leaderBatch();
  expect(await eventOf(ids[1]!)).toEqual(figures);
  await expectRebuildEqualsHeld();
});

it('a second correction moves from the first; one that changes nothing queues nothing', async () => {
  const first = (await eventOf(ids[1]!))!;
  await correct(ids[1]!, { signal: null });
  await correct(ids[1]!, { sentiment: 'negative' });
  expect(await pending()).toBe(1);
  await leaderBatch();
  expect(await eventOf(ids[1]!)).toMatchObject({
    negative_count: first.negative_count,
    emergency_signal: null,
  });
  await expectRebuildEqualsHeld();
});

it('a batch that fails leaves the correction for the next leader, applied once', async () => {
  const before = (await eventOf(ids[2]!))!;
  await correct(ids[2]!, { sentiment: 'negative' });
  // The batch's event update fails: its transaction rolls back, the adjustment with it.
  await sql`
    create function fail_event_update() returns trigger language plpgsql as $$
      begin raise exception 'disk full'; end $$;
    create trigger fail_event_updates before update on opinion_events
      for each row execute function fail_event_update();
  `.execute(tp.db.db);
  pipeline().correctionsQueued();
  await expect(pipeline().processBatch(40)).rejects.toThrow(/disk full/);
  await sql`drop trigger fail_event_updates on opinion_events; drop function fail_event_update();`.execute(
    tp.db.db,
  );
  expect(await pending()).toBe(1);
  // The worker rebuilds state after a failed batch; the rebuild looks for corrections by itself.
  await pipeline().load();
  await drain();
  expect(await pending()).toBe(0);
  expect(await eventOf(ids[2]!)).toMatchObject({ negative_count: before.negative_count + 1 });
  await expectRebuildEqualsHeld();
});

it('items corrected before migration 110 move their clusters when it runs', async () => {
  expect((await eventOf(ids[3]!))!.emergency_signal).toBeNull();
  // A correction as it was made before: labels and item changed, the cluster not.
  await correct(ids[3]!, { signal: '社会安全' });
  const queued = () =>
    sql`select cluster_id, item_id, before, after, evidence from opinion_cluster_adjustments`
      .execute(tp.db.db)
      .then((r) => r.rows);
  const asCorrectionQueuesIt = await queued();
  await sql`delete from opinion_cluster_adjustments`.execute(tp.db.db);
  await sql`delete from opinion_corrections where item_id <> ${ids[3]!}`.execute(tp.db.db);
  await queueEarlierCorrections(tp.db.db as unknown as Kysely<unknown>);
  expect(await queued()).toEqual(asCorrectionQueuesIt);
  await pipeline().load();
  await drain();
  expect(await eventOf(ids[3]!)).toMatchObject({ emergency_signal: '社会安全' });
  // Later corrections move on from there.
  await correct(ids[3]!, { signal: null });
  await leaderBatch();
  expect(await eventOf(ids[3]!)).toMatchObject({ emergency_signal: null });
  await expectRebuildEqualsHeld();
});

it('an event whose cluster is out of the window moves too, and its cluster row with it', async () => {
  const before = (await eventOf(ids[0]!))!;
  clock.advance(72 * 3600_000);
  pipeline().prune();
  expect(pipeline().memory!.metas.has(before.cluster_id)).toBe(false);
  const was = await tp.db.db
    .selectFrom('opinion_items')
    .select('sentiment')
    .where('id', '=', ids[0]!)
    .executeTakeFirstOrThrow();
  const sentiment = was.sentiment === 'negative' ? 'neutral' : 'negative';
  const moved = sentiment === 'negative' ? 1 : -1;
  await correct(ids[0]!, { sentiment });
  await leaderBatch();
  const after = (await eventOf(ids[0]!))!;
  expect(after).toMatchObject({
    negative_count: before.negative_count + moved,
    items_count: before.items_count,
  });
  // Its centroid was read back with it: the keywords stay.
  expect(before.keywords.length).toBeGreaterThan(0);
  expect(after.keywords).toEqual(before.keywords);
  // Still not held: no new item joins it.
  expect(pipeline().memory!.metas.has(before.cluster_id)).toBe(false);
  await pipeline().checkpoint();
  const row = await tp.db.db
    .selectFrom('opinion_clusters')
    .select('negative_count')
    .where('id', '=', before.cluster_id)
    .executeTakeFirstOrThrow();
  expect(row.negative_count).toBe(after.negative_count);
  await pipeline().load();
  await leaderBatch();
  expect(await eventOf(ids[0]!)).toEqual(after);
});
