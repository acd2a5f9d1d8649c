/**
 * npm run bench:clocks — 10,000 running clocks, and how late the due ones' breaches reach a
 * connected console. Prints breach latency (alert stored − dueAt, console receipt − dueAt).
 */
import { io as connect } from 'socket.io-client';
import { sql } from 'kysely';
import { openClock } from '../src/clocks/service.js';
import { AccountsService } from '../src/accounts/service.js';
import type { AlertJson } from '../src/alerts/model.js';
import { startBenchPlatform, summary } from './lib/bench-platform.js';

const TOTAL = Number(process.env.BENCH_CLOCKS ?? 10_000);
const DUE = Number(process.env.BENCH_DUE ?? 300);
const SPREAD_MS = 20_000;

async function main() {
  const t0 = Date.now();
  const bench = await startBenchPlatform({ SWEEP_INTERVAL_SECONDS: '10' });
  const { core } = bench.platform;
  console.log(`platform up in ${Date.now() - t0} ms`);

  // Background load: clocks far from due (48 h responses and 3-working-day interpretations).
  const tCreate = Date.now();
  const background = TOTAL - DUE;
  for (let i = 0; i < background; i += 500) {
    await core.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(i + 500, background); j++)
        await openClock(
          trx,
          {
            kind: j % 2 ? 'response' : 'interpretation',
            subjectKind: 'bench',
            subjectId: j,
            title: `背景时钟 ${j}`,
            departmentId: null,
            startAt: new Date(),
          },
          new Date(),
        );
    });
  }
  const createMs = Date.now() - tCreate;
  console.log(
    `${background} background clocks opened in ${createMs} ms (${((background / createMs) * 1000).toFixed(0)}/s)`,
  );

  const token = await new AccountsService(core).createToken(
    { actor: undefined },
    { name: 'bench', scopes: ['read'] },
  );
  const received = new Map<string, number>();
  const socket = connect(`${bench.url}/console`, { transports: ['websocket'], auth: { token: token.token } });
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  socket.on('alert', (a: AlertJson) => {
    if (a.type === 'clock.breached') received.set(a.subject.id, Date.now());
  });

  // Due clocks: 5 h windows whose deadline falls 5–25 s from now.
  const base = Date.now() + 5_000;
  const due = new Map<string, number>();
  await core.db.transaction().execute(async (trx) => {
    for (let i = 0; i < DUE; i++) {
      const dueAt = base + Math.floor((i / DUE) * SPREAD_MS);
      const c = await openClock(
        trx,
        {
          kind: 'initial_release',
          subjectKind: 'bench-due',
          subjectId: i,
          title: `到期时钟 ${i}`,
          departmentId: null,
          startAt: new Date(dueAt - 5 * 3_600_000),
        },
        new Date(),
      );
      due.set(String(c.id), c.due_at.getTime());
    }
  });
  const running = await core.db
    .selectFrom('clocks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'running')
    .executeTakeFirstOrThrow();
  console.log(`running clocks: ${running.n}; waiting for ${DUE} breaches…`);

  const deadline = base + SPREAD_MS + 10_000;
  while (received.size < DUE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));

  const stored = await core.db
    .selectFrom('alerts')
    .select(['subject_id', 'created_at', 'due_at'])
    .where('type', '=', 'clock.breached')
    .execute();
  const perClock = new Map<string, number>();
  for (const a of stored) perClock.set(a.subject_id, (perClock.get(a.subject_id) ?? 0) + 1);
  const duplicates = [...perClock.values()].filter((n) => n > 1).length;
  const storeLatency = stored.map((a) => a.created_at.getTime() - a.due_at!.getTime());
  const consoleLatency = [...received].map(([id, at]) => at - due.get(id)!);
  const dbSize = await sql<{
    size: string;
  }>`select pg_size_pretty(pg_database_size(current_database())) as size`.execute(core.db);

  console.log('');
  console.log(`clocks: ${TOTAL} running (${DUE} falling due over ${SPREAD_MS / 1000} s)`);
  console.log(summary('breach stored after dueAt', storeLatency));
  console.log(summary('breach on console after dueAt', consoleLatency));
  console.log(`breaches received ${received.size}/${DUE}, stored ${stored.length}, duplicated ${duplicates}`);
  console.log(
    `rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB, database ${dbSize.rows[0]?.size}`,
  );
  socket.close();
  await bench.close();
  process.exit(received.size === DUE && duplicates === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
