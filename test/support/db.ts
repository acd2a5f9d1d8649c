import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';

function serverUrl(): string {
  const url = process.env.GOP_TEST_SERVER_URL;
  if (!url) throw new Error('test database server not set up (globalSetup did not run)');
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(serverUrl(), 'postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase extends DatabaseHandle {
  name: string;
  drop(): Promise<void>;
}

/** A private, migrated database for one test file, cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `gop_t_${randomBytes(6).toString('hex')}`;
  const template = process.env.GOP_TEST_TEMPLATE!;
  await admin((c) => c.query(`create database ${name} template ${template}`));
  const handle = openDatabase(withDatabase(serverUrl(), name), 10);
  return {
    ...handle,
    name,
    async drop() {
      await handle.close();
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
