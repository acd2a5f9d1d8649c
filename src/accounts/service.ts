import type { Core } from '../context.js';
import type { TokenScope } from '../auth/principal.js';
import type { Role } from '../db/schema.js';
import { recordAudit } from '../audit/audit.js';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { passwordProblem } from '../auth/password-policy.js';
import { announcePrincipalChange, endOtherSessions } from '../auth/revocation.js';
import { newTokenSecret } from '../auth/tokens.js';
import { requireDepartment } from './departments.js';
import { HttpProblem } from '../shared/errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { type Ctx } from '../shared/context.js';
import { lockById } from '../db/lock.js';
import { USER_IDENTITY } from '../auth/users.js';

export const DEPARTMENT_KINDS = [
  'government_office',
  'publicity',
  'opinion_center',
  'department',
  'town',
  'other',
] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

export const DEPARTMENT_KIND_LABELS: Record<DepartmentKind, string> = {
  government_office: '政府办（政务公开办）',
  publicity: '宣传部（新闻办）',
  opinion_center: '舆情中心',
  department: '职能部门',
  town: '镇/街道',
  other: '其他',
};

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  supervisor: '分管领导/政务公开办',
  drafter: '起草部门',
  analyst: '舆情分析员',
  spokesperson: '新闻发言人',
  duty: '值班员',
};

/** Serialises changes that could remove the last active admin (two admins demoting each other). */
const ADMIN_LOCK = 4201;

type UserRow = {
  id: number;
  username: string;
  display_name: string;
  department_id: number;
  roles: Role[];
  active: boolean;
};

export class AccountsService {
  constructor(private readonly core: Core) {}

  listDepartments() {
    return this.core.db.selectFrom('departments').selectAll().orderBy('id').execute();
  }

