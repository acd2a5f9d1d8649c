import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Config } from '../shared/config.js';
import { HttpProblem } from '../shared/errors.js';

/**
 * Whether a request may act on the platform from where it was sent: from the platform's own pages
 * (same host as the request's `Host`) or from an origin listed in ALLOWED_ORIGINS.
 *
 * Browsers say where a request comes from in `Sec-Fetch-Site`, whatever the referrer policy; our
 * pages send `Referrer-Policy: no-referrer`, under which a same-origin form POST carries
 * `Origin: null`, so that header decides first. Without it (older browsers, scripts) `Origin`
 * decides: browsers send it on every WebSocket handshake and cross-origin request, and a request
 * with neither header comes from a script or crawler, which cannot ride on a victim's cookies.
 */
export function originAllowed(
  req: Pick<IncomingMessage, 'headers'>,
  config: Pick<Config, 'allowedOrigins'>,
): boolean {
  const origin = req.headers.origin;
  const listed = origin !== undefined && config.allowedOrigins.includes(origin.toLowerCase());
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin' || site === 'none') return true;
  if (site === 'same-site' || site === 'cross-site') return listed;
  if (origin === undefined) return true;
  if (listed) return true;
  try {
    // "null" (sandboxed frames, privacy redirects) does not parse and is refused.
    return new URL(origin).host === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

/** Refuses state changes sent from a foreign page (login CSRF: no session token exists yet). */
export function requireOwnOrigin(config: Pick<Config, 'allowedOrigins'>): RequestHandler {
  return (req, _res, next) => {
    if (!originAllowed(req, config))
      throw new HttpProblem(403, '禁止访问', '请求来自其他网站，已拒绝；请直接打开本平台的登录页');
    next();
  };
}
