import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { RequestHandler, Response } from 'express';
import { SESSION_COOKIE } from '../auth/session.js';
import type { Logger } from '../shared/logger.js';
import type { PublicContent } from './content.js';
import { PublicLane } from './lane.js';

type Coding = 'br' | 'gzip' | 'identity';

interface Entry {
  version: string;
  /** The ETag without quotes and coding suffix: content version plus a hash of the URL. */
  tag: string;
  /** The page's own headers as rendered (content type, security headers), sent with every hit. */
  headers: OutgoingHttpHeaders;
  body: Record<Coding, Buffer>;
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
  /** The request id a response carries (the one request logging would have given it). */
  requestId(req: IncomingMessage, res: ServerResponse): string;
  logger: Logger;
  /** Milliseconds of cached answers per event-loop turn (see PublicLane); 0: answer at once. */
  laneBudgetMs: number;
}

/** Waiting renders beyond which a visitor is told to retry rather than queued. */
const MAX_QUEUE = 500;
const BUSY = '访问人数较多，请稍后刷新。';

/**
 * Headers of a rendered page that belong to one answer, not to the page: never replayed from the
 * cache (the cache sets its own validators, length and coding; a cookie is never shared).
 */
const PER_ANSWER = new Set([
  'x-request-id',
  'set-cookie',
  'cache-control',
  'etag',
  'last-modified',
  'vary',
  'content-length',
  'content-encoding',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
// Off the event loop (zlib's thread pool), once per page and content version.
const compress = async (html: string): Promise<Record<Coding, Buffer>> => {
  const identity = Buffer.from(html);
  const [gz, br] = await Promise.all([
    gzipAsync(identity, { level: 9 }),
    brotliAsync(identity, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 9,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  ]);
  return { identity, gzip: gz, br };
};

const hash = (s: string) => createHash('sha1').update(s).digest('base64url').slice(0, 16);
const SUFFIX: Record<Coding, string> = { br: '-br', gzip: '-gz', identity: '' };

/** The coding to answer an Accept-Encoding with: brotli, else gzip, else none (q=0 refuses). */
export function negotiate(header: string | undefined): Coding {
  if (!header) return 'identity';
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qp = params.find((p) => p.startsWith('q='));
    q.set(name, qp ? Number(qp.slice(2)) || 0 : 1);
  }
  const accepts = (c: string) => (q.get(c) ?? q.get('*') ?? 0) > 0;
  return accepts('br') ? 'br' : accepts('gzip') ? 'gzip' : 'identity';
}

/**
 * The public website's cache, in two parts.
 *
 * `serve`, ahead of Express (no request logging, helmet, compression, sessions or routing): for an
 * anonymous GET of a public page it answers a conditional GET whose ETag names the current content
 * version with 304 (the ETag is the version plus the URL, known without a query), or sends the
 * page rendered at this version from memory, pre-compressed, with the headers it was rendered
 * with. These answers go through a PublicLane, so a flood of them cannot delay staff requests by
 * more than a slice of the event loop. A cached hit is a 200 of a page already logged when it was
 * rendered, so it is not logged again (request logging took a third of the CPU per hit); anything
 * unexpected falls back to Express, which logs it.
 *
 * `middleware`, in the Express chain (after request logging and helmet, before sessions): the
 * rest. Signed-in staff (session cookie or Bearer token) see previews and clocks: never cached.
 * A page not in memory is rendered by its route once per URL at a time (single flight), at most
 * `concurrency` at once so a flood cannot take every database connection from staff, compressed
 * off the loop, and kept until the content version moves; every node moves with the NOTIFY.
 */
export function publicPageCache(content: PublicContent, opts: PublicPageOptions) {
  const cache = new Map<string, Entry>();
  const pending = new Map<string, Promise<Entry | null>>();
  const codings = new Map<string, Coding>();
  const lane = new PublicLane(opts.laneBudgetMs, 2000);
  const stats = { hits: 0, notModified: 0, rendered: 0, busy: 0 };
  let running = 0;
  const queue: (() => void)[] = [];
  // The security headers every page carries, for a 304 of a page this node has not rendered.
  let common: OutgoingHttpHeaders | null = null;
  content.onChange(() => cache.clear());

  const codingOf = (req: IncomingMessage): Coding => {
    const header = req.headers['accept-encoding'] ?? '';
    let c = codings.get(header);
    if (!c) {
      c = negotiate(header);
      if (codings.size < 100) codings.set(header, c);
    }
    return c;
  };
  const signedIn = (req: IncomingMessage) =>
    req.headers.authorization !== undefined || (req.headers.cookie?.includes(`${SESSION_COOKIE}=`) ?? false);
  const publicPage = (req: IncomingMessage): string | null => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return null;
    const url = req.url ?? '';
    if (url.length > 1000) return null;
    const q = url.indexOf('?');
    return opts.matches(q < 0 ? url : url.slice(0, q)) ? url : null;
  };
  /** Does the request already hold the page at `tag` (If-None-Match, else If-Modified-Since)? */
  const fresh = (req: IncomingMessage, tag: () => string) => {
    const inm = req.headers['if-none-match'];
    if (inm !== undefined) {
      const want = `"${tag()}"`;
      return inm.split(',').some(
        (t) =>
          t
            .trim()
            .replace(/^W\//, '')
            .replace(/-(gz|br)"$/, '"') === want,
      );
    }
    const ims = req.headers['if-modified-since'];
    return ims !== undefined && Date.parse(ims) >= content.lastModified.getTime();
  };
  const validators = (tag: string, coding: Coding): OutgoingHttpHeaders => ({
    'cache-control': `public, max-age=${opts.maxAge}`,
    etag: `"${tag}${SUFFIX[coding]}"`,
    'last-modified': content.lastModified.toUTCString(),
    vary: 'Accept-Encoding',
  });

  const sendPage = (req: IncomingMessage, res: ServerResponse, entry: Entry) => {
    const coding = codingOf(req);
    const body = entry.body[coding];
    res.writeHead(200, {
      ...entry.headers,
      ...validators(entry.tag, coding),
      ...(coding === 'identity' ? {} : { 'content-encoding': coding }),
      'content-length': body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  /**
   * 304 or the page rendered at the current version, on `res` (merged with whatever headers it
   * already has; `base` are those a 304 adds when the page is not in memory); false: neither.
   */
  const answer = (req: IncomingMessage, res: ServerResponse, base: OutgoingHttpHeaders | null): boolean => {
    const url = req.url!;
    const entry = cache.get(url);
    const hit = entry && entry.version === content.version ? entry : undefined;
    const tag = () => hit?.tag ?? `${content.version}-${hash(url)}`;
    if (fresh(req, tag)) {
      if (!hit && !base) return false;
      stats.notModified++;
      res.writeHead(304, { ...(hit?.headers ?? base), ...validators(tag(), codingOf(req)) });
      res.end();
      return true;
    }
    if (!hit) return false;
    stats.hits++;
    sendPage(req, res, hit);
    return true;
  };

  /**
   * The front, for `http.createServer`: true when the request is taken (answered now or soon from
   * memory); `fallback` gets it when the content moved while it waited in the lane.
   */
  const serve = (
    req: IncomingMessage,
    res: ServerResponse,
    fallback: (req: IncomingMessage, res: ServerResponse) => void,
  ): boolean => {
    const url = publicPage(req);
    if (url === null || signedIn(req)) return false;
    const entry = cache.get(url);
    if (
      !(entry && entry.version === content.version) &&
      !(common && fresh(req, () => `${content.version}-${hash(url)}`))
    )
      return false;
    const job = () => {
      try {
        res.setHeader('x-request-id', opts.requestId(req, res));
        if (!answer(req, res, common)) fallback(req, res);
      } catch (err) {
        opts.logger.error({ err, url }, 'public page cache');
        if (!res.headersSent) fallback(req, res);
        else res.destroy();
      }
    };
    if (!lane.run(job)) {
      stats.busy++;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
      res.end(BUSY);
    }
    return true;
  };

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
    if (!publicPage(req)) return next();
    if (signedIn(req)) {
      res.setHeader('Cache-Control', 'private, no-cache');
      return next();
    }
    const url = req.originalUrl;
    // A 304 the front could not give (no page rendered here yet): helmet's headers are on `res`.
    if (answer(req, res, {})) return;
    const version = content.version;
    const send = (entry: Entry) => sendPage(req, res, entry);

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
      stats.busy++;
      res.setHeader('Retry-After', '1');
      res.status(503).type('text/plain; charset=utf-8').send(BUSY);
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
        const headers: OutgoingHttpHeaders = { 'content-type': 'text/html; charset=utf-8' };
        for (const [k, v] of Object.entries(res.getHeaders())) if (!PER_ANSWER.has(k)) headers[k] = v;
        compress(html).then(
          (body) => {
            stats.rendered++;
            const entry: Entry = { version, tag: `${version}-${hash(url)}`, headers, body };
            const { 'content-type': _, ...security } = headers;
            common = security;
            if (content.version === version) store(url, entry);
            settle(entry);
            if (!res.headersSent) send(entry);
          },
          (err: unknown) => {
            settle(null);
            next(err);
          },
        );
      });
      next();
    });
  };

  return {
    serve,
    middleware,
    clear: () => cache.clear(),
    size: () => cache.size,
    stats: () => ({ ...stats, queued: lane.length }),
  };
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
