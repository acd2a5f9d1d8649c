import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';
import { SESSION_COOKIE } from '../auth/session.js';
import type { PublicContent } from './content.js';

interface Entry {
  version: string;
  body: Buffer;
  gzip: Buffer;
  contentType: string;
}

export interface PublicPageOptions {
  /** Cache-Control max-age, seconds. */
  maxAge: number;
  /** Rendered pages kept (least recently used dropped first); 0 turns the memory cache off. */
  entries: number;
  /** Public pages rendered at once; more wait in line (and beyond a long line get 503). */
  concurrency: number;
  /** Which paths are public pages. */
  matches(path: string): boolean;
}

/** Waiting renders beyond which a visitor is told to retry rather than queued. */
const MAX_QUEUE = 500;

const hash = (s: string) => createHash('sha1').update(s).digest('base64url').slice(0, 16);
const acceptsGzip = (req: Request) =>
  /\bgzip\b(?!\s*;\s*q=0(\.0*)?\b)/.test(req.headers['accept-encoding'] ?? '');

/**
 * The public website's fast path, mounted before sessions and body parsing. For anonymous GETs
 * of public pages:
 *  - a conditional GET whose ETag names the current content version is answered 304 at once,
 *    without a query or a render (the ETag is the version plus the URL, so it is known up front);
 *  - a page rendered at this version is sent from memory, gzipped once;
 *  - otherwise the route renders it (one render per URL at a time, at most `concurrency` at
 *    once, so a flood cannot take every database connection from staff), and the result is kept
 *    until the content version moves.
 * Signed-in staff (session cookie or Bearer token) see previews and clocks: never cached.
 */
export function publicPageCache(content: PublicContent, opts: PublicPageOptions) {
  const cache = new Map<string, Entry>();
  const pending = new Map<string, Promise<Entry | null>>();
  let running = 0;
  const queue: (() => void)[] = [];
  content.onChange(() => cache.clear());

  const acquire = (): Promise<void> | null => {
    if (running < opts.concurrency) {
      running++;
      return Promise.resolve();
    }
    if (queue.length >= MAX_QUEUE) return null;
    return new Promise((resolve) => queue.push(resolve));
  };
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else running--;
  };

  const store = (url: string, entry: Entry) => {
    if (!opts.entries) return;
    cache.delete(url);
    cache.set(url, entry);
    if (cache.size > opts.entries) cache.delete(cache.keys().next().value!);
  };

  const middleware: RequestHandler = (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !opts.matches(req.path)) return next();
    if (req.headers.authorization || req.headers.cookie?.includes(`${SESSION_COOKIE}=`)) {
      res.setHeader('Cache-Control', 'private, no-cache');
      return next();
    }
    const url = req.originalUrl;
    if (url.length > 1000) return next();
    const version = content.version;
    const gz = acceptsGzip(req);
    const tag = `${version}-${hash(url)}`;
    const etag = `"${tag}${gz ? '-gz' : ''}"`;
    const cacheHeaders = () => {
      res.setHeader('Cache-Control', `public, max-age=${opts.maxAge}`);
      res.setHeader('ETag', etag);
      res.setHeader('Last-Modified', content.lastModified.toUTCString());
      res.setHeader('Vary', 'Accept-Encoding');
    };

    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const fresh =
      inm !== undefined
        ? inm.split(',').some((t) => t.trim().replace(/^W\//, '').replace(/-gz"$/, '"') === `"${tag}"`)
        : ims !== undefined && Date.parse(ims) >= content.lastModified.getTime();
    if (fresh) {
      cacheHeaders();
      res.status(304).end();
      return;
    }

    const send = (entry: Entry) => {
      const body = gz ? entry.gzip : entry.body;
      res.status(200);
      cacheHeaders();
      res.setHeader('Content-Type', entry.contentType);
      if (gz) res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const hit = cache.get(url);
    if (hit && hit.version === version) return send(hit);

    // Someone is rendering this very page: wait for it instead of rendering it again.
    const inflight = pending.get(url);
    if (inflight) {
      inflight.then(
        (entry) => (entry && entry.version === version ? send(entry) : next()),
        () => next(),
      );
      return;
    }

    const slot = acquire();
    if (!slot) {
      res.setHeader('Retry-After', '1');
      res.status(503).type('text/plain; charset=utf-8').send('访问人数较多，请稍后刷新。');
      return;
    }
    let settle: (e: Entry | null) => void = () => undefined;
    const rendered = new Promise<Entry | null>((resolve) => (settle = resolve));
    pending.set(url, rendered);
    // A slot is held from its grant until the answer is sent; a visitor gone while waiting
    // hands the slot back as soon as it is granted.
    let state: 'waiting' | 'running' | 'gone' = 'waiting';
    res.once('close', () => {
      if (state === 'running') release();
      state = 'gone';
      if (pending.get(url) === rendered) pending.delete(url);
      settle(null);
    });
    void slot.then(() => {
      if (state === 'gone') return release();
      state = 'running';
      captureRender(res, (html) => {
        const entry: Entry = {
          version,
          body: Buffer.from(html),
          gzip: gzipSync(html),
          contentType: 'text/html; charset=utf-8',
        };
        if (content.version === version) store(url, entry);
        settle(entry);
        send(entry);
      });
      next();
    });
  };

  return { middleware, clear: () => cache.clear(), size: () => cache.size };
}

/** Routes call `res.render(view, locals)`; a 200 page is handed to `done` instead of being sent. */
function captureRender(res: Response, done: (html: string) => void): void {
  const original = res.render.bind(res);
  res.render = ((view: string, options?: object) => {
    original(view, options ?? {}, (err: Error | null, html: string) => {
      if (err) return res.req.next?.(err);
      if (res.statusCode !== 200) return res.send(html);
      done(html);
    });
  }) as Response['render'];
}
