import type { Core } from '../../src/context.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { systemClock } from '../../src/shared/clock.js';
import { openDatabase } from '../../src/db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * Runs a command-line tool against the platform's database exactly as `npm start` finds it
 * (DATABASE_URL, else the embedded PostgreSQL in DATA_DIR — which must not be in use by a running
 * platform), migrated, and closes everything afterwards.
 */
export async function withCore<T>(fn: (core: Core) => Promise<T>, poolSize = 4): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger, config.embeddedPgPort);
    url = embedded.url;
  }
  const database = openDatabase(url, poolSize);
  try {
    await migrateToLatest(database.db);
    return await fn({
      config,
      db: database.db,
      pool: database.pool,
      databaseUrl: url,
      logger,
      clock: systemClock,
    });
  } finally {
    await database.close();
    if (embedded) await embedded.stop();
  }
}
