import type pg from 'pg';
import type { Config } from './shared/config.js';
import type { Db } from './db/database.js';
import type { Logger } from './shared/logger.js';
import type { Clock } from './shared/clock.js';

/** Shared plumbing every domain service receives. */
export interface Core {
  config: Config;
  db: Db;
  pool: pg.Pool;
  databaseUrl: string;
  logger: Logger;
  clock: Clock;
}
