import { Router, type Request } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { Core } from '../context.js';
import { z, parse } from '../shared/validation.js';
import { HttpProblem, toProblem } from '../shared/errors.js';
import { checkCredentials, endSession, startSession } from './login.js';
import { requireLogin } from './authenticate.js';
import { ROLE_LABELS } from '../accounts/service.js';

const loginSchema = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(256),
});

/**
 * Failed logins are limited per (address, username): offices share one NAT address, so a per-
 * address limit alone would lock a whole bureau out after one person's typos. A looser
 * per-address limit still stops password spraying across many usernames.
 */
export function loginLimiter(limit: number) {
  return [
    limiter(limit, (req) => `${ipKeyGenerator(req.ip ?? '')}|${loginName(req.body)}`),
    limiter(limit * 10, (req) => ipKeyGenerator(req.ip ?? '')),
  ];
}

function loginName(body: unknown): string {
  const u = (body as { username?: unknown } | undefined)?.username;
  return typeof u === 'string' ? u.trim().toLowerCase().slice(0, 64) : '';
}

function limiter(limit: number, keyGenerator: (req: Request) => string) {
  return rateLimit({
    windowMs: 15 * 60 * 1000,
    limit,
    keyGenerator,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      const body = toProblem(
        new HttpProblem(429, '请求过于频繁', '登录失败次数过多，请 15 分钟后再试'),
        req.originalUrl,
      );
      if (req.accepts(['json', 'html']) === 'html' && !req.originalUrl.startsWith('/api')) {
        res.status(429).render('auth/login', { title: '登录', error: body.detail, layout: 'bare' });
        return;
      }
      res.status(429).type('application/problem+json').send(JSON.stringify(body));
    },
  });
}

function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[\w\-/?=&%.#]*$/.test(next) ? next : '/';
}

export function authRoutes(core: Core): Router {
  const r = Router();
  const loginLimits = loginLimiter(core.config.loginRateLimit);

  r.post('/api/auth/login', ...loginLimits, async (req, res) => {
    const { username, password } = parse(loginSchema, req.body, '登录');
    const p = await checkCredentials(core.db, username, password);
    if (p.kind !== 'user') throw HttpProblem.unauthorized();
    await startSession(req, p.id);
    res.json({ user: publicUser(p), csrfToken: req.csrfToken?.() });
  });

  r.post('/api/auth/logout', async (req, res) => {
    await endSession(req);
    res.status(204).end();
  });

  r.get('/api/auth/me', requireLogin, (req, res) => {
    const p = req.principal!;
    res.json(
      p.kind === 'user'
        ? { user: publicUser(p), csrfToken: req.csrfToken?.() }
        : { token: { id: p.id, name: p.name, scopes: p.scopes } },
    );
  });

  r.get('/login', (req, res) => {
    if (req.principal?.kind === 'user') return res.redirect(safeNext(req.query.next));
    res.render('auth/login', { title: '登录', next: safeNext(req.query.next), layout: 'bare' });
  });

  r.post('/login', ...loginLimits, async (req, res) => {
    const next = safeNext(req.body?.next);
    try {
      const { username, password } = parse(loginSchema, req.body, '登录');
      const p = await checkCredentials(core.db, username, password);
      if (p.kind !== 'user') throw HttpProblem.unauthorized();
      await startSession(req, p.id);
      res.redirect(303, next);
    } catch (err) {
      if (!(err instanceof HttpProblem)) throw err;
      res.status(err.status).render('auth/login', {
        title: '登录',
        error: err.status === 400 ? '请输入用户名和密码' : err.detail,
        username: typeof req.body?.username === 'string' ? req.body.username : '',
        next,
        layout: 'bare',
      });
    }
  });

  r.post('/logout', async (req, res) => {
    await endSession(req);
    res.redirect(303, '/login');
  });

  return r;
}

export function publicUser(p: {
  id: number;
  username: string;
  displayName: string;
  departmentId: number;
  roles: string[];
}) {
  return {
    id: p.id,
    username: p.username,
    displayName: p.displayName,
    departmentId: p.departmentId,
    roles: p.roles,
    roleLabels: p.roles.map((r) => ROLE_LABELS[r as keyof typeof ROLE_LABELS] ?? r),
  };
}
