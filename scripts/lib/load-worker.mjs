/**
 * Load generator for `npm run bench:public`, run in a worker thread so its event loop is not the
 * server's. Two modes:
 *  - flood: `connections` keep-alive connections each sending GET `path` back to back for
 *    `seconds`; reports completed requests, status counts and every latency.
 *  - probe: one request at a time every `intervalMs` (a staff member clicking), for `seconds`.
 * A 'stop' message from the parent ends either early (a phase of unknown length).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const { mode, url, paths, headers = {}, connections = 1, seconds, intervalMs = 0 } = workerData;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
let deadline = Date.now() + seconds * 1000;
parentPort.once('message', (m) => {
  if (m === 'stop') deadline = 0;
});
const latencies = [];
const statuses = {};
let errors = 0;
let bytes = 0;

function once(path) {
  return new Promise((resolve) => {
    const t0 = performance.now();
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
}

async function loop(i) {
  let n = i;
  while (Date.now() < deadline) {
    await once(paths[n++ % paths.length]);
    if (intervalMs) await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: mode === 'probe' ? 1 : connections }, (_, i) => loop(i)));
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
parentPort.postMessage({ latencies, statuses, errors, bytes, elapsed });
parentPort.close();
