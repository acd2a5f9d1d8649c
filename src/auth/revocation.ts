import { sql } from 'kysely';
import type { Executor } from '../db/database.js';

/**
 * Changes that take authority away from live connections (a user disabled, re-roled or given a
 * new password, a token revoked, a session ended) are announced on this channel when they
 * commit. Every node LISTENs on it through the alert feed's connection and disconnects the
 * sockets that still hold the old identity, so no socket outlives the HTTP authority it came with.
 */
export const PRINCIPAL_CHANNEL = 'principal_changed';

export type PrincipalKey = `user:${number}` | `token:${number}` | `session:${string}`;

/** In a transaction the notice is delivered on commit, never for a rolled-back change. */
export async function announcePrincipalChange(db: Executor, key: PrincipalKey): Promise<void> {
  await sql`select pg_notify(${PRINCIPAL_CHANNEL}, ${key})`.execute(db);
}

/**
 * Deletes every stored session of the user except `keepSid` (the one that asked for the change,
 * if it is the user's own). Returns how many ended.
 */
export async function endOtherSessions(db: Executor, userId: number, keepSid?: string): Promise<number> {
  // user_sessions belongs to connect-pg-simple, outside the typed schema.
  const res = await sql`
    delete from user_sessions
    where sess->>'userId' = ${String(userId)} and sid is distinct from ${keepSid ?? null}`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}

/**
 * The stored session as a socket re-checks it: its user and CSRF token, if it still lives.
 * Expiry is the session store's own (wall-clock) business, as connect-pg-simple compares it.
 */
export async function liveSession(
  db: Executor,
  sid: string,
): Promise<{ userId: number | undefined; csrfToken: string | undefined } | null> {
  const { rows } = await sql<{ sess: unknown }>`
    select sess from user_sessions where sid = ${sid} and expire > now()`.execute(db);
  const raw = rows[0]?.sess;
  if (raw === undefined) return null;
  const sess = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { userId?: unknown; csrfToken?: unknown };
  return {
    userId: typeof sess.userId === 'number' ? sess.userId : undefined,
    csrfToken: typeof sess.csrfToken === 'string' ? sess.csrfToken : undefined,
  };
}
