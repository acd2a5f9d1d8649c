import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Issue 10 row 11: the real `src/main.ts` on its embedded PostgreSQL, stopped the way systemd
 * and terminals do it — a signal to the whole process group — shuts down in order (stop
 * accepting, drain, close the pool, then the database) and exits 0 with no error logged.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function runAndSignal(dataDir: string, signal: NodeJS.Signals, group = true) {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_PASSWORD: 'shutdown-pass-1',
      LOG_LEVEL: 'info',
    },
  });
  let log = '';
  child.stdout.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  try {
    let healthy = false;
    for (let i = 0; i < 300 && !healthy; i++) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy).toBe(true);
    // Some work in flight when the signal arrives: sign-ins hash with argon2 and write the audit log.
    const inflight = Array.from({ length: 4 }, () =>
      fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'shutdown-pass-1' }),
      }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    process.kill(group ? -child.pid! : child.pid!, signal);
    const result = await exited;
    await Promise.all(inflight);
    return { ...result, log };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

const errorsIn = (log: string) =>
  log
    .split('\n')
    .filter((l) => /"level":(50|60)|57P01|Unhandled|uncaught|ERROR|FATAL/i.test(l) && !/"level":30/.test(l));

it.each([
  ['SIGTERM', true],
  ['SIGINT', true],
  ['SIGTERM', false],
] as const)(
  '%s (to the whole process group: %s): orderly shutdown, exit 0, no error in the log',
  async (signal, group) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gop-shutdown-'));
    chmodSync(dataDir, 0o755);
    try {
      const first = await runAndSignal(dataDir, signal, group);
      expect({ code: first.code, signal: first.signal, errors: errorsIn(first.log) }).toEqual({
        code: 0,
        signal: null,
        errors: [],
      });
      expect(first.log).toContain('shutting down');
      if (signal === 'SIGTERM' && group) {
        // The database stopped cleanly: the next start finds no stale pid file or orphan.
        const second = await runAndSignal(dataDir, signal, group);
        expect(second.code).toBe(0);
        expect(second.log).not.toContain('stale postmaster.pid');
        expect(second.log).not.toContain('orphaned');
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
  180_000,
);
