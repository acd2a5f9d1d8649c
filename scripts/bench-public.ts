/**
 * npm run bench:public — the public website under a surge (SPEC targets in issue 17): requests per
 * second and p50/p99 for the document list, a document page, a search and a static file (the
 * ceiling of the same server), each flooded in turn by keep-alive connections from a load
 * generator process (flat out, and the document page also at fixed offered rates), while a
 * signed-in analyst's API call is probed from another process; the probe's p99 during the flood is
 * the "staff stay fast" figure. Each row also shows the server's event loop delay and the CPU of
 * the server, the load generator and the whole machine, which tells a slow server from a machine
 * whose cores the load generator itself takes.
 *
 * The platform runs as `npm start` runs it (production mode unless NODE_ENV says otherwise) on a
 * throw-away database with the demo county plus BENCH_DOCS extra published documents.
 */
import { fork } from 'node:child_process';
import type http from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { seedAccounts, DEMO_STEPS, DEMO_PASSWORD } from './seed-demo.js';
import { PolicyService } from '../src/policies/service.js';
import { loadUserPrincipal } from '../src/auth/users.js';
import { startBenchPlatform, percentile } from './lib/bench-platform.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DOCS = Number(process.env.BENCH_DOCS ?? 150);
/** Fixed offered rates (req/s) at which the document page is also run, besides flat out. */
const OFFERED = (process.env.BENCH_RATES ?? '500,1000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
/** A directory: each flood's CPU profile of the server is written there (open in Chrome DevTools). */
const PROFILE = process.env.BENCH_PROFILE ?? '';
/** Only the routes whose name contains this (e.g. `:id`), for short runs while developing. */
const ONLY = process.env.BENCH_ONLY ?? '';
// What a browser sends: compressed answers are what citizens get.
const BROWSER = { 'accept-encoding': 'gzip, deflate, br', accept: 'text/html' };

interface LoadResult {
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
  bytes: number;
  elapsed: number;
  cpuSeconds: number;
}

/** One load generator process (its CPU is then told apart from the server's). */
function run(data: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./lib/load-worker.mjs', import.meta.url), { execArgv: [] });
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => code && reject(new Error(`load generator exited ${code}`)));
    child.send(data);
  });
}

