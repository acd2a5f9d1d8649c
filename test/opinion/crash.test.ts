import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ingestToken, workerOf } from '../support/opinion.js';

/**
 * Issue 5 acceptance: `kill -9` mid-ingest loses nothing that got a 200. A real platform process
 * (src/main.ts) takes batches while its pipeline runs; it is SIGKILLed with requests in flight;
 * a new platform on the same database then finds and analyses every acknowledged item.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
let db: TestDatabase;
let child: ChildProcess | null = null;

afterAll(async () => {
  child?.kill('SIGKILL');
  await db?.drop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitHealthy(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('platform did not become healthy');
}

const texts = [
  '城南实验小学学位不足，孩子被调剂到十公里外，家长非常不满',
  '青石镇化工厂附近有刺鼻气味，居民担心空气污染',
  '县人民医院急诊排队时间太长，希望增加医生',
  '今天天气不错，去湖边散步',
];

function batch(n: number, size: number) {
  return Array.from({ length: size }, (_, i) => ({
    source: 'crash-test',
    channel: ['weibo', 'forum', 'news', 'hotline_12345'][i % 4],
    externalId: `b${n}-${i}`,
    content: `${texts[i % texts.length]}（${n}-${i}）`,
    author: `user${i % 37}`,
    publishedAt: new Date(Date.now() - 60_000).toISOString(),
  }));
}

it('keeps every acknowledged item across kill -9 and analyses it after restart', async () => {
  db = await createTestDatabase();
  const setup = await startTestPlatform({ db, start: false });
  const token = await ingestToken(setup);
  await setup.close();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: '/tmp/gop-crash-test',
      SESSION_SECRET: 'crash-test-secret-crash-test-secret-0123',
      ADMIN_PASSWORD: 'crash-test-pass',
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
  await waitHealthy(url, 30_000);

  const acknowledged = new Set<string>();
  let sent = 0;
  let killed = false;
  const sender = async (lane: number) => {
    for (let n = lane; !killed; n += 2) {
      // Past 3,000 items, send at about the pipeline's pace: requests stay in flight at the kill
      // without a backlog the restarted platform needs minutes to drain.
      if (acknowledged.size >= 3000) await new Promise((r) => setTimeout(r, 250));
      if (killed) return;
      const items = batch(n, 200);
      sent++;
      try {
        const res = await fetch(`${url}/api/opinion/items`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ items }),
        });
        if (res.status === 200) {
          const body = (await res.json()) as { accepted: number };
          expect(body.accepted).toBe(items.length);
          for (const i of items) acknowledged.add(i.externalId);
        }
      } catch {
        return; // connection reset by the kill: no 200, no promise made
      }
    }
  };
  const lanes = [sender(0), sender(1)];
  // Let the pipeline get busy and commit some batches (so the cluster log between checkpoints
  // holds work the restart must replay), then kill the process with batches in flight.
  const analysed = async () =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from opinion_items where source = 'crash-test'`.execute(db.db)
    ).rows[0]!.n;
  while (acknowledged.size < 3000 || (await analysed()) < 600) await new Promise((r) => setTimeout(r, 20));
  const logged = await sql<{ n: number }>`select count(*)::int as n from opinion_cluster_log`.execute(db.db);
  // Listen before killing: under load the exit can come before the lanes settle, and a listener
  // added after it would wait forever.
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGKILL');
  killed = true;
  await Promise.all(lanes);
  await exited;
  child = null;
  expect(acknowledged.size).toBeGreaterThanOrEqual(3000);

  // Some of what was acknowledged was not analysed yet: prove the crash interrupted work.
  const before = await sql<{ pending: number }>`select count(*)::int as pending from opinion_queue`.execute(
    db.db,
  );
  const restarted: TestPlatform = await startTestPlatform({ db });
  try {
    await workerOf(restarted).drain(120_000);
    const rows = await sql<{ external_id: string; status: string }>`
      select external_id, status from opinion_items where source = 'crash-test'
    `.execute(db.db);
    const stored = new Map(rows.rows.map((r) => [r.external_id, r.status]));
    const missing = [...acknowledged].filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    const unanalysed = [...acknowledged].filter((id) => stored.get(id) !== 'analysed');
    expect(unanalysed).toEqual([]);
    const stats = await request(restarted.url)
      .get('/api/opinion/stats')
      .set('Authorization', `Bearer ${await ingestToken(restarted, ['read'])}`)
      .expect(200);
    expect(stats.body.pending).toBe(0);
    expect(stats.body.analysed).toBe(stats.body.items);
    // The clusters rebuilt from the last checkpoint plus the log count every item exactly once:
    // each event's count equals the items stored in its clusters.
    const counts = await sql<{ id: number; counted: number; stored: number }>`
      select e.id, e.items_count as counted, count(i.id)::int as stored
      from opinion_events e
      join opinion_clusters c on c.event_id = e.id
      join opinion_items i on i.cluster_id = c.id
      group by e.id, e.items_count
    `.execute(db.db);
    expect(counts.rows.length).toBeGreaterThan(0);
    for (const r of counts.rows)
      expect({ id: r.id, count: r.counted }).toEqual({ id: r.id, count: r.stored });
    // Reported for the log: how much work the kill interrupted.
    process.stdout.write(
      `crash test: ${acknowledged.size} acknowledged, ${sent} batches sent, ${before.rows[0]!.pending} queued and ${logged.rows[0]!.n} cluster log rows at kill\n`,
    );
  } finally {
    await restarted.close();
  }
}, 180_000);
