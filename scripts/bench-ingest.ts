/**
 * npm run bench:ingest — the opinion pipeline end to end (SPEC §5, issue 16):
 *   1. for short (≤ 40 characters) and realistic (80–200) items: bare nodejieba.cut items/s on the
 *      texts, then items/s through POST /api/opinion/items until every item is analysed (jieba,
 *      classify, dedup, cluster, events stored) and its ratio to bare jieba — target ≥ 0.30
 *      (stretch 0.60) on realistic items; `/healthz` p99 meanwhile, probed from a worker thread
 *      (target ≤ 100 ms); and what bounds the ratio: the analysis alone in one thread on the same
 *      texts, and CPU per item end to end (this process + PostgreSQL) against the cores;
 *   2. item → console alert latency at a fixed offered rate (default 1,000 items/s): emergency
 *      probes among background posts, timed from the POST to the Socket.IO `alert` — target
 *      p99 ≤ 200 ms;
 *   3. (BENCH_NODES=2) a second app node (src/main.ts in its own process) on the same database:
 *      the crawler spreads batches over both, one node leads the pipeline; items/s of two nodes,
 *      and each incident posted through both nodes is one event;
 *   4. the process's RSS (main thread and analysis threads) after all of it.
 * BENCH_ITEMS (default 20000 per corpus), BENCH_RATE (1000), BENCH_SECONDS (10), BENCH_BATCH (500),
 * BENCH_NODES (1 or 2), OPINION_ANALYSIS_THREADS (the pool size; 0 = on the event loop).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import nodejieba from 'nodejieba';
import pg from 'pg';
import { io as connect } from 'socket.io-client';
import { sql } from 'kysely';
import { AccountsService } from '../src/accounts/service.js';
import { freePort } from '../src/db/embedded.js';
import type { AlertJson } from '../src/alerts/model.js';
import { normalize } from '../src/text/normalize.js';
import { cut } from '../src/text/segment.js';
import { idfTable } from '../src/text/idf.js';
import { analyseItem } from '../src/opinion/analysis/analyse.js';
import { compileLexicons, loadShippedLexicons } from '../src/opinion/analysis/lexicon.js';
import type { OpinionWorker } from '../src/opinion/worker.js';
import { ALERT_CHANNEL } from '../src/alerts/store.js';
import { startBenchPlatform, summary, type BenchPlatform } from './lib/bench-platform.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const NODES = Number(process.env.BENCH_NODES ?? 1);

// ---- corpus: what a county's crawlers deliver (posts, hotline records, news, reposts) ----
let seed = 42;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;

const PLACES = [
  '青石镇',
  '城南新区',
  '河西街道',
  '东湖社区',
  '桃源乡',
  '北关村',
  '西城区',
  '白沙镇',
  '龙泉街道',
  '高新区',
];
const SUBJECTS: Record<string, string[]> = {
  school: [
    '实验小学学位不足，孩子被调剂到外区学校',
    '幼儿园收费不透明，家长质疑乱收费',
    '中学食堂饭菜质量差，学生吃不饱',
  ],
  hospital: [
    '人民医院急诊排队四个小时还没看上病',
    '卫生院医生态度差，挂号难问题长期存在',
    '医保报销手续复杂，异地就医很麻烦',
  ],
  housing: [
    '公租房分配不公开，排了三年还没轮到',
    '老旧小区改造拖了半年，楼道脏乱差',
    '开发商延期交房，业主维权无人理',
  ],
  environment: [
    '化工厂夜里偷排废水，河道恶臭',
    '垃圾焚烧厂异味扰民，居民担心空气污染',
    '工地噪音扰民到半夜，投诉没人管',
  ],
  elderly: [
    '长者食堂开业，老人吃饭方便了，点赞',
    '居家养老服务上门，老人很满意',
    '养老院护理员不够，老人没人照顾',
  ],
  compensation: [
    '征地拆迁补偿款迟迟不到位，村民讨说法',
    '安置房质量差，回迁户很失望',
    '补偿标准不一致，村民质疑有黑幕',
  ],
  chatter: [
    '今天天气不错，去公园散步拍照',
    '周末带孩子去爬山，风景很美',
    '新开的火锅店味道一般，价格偏贵',
    '昨晚球赛太精彩了',
  ],
};
const FILLER = [
  '希望有关部门尽快处理',
  '已经反映好几次了',
  '大家怎么看',
  '附近居民都在讨论',
  '有没有人知道具体情况',
  '相关部门表示正在调查',
  '记者到现场进行了采访',
  '据了解，此事已持续一段时间',
  '网友纷纷留言',
  '12345热线已经受理',
];
const CHANNELS = ['weibo', 'wechat', 'news', 'forum', 'short_video', 'hotline_12345', 'leader_board'];

const recent: string[] = [];

interface BenchItem {
  source: string;
  channel: string;
  externalId: string;
  title?: string;
  content: string;
  author: string;
  publishedAt: string;
}

/** Real words from jieba's dictionary, so posts differ the way real posts do. */
let vocabulary: string[] = [];
let twoChar: string[] = [];
function words(n: number): string {
  let out = '';
  for (let k = 0; k < n; k++) out += pick(vocabulary);
  return out;
}

