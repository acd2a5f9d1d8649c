import pg from 'pg';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import type { Database } from './schema.js';

// int8 (bigserial ids, counts) fits a JS number for every value this platform produces.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// `date` columns are calendar dates, not instants: keep them as 'YYYY-MM-DD' strings.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;
/** A transaction: what every write that must commit with its audit record and alert takes. */
export type Trx = Transaction<Database>;
/** Either: for reads that run alone or inside a caller's transaction. */
export type Executor = Db | Trx;

export interface DatabaseHandle {
  db: Db;
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

export function openDatabase(url: string, max = 20): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'gov-opinion' });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url,
    close: async () => {
      await db.destroy();
    },
  };
}
