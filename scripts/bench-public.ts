/**
 * npm run bench:public — the public website under a surge (SPEC targets in issue 17): requests per
 * second and p50/p99 for the document list, a document page, a search and a static file (the
 * ceiling of the same server), each flooded in turn by keep-alive connections from a worker
 * thread, while a signed-in analyst's API call is probed from another worker; the probe's p99
 * during the flood is the "staff stay fast" figure.
 *
 * The platform runs as `npm start` runs it (production mode unless NODE_ENV says otherwise) on a
 * throw-away database with the demo county plus BENCH_DOCS extra published documents.
 */
import { Worker } from 'node:worker_threads';
import { seedAccounts, DEMO_STEPS, DEMO_PASSWORD } from './seed-demo.js';
import { PolicyService } from '../src/policies/service.js';
import { loadUserPrincipal } from '../src/auth/users.js';
import { startBenchPlatform, percentile } from './lib/bench-platform.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DOCS = Number(process.env.BENCH_DOCS ?? 150);
// What a browser sends: compressed answers are what citizens get.
const BROWSER = { 'accept-encoding': 'gzip, deflate, br', accept: 'text/html' };

interface LoadResult {
  latencies: number[];
  statuses: Record<string, number>;
  errors: number;
  bytes: number;
  elapsed: number;
}

function run(data: Record<string, unknown>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./lib/load-worker.mjs', import.meta.url), { workerData: data });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

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
  ];

  // Warm up (template compilation, caches, JIT) and take the probe's quiet baseline.
  for (const r of routes)
    await run({
      mode: 'flood',
      url: bench.url,
      paths: r.paths,
      headers: BROWSER,
      connections: 4,
      seconds: 1,
    });
  const quiet = await probe(3);
  const q = [...quiet.latencies].sort((a, b) => a - b);

  console.log(
    `\nNODE_ENV=${nodeEnv}; ${published.length} published documents; ${CONNECTIONS} connections, ${SECONDS} s per route`,
  );
  console.log(
    `staff probe GET ${probePath}, quiet: p50 ${ms(percentile(q, 50))}, p99 ${ms(percentile(q, 99))}\n`,
  );
  console.log('| route | req/s | p50 | p99 | non-2xx/304 | staff probe p50 / p99 / max during the flood |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  const rates: Record<string, number> = {};
  for (const r of routes) {
    const [flood, during] = await Promise.all([
      run({
        mode: 'flood',
        url: bench.url,
        paths: r.paths,
        headers: r.headers ?? BROWSER,
        connections: CONNECTIONS,
        seconds: SECONDS,
      }),
      probe(SECONDS),
    ]);
    const l = [...flood.latencies].sort((a, b) => a - b);
    const p = [...during.latencies].sort((a, b) => a - b);
    const bad =
      Object.entries(flood.statuses)
        .filter(([s]) => !/^2|^304$/.test(s))
        .reduce((n, [, c]) => n + c, 0) + flood.errors;
    const probeBad = Object.entries(during.statuses).filter(([s]) => !s.startsWith('2')).length;
    if (probeBad) throw new Error(`staff probe failed: ${JSON.stringify(during.statuses)}`);
    rates[r.name] = l.length / flood.elapsed;
    console.log(
      `| \`${r.name}\` | ${rates[r.name]!.toFixed(0)} | ${ms(percentile(l, 50))} | ${ms(percentile(l, 99))} | ${bad} | ` +
        `${ms(percentile(p, 50))} / ${ms(percentile(p, 99))} / ${ms(p[p.length - 1] ?? NaN)} |`,
    );
  }
  const ceiling = Math.max(rates['/static/css/app.css']!, rates['/static/css/app.css (identity)']!);
  console.log(
    `\nagainst the faster static row: document page at ${((100 * rates['/policies/:id']!) / ceiling).toFixed(0)} % of the static file's req/s ` +
      `(list ${((100 * rates['/policies']!) / ceiling).toFixed(0)} %, search ${((100 * rates['/policies?q=老旧小区']!) / ceiling).toFixed(0)} %)`,
  );
  await bench.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