  async createDepartment(ctx: Ctx, input: { name: string; kind?: DepartmentKind }) {
    try {
      return await this.core.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('departments')
          .values({ name: input.name, kind: input.kind ?? 'department' })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          actor: ctx.actor,
          action: 'department.create',
          subjectKind: 'department',
          subjectId: row.id,
          after: row,
          requestId: ctx.requestId,
        });
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw HttpProblem.conflict(`部门“${input.name}”已存在`);
      throw err;
    }
  }

  /** Renames a department or changes its kind; audited with before and after. */
  async updateDepartment(id: number, input: { name?: string; kind?: DepartmentKind }, ctx: Ctx) {
    try {
      return await this.core.db.transaction().execute(async (trx) => {
        const before = await lockById(trx, 'departments', id, '部门不存在');
        const after = await trx
          .updateTable('departments')
          .set({
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.kind !== undefined ? { kind: input.kind } : {}),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          actor: ctx.actor,
          action: 'department.update',
          subjectKind: 'department',
          subjectId: id,
          before,
          after,
          requestId: ctx.requestId,
        });
        return after;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw HttpProblem.conflict(`部门“${input.name ?? ''}”已存在`);
      throw err;
    }
  }

  listUsers() {
    return this.core.db
      .selectFrom('users')
      .innerJoin('departments', 'departments.id', 'users.department_id')
      .select([...USER_IDENTITY, 'users.active', 'users.created_at', 'departments.name as department_name'])
      .orderBy('users.id')
      .execute();
  }

  async createUser(
    ctx: Ctx,
    input: {
      username: string;
      password: string;
      displayName: string;
      departmentId: number;
      roles: Role[];
    },
  ) {
    this.checkPassword(input.password, input.username);
    const passwordHash = await hashPassword(input.password);
    return this.core.db.transaction().execute(async (trx) => {
      await requireDepartment(trx, input.departmentId, 'departmentId');
      const clash = await trx
        .selectFrom('users')
        .select('id')
        .where((eb) => eb(eb.fn('lower', ['username']), '=', input.username.toLowerCase()))
        .executeTakeFirst();
      if (clash) throw HttpProblem.conflict(`用户名“${input.username}”已被使用`);
      const row = await trx
        .insertInto('users')
        .values({
          username: input.username,
          password_hash: passwordHash,
          display_name: input.displayName,
          department_id: input.departmentId,
          roles: [...new Set(input.roles)],
        })
        .returning(['id', 'username', 'display_name', 'department_id', 'roles', 'active'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'user.create',
        subjectKind: 'user',
        subjectId: row.id,
        after: row,
        requestId: ctx.requestId,
      });
      return row;
    });
  }

  async updateUser(
    ctx: Ctx,
    id: number,
    input: {
      displayName?: string;
      departmentId?: number;
      roles?: Role[];
      active?: boolean;
      password?: string;
    },
  ): Promise<UserRow & { sessionsEnded: number }> {
    const passwordHash = input.password ? await hashPassword(input.password) : undefined;
    return this.core.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('users')
        .select(['id', 'username', 'display_name', 'department_id', 'roles', 'active'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!before) throw HttpProblem.notFound('用户不存在');
      if (input.password) this.checkPassword(input.password, before.username);
      const self = ctx.actor?.kind === 'user' && ctx.actor.id === id;
      const wasAdmin = before.active && before.roles.includes('admin');
      const staysAdmin = (input.active ?? before.active) && (input.roles ?? before.roles).includes('admin');
      if (wasAdmin && !staysAdmin) {
        if (self)
          throw HttpProblem.conflict('不能移除自己的管理员角色或停用自己的账号，请由另一位管理员操作');
        await sql`select pg_advisory_xact_lock(${ADMIN_LOCK})`.execute(trx);
        const others = await trx
          .selectFrom('users')
          .select('id')
          .where('active', '=', true)
          .where(sql<boolean>`'admin' = any(roles)`)
          .where('id', '<>', id)
          .limit(1)
          .executeTakeFirst();
        if (!others) throw HttpProblem.conflict('这是最后一位启用的系统管理员，不能移除其管理员角色或停用');
      }
      await requireDepartment(trx, input.departmentId, 'departmentId');
      const after = await trx
        .updateTable('users')
        .set({
          ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
          ...(input.departmentId !== undefined ? { department_id: input.departmentId } : {}),
          ...(input.roles !== undefined ? { roles: [...new Set(input.roles)] } : {}),
          ...(input.active !== undefined ? { active: input.active } : {}),
          ...(passwordHash ? { password_hash: passwordHash } : {}),
          updated_at: this.core.clock.now(),
        })
        .where('id', '=', id)
        .returning(['id', 'username', 'display_name', 'department_id', 'roles', 'active'])
        .executeTakeFirstOrThrow();
      // A new password ends every other session of the user (the user's own current one
      // survives a self-service change); any change of authority drops live sockets at once.
      const sessionsEnded = passwordHash
        ? await endOtherSessions(trx, id, self ? ctx.sessionId : undefined)
        : 0;
      await recordAudit(trx, {
        actor: ctx.actor,
        action: input.password ? 'user.update+password' : 'user.update',
        subjectKind: 'user',
        subjectId: id,
        before,
        after: passwordHash ? { ...after, sessionsEnded } : after,
        requestId: ctx.requestId,
      });
      if (
        passwordHash ||
        input.active !== undefined ||
        input.roles !== undefined ||
        input.departmentId !== undefined
      )
        await announcePrincipalChange(trx, `user:${id}`);
      return { ...after, sessionsEnded };
    });
  }

  /** Self-service: the current password proves it is the user, not someone at an open screen. */
  async changeOwnPassword(
    user: { id: number },
    input: { currentPassword: string; newPassword: string },
    ctx: Ctx,
  ) {
    const row = await this.core.db
      .selectFrom('users')
      .select(['username', 'password_hash', 'active'])
      .where('id', '=', user.id)
      .executeTakeFirst();
    if (!row?.active || !(await verifyPassword(row.password_hash, input.currentPassword)))
      throw HttpProblem.badRequest('当前密码不正确', [
        { field: 'currentPassword', message: '当前密码不正确' },
      ]);
    this.checkPassword(input.newPassword, row.username, 'newPassword');
    return this.updateUser(ctx, user.id, { password: input.newPassword });
  }

  /** Refuses a password the configured rules do not allow, naming the field. */
  checkPassword(password: string, username: string, field = 'password'): void {
    const problem = passwordProblem(password, username, this.core.config.passwordPolicy);
    if (problem) throw HttpProblem.badRequest(`密码不符合要求：${problem}`, [{ field, message: problem }]);
  }

  listTokens() {
    return this.core.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'token_prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
      .orderBy('id', 'desc')
      .execute();
  }

  async createToken(ctx: Ctx, input: { name: string; scopes: TokenScope[] }) {
    const secret = newTokenSecret();
    const row = await this.core.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('api_tokens')
        .values({
          name: input.name,
          token_hash: secret.hash,
          token_prefix: secret.prefix,
          scopes: [...new Set(input.scopes)],
          created_by: ctx.actor?.kind === 'user' ? ctx.actor.id : null,
        })
        .returning(['id', 'name', 'scopes', 'token_prefix'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'token.create',
        subjectKind: 'api_token',
        subjectId: row.id,
        after: row,
        requestId: ctx.requestId,
      });
      return row;
    });
    return { ...row, token: secret.token };
  }

  async revokeToken(ctx: Ctx, id: number) {
    await this.core.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('api_tokens')
        .set({ revoked_at: this.core.clock.now() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returning(['id', 'name'])
        .executeTakeFirst();
      if (!row) throw HttpProblem.notFound('令牌不存在或已吊销');
      await announcePrincipalChange(trx, `token:${id}`);
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'token.revoke',
        subjectKind: 'api_token',
        subjectId: id,
        before: row,
        requestId: ctx.requestId,
      });
    });
  }

  /**
   * Recovery (`npm run admin:reset -- USERNAME`): the account is enabled, made admin and given a
   * new password, and all its sessions end; missing, it is created as the first admin would be.
   * Returns the password it set.
   */
  async resetAdmin(
    username: string,
    password: string | undefined,
  ): Promise<{ password: string; created: boolean }> {
    let next = password;
    if (next) this.checkPassword(next, username);
    else
      do next = randomBytes(12).toString('base64url');
      while (passwordProblem(next, username, this.core.config.passwordPolicy));
    const existing = await this.core.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
      .executeTakeFirst();
    if (!existing) {
      await this.ensureAdmin(username, next);
      return { password: next, created: true };
    }
    const hash = await hashPassword(next);
    await this.core.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('users')
        .select(['id', 'username', 'roles', 'active'])
        .where('id', '=', existing.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const after = await trx
        .updateTable('users')
        .set({
          active: true,
          roles: [...new Set<Role>([...before.roles, 'admin'])],
          password_hash: hash,
          updated_at: this.core.clock.now(),
        })
        .where('id', '=', existing.id)
        .returning(['id', 'username', 'roles', 'active'])
        .executeTakeFirstOrThrow();
      const sessionsEnded = await endOtherSessions(trx, existing.id);
      await recordAudit(trx, {
        actor: undefined,
        action: 'user.admin_reset',
        subjectKind: 'user',
        subjectId: existing.id,
        before,
        after: { ...after, sessionsEnded },
      });
      await announcePrincipalChange(trx, `user:${existing.id}`);
    });
    return { password: next, created: false };
  }

  /**
   * Makes sure the configured admin exists. Returns the generated password when one had to be
   * invented (first start without ADMIN_PASSWORD) so the caller can print it once.
   */
  async ensureAdmin(username: string, password: string | undefined): Promise<string | null> {
    const existing = await this.core.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
      .executeTakeFirst();
    if (existing) return null;
    const generated = password ? null : (await import('node:crypto')).randomBytes(12).toString('base64url');
    const hash = await hashPassword(password ?? generated!);
    await this.core.db.transaction().execute(async (trx) => {
      let dept = await trx
        .selectFrom('departments')
        .select('id')
        .where('kind', '=', 'government_office')
        .orderBy('id')
        .executeTakeFirst();
      dept ??= await trx
        .insertInto('departments')
        .values({ name: '区政府办公室（政务公开办）', kind: 'government_office' })
        .onConflict((oc) => oc.column('name').doUpdateSet({ kind: 'government_office' }))
        .returning('id')
        .executeTakeFirstOrThrow();
      const user = await trx
        .insertInto('users')
        .values({
          username,
          password_hash: hash,
          display_name: '系统管理员',
          department_id: dept.id,
          roles: ['admin'],
        })
        .returning(['id', 'username'])
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: undefined,
        action: 'user.ensure_admin',
        subjectKind: 'user',
        subjectId: user.id,
        after: user,
      });
    });
    return generated;
  }
}
