import http from 'node:http';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import querystring from 'node:querystring';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { csrfSync } from 'csrf-sync';
import { Server as IoServer } from 'socket.io';
import type { Core } from './context.js';
import type { Config } from './shared/config.js';
import type { DatabaseHandle } from './db/database.js';
import type { Logger } from './shared/logger.js';
import { systemClock, type Clock } from './shared/clock.js';
import { HttpProblem, notFoundHandler, problemHandler } from './shared/errors.js';
import { cleanBody, cleanInput } from './shared/validation.js';
import { createScheduler, type Scheduler } from './shared/scheduler.js';
import { sessionMiddleware } from './auth/session.js';
import { authenticate } from './auth/authenticate.js';
import { originAllowed } from './auth/origin.js';
import { setupViews, pageLocals, PUBLIC_DIR } from './web/views.js';
import { registerPage } from './web/nav.js';
import { AlertsService } from './alerts/service.js';
import { AlertFeed } from './alerts/feed.js';
import type { Capability, PlatformParts } from './capability.js';
import { authCapability } from './auth/capability.js';
import { accountsCapability } from './accounts/capability.js';
import { auditCapability } from './audit/capability.js';
import { alertsCapability } from './alerts/capability.js';
import { calendarCapability } from './calendar/capability.js';
import { consoleCapability } from './console/capability.js';
import { clocksCapability } from './clocks/capability.js';
import { homeCapability } from './home/capability.js';
import { eventsCapability } from './events/capability.js';
import { reportsCapability } from './reports/capability.js';
import { accountabilityCapability } from './accountability/capability.js';
import { opinionCapability } from './opinion/capability.js';
import { policiesCapability } from './policies/capability.js';
import { pageMultipart } from './files/upload.js';
import { disclosureCapability } from './disclosure/capability.js';
import { siteCapability } from './site/capability.js';
import { PublicContent } from './site/content.js';
import { publicPageCache } from './site/page-cache.js';
import compression from 'compression';

/** Page routes that take a file from a plain HTML form (no JavaScript). */

export interface PlatformOptions {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  clock?: Clock;
  /** Distinguishes scheduler instances sharing one database (several app nodes, tests). */
  instanceName?: string;
}

export interface Platform {
  core: Core;
  app: Express;
  server: http.Server;
  io: IoServer;
  scheduler: Scheduler;
  alerts: AlertsService;
  feed: AlertFeed;
  capabilities: Capability[];
  /** The public website's page cache (its counters show which answers came from memory). */
  publicPages: Pick<ReturnType<typeof publicPageCache>, 'stats' | 'size'>;
  /** Starts timers and background work; the HTTP server is started separately by `listen`. */
  start(): Promise<void>;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
  isReady(): boolean;
}

