import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedClockReferenceData } from '../../src/clocks/capability.js';
import { createLogger } from '../../src/shared/logger.js';

const TEMPLATE = 'gop_test_template';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * One PostgreSQL for the whole run: embedded (fresh, in a temp dir) unless DATABASE_URL is set.
 * A migrated template database is built once; each test file clones it into its own database.
 */
export async function setupTestDatabase(): Promise<() => Promise<void>> {
  let stopEmbedded = async () => undefined as void;
  const logger = createLogger('warn');
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gop-test-pg-'));
    const embedded = await startEmbeddedPostgres(dir, logger);
    stopEmbedded = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    serverUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE}`);
  await admin.query(`create database ${TEMPLATE}`);
  await admin.end();
  const handle = openDatabase(withDatabase(serverUrl, TEMPLATE), 2);
  await migrateToLatest(handle.db);
  // Reference data every platform loads at start, seeded once into the template to keep files fast.
  await seedClockReferenceData(handle.db);
  await handle.close();
  process.env.GOP_TEST_SERVER_URL = serverUrl;
  process.env.GOP_TEST_TEMPLATE = TEMPLATE;
  return stopEmbedded;
}
