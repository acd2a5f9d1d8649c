/**
 * npm run bench:console — 1,000 connected consoles; alert delivery latency from commit to every
 * console (SPEC §5: p99 ≤ 250 ms). Alerts are inserted the way clocks insert them.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { AccountsService } from '../src/accounts/service.js';
import { insertAlert } from '../src/alerts/store.js';
import type { AlertJson } from '../src/alerts/model.js';
import { startBenchPlatform, summary } from './lib/bench-platform.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const ALERTS = Number(process.env.BENCH_ALERTS ?? 20);

async function main() {
  const bench = await startBenchPlatform();
  const { core } = bench.platform;
  const token = await new AccountsService(core).createToken(
    { actor: undefined },
    { name: 'bench', scopes: ['read'] },
  );

  const sent = new Map<number, number>();
  const latencies: number[] = [];
  const perAlert = new Map<number, number>();
  const sockets: Socket[] = [];
  const tConnect = Date.now();
  for (let i = 0; i < CLIENTS; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, CLIENTS - i) }, () => {
        const s = connect(`${bench.url}/console`, {
          transports: ['websocket'],
          auth: { token: token.token },
          forceNew: true,
          reconnection: false,
        });
        sockets.push(s);
        s.on('alert', (a: AlertJson) => {
          const t0 = sent.get(a.id);
          if (t0 === undefined) return;
          latencies.push(Date.now() - t0);
          perAlert.set(a.id, (perAlert.get(a.id) ?? 0) + 1);
        });
        return new Promise<void>((resolve, reject) => {
          s.once('ready', () => resolve());
          s.once('connect_error', reject);
        });
      }),
    );
  }
  console.log(`${CLIENTS} consoles connected in ${Date.now() - tConnect} ms`);

  for (let i = 0; i < ALERTS; i++) {
    const t0 = Date.now();
    const row = await core.db.transaction().execute((trx) =>
      insertAlert(
        trx,
        {
          type: 'clock.breached',
          severity: 'critical',
          title: `基准测试预警 ${i}`,
          subjectKind: 'bench',
          subjectId: i,
          departmentId: null,
        },
        new Date(),
      ),
    );
    sent.set(row!.id, t0);
    await new Promise((r) => setTimeout(r, 250));
  }
  const until = Date.now() + 5000;
  while (latencies.length < CLIENTS * ALERTS && Date.now() < until)
    await new Promise((r) => setTimeout(r, 100));

  console.log('');
  console.log(`consoles: ${CLIENTS}, alerts: ${ALERTS}, deliveries ${latencies.length}/${CLIENTS * ALERTS}`);
  console.log(summary('alert commit → console', latencies));
  const dup = [...perAlert.values()].filter((n) => n > CLIENTS).length;
  console.log(`alerts delivered more than once per console: ${dup}`);
  console.log(
    `rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB (server and clients in one process)`,
  );
  for (const s of sockets) s.close();
  await bench.close();
  process.exit(latencies.length === CLIENTS * ALERTS ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
