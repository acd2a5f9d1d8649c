import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createPlatform, type Platform } from '../../src/app.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import type { Clock } from '../../src/shared/clock.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { bootstrap } from '../../src/bootstrap.js';

export interface TestPlatform {
  platform: Platform;
  db: TestDatabase;
  url: string;
  port: number;
  close(): Promise<void>;
}

export const ADMIN = { username: 'admin', password: 'admin-pass-123' };

/** A whole platform (HTTP, Socket.IO, Agenda) on its own database and a random port. */
export async function startTestPlatform(
  opts: {
    clock?: Clock;
    db?: TestDatabase;
    start?: boolean;
    env?: Record<string, string>;
    port?: number;
  } = {},
): Promise<TestPlatform> {
  const db = opts.db ?? (await createTestDatabase());
  const config = loadConfig({
    DATA_DIR: '/tmp/gop-test-data',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    // Analysis on the event loop: a pool would load jieba once per thread for every test platform
    // (seconds of CPU each). The pool is tested in test/opinion/analysis-pool.test.ts, and the crash
    // test's real process (src/main.ts) runs with it.
    OPINION_ANALYSIS_THREADS: '0',
    ...opts.env,
  });
  const logger = createLogger(config.logLevel);
  const platform = await createPlatform({
    config,
    database: db,
    logger,
    ...(opts.clock ? { clock: opts.clock } : {}),
    instanceName: `test-${Math.random().toString(36).slice(2, 8)}`,
  });
  await bootstrap(platform.core, platform.scheduler);
  const port = await platform.listen(opts.port ?? 0, '127.0.0.1');
  if (opts.start !== false) await platform.start();
  return {
    platform,
    db,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await platform.close();
      if (!opts.db) await db.drop();
    },
  };
}

/**
 * The platform of a test file or describe block, started before its tests and closed after them:
 * `const tp = usePlatform({ clock, start: false })`. It stands for the started platform, so it is
 * used exactly like startTestPlatform's answer, from the first beforeAll on.
 */
export function usePlatform(opts: Parameters<typeof startTestPlatform>[0] = {}, timeout?: number) {
  let starting: Promise<TestPlatform> | undefined;
  let started: TestPlatform | undefined;
  beforeAll(async () => {
    starting = startTestPlatform(opts);
    started = await starting;
  }, timeout);
  // A start that outlives its hook's timeout (a loaded machine) is still closed once it is up.
  afterAll(async () => (await starting?.catch(() => undefined))?.close());
  return new Proxy({} as TestPlatform, {
    get(_target, key) {
      if (!started) throw new Error('usePlatform: the platform starts in beforeAll');
      return Reflect.get(started, key);
    },
  });
}

/** The audit trail of one subject: its actions, oldest first. */
export async function auditActions(tp: TestPlatform, subjectKind: string, subjectId: number | string) {
  const rows = await tp.platform.core.db
    .selectFrom('audit_log')
    .select('action')
    .where('subject_kind', '=', subjectKind)
    .where('subject_id', '=', String(subjectId))
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}

/** The audit records of one action on one subject, oldest first. */
export function auditOf(tp: TestPlatform, action: string, subjectId: number | string) {
  return tp.platform.core.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .where('subject_id', '=', String(subjectId))
    .orderBy('id')
    .execute();
}

export type Agent = TestAgent;

/** A cookie-keeping client that logged in through the API and sends its CSRF token. */
export async function login(
  tp: TestPlatform,
  username: string,
  password: string,
): Promise<{ agent: Agent; csrf: string; cookie: string }> {
  const agent = request.agent(tp.url);
  const res = await agent.post('/api/auth/login').send({ username, password }).expect(200);
  const csrf = res.body.csrfToken as string;
  const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  return { agent, csrf, cookie };
}

/** The one-time message a page shows after a form post (Post/Redirect/Get), or ''. */
export const flashOf = (html: string): string =>
  /<div class="flash[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
