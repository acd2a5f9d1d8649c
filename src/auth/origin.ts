import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Config } from '../shared/config.js';
import { HttpProblem } from '../shared/errors.js';

/**
 * Whether a request's `Origin` may act on the platform: its own origin (same host as the request's
 * `Host`) or one listed in ALLOWED_ORIGINS. Browsers send `Origin` on every WebSocket handshake,
 * cross-origin request and form POST; a request without one comes from a script, a crawler or a
 * same-origin GET, none of which can ride on a victim's cookies, so it is accepted.
 */
export function originAllowed(req: Pick<IncomingMessage, 'headers'>, config: Pick<Config, 'allowedOrigins'>) {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let host: string;
  try {
    // "null" (sandboxed frames, some redirects) fails to parse and is refused.
    host = new URL(origin).host;
  } catch {
    return false;
  }
  if (host && host === (req.headers.host ?? '').toLowerCase()) return true;
  return config.allowedOrigins.includes(origin.toLowerCase());
}

/** Refuses state changes sent from a foreign page (login CSRF: no session token exists yet). */
export function requireOwnOrigin(config: Pick<Config, 'allowedOrigins'>): RequestHandler {
  return (req, _res, next) => {
    if (!originAllowed(req, config))
      throw new HttpProblem(403, '禁止访问', '请求来自其他网站，已拒绝；请直接打开本平台的登录页');
    next();
  };
}
