import { Router, type Request } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { Core } from '../context.js';
import { z, parse } from '../shared/validation.js';
import { HttpProblem, toProblem } from '../shared/errors.js';
import { checkCredentials, endSession, startSession } from './login.js';
import { recordAudit, type AuditEntry } from '../audit/audit.js';
import { requireLogin, requirePageLogin } from './authenticate.js';
import { ctxOf } from '../shared/context.js';
import { withFlash } from '../web/flash.js';
import { requireOwnOrigin } from './origin.js';
import { AccountsService, ROLE_LABELS } from '../accounts/service.js';

const loginSchema = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(256),
});

const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1, '请输入当前密码').max(256),
  newPassword: z.string().min(1, '请输入新密码').max(256),
});

const passwordPageSchema = passwordChangeSchema
  .extend({ confirmPassword: z.string().max(256) })
  .refine((v) => v.confirmPassword === v.newPassword, {
    path: ['confirmPassword'],
    message: '两次输入的新密码不一致',
  })
  .transform(({ currentPassword, newPassword }) => ({ currentPassword, newPassword }));

/**
 * Failed logins are limited per (address, username): offices share one NAT address, so a per-
 * address limit alone would lock a whole bureau out after one person's typos. A looser
 * per-address limit still stops password spraying across many usernames.
 */
export function loginLimiter(limit: number, onLockout?: (req: Request) => void) {
  return [
    limiter(limit, (req) => `${ipKeyGenerator(req.ip ?? '')}|${loginName(req.body)}`, onLockout),
    limiter(limit * 10, (req) => ipKeyGenerator(req.ip ?? ''), onLockout),
  ];
}

function loginName(body: unknown): string {
  const u = (body as { username?: unknown } | undefined)?.username;
  return typeof u === 'string' ? u.trim().toLowerCase().slice(0, 64) : '';
}

function limiter(limit: number, keyGenerator: (req: Request) => string, onLockout?: (req: Request) => void) {
  return rateLimit({
    windowMs: 15 * 60 * 1000,
    limit,
    keyGenerator,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      // Only the first refused attempt of a window is recorded: a flood must not flood the log.
      const info = (req as Request & { rateLimit?: { used: number; limit: number } }).rateLimit;
      if (onLockout && info && info.used === info.limit + 1) onLockout(req);
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
  const audit = (req: Request, e: Omit<AuditEntry, 'requestId'>) =>
    core.db
      .transaction()
      .execute((trx) => recordAudit(trx, { ...e, requestId: String(req.id ?? '') }))
      .catch((err: unknown) => core.logger.error({ err }, 'sign-in audit failed'));
  const attempt = (req: Request) => ({ username: loginName(req.body), ip: req.ip ?? null });
  const loginLimits = loginLimiter(core.config.loginRateLimit, (req) => {
    void audit(req, {
      actor: undefined,
      actorLabel: 'anonymous',
      action: 'auth.lockout',
      subjectKind: 'user',
      subjectId: loginName(req.body) || null,
      after: attempt(req),
    });
  });
  /** Checks the credentials and records the outcome (success or failure) in the audit log. */
  const signIn = async (req: Request, username: string, password: string) => {
    let p;
    try {
      p = await checkCredentials(core.db, username, password);
    } catch (err) {
      if (err instanceof HttpProblem && err.status === 401)
        await audit(req, {
          actor: undefined,
          actorLabel: 'anonymous',
          action: 'auth.login_failed',
          subjectKind: 'user',
          subjectId: username.toLowerCase().slice(0, 64),
          after: attempt(req),
        });
      throw err;
    }
    if (p.kind !== 'user') throw HttpProblem.unauthorized();
    await startSession(req, p.id, core.db);
    await audit(req, {
      actor: p,
      action: 'auth.login',
      subjectKind: 'user',
      subjectId: p.id,
      after: { ip: req.ip ?? null },
    });
    return p;
  };
  const signOut = async (req: Request) => {
    const p = req.principal;
    const had = Boolean(req.session?.userId);
    await endSession(req, core.db);
    if (had && p?.kind === 'user')
      await audit(req, { actor: p, action: 'auth.logout', subjectKind: 'user', subjectId: p.id });
  };

  const ownOrigin = requireOwnOrigin(core.config);

  r.post('/api/auth/login', ownOrigin, ...loginLimits, async (req, res) => {
    const { username, password } = parse(loginSchema, req.body, '登录');
    const p = await signIn(req, username, password);
    res.json({ user: publicUser(p), csrfToken: req.csrfToken?.() });
  });

  r.post('/api/auth/logout', async (req, res) => {
    await signOut(req);
    res.status(204).end();
  });

  // Self-service: the caller stays signed in here; every other session of theirs ends.
  const changePassword = async (req: Request, input: z.output<typeof passwordChangeSchema>) => {
    const p = req.principal!;
    if (p.kind !== 'user' || req.viaBearer) throw HttpProblem.forbidden('只有登录用户可以修改自己的密码');
    const row = await new AccountsService(core).changeOwnPassword(p, input, ctxOf(req));
    return {
      sessionsEnded: row.sessionsEnded,
      message:
        row.sessionsEnded > 0 ? `密码已修改，已退出您在其他地方的 ${row.sessionsEnded} 个登录` : '密码已修改',
    };
  };
  r.post('/api/auth/password', requireLogin, async (req, res) => {
    res.json(await changePassword(req, parse(passwordChangeSchema, req.body, '修改密码')));
  });

  // The same change from a page (the header's 修改密码): the new password is typed twice.
  r.get('/account/password', requirePageLogin, (_req, res) => {
    res.render('auth/password', { title: '修改密码' });
  });
  r.post('/account/password', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/account/password', async () => {
      const input = parse(passwordPageSchema, req.body ?? {}, '修改密码');
      return (await changePassword(req, input)).message;
    });
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

  r.post('/login', ownOrigin, ...loginLimits, async (req, res) => {
    const next = safeNext(req.body?.next);
    try {
      const { username, password } = parse(loginSchema, req.body, '登录');
      await signIn(req, username, password);
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
    await signOut(req);
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
