import { loadConfig, ConfigError } from './shared/config.js';
import { createLogger } from './shared/logger.js';
import { openDatabase } from './db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { migrateToLatest } from './db/migrate.js';
import { createPlatform } from './app.js';
import { bootstrap } from './bootstrap.js';

async function main(): Promise<void> {
  // `npm start` serves in production mode (compiled templates cached) unless told otherwise.
  process.env.NODE_ENV ??= 'production';
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const started = Date.now();

  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger, config.embeddedPgPort);
    url = embedded.url;
  }
  const database = openDatabase(url);
  const applied = await migrateToLatest(database.db);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const platform = await createPlatform({ config, database, logger });
  await bootstrap(platform.core, platform.scheduler);
  const port = await platform.listen(config.port, config.host);
  await platform.start();
  logger.info({ port, ms: Date.now() - started, embedded: embedded !== null }, 'platform ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await platform.close();
      await database.close();
      if (embedded) await embedded.stop();
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
    }
    process.exit(0);
  };
  // Order: stop accepting and drain (platform.close), close the pool, then the embedded server,
  // which runs in its own process group so a signal to ours does not stop it first.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void stop(sig));
}

main().catch((err: unknown) => {
  process.stderr.write(`启动失败 (startup failed): ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
