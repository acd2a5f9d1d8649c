import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type pg from 'pg';
import type { Config } from '../shared/config.js';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    flash?: { kind: 'ok' | 'error'; text: string };
  }
}

export const SESSION_COOKIE = 'gop.sid';

/**
 * The session middleware, with `close()` to stop the store's prune timer: left running, it keeps
 * the process (and Jest) alive after shutdown and queries a pool that has been ended.
 */
export function sessionMiddleware(pool: pg.Pool, config: Config) {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({ pool, tableName: 'user_sessions', pruneSessionInterval: 15 * 60 });
  const middleware = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      maxAge: 12 * 60 * 60 * 1000,
    },
  });
  return Object.assign(middleware, { close: () => store.close() });
}
