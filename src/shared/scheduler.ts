import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type pg from 'pg';
import type { Logger } from './logger.js';

export type Scheduler = Agenda;

/**
 * Agenda on PostgreSQL. The scheduler is at-least-once: every job handler must be idempotent
 * (clock thresholds are keyed per clock and threshold, so a double run cannot double an alert).
 */
export function createScheduler(pool: pg.Pool, logger: Logger, name: string): Agenda {
  const backend = new PostgresBackend({ pool });
  const agenda = new Agenda({
    backend,
    name,
    processEvery: '1 second',
    defaultLockLifetime: 60_000,
    maxConcurrency: 50,
    defaultConcurrency: 20,
    removeOnComplete: true,
  });
  agenda.on('error', (err: unknown) => logger.error({ err }, 'scheduler error'));
  // The backend's LISTEN channel reports a dropped connection as an 'error' event and reconnects
  // by itself; without a listener that event would throw and bring the whole process down.
  // Once stopping, the channel may still see the database go away during an orderly shutdown:
  // that is expected, not a fault worth a warning.
  let stopping = false;
  backend.notificationChannel?.on('error', (err: unknown) =>
    stopping
      ? logger.debug({ err }, 'scheduler notification channel closed during shutdown')
      : logger.warn({ err }, 'scheduler notification channel error; reconnecting'),
  );
  const stop = agenda.stop.bind(agenda);
  agenda.stop = async () => {
    stopping = true;
    return stop();
  };
  return agenda;
}
