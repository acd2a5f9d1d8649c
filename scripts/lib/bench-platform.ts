import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { openDatabase } from '../../src/db/database.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createPlatform, type Platform } from '../../src/app.js';
import { bootstrap } from '../../src/bootstrap.js';

export interface BenchPlatform {
  platform: Platform;
  url: string;
  close(): Promise<void>;
}

/**
 * A whole platform on a throw-away database for benchmarks: a fresh embedded PostgreSQL in a
 * temp dir, or a fresh database on DATABASE_URL's server when that is set.
 */
export async function startBenchPlatform(env: Record<string, string> = {}): Promise<BenchPlatform> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gop-bench-'));
  chmodSync(dataDir, 0o755);
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  let stopDb = async () => undefined as void;
  let url = process.env.DATABASE_URL;
  if (url) {
    const name = `gop_bench_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const server = url;
    const u = new URL(url);
    u.pathname = `/${name}`;
    url = u.toString();
    stopDb = async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  } else {
    const embedded = await startEmbeddedPostgres(dataDir, logger);
    url = embedded.url;
    stopDb = () => embedded.stop();
  }
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bench-admin-pass',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...env,
  });
  const database = openDatabase(url, 30);
  await migrateToLatest(database.db);
  const platform = await createPlatform({ config, database, logger });
  await bootstrap(platform.core, platform.scheduler);
  const port = await platform.listen(0, '127.0.0.1');
  await platform.start();
  return {
    platform,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await platform.close();
      await database.close();
      await stopDb();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summary(label: string, values: number[], unit = 'ms'): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1);
  return `${label}: n=${s.length} p50=${f(percentile(s, 50))}${unit} p99=${f(percentile(s, 99))}${unit} max=${f(s[s.length - 1] ?? NaN)}${unit}`;
}
