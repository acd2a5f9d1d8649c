import { Router, type Response } from 'express';
import type { Core } from '../context.js';
import { AccountsService, DEPARTMENT_KINDS, DEPARTMENT_KIND_LABELS, ROLE_LABELS } from './service.js';
import { authorize } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { TOKEN_SCOPES, TOKEN_SCOPE_LABELS, type TokenScope } from '../auth/principal.js';
import { ROLES } from '../db/schema.js';
import { passwordProblem, type PasswordPolicy } from '../auth/password-policy.js';
import { z, parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { toIsoShanghai } from '../shared/time.js';
import { redirectWithFlash, withFlash } from '../web/flash.js';
import { ctxOf } from '../shared/context.js';

const departmentSchema = z.object({
  name: fields.text(100),
  kind: z.enum(DEPARTMENT_KINDS).optional(),
});

const departmentPatchSchema = z
  .object({ name: fields.text(100).optional(), kind: z.enum(DEPARTMENT_KINDS).optional() })
  .strict();

/** The user edit form: name, department and roles (password and 启用 have their own forms). */
const userEditSchema = z.object({
  displayName: fields.text(50),
  departmentId: fields.id,
  roles: z.array(z.enum(ROLES)).min(1, '至少选择一个角色'),
});

const usernameField = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,64}$/, '用户名须为 3–64 位字母、数字或 _ . -');
/** The configured password rules as a field; the username rule is checked by the service. */
const passwordField = (policy: PasswordPolicy) =>
  z.string().superRefine((v, ctx) => {
    const problem = passwordProblem(v, '', policy);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

function userSchemas(policy: PasswordPolicy) {
  const create = z.object({
    username: usernameField,
    password: passwordField(policy),
    displayName: fields.text(50),
    departmentId: fields.id,
    roles: z.array(z.enum(ROLES)).min(1, '至少一个角色'),
  });
  const patch = z
    .object({
      displayName: fields.text(50).optional(),
      departmentId: fields.id.optional(),
      roles: z.array(z.enum(ROLES)).min(1, '至少一个角色').optional(),
      active: z.boolean().optional(),
      password: passwordField(policy).optional(),
    })
    .strict();
  return { create, patch };
}

const tokenSchema = z.object({
  name: fields.text(100),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, '至少一个权限范围'),
});

/** Forms send one checkbox as a string and several as an array. */
const asArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function accountsRoutes(core: Core): Router {
  const r = Router();
  const svc = new AccountsService(core);
  const { create: userSchema, patch: userPatchSchema } = userSchemas(core.config.passwordPolicy);

  // ---- JSON API ----
  r.get('/api/departments', async (req, res) => {
    authorize(req.principal, 'department.read');
    res.json({ departments: (await svc.listDepartments()).map(departmentJson) });
  });

  r.post('/api/departments', async (req, res) => {
    authorize(req.principal, 'admin.manage');
    const input = parse(departmentSchema, req.body, '部门');
    const row = await svc.createDepartment(ctxOf(req), input);
    res.status(201).json(departmentJson(row));
  });

  r.patch('/api/departments/:id', async (req, res) => {
    authorize(req.principal, 'admin.manage');
    const id = parse(fields.id, req.params.id, '部门编号');
    const row = await svc.updateDepartment(id, parse(departmentPatchSchema, req.body, '部门'), ctxOf(req));
    res.json(departmentJson(row));
  });

  r.get('/api/users', async (req, res) => {
    authorize(req.principal, 'admin.manage');
    res.json({ users: (await svc.listUsers()).map(userJson) });
  });

  r.post('/api/users', async (req, res) => {
    authorize(req.principal, 'admin.manage');
    const input = parse(userSchema, req.body, '用户');
    const row = await svc.createUser(ctxOf(req), input);
    res.status(201).json({ id: row.id, username: row.username });
  });

  r.patch('/api/users/:id', async (req, res) => {
    authorize(req.principal, 'admin.manage');
    const id = parse(fields.id, req.params.id, '用户编号');
    const input = parse(userPatchSchema, req.body, '用户');
    const row = await svc.updateUser(ctxOf(req), id, input);
    res.json({
      id: row.id,
      username: row.username,
      roles: row.roles,
      active: row.active,
      ...(input.password ? { sessionsEnded: row.sessionsEnded } : {}),
    });
  });

  r.get('/api/tokens', async (req, res) => {
    authorize(req.principal, 'admin.manage');
    res.json({ tokens: (await svc.listTokens()).map(tokenJson) });
  });

  r.post('/api/tokens', async (req, res) => {
    authorize(req.principal, 'admin.manage');
    const input = parse(tokenSchema, req.body, '令牌');
    const row = await svc.createToken(ctxOf(req), input);
    res.status(201).json({ id: row.id, name: row.name, scopes: row.scopes, token: row.token });
  });

  r.delete('/api/tokens/:id', async (req, res) => {
    authorize(req.principal, 'admin.manage');
    await svc.revokeToken(ctxOf(req), parse(fields.id, req.params.id, '令牌编号'));
    res.status(204).end();
  });

  // ---- admin pages ----
  const page = Router();
  // Only this capability's pages: other /admin pages (audit, calendar) have their own rules.
  page.use(['/departments', '/users', '/tokens'], requirePageLogin, (req, _res, next) => {
    authorize(req.principal, 'admin.manage');
    next();
  });

  page.get('/departments', async (_req, res) => {
    const departments = (await svc.listDepartments()).map((d) => ({
      ...departmentJson(d),
      kindLabel: DEPARTMENT_KIND_LABELS[d.kind as keyof typeof DEPARTMENT_KIND_LABELS] ?? d.kind,
    }));
    res.render('admin/departments', {
      title: '部门管理',
      departments,
      kinds: DEPARTMENT_KINDS.map((k) => ({ value: k, label: DEPARTMENT_KIND_LABELS[k] })),
    });
  });

  page.post('/departments', async (req, res) => {
    await withFlash(req, res, '/admin/departments', async () => {
      const input = parse(departmentSchema, req.body, '部门');
      const row = await svc.createDepartment(ctxOf(req), input);
      return `已添加部门“${row.name}”`;
    });
  });

  page.post('/departments/:id', async (req, res) => {
    await withFlash(req, res, '/admin/departments', async () => {
      const id = parse(fields.id, req.params.id, '部门编号');
      const input = parse(departmentSchema, req.body, '部门');
      const row = await svc.updateDepartment(id, input, ctxOf(req));
      return `已保存部门“${row.name}”`;
    });
  });

  page.get('/users', async (_req, res) => {
    const [users, departments] = await Promise.all([svc.listUsers(), svc.listDepartments()]);
    res.render('admin/users', {
      title: '用户管理',
      users: users.map((u) => ({
        ...userJson(u),
        roleLabels: u.roles.map((r) => ROLE_LABELS[r]).join('、'),
      })),
      departments,
      roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
    });
  });

  page.post('/users', async (req, res) => {
    await withFlash(req, res, '/admin/users', async () => {
      const input = parse(userSchema, { ...req.body, roles: asArray(req.body?.roles) }, '用户');
      const row = await svc.createUser(ctxOf(req), input);
      return `已添加用户“${row.username}”`;
    });
  });

  page.post('/users/:id', async (req, res) => {
    await withFlash(req, res, '/admin/users', async () => {
      const id = parse(fields.id, req.params.id, '用户编号');
      const input = parse(userEditSchema, { ...req.body, roles: asArray(req.body?.roles) }, '用户');
      const row = await svc.updateUser(ctxOf(req), id, input);
      return `已保存用户“${row.username}”`;
    });
  });

  page.post('/users/:id/active', async (req, res) => {
    await withFlash(req, res, '/admin/users', async () => {
      const id = parse(fields.id, req.params.id, '用户编号');
      const active = req.body?.active === 'true';
      if (req.principal?.kind === 'user' && req.principal.id === id && !active)
        throw HttpProblem.unprocessable('不能停用自己的账号');
      const row = await svc.updateUser(ctxOf(req), id, { active });
      return `${row.active ? '已启用' : '已停用'}用户“${row.username}”`;
    });
  });

  const renderTokens = async (res: Response, newToken?: string) =>
    res.render('admin/tokens', {
      title: 'API 令牌',
      tokens: (await svc.listTokens()).map((t) => ({
        ...tokenJson(t),
        scopeLabels: t.scopes.map((s) => TOKEN_SCOPE_LABELS[s as TokenScope] ?? '其他权限').join('、'),
      })),
      scopes: TOKEN_SCOPES.map((s) => ({ value: s, label: TOKEN_SCOPE_LABELS[s] })),
      newToken,
    });

  page.get('/tokens', async (_req, res) => renderTokens(res));

  page.post('/tokens', async (req, res) => {
    const input = (() => {
      try {
        return parse(tokenSchema, { ...req.body, scopes: asArray(req.body?.scopes) }, '令牌');
      } catch (err) {
        return err as HttpProblem;
      }
    })();
    if (input instanceof HttpProblem) {
      return redirectWithFlash(req, res, '/admin/tokens', {
        kind: 'error',
        text: input.detail ?? input.title,
      });
    }
    const row = await svc.createToken(ctxOf(req), input);
    // The secret is shown exactly once, on this response, and never stored in the session.
    await renderTokens(res, row.token);
  });

  page.post('/tokens/:id/revoke', async (req, res) => {
    await withFlash(req, res, '/admin/tokens', async () => {
      await svc.revokeToken(ctxOf(req), parse(fields.id, req.params.id, '令牌编号'));
      return '令牌已吊销';
    });
  });

  r.use('/admin', page);
  return r;
}

function departmentJson(d: { id: number; name: string; kind: string; created_at: Date }) {
  return { id: d.id, name: d.name, kind: d.kind, createdAt: toIsoShanghai(d.created_at) };
}

function userJson(u: {
  id: number;
  username: string;
  display_name: string;
  department_id: number;
  department_name: string;
  roles: string[];
  active: boolean;
}) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    departmentId: u.department_id,
    departmentName: u.department_name,
    roles: u.roles,
    active: u.active,
  };
}

function tokenJson(t: {
  id: number;
  name: string;
  token_prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.token_prefix,
    scopes: t.scopes,
    createdAt: toIsoShanghai(t.created_at),
    lastUsedAt: toIsoShanghai(t.last_used_at),
    revokedAt: toIsoShanghai(t.revoked_at),
  };
}
