import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { ADMIN, login, usePlatform } from '../support/platform.js';
import { makeUser, PASSWORD } from '../support/factories.js';
import { AccountsService } from '../../src/accounts/service.js';
import { passwordProblem } from '../../src/auth/password-policy.js';

/*
 * Issue 10 rows 5, 8, 9 and 10: a new password ends the user's other sessions; sign-in refuses
 * foreign origins (login CSRF); the last admin and an admin's own role cannot be taken away;
 * configurable password rules; sign-in outcomes in the audit log.
 */

const tp = usePlatform({ env: { LOGIN_RATE_LIMIT: '3' } });

const me = (agent: request.Agent) => agent.get('/api/auth/me');

describe('password change ends sessions', () => {
  it('an admin reset signs the user out everywhere and says how many sessions ended', async () => {
    const user = await makeUser(tp, ['duty']);
    const one = await login(tp, user.username, user.password);
    const two = await login(tp, user.username, user.password);
    const a = await login(tp, ADMIN.username, ADMIN.password);
    const res = await a.agent
      .patch(`/api/users/${user.id}`)
      .set('x-csrf-token', a.csrf)
      .send({ password: 'Fresh-pass-2026' })
      .expect(200);
    expect(res.body.sessionsEnded).toBe(2);
    await me(one.agent).expect(401);
    await me(two.agent).expect(401);
    await login(tp, user.username, 'Fresh-pass-2026');
  });

  it('a user changing their own password stays signed in; their other sessions end', async () => {
    const user = await makeUser(tp, ['analyst']);
    const here = await login(tp, user.username, user.password);
    const elsewhere = await login(tp, user.username, user.password);
    const wrong = await here.agent
      .post('/api/auth/password')
      .set('x-csrf-token', here.csrf)
      .send({ currentPassword: 'not-it-123', newPassword: 'Brand-new-77' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('currentPassword');
    const ok = await here.agent
      .post('/api/auth/password')
      .set('x-csrf-token', here.csrf)
      .send({ currentPassword: user.password, newPassword: 'Brand-new-77' })
      .expect(200);
    expect(ok.body.sessionsEnded).toBe(1);
    expect(ok.body.message).toContain('1 个登录');
    await me(here.agent).expect(200);
    await me(elsewhere.agent).expect(401);
  });
});

describe('login CSRF', () => {
  it('refuses a sign-in posted from a foreign origin, API and form', async () => {
    const user = await makeUser(tp, ['duty']);
    const creds = { username: user.username, password: user.password };
    const api = await request(tp.url)
      .post('/api/auth/login')
      .set('Origin', 'http://evil.example')
      .send(creds);
    expect(api.status).toBe(403);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
    const form = await request(tp.url)
      .post('/login')
      .set('Origin', 'https://attacker.example')
      .type('form')
      .send(creds);
    expect(form.status).toBe(403);
    expect(form.headers['set-cookie'] ?? []).toEqual([]);
    // Same origin (a browser) and no origin (scripts) still sign in.
    await request(tp.url).post('/api/auth/login').set('Origin', tp.url).send(creds).expect(200);
    await request(tp.url).post('/login').set('Origin', tp.url).type('form').send(creds).expect(303);
    await request(tp.url).post('/api/auth/login').send(creds).expect(200);
    // Browsers: Sec-Fetch-Site decides (a same-origin form under no-referrer sends Origin: null).
    await request(tp.url)
      .post('/login')
      .set('Origin', 'null')
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send(creds)
      .expect(303);
    for (const site of ['same-site', 'cross-site'])
      await request(tp.url)
        .post('/login')
        .set('Origin', `http://127.0.0.1:${tp.port + 1}`)
        .set('Sec-Fetch-Site', site)
        .type('form')
        .send(creds)
        .expect(403);
    await request(tp.url).post('/login').set('Origin', 'null').type('form').send(creds).expect(403);
  });
});

describe('admins cannot lock everyone out', () => {
  it('refuses an admin removing its own admin role or disabling itself (409)', async () => {
    const boss = await makeUser(tp, ['admin']);
    const s = await login(tp, boss.username, boss.password);
    for (const body of [{ roles: ['duty'] }, { active: false }]) {
      const res = await s.agent.patch(`/api/users/${boss.id}`).set('x-csrf-token', s.csrf).send(body);
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    // Another admin may do it.
    const a = await login(tp, ADMIN.username, ADMIN.password);
    await a.agent
      .patch(`/api/users/${boss.id}`)
      .set('x-csrf-token', a.csrf)
      .send({ roles: ['duty'] })
      .expect(200);
  });

  it('refuses removing the last active admin', async () => {
    const db = tp.platform.core.db;
    const admins = (
      await db.selectFrom('users').select(['id', 'username', 'roles', 'active']).execute()
    ).filter((u) => u.active && u.roles.includes('admin'));
    const svc = new AccountsService(tp.platform.core);
    const seed = admins.find((u) => u.username === ADMIN.username)!;
    // Disable every other admin, then try to take the last one away (as a script would).
    for (const u of admins)
      if (u.id !== seed.id) await svc.updateUser({ actor: undefined }, u.id, { active: false });
    await expect(svc.updateUser({ actor: undefined }, seed.id, { roles: ['duty'] })).rejects.toMatchObject({
      status: 409,
    });
    await expect(svc.updateUser({ actor: undefined }, seed.id, { active: false })).rejects.toMatchObject({
      status: 409,
    });
  });

  it('npm run admin:reset re-enables a locked-out admin with a new password printed once', async () => {
    const locked = await makeUser(tp, ['duty']);
    const db = tp.platform.core.db;
    await db.updateTable('users').set({ active: false }).where('id', '=', locked.id).execute();
    const { stdout } = await promisify(execFile)(
      path.resolve('node_modules/.bin/tsx'),
      ['scripts/admin-reset.ts', locked.username],
      {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: tp.db.url,
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gop-reset-')),
          LOG_LEVEL: 'silent',
        },
        timeout: 60_000,
      },
    );
    const password = /新密码（只显示这一次）：(\S+)/.exec(stdout)?.[1];
    expect(password).toBeDefined();
    const s = await login(tp, locked.username, password!);
    const who = await me(s.agent).expect(200);
    expect(who.body.user.roles).toContain('admin');
    await request(tp.url)
      .post('/api/auth/login')
      .send({ username: locked.username, password: PASSWORD })
      .expect(401);
  }, 90_000);
});

describe('password rules', () => {
  it('are pure and configurable: length, classes, username, common passwords', () => {
    const policy = { minLength: 8, minClasses: 2 };
    expect(passwordProblem('11111111', 'zhang', policy)).toMatch(/至少 2 类/);
    expect(passwordProblem('abc12345', 'zhang', policy)).toMatch(/常见/);
    expect(passwordProblem('Password1', 'zhang', { minLength: 8, minClasses: 1 })).toMatch(/常见/);
    expect(passwordProblem('zhang-2026', 'Zhang', policy)).toMatch(/用户名/);
    expect(passwordProblem('short-1', 'zhang', policy)).toMatch(/至少 8 位/);
    expect(passwordProblem('demo1234', 'demo.admin', policy)).toBeNull();
    expect(passwordProblem(PASSWORD, 'zhang', policy)).toBeNull();
    expect(passwordProblem('long-enough-1', 'zhang', { minLength: 14, minClasses: 2 })).toMatch(/至少 14 位/);
    expect(passwordProblem('alllowercase', 'zhang', { minLength: 8, minClasses: 3 })).toMatch(/至少 3 类/);
  });

  it('the API refuses weak passwords naming the field', async () => {
    const a = await login(tp, ADMIN.username, ADMIN.password);
    const dept = (await a.agent.get('/api/departments').expect(200)).body.departments[0].id;
    for (const password of ['11111111', 'password123', 'wangwu-2026']) {
      const res = await a.agent
        .post('/api/users')
        .set('x-csrf-token', a.csrf)
        .send({ username: 'wangwu', password, displayName: '王五', departmentId: dept, roles: ['duty'] });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('password');
    }
  });
});

describe('sign-ins in the audit log', () => {
  it('records success, failure, lockout and logout, shown in Chinese', async () => {
    const user = await makeUser(tp, ['duty']);
    for (let i = 0; i < 3; i++)
      await request(tp.url)
        .post('/api/auth/login')
        .send({ username: user.username, password: 'wrong-pass-1' })
        .expect(401);
    await request(tp.url)
      .post('/api/auth/login')
      .send({ username: user.username, password: 'wrong-pass-1' })
      .expect(429);
    await request(tp.url)
      .post('/api/auth/login')
      .send({ username: user.username, password: 'wrong-pass-1' })
      .expect(429);
    const other = await makeUser(tp, ['duty']);
    const s = await login(tp, other.username, other.password);
    await s.agent.post('/api/auth/logout').set('x-csrf-token', s.csrf).expect(204);

    const rows = await tp.platform.core.db
      .selectFrom('audit_log')
      .select(['action', 'subject_id', 'actor_label'])
      .where('action', 'like', 'auth.%')
      .orderBy('id')
      .execute();
    const failed = rows.filter((r) => r.action === 'auth.login_failed' && r.subject_id === user.username);
    expect(failed).toHaveLength(3);
    expect(rows.filter((r) => r.action === 'auth.lockout' && r.subject_id === user.username)).toHaveLength(1);
    expect(rows).toContainEqual(
      expect.objectContaining({ action: 'auth.login', subject_id: String(other.id) }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ action: 'auth.logout', subject_id: String(other.id) }),
    );

    const a = await login(tp, ADMIN.username, ADMIN.password);
    const page = await a.agent.get('/admin/audit').expect(200);
    for (const label of ['登录成功', '登录失败', '登录锁定', '退出登录', '未登录访客'])
      expect(page.text).toContain(label);
  });
});