function makeItem(i: number, kinds = Object.keys(SUBJECTS)): BenchItem {
  const kind = pick(kinds);
  const place = pick(PLACES);
  const channel = pick(CHANNELS);
  const parts = [`${place}${pick(SUBJECTS[kind]!)}`, words(2 + Math.floor(rnd() * 4))];
  const n = channel === 'news' ? 8 : channel === 'hotline_12345' ? 3 : 1 + Math.floor(rnd() * 2);
  for (let k = 0; k < n; k++) parts.push(pick(FILLER));
  let content = parts.join('，') + '。';
  if (channel === 'news') content = content + content.replace(place, `${place}部分`); // longer articles
  // A quarter are reposts of an earlier post (near-duplicates), as on Weibo.
  if (rnd() < 0.25 && recent.length) content = `转发微博 //@网友${i % 97}: ${pick(recent)}`;
  else recent.push(content);
  if (recent.length > 200) recent.shift();
  return {
    source: 'bench',
    channel,
    externalId: `bench-${i}`,
    ...(channel === 'news' ? { title: `${place}${pick(SUBJECTS[kind]!).slice(0, 12)}` } : {}),
    content,
    author: `用户${Math.floor(rnd() * 5000)}`,
    publishedAt: new Date(Date.now() - Math.floor(rnd() * 3600_000)).toISOString(),
  };
}

const INCIDENTS = [
  ['化工厂', '发生爆炸', '死亡'],
  ['煤矿', '发生透水事故', '被困'],
  ['居民楼', '燃气爆炸', '死亡'],
  ['在建工地', '脚手架坍塌', '受伤'],
  ['学校食堂', '发生食物中毒', '送医'],
];

/** An emergency in a place nobody has mentioned yet: it must become its own event and alert. */
function probe(n: number): BenchItem {
  const place = pick(twoChar) + '镇';
  const company = words(2);
  const [site, what, harm] = pick(INCIDENTS);
  return {
    source: 'bench-probe',
    channel: 'weibo',
    externalId: `probe-${n}`,
    content: `P${n}：${place}${company}${site}${what}，已造成${2 + (n % 7)}人${harm}，${words(4)}`,
    author: `probe${n}`,
    publishedAt: new Date().toISOString(),
  };
}

