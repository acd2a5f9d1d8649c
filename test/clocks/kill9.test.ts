import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The real process: `src/main.ts` on an embedded PostgreSQL, killed with SIGKILL (app and
 * database, the whole process group) in the middle of a 5 h window, then started again.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'kill9-admin-pass';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startApp(dataDir: string, port: number): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL; // this test is about the embedded database
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: 'ignore',
    env: {
      ...env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      SWEEP_INTERVAL_SECONDS: '2',
    },
  });
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('platform did not become healthy');
}

async function session(base: string) {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const body = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: body.csrfToken };
}

it('a clock whose deadline passes while app and database are killed -9 breaches exactly once after restart', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gop-kill9-'));
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child = await startApp(dataDir, port);
  try {
    let s = await session(base);
    const detectedAt = new Date(Date.now() - 5 * 3_600_000 + 4000).toISOString();
    const res = await fetch(`${base}/api/opinion/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
      body: JSON.stringify({ title: '杀进程测试', detectedAt, severity: 'major', emergency: true }),
    });
    expect(res.status).toBe(201);
    const ev = (await res.json()) as { clocks: { id: number; kind: string }[] };
    const clockId = ev.clocks.find((c) => c.kind === 'initial_release')!.id;

    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 6000)); // the deadline passes while nothing runs
    child = await startApp(dataDir, port);
    await new Promise((r) => setTimeout(r, 3000));

    s = await session(base);
    const alerts = (await (
      await fetch(`${base}/api/alerts?type=clock.breached`, { headers: { cookie: s.cookie } })
    ).json()) as {
      alerts: { subject: { id: string } }[];
    };
    expect(alerts.alerts.filter((a) => a.subject.id === String(clockId))).toHaveLength(1);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    await new Promise((r) => setTimeout(r, 2500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);
