/**
 * Load generator for `npm run bench:public` and `bench:ingest`. It runs either as a worker thread
 * (job in `workerData`, result posted to the parent) or as a child process started with `fork`
 * (job as the first message, result sent back), so its event loop is never the server's; as a
 * process its CPU is also its own, which bench:public reports apart from the server's. Modes:
 *  - flood: `connections` keep-alive connections each sending GET `path` back to back for
 *    `seconds` (closed loop: as fast as the server answers);
 *  - rate: `rate` requests per second offered on a fixed schedule over up to `connections`
 *    connections (open loop); a latency counts from the scheduled time, so a stalled server is
 *    not hidden by requests it delayed;
 *  - probe: one request at a time every `intervalMs` (a staff member clicking), for `seconds`;
 *  - each: every path once, over `connections` connections (a warm-up that renders every page).
 * A 'stop' message from the parent ends any of them early (a phase of unknown length).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

let deadline = Infinity;

async function job({ mode, url, paths, headers = {}, connections = 1, seconds, intervalMs = 0, rate = 0 }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  deadline = Math.min(deadline, Date.now() + seconds * 1000);
  const latencies = [];
  const statuses = {};
  let errors = 0;
  let bytes = 0;

  const once = (path, t0 = performance.now()) =>
    new Promise((resolve) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path, method: 'GET', agent, headers },
        (res) => {
          res.on('data', (c) => (bytes += c.length));
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });

  async function loop(i) {
    let n = i;
    while (Date.now() < deadline) {
      await once(paths[n++ % paths.length]);
      if (intervalMs) await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  async function offered() {
    const start = performance.now();
    const inflight = new Set();
    let sent = 0;
    while (Date.now() < deadline) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      for (; sent < due; sent++) {
        const p = once(paths[sent % paths.length], start + (sent / rate) * 1000);
        inflight.add(p);
        void p.then(() => inflight.delete(p));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inflight);
  }

  async function each() {
    let next = 0;
    const worker = async () => {
      while (next < paths.length && Date.now() < deadline) await once(paths[next++]);
    };
    await Promise.all(Array.from({ length: connections }, worker));
  }

  const cpu0 = process.cpuUsage();
  const started = performance.now();
  if (mode === 'rate') await offered();
  else if (mode === 'each') await each();
  else await Promise.all(Array.from({ length: mode === 'probe' ? 1 : connections }, (_, i) => loop(i)));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  // In a worker thread this is the whole process's CPU: meaningful only for a child process.
  return { latencies, statuses, errors, bytes, elapsed, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

if (parentPort) {
  parentPort.on('message', (m) => {
    if (m === 'stop') deadline = 0;
  });
  parentPort.postMessage(await job(workerData));
  parentPort.close();
} else {
  let started = false;
  process.on('message', async (m) => {
    if (m === 'stop') deadline = 0;
    else if (!started) {
      started = true;
      const result = await job(m);
      process.send(result, () => process.exit(0));
    }
  });
}
