import type { RequestHandler } from 'express';
import type { Db } from '../db/database.js';
import type { Clock } from '../shared/clock.js';
import { HttpProblem } from '../shared/errors.js';
import type { Principal } from './principal.js';
import { principalFromToken } from './tokens.js';
import { loadUserPrincipal } from './users.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      principal?: Principal;
      /** True when the principal came from a Bearer token (exempt from CSRF). */
      viaBearer?: boolean;
    }
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

/** Resolves the caller from `Authorization: Bearer` or the session; never rejects by itself. */
export function authenticate(db: Db, clock: Clock): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token) {
      const p = await principalFromToken(db, clock, token);
      if (!p) throw HttpProblem.unauthorized('令牌无效或已吊销');
      req.principal = p;
      req.viaBearer = true;
      return next();
    }
    const userId = req.session?.userId;
    if (userId) {
      const p = await loadUserPrincipal(db, userId);
      if (p) req.principal = p;
      else delete req.session.userId;
    }
    next();
  };
}

export const requireLogin: RequestHandler = (req, _res, next) => {
  if (!req.principal) throw HttpProblem.unauthorized();
  next();
};

/** For pages: send anonymous visitors to /login and come back afterwards. */
export const requirePageLogin: RequestHandler = (req, res, next) => {
  if (req.principal?.kind === 'user') return next();
  res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
};