async function post(url: string, token: string, items: BenchItem[]): Promise<void> {
  const res = await fetch(`${url}/api/opinion/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ items }),
  });
  if (res.status !== 200) throw new Error(`ingest ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { rejected: unknown[] };
  if (body.rejected.length) throw new Error(`rejected: ${JSON.stringify(body.rejected[0])}`);
}

/**
 * CPU seconds used so far by the embedded PostgreSQL serving `dataDir` (postmaster and its live
 * children), from /proc; null where that is not available (another OS, a remote server).
 */
function postgresCpuSeconds(dataDir: string): number | null {
  try {
    const stats = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return {
            pid,
            ppid: f[1]!,
            ticks: Number(f[11]) + Number(f[12]),
            cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8'),
          };
        } catch {
          return null;
        }
      })
      .filter((x) => x !== null);
    const master = stats.find(
      (x) => x.cmd.includes(dataDir) && x.cmd.startsWith('/') && x.cmd.includes('postgres'),
    );
    if (!master) return null;
    const ticks = stats
      .filter((x) => x.pid === master.pid || x.ppid === master.pid)
      .reduce((a, x) => a + x.ticks, 0);
    return ticks / 100;
  } catch {
    return null;
  }
}

/** The texts as jieba sees them (title first), and bare nodejieba.cut items/s over them. */
function bareJieba(corpus: BenchItem[]): { rate: number; avgLen: number } {
  const texts = corpus.map((c) => (c.title ? `${c.title}。${c.content}` : c.content));
  cut(normalize(texts[0]!));
  for (let i = 0; i < 2000; i++) nodejieba.cut(texts[i % texts.length]!);
  const t = process.hrtime.bigint();
  for (const s of texts) nodejieba.cut(s);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { rate: texts.length / seconds, avgLen: texts.reduce((a, x) => a + x.length, 0) / texts.length };
}

/**
 * The analysis alone (jieba, classify, places, terms, MinHash: what one analysis thread does per
 * item), in this thread, on the same texts: with no HTTP, fold or database it bounds what any
 * pipeline keeping this analysis can reach per core.
 */
function analysisAlone(corpus: BenchItem[]): { rate: number } {
  const lexicons = compileLexicons(loadShippedLexicons());
  const run = (it: BenchItem) =>
    analyseItem({ title: it.title, content: it.content, channel: it.channel, source: it.source }, lexicons);
  for (let i = 0; i < 500; i++) run(corpus[i % corpus.length]!);
  const t = process.hrtime.bigint();
  for (const it of corpus) run(it);
  return { rate: corpus.length / (Number(process.hrtime.bigint() - t) / 1e9) };
}

/** Items of a length band: posts cut at a clause, or grown with the crawler's usual filler. */
function sized(start: number, n: number, min: number, max: number): BenchItem[] {
  const out: BenchItem[] = [];
  for (let i = start; out.length < n; i++) {
    const it = makeItem(i);
    let c = it.content;
    while (c.length < min) c = `${c}${pick(FILLER)}，${words(2)}。`;
    if (c.length > max) c = c.slice(0, max - 1) + '。';
    const full = it.title ? `${it.title}。${c}` : c;
    if (full.length > max) delete it.title;
    out.push({ ...it, content: c });
  }
  return out;
}

interface LoadResult {
  latencies: number[];
}

/** `/healthz` every 20 ms from a worker thread (its own event loop) until stopped. */
function probeHealth(url: string): { stop(): Promise<number[]> } {
  const w = new Worker(new URL('./lib/load-worker.mjs', import.meta.url), {
    workerData: { mode: 'probe', url, paths: ['/healthz'], seconds: 3600, intervalMs: 20 },
  });
  const done = new Promise<LoadResult>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  return {
    async stop() {
      w.postMessage('stop');
      return (await done).latencies;
    },
  };
}

