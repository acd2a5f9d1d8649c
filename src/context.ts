import type pg from 'pg';
import type { Config } from './shared/config.js';
import type { Db } from './db/database.js';
import type { Logger } from './shared/logger.js';
import type { Clock } from './shared/clock.js';
import type { PublicContent } from './site/content.js';

/** Shared plumbing every domain service receives. */
export interface Core {
  config: Config;
  db: Db;
  pool: pg.Pool;
  databaseUrl: string;
  logger: Logger;
  clock: Clock;
  /** Version of the public website's content (caches, ETags); set by the platform. */
  publicContent?: PublicContent;
}