/** Busy and total jiffies of the whole machine (every process, not only this benchmark). */
function machineTicks(): { busy: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

let profiles = 0;
/** Starts the V8 CPU profiler of this (the server's) thread; the returned function writes it. */
async function startProfile(): Promise<() => Promise<void>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    mkdirSync(PROFILE, { recursive: true });
    const file = path.join(PROFILE, `flood-${++profiles}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.error(`profile: ${file}`);
  };
}

/**
 * What the server did while `fn` ran: its process CPU (one core = 100 %), its event loop delay and
 * utilisation, the machine's CPU (all cores = 100 %), and how long the staff probe's requests
 * spent inside the server (request event to the last byte handed to the socket).
 */
async function observe<T>(fn: () => Promise<T>) {
  const profiler = PROFILE ? await startProfile() : null;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const m0 = machineTicks();
  const t0 = performance.now();
  loop.enable();
  const value = await fn();
  loop.disable();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const m1 = machineTicks();
  await profiler?.();
  return {
    value,
    serverCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    machineCpu: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
    loopP50: loop.percentile(50) / 1e6,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    elu: performance.eventLoopUtilization(elu0).utilization,
  };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

async function main() {
  const env: Record<string, string> = {};
  // As `npm start`: production unless told otherwise (the bench runs under tsx, not main.ts).
  const nodeEnv = process.env.BENCH_NODE_ENV ?? 'production';
  process.env.NODE_ENV = nodeEnv;
  const bench = await startBenchPlatform(env);
  const { core } = bench.platform;
  const accounts = await seedAccounts(core);
  for (const step of DEMO_STEPS) await step.run(core, accounts);

  const admin = await core.db
    .selectFrom('users')
    .select('id')
    .where('username', '=', 'admin')
    .executeTakeFirstOrThrow();
  const actor = (await loadUserPrincipal(core.db, admin.id))!;
  const ctx = { actor, requestId: 'bench' };
  const svc = new PolicyService(core);
  const depts = Object.values(accounts.departments);
  const topics = ['老旧小区改造', '义务教育招生', '住房租赁', '医养结合', '食品安全', '秸秆禁烧', '垃圾分类'];
  for (let i = 0; i < DOCS; i++) {
    const topic = topics[i % topics.length]!;
    const row = await svc.importDocument(ctx, {
      title: `关于${topic}工作的第${i + 1}号通知`,
      docNumber: `示政办发〔2026〕${i + 100}号`,
      issuer: '示例区人民政府办公室',
      draftingDepartmentId: depts[i % depts.length]!,
      body: `为做好${topic}工作，现将有关事项通知如下。\n`.repeat(20),
      requiresInterpretation: false,
      interpretationPlan: '',
      source: `bench:${i}`,
    });
    await svc.submit(ctx, row.id);
    await svc.approve(ctx, row.id, '同意');
    await svc.publish(ctx, row.id, new Date(Date.now() - (i + 1) * 3_600_000));
  }
  const published = await core.db
    .selectFrom('policies')
    .select('id')
    .where('status', '=', 'published')
    .where('disclosure', '=', 'proactive')
    .orderBy('id')
    .execute();

  // The analyst signs in as on any morning; the probe is their event list.
  const login = await fetch(`${bench.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'yq.analyst', password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`analyst login: ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const probePath = '/api/opinion/events?limit=20';
  const probe = (seconds: number) =>
    run({ mode: 'probe', url: bench.url, paths: [probePath], headers: { cookie }, seconds, intervalMs: 20 });
  // Time the probe's requests spend inside the server: the rest of their latency is waiting to be
  // read (the server's loop busy with the flood) or to be picked up by the probe process.
  const inServer: number[] = [];
  bench.platform.server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.headers.cookie) return;
    const t0 = performance.now();
    res.once('finish', () => inServer.push(performance.now() - t0));
  });

  const routes: { name: string; paths: string[]; headers?: Record<string, string> }[] = [
    { name: '/policies', paths: ['/policies'] },
    { name: '/policies/:id', paths: published.map((p) => `/policies/${p.id}`) },
    { name: '/policies?q=老旧小区', paths: [`/policies?q=${encodeURIComponent('老旧小区')}`] },
    { name: '/static/css/app.css', paths: ['/static/css/app.css'] },
    // The same file uncompressed: express.static gzips on every request, the pages only once.
    {
      name: '/static/css/app.css (identity)',
      paths: ['/static/css/app.css'],
      headers: { accept: 'text/css' },
    },
  ].filter((r) => !ONLY || r.name.includes(ONLY));

  // Warm up (template compilation, every page rendered once, JIT) and take the probe's quiet
  // baseline: the floods measure pages being served, not first renders.
  for (const r of routes) {
    await run({
      mode: 'each',
      url: bench.url,
      paths: r.paths,
      headers: BROWSER,
      connections: 4,
      seconds: 60,
    });
    await run({
      mode: 'flood',
      url: bench.url,
      paths: r.paths,
      headers: BROWSER,
      connections: 4,
      seconds: 1,
    });
  }
  const quiet = await probe(3);
  const q = sorted(quiet.latencies);

  const [l1, l5, l15] = os.loadavg().map((n) => n.toFixed(2));
  console.log(
    `\nNODE_ENV=${nodeEnv}; ${published.length} published documents; ${CONNECTIONS} connections, ${SECONDS} s per route; ` +
      `${os.cpus().length} cores, load average ${l1} ${l5} ${l15} before the floods`,
  );
  console.log(
    `staff probe GET ${probePath}, quiet: p50 ${ms(percentile(q, 50))}, p99 ${ms(percentile(q, 99))}\n`,
  );
  console.log(
    '| route | offered | req/s | p50 | p99 | non-2xx/304 | staff probe p50 / p99 / max (n) | probe time in server p50 / p99 | server loop delay p50 / p99 / max | server loop busy | CPU server / load generator / machine |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const rates: Record<string, number> = {};
  const row = async (r: (typeof routes)[number], offered?: number) => {
    inServer.length = 0;
    const o = await observe(() =>
      Promise.all([
        run({
          mode: offered ? 'rate' : 'flood',
          rate: offered,
          url: bench.url,
          paths: r.paths,
          headers: r.headers ?? BROWSER,
          connections: CONNECTIONS,
          seconds: SECONDS,
        }),
        probe(SECONDS),
      ]),
    );
    const [flood, during] = o.value;
    const l = sorted(flood.latencies);
    const p = sorted(during.latencies);
    const s = sorted(inServer);
    const bad =
      Object.entries(flood.statuses)
        .filter(([st]) => !/^2|^304$/.test(st))
        .reduce((n, [, c]) => n + c, 0) + flood.errors;
    const probeBad = Object.entries(during.statuses).filter(([st]) => !st.startsWith('2')).length;
    if (probeBad) throw new Error(`staff probe failed: ${JSON.stringify(during.statuses)}`);
    const rate = l.length / flood.elapsed;
    if (!offered) rates[r.name] = rate;
    const pct = (n: number) => `${(100 * n).toFixed(0)} %`;
    console.log(
      `| \`${r.name}\` | ${offered ? `${offered}/s` : 'flat out'} | ${rate.toFixed(0)} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 99))} | ${bad} | ` +
        `${ms(percentile(p, 50))} / ${ms(percentile(p, 99))} / ${ms(p[p.length - 1] ?? NaN)} (${p.length}) | ` +
        `${ms(percentile(s, 50))} / ${ms(percentile(s, 99))} | ${ms(o.loopP50)} / ${ms(o.loopP99)} / ${ms(o.loopMax)} | ${pct(o.elu)} | ` +
        `${pct(o.serverCpu)} / ${pct(flood.cpuSeconds / flood.elapsed)} / ${pct(o.machineCpu)} |`,
    );
  };
  for (const r of routes) await row(r);
  // The same pages at fixed offered rates (open loop): what a surge of visitors looks like, as
  // opposed to 50 clients each asking again the moment an answer arrives.
  const doc = routes.find((r) => r.name === '/policies/:id');
  if (doc) for (const offered of OFFERED) await row(doc, offered);

  const ceiling = Math.max(rates['/static/css/app.css'] ?? 0, rates['/static/css/app.css (identity)'] ?? 0);
  if (ceiling && rates['/policies/:id'] && rates['/policies'] && rates['/policies?q=老旧小区'])
    console.log(
      `\nagainst the faster static row: document page at ${((100 * rates['/policies/:id']) / ceiling).toFixed(0)} % of the static file's req/s ` +
        `(list ${((100 * rates['/policies']) / ceiling).toFixed(0)} %, search ${((100 * rates['/policies?q=老旧小区']) / ceiling).toFixed(0)} %)`,
    );
  const st = bench.platform.publicPages.stats();
  console.log(
    `public page cache over the run: ${st.hits} answered from memory, ${st.notModified} × 304, ${st.rendered} rendered, ${st.busy} × 503`,
  );
  const [a1, a5, a15] = os.loadavg().map((n) => n.toFixed(2));
  console.log(`load average ${a1} ${a5} ${a15} after the floods`);
  await bench.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