/** A second app node: src/main.ts in its own process on the bench's database. */
async function startSecondNode(
  databaseUrl: string,
): Promise<{ url: string; child: ChildProcess; dataDir: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gop-bench-node-2-'));
  const root = path.resolve(import.meta.dirname, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SESSION_SECRET: 'bench-second-node-secret-0123456789abcdef',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child, dataDir };
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error('second node did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Where each probe's time goes, from its POST to the Socket.IO `alert`: the POST answered, the
 * pipeline's stages of the probe's batch (claimed, analysed, folded, committed), the alert's NOTIFY
 * on a LISTEN connection of its own, the feed's emit to the consoles, the client's receipt.
 */
async function traceProbes(platform: BenchPlatform['platform'], pipeline: OpinionWorker['pipeline']) {
  const STAGES = ['claim', 'analyse', 'fold', 'commit'];
  const byItem = new Map<number, Record<string, number>>();
  const batchSizes: number[] = [];
  pipeline.profile.tracer = (stage, ids, at) => {
    if (stage === 'claim') batchSizes.push(ids.length);
    if (!STAGES.includes(stage)) return;
    for (const id of ids) {
      let t = byItem.get(id);
      if (!t) byItem.set(id, (t = {}));
      t[stage] = at; // the last chunk's, where a stage comes once per chunk
    }
  };
  const notifiedAt = new Map<number, number>();
  const emittedAt = new Map<number, number>();
  const listen = new pg.Client({ connectionString: platform.core.databaseUrl });
  await listen.connect();
  listen.on('notification', (m) => void notifiedAt.set(Number(m.payload), Date.now()));
  await listen.query(`listen ${ALERT_CHANNEL}`);
  platform.feed.on('alert', (row) => void emittedAt.set(row.id, Date.now()));
  const probes = new Map<string, Record<string, number>>();
  const of = (n: string) => probes.get(n) ?? probes.set(n, {}).get(n)!;
  return {
    accepted: (n: string) => void (of(n).accepted = Date.now()),
    received(n: string, alertId: number, sentAt: number) {
      Object.assign(of(n), { sent: sentAt, received: Date.now(), alert: alertId });
    },
    async report(): Promise<string[]> {
      pipeline.profile.tracer = null;
      await listen.end();
      const ids = await sql<{ id: number; external_id: string }>`
        select id, external_id from opinion_items where source = 'bench-probe'`.execute(platform.core.db);
      const steps: [string, string, string][] = [
        ['POST answered', 'sent', 'accepted'],
        ['queued until claimed', 'accepted', 'claim'],
        ['analysed', 'claim', 'analyse'],
        ['folded', 'analyse', 'fold'],
        ['stored and committed', 'fold', 'commit'],
        ['NOTIFY received', 'commit', 'notify'],
        ['feed emit', 'notify', 'emit'],
        ['socket received', 'emit', 'received'],
      ];
      const deltas = steps.map(() => [] as number[]);
      for (const r of ids.rows) {
        const p = probes.get(r.external_id.replace('probe-', ''));
        if (!p || p.alert === undefined) continue;
        const t: Record<string, number | undefined> = {
          ...p,
          ...byItem.get(Number(r.id)),
          notify: notifiedAt.get(p.alert),
          emit: emittedAt.get(p.alert),
        };
        steps.forEach(([, a, b], i) => {
          const [from, to] = [t[a], t[b]];
          if (from !== undefined && to !== undefined) deltas[i]!.push(to - from);
        });
      }
      return [
        `${summary('batches', batchSizes, ' items')}`,
        'probe breakdown (ms from the previous step):',
        ...steps.map(([label], i) => `  ${summary(label, deltas[i]!)}`),
      ];
    },
  };
}

async function main() {
  vocabulary = [...idfTable().keys()].filter(
    (w) => w.length >= 2 && w.length <= 4 && /^\p{Script=Han}+$/u.test(w),
  );
  // Probe towns must read as place names to the extractor (一弯镇 does not: 一 starts phrases), or a
  // probe joins an earlier probe's event, whose alert has already fired, and never alerts itself.
  twoChar = vocabulary.filter(
    (w) => w.length === 2 && !/^[在到从于的了是这那各每全本我该某一]|[镇乡村县区市省和与及]/u.test(w),
  );
  const corpora: [string, BenchItem[]][] = [
    ['short (≤ 40 characters)', sized(0, ITEMS, 10, 40)],
    ['realistic (80–200 characters)', sized(ITEMS, ITEMS, 80, 200)],
  ];
  let nextId = 2 * ITEMS + 10_000;

  const bench = await startBenchPlatform();
  const { core } = bench.platform;
  const worker = (
    bench.platform.capabilities.find((c) => c.name === 'opinion') as unknown as { worker: OpinionWorker }
  ).worker;
  const pipeline = worker.pipeline;
  const pipelineProfile = (reset = false) => pipeline.profile.report(reset);
  const accounts = new AccountsService(core);
  const ingestToken = (
    await accounts.createToken({ actor: undefined }, { name: 'bench-ingest', scopes: ['ingest'] })
  ).token;
  const readToken = (
    await accounts.createToken({ actor: undefined }, { name: 'bench-read', scopes: ['read'] })
  ).token;
  const pending = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from opinion_queue`.execute(core.db)).rows[0]!.n;
  // The pipeline leads once it has loaded (and started its analysis threads).
  while (!worker.isLeader || !pipeline.isLoaded) await new Promise((r) => setTimeout(r, 100));

  const dataDir = (await sql<{ d: string }>`select current_setting('data_directory') as d`.execute(core.db))
    .rows[0]!.d;

  /** Posts `items` in batches over the nodes' URLs (two lanes per node) until all are analysed. */
  const flood = async (items: BenchItem[], urls: string[]) => {
    const pg0 = postgresCpuSeconds(dataDir);
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const health = probeHealth(bench.url);
    const t0 = Date.now();
    const batches: BenchItem[][] = [];
    for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
    let next = 0;
    const lane = async (url: string) => {
      while (next < batches.length) await post(url, ingestToken, batches[next++]!);
    };
    await Promise.all(urls.flatMap((u) => [lane(u), lane(u)]));
    const acceptedMs = Date.now() - t0;
    while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 20));
    const e2eMs = Date.now() - t0;
    const healthz = await health.stop();
    const cpu = process.cpuUsage(cpu0);
    const pg1 = postgresCpuSeconds(dataDir);
    return {
      rate: (items.length / e2eMs) * 1000,
      acceptedMs,
      e2eMs,
      healthz,
      elu: performance.eventLoopUtilization(elu0).utilization,
      cpuS: (cpu.user + cpu.system) / 1e6,
      pgS: pg0 !== null && pg1 !== null ? pg1 - pg0 : null,
    };
  };

  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  say(
    `analysis: ${pipeline.analysisThreads} thread(s) (${pipeline.analysisThreads > 1 || core.config.opinionAnalysisThreads > 0 ? 'worker pool' : 'event loop'}), batches of ${BATCH}, ${ITEMS} items per corpus`,
  );
  // 1. Throughput per corpus, bare jieba on the same texts just before.
  let realisticRate = 0;
  for (const [label, corpus] of corpora) {
    const bare = bareJieba(corpus);
    const alone = analysisAlone(corpus);
    pipelineProfile(true);
    const f = await flood(corpus, [bench.url]);
    if (label.startsWith('realistic')) realisticRate = f.rate;
    say('');
    say(`${label}: average ${bare.avgLen.toFixed(0)} characters`);
    say(`  bare nodejieba.cut: ${bare.rate.toFixed(0)} items/s`);
    say(
      `  end to end (HTTP → jieba → classify → dedup → cluster → stored): ${f.rate.toFixed(0)} items/s ` +
        `(all accepted after ${f.acceptedMs} ms, all analysed after ${f.e2eMs} ms)`,
    );
    say(`  ratio end-to-end / bare cut: ${(f.rate / bare.rate).toFixed(3)} (target ≥ 0.30, stretch 0.60)`);
    // What bounds the ratio: CPU per item against the cores there are.
    const cores = os.availableParallelism();
    const cpuPerItemUs = ((f.cpuS + (f.pgS ?? 0)) / corpus.length) * 1e6;
    say(
      `  analysis alone, one thread: ${alone.rate.toFixed(0)} items/s (${(1e6 / alone.rate).toFixed(0)} µs per item, ` +
        `${(bare.rate / alone.rate).toFixed(1)} × a bare cut); on ${cores} cores with nothing else: ratio ≤ ${((cores * alone.rate) / bare.rate).toFixed(2)}`,
    );
    say(
      `  CPU per item end to end (this process + PostgreSQL): ${cpuPerItemUs.toFixed(0)} µs; at that cost ${cores} busy cores ` +
        `give ${((cores * 1e6) / cpuPerItemUs).toFixed(0)} items/s, ratio ${((cores * 1e6) / cpuPerItemUs / bare.rate).toFixed(3)}`,
    );
    say(
      `  main thread: event loop busy ${(f.elu * 100).toFixed(0)} %; process CPU ${f.cpuS.toFixed(1)} s` +
        (f.pgS !== null ? `; PostgreSQL CPU ${f.pgS.toFixed(1)} s` : ''),
    );
    say(`  ${summary('/healthz during the flood', f.healthz)} (target p99 ≤ 100 ms)`);
    if (pipeline.profile.enabled) say(`  pipeline stages (ms): ${JSON.stringify(pipelineProfile())}`);
  }
  const counts = (
    await sql<{ analysed: number; events: number; dups: number }>`
      select (select count(*)::int from opinion_items where status = 'analysed') as analysed,
        (select count(*)::int from opinion_events) as events,
        (select count(*)::int from opinion_items where duplicate_of is not null) as dups
    `.execute(core.db)
  ).rows[0]!;
  say(`analysed ${counts.analysed}, near-duplicates ${counts.dups}, events ${counts.events}`);

  // 2. Latency at a fixed offered rate, probes among background posts.
  const socket = connect(`${bench.url}/console`, { transports: ['websocket'], auth: { token: readToken } });
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  const sentAt = new Map<string, number>();
  const ingestLatency: number[] = [];
  const latency: number[] = [];
  const probeTrace = await traceProbes(bench.platform, pipeline);
  socket.on('alert', (a: AlertJson) => {
    const m = /P(\d+)：/.exec(a.title);
    if (a.type !== 'event.detected' || !m) return;
    const s = sentAt.get(m[1]!);
    if (s !== undefined) {
      latency.push(Date.now() - s);
      probeTrace.received(m[1]!, a.id, s);
      sentAt.delete(m[1]!);
    }
  });
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const ticks = Math.round((SECONDS * 1000) / tickMs);
  let probes = 0;
  pipelineProfile(true);
  const health = probeHealth(bench.url);
  const start = Date.now();
  const inflight: Promise<void>[] = [];
  for (let k = 0; k < ticks; k++) {
    const due = start + k * tickMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const items: BenchItem[] = [];
    for (let j = 0; j < perTick; j++)
      items.push(makeItem(nextId++, ['school', 'hospital', 'housing', 'elderly', 'chatter']));
    // About 5 probes a second.
    if (k % Math.max(1, Math.round(200 / tickMs)) === 0) {
      const p = probe(probes++);
      items[0] = p;
      sentAt.set(String(probes - 1), Date.now());
    }
    const t = Date.now();
    const probeNo = items[0]!.source === 'bench-probe' ? String(probes - 1) : null;
    inflight.push(
      post(bench.url, ingestToken, items).then(() => {
        ingestLatency.push(Date.now() - t);
        if (probeNo !== null) probeTrace.accepted(probeNo);
      }),
    );
  }
  await Promise.all(inflight);
  const offeredS = (Date.now() - start) / 1000;
  const until = Date.now() + 10_000;
  while (sentAt.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 50));
  const latencyHealth = await health.stop();
  say('');
  say(
    `offered ${((ticks * perTick) / offeredS).toFixed(0)} items/s for ${offeredS.toFixed(1)} s, ${probes} emergency probes`,
  );
  say(summary('POST /api/opinion/items → 200', ingestLatency));
  say(`${summary('item → console alert', latency)} (target p99 ≤ 200 ms)`);
  say(summary('/healthz meanwhile', latencyHealth));
  if (pipeline.profile.enabled) say(`latency phase stages (ms): ${JSON.stringify(pipelineProfile())}`);
  for (const line of await probeTrace.report()) say(line);
  say(
    `probes without alert: ${sentAt.size}${sentAt.size ? ` (${[...sentAt.keys()].map((k) => `P${k}`).join(', ')})` : ''}`,
  );
  socket.close();

  // 3. Two app nodes against one PostgreSQL.
  if (NODES >= 2) {
    const second = await startSecondNode(core.databaseUrl);
    try {
      const items = sized(nextId, ITEMS, 80, 200);
      nextId += ITEMS + 1000;
      // Each incident reaches both nodes: its first report through one, a repost through the other.
      const incidents = Array.from({ length: 10 }, (_, k) => probe(10_000 + k));
      incidents.forEach((p, k) => {
        items.splice(k * Math.floor(items.length / 10), 0, p);
        items.splice(k * Math.floor(items.length / 10) + BATCH + 1, 0, {
          ...p,
          externalId: `${p.externalId}-repost`,
          author: `${p.author}-fan`,
          content: `转发微博 //@${p.author}: ${p.content}`,
        });
      });
      const one = sized(nextId, ITEMS, 80, 200);
      nextId += ITEMS + 1000;
      const single = await flood(one, [bench.url]);
      const both = await flood(items, [bench.url, second.url]);
      const perIncident = await sql<{ external_id: string; events: number }>`
        select i.external_id, count(distinct c.event_id)::int as events
        from opinion_items i join opinion_clusters c on c.id = i.cluster_id
        where i.source = 'bench-probe' and i.external_id like 'probe-1000_%'
        group by i.external_id`.execute(core.db);
      const events = new Set(
        (
          await sql<{ e: number }>`
            select distinct c.event_id as e from opinion_items i join opinion_clusters c on c.id = i.cluster_id
            where i.source = 'bench-probe' and i.external_id like 'probe-1000_%' and c.event_id is not null`.execute(
            core.db,
          )
        ).rows.map((r) => r.e),
      );
      say('');
      say(
        `one node: ${single.rate.toFixed(0)} items/s; two nodes (same PostgreSQL, batches spread over both): ` +
          `${both.rate.toFixed(0)} items/s (${(both.rate / single.rate).toFixed(2)}×; realistic corpus earlier: ${realisticRate.toFixed(0)})`,
      );
      say(`  ${summary('/healthz of node 1 during the two-node flood', both.healthz)}`);
      say(
        `  10 incidents, each posted through both nodes: ${events.size} events ` +
          `(${perIncident.rows.filter((r) => r.events === 1).length} of ${perIncident.rows.length} reports in exactly one event)`,
      );
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
      rmSync(second.dataDir, { recursive: true, force: true });
    }
  }

  // 4. Memory: the whole process, analysis threads included.
  const mem = process.memoryUsage();
  const total = (
    await sql<{ n: number }>`select count(*)::int as n from opinion_items where status = 'analysed'`.execute(
      core.db,
    )
  ).rows[0]!.n;
  say('');
  say(
    `RSS after ${total} items: ${(mem.rss / 2 ** 20).toFixed(0)} MiB ` +
      `(JS heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB)`,
  );
  if (process.env.BENCH_DEBUG) {
    const rows = await sql`
      select i.external_id, i.cluster_id, i.duplicate_of, i.signal, c.event_id, c.items_count, left(i.content, 40) as c
      from opinion_items i left join opinion_clusters c on c.id = i.cluster_id
      where i.source = 'bench-probe' and i.external_id = any(${[...sentAt.keys()].map((k) => `probe-${k}`)}) order by i.id limit 10`.execute(
      core.db,
    );
    console.table(rows.rows);
  }
  await bench.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