/** The caller's X-Request-Id when it is a sane one, else a new id. */
function requestId(req: http.IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

export async function createPlatform(opts: PlatformOptions): Promise<Platform> {
  const { config, database, logger } = opts;
  const core: Core = {
    config,
    db: database.db,
    pool: database.pool,
    databaseUrl: database.url,
    logger,
    clock: opts.clock ?? systemClock,
  };
  const publicContent = new PublicContent(core);
  core.publicContent = publicContent;
  const instanceName = opts.instanceName ?? `node-${process.pid}`;
  const scheduler = createScheduler(database.pool, logger, instanceName);
  let schedulerRunning = false;
  const alerts = new AlertsService(core);
  const feed = new AlertFeed(core);
  feed.on('publicContent', (payload) => publicContent.notified(payload));
  // Changes committed while the LISTEN connection was down sent no notification: re-read.
  feed.on('reconnected', () => {
    publicContent.refresh().catch((err: unknown) => logger.warn({ err }, 'public content version'));
  });

  const pageCache = publicPageCache(publicContent, {
    maxAge: config.publicCacheSeconds,
    entries: config.publicCacheEntries,
    concurrency: config.publicRenderConcurrency,
    matches: (p) => /^\/(policies(\/\d+)?|interpretations\/\d+|concerns(\/\d+)?)$/.test(p),
    requestId,
    logger,
    laneBudgetMs: config.publicLaneMs,
  });

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy) app.set('trust proxy', 1);
  // Express 5's "simple" parser, with every value cleaned of what PostgreSQL cannot store.
  app.set('query parser', (str: string) => cleanInput(querystring.parse(str)));
  setupViews(app);
  // Explicit, not from process.env at require time: production caches compiled templates.
  app.set('env', config.nodeEnv);
  app.set('view cache', config.nodeEnv === 'production');
  // Every page names the government it serves (public site header and footer, page titles).
  app.locals.siteName = config.siteName;

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = requestId(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'img-src': ["'self'", 'data:'],
          'upgrade-insecure-requests': null,
        },
      },
      strictTransportSecurity: config.cookieSecure,
    }),
  );

  app.get('/healthz', async (_req, res) => {
    try {
      await database.pool.query('select 1');
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'down' });
      return;
    }
    if (!schedulerRunning) {
      res.status(503).json({ status: 'starting', scheduler: 'down' });
      return;
    }
    res.json({ status: 'ok' });
  });

  // gzip/brotli for pages, JSON and static text; cached public pages arrive already gzipped.
  app.use(compression());
  app.use('/static', express.static(PUBLIC_DIR, { maxAge: '1h', index: false }));
  // Anonymous visitors of the public website: pages in memory are answered by `pageCache.serve`
  // ahead of Express (below, at the server); the others here, before sessions and parsers.
  app.use(pageCache.middleware);
  // Browsers ask for /favicon.ico whatever the page links; answer with the one icon.
  app.get('/favicon.ico', (_req, res) => res.redirect(301, '/static/favicon.svg'));

  const session = sessionMiddleware(database.pool, config);
  app.use(session);
  app.use(
    express.json({
      limit: '6mb',
      strict: true,
      // A crawler that sends GBK (or Latin-1) bytes as UTF-8 would otherwise have them stored as
      // U+FFFD garbage and analysed as such: refuse the body, so the sender learns and resends.
      verify: (_req, _res, body) => {
        if (!isUtf8(body))
          throw HttpProblem.badRequest(
            '请求体不是合法的 UTF-8 编码：GBK 等编码的文本须先转换为 UTF-8 再提交',
          );
      },
    }),
  );
  app.use(express.urlencoded({ extended: true, limit: '1mb', parameterLimit: 2000 }));
  app.use(cleanBody);
  app.use(authenticate(core.db, core.clock));

  const { csrfSynchronisedProtection } = csrfSync({
    getTokenFromRequest: (req) => {
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const field = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof field === 'string' ? field : undefined;
    },
    // Only a signed-in cookie session carries authority worth forging; Bearer calls carry none.
    skipCsrfProtection: (req) => req.viaBearer === true || !req.session?.userId,
    errorConfig: { statusCode: 403, message: 'CSRF 令牌缺失或无效', code: 'EBADCSRFTOKEN' },
  });
  app.use((req, res, next) => {
    const check = () =>
      csrfSynchronisedProtection(req, res, (err?: unknown) => {
        if (err) return next(new HttpProblem(403, '禁止访问', 'CSRF 令牌缺失或无效，请刷新页面后重试'));
        next();
      });
    // An upload form posted without JavaScript carries its token inside the multipart body, which
    // only multer reads: on these page routes the body is parsed first, then checked. A refused
    // file (too large) is handed to the route, which reports it on the page.
    const multipart = req.method === 'POST' && req.is('multipart/form-data') ? pageMultipart(req.path) : null;
    if (multipart) {
      multipart(req, res, (err?: unknown) => {
        if (err) res.locals.uploadError = err;
        check();
      });
      return;
    }
    check();
  });
  app.use(pageLocals(core.clock));

  const server = http.createServer((req, res) => {
    if (!pageCache.serve(req, res, app)) app(req, res);
  });
  server.requestTimeout = 60_000;
  const io = new IoServer(server, {
    serveClient: true,
    cors: { origin: false },
    // WebSockets have no CORS: a foreign page could otherwise ride on the user's cookie.
    allowRequest: (req, cb) => cb(null, originAllowed(req, config)),
  });

  const parts: PlatformParts = { core, scheduler, alerts, feed, io, session };
  // One line per capability; each owns its routes, pages, jobs and workers.
  const capabilities: Capability[] = [
    authCapability(parts),
    accountsCapability(parts),
    auditCapability(parts),
    alertsCapability(parts),
    consoleCapability(parts),
    calendarCapability(parts),
    homeCapability(parts),
    clocksCapability(parts),
    eventsCapability(parts),
    reportsCapability(parts),
    accountabilityCapability(parts),
    opinionCapability(parts),
    policiesCapability(parts),
    disclosureCapability(parts),
    siteCapability(parts),
  ];
  for (const c of capabilities) {
    if (c.routes) app.use(c.routes);
    for (const href of c.pages ?? []) registerPage(href);
    c.defineJobs?.();
  }

  app.use(notFoundHandler);
  app.use(problemHandler(logger));

  return {
    core,
    app,
    server,
    io,
    scheduler,
    alerts,
    feed,
    capabilities,
    publicPages: pageCache,
    async start() {
      await feed.start();
      await publicContent.refresh();
      await scheduler.start();
      for (const c of capabilities) await c.start?.();
      schedulerRunning = true;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
    },
    async close() {
      schedulerRunning = false;
      io.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const c of [...capabilities].reverse())
        await c.stop?.().catch((err: unknown) => logger.warn({ err, capability: c.name }, 'stop'));
      await scheduler.stop().catch((err: unknown) => logger.warn({ err }, 'scheduler stop'));
      await feed.stop();
      await session.close();
    },
    isReady: () => schedulerRunning,
  };
}
