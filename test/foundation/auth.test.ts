import request from 'supertest';
import { sql } from 'kysely';
import { login, ADMIN, usePlatform } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';

const tp = usePlatform({ env: { LOGIN_RATE_LIMIT: '5' } });

const problem = (res: request.Response) => {
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body.status).toBe(res.status);
  return res.body as { title: string; detail: string; errors?: { field: string }[] };
};

describe('login', () => {
  it('logs in with the right password and returns the user and a CSRF token', async () => {
    const res = await request(tp.url).post('/api/auth/login').send(ADMIN).expect(200);
    expect(res.body.user).toMatchObject({ username: 'admin', roles: ['admin'] });
    expect(res.body.csrfToken).toEqual(expect.any(String));
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('answers 401 alike for a wrong password and an unknown user', async () => {
    const wrong = await request(tp.url)
      .post('/api/auth/login')
      .send({ username: 'admin', password: 'nope-nope' });
    const unknown = await request(tp.url)
      .post('/api/auth/login')
      .send({ username: 'ghost', password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(problem(wrong).detail).toBe(problem(unknown).detail);
  });

  it('rate-limits rapid failed logins with 429, per account', async () => {
    const victim = await makeUser(tp, ['duty']);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await request(tp.url)
        .post('/api/auth/login')
        .send({ username: victim.username, password: `bad-${i}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await request(tp.url)
      .post('/api/auth/login')
      .send({ username: victim.username, password: victim.password });
    expect(limited.status).toBe(429);
    problem(limited);
    // Colleagues behind the same address can still sign in.
    await login(tp, ADMIN.username, ADMIN.password);
  });

  it('names the missing field on a bad login body', async () => {
    const res = await request(tp.url).post('/api/auth/login').send({ username: 'admin' });
    expect(res.status).toBe(400);
    expect(problem(res).errors?.map((e) => e.field)).toContain('password');
  });
});

describe('admin calls of SPEC §4', () => {
  it('creates departments, users and tokens', async () => {
    const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
    const dept = await agent
      .post('/api/departments')
      .set('x-csrf-token', csrf)
      .send({ name: '区住建局' })
      .expect(201);
    expect(dept.body.id).toEqual(expect.any(Number));
    const user = await agent
      .post('/api/users')
      .set('x-csrf-token', csrf)
      .send({
        username: 'zhangsan',
        password: 'secret-123',
        displayName: '张三',
        departmentId: dept.body.id,
        roles: ['drafter'],
      })
      .expect(201);
    expect(user.body.id).toEqual(expect.any(Number));
    const token = await agent
      .post('/api/tokens')
      .set('x-csrf-token', csrf)
      .send({ name: '微博采集', scopes: ['ingest'] })
      .expect(201);
    expect(token.body.token).toMatch(/^gop_/);
    // The token is stored hashed: the listing never shows it again.
    const list = await agent.get('/api/tokens').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(token.body.token);
    // The new user can log in.
    await login(tp, 'zhangsan', 'secret-123');
  });

  it('refuses a duplicate department with 409 and a duplicate username case-insensitively', async () => {
    const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
    await agent.post('/api/departments').set('x-csrf-token', csrf).send({ name: '区教育局' }).expect(201);
    const dup = await agent.post('/api/departments').set('x-csrf-token', csrf).send({ name: '区教育局' });
    expect(dup.status).toBe(409);
    problem(dup);
    const d = await makeDepartment(tp);
    await makeUser(tp, ['duty'], d.id, 'LiSi');
    const clash = await agent
      .post('/api/users')
      .set('x-csrf-token', csrf)
      .send({
        username: 'lisi',
        password: 'secret-123',
        displayName: '李四',
        departmentId: d.id,
        roles: ['duty'],
      });
    expect(clash.status).toBe(409);
  });

  it('leaves nothing behind when a user refers to a missing department', async () => {
    const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
    const before = await tp.platform.core.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const res = await agent
      .post('/api/users')
      .set('x-csrf-token', csrf)
      .send({
        username: 'orphan',
        password: 'secret-123',
        displayName: '孤儿',
        departmentId: 999999,
        roles: ['drafter'],
      });
    expect(res.status).toBe(422);
    expect(problem(res).errors?.[0]?.field).toBe('departmentId');
    const user = await tp.platform.core.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'orphan')
      .executeTakeFirst();
    expect(user).toBeUndefined();
    const after = await tp.platform.core.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('validates roles and names each bad field', async () => {
    const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
    const res = await agent
      .post('/api/users')
      .set('x-csrf-token', csrf)
      .send({ username: 'x', password: 'short', displayName: '', departmentId: 'abc', roles: ['king'] });
    expect(res.status).toBe(400);
    const fields = problem(res).errors!.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['username', 'password', 'displayName', 'departmentId', 'roles.0']),
    );
  });
});

describe('authorization and request hygiene', () => {
  it('gives a drafter 403 on an admin endpoint', async () => {
    const u = await makeUser(tp, ['drafter']);
    const { agent, csrf } = await login(tp, u.username, u.password);
    const res = await agent.post('/api/departments').set('x-csrf-token', csrf).send({ name: '越权部门' });
    expect(res.status).toBe(403);
    problem(res);
    expect(
      await tp.platform.core.db
        .selectFrom('departments')
        .where('name', '=', '越权部门')
        .selectAll()
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('refuses a cookie request without a CSRF token with 403', async () => {
    const { agent } = await login(tp, ADMIN.username, ADMIN.password);
    const res = await agent.post('/api/departments').send({ name: '无令牌部门' });
    expect(res.status).toBe(403);
    expect(problem(res).detail).toMatch(/CSRF/);
  });

  it('lets Bearer requests through without CSRF but only within their scopes', async () => {
    const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
    const t = await agent
      .post('/api/tokens')
      .set('x-csrf-token', csrf)
      .send({ name: '采集', scopes: ['ingest'] })
      .expect(201);
    const res = await request(tp.url)
      .post('/api/departments')
      .set('authorization', `Bearer ${t.body.token}`)
      .send({ name: '令牌部门' });
    expect(res.status).toBe(403);
    const bad = await request(tp.url).get('/api/alerts').set('authorization', 'Bearer gop_not-a-real-token');
    expect(bad.status).toBe(401);
    // A revoked token stops working at once.
    await agent.delete(`/api/tokens/${t.body.id}`).set('x-csrf-token', csrf).expect(204);
    const after = await request(tp.url)
      .post('/api/departments')
      .set('authorization', `Bearer ${t.body.token}`)
      .send({ name: 'x' });
    expect(after.status).toBe(401);
  });

  it('answers 401 to anonymous API calls', async () => {
    const res = await request(tp.url).get('/api/users');
    expect(res.status).toBe(401);
    problem(res);
  });

  it('maps malformed JSON to 400, an oversized body to 413 and an unknown route to 404', async () => {
    const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
    const bad = await agent
      .post('/api/departments')
      .set('x-csrf-token', csrf)
      .set('content-type', 'application/json')
      .send('{"name": ');
    expect(bad.status).toBe(400);
    problem(bad);
    const huge = await agent
      .post('/api/departments')
      .set('x-csrf-token', csrf)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(7 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    problem(huge);
    const missing = await request(tp.url).get('/api/nothing-here');
    expect(missing.status).toBe(404);
    problem(missing);
  });

  it('serves /healthz', async () => {
    await request(tp.url).get('/healthz').expect(200, { status: 'ok' });
  });
});

describe('audit log', () => {
  it('records every state change with actor and before/after, and cannot be rewritten', async () => {
    const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
    const d = await agent
      .post('/api/departments')
      .set('x-csrf-token', csrf)
      .send({ name: '区卫健局' })
      .expect(201);
    const entry = await tp.platform.core.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'department.create')
      .where('subject_id', '=', String(d.body.id))
      .executeTakeFirstOrThrow();
    expect(entry.actor_label).toBe('user:admin');
    expect(entry.after).toMatchObject({ name: '区卫健局' });
    await expect(
      sql`update audit_log set action = 'x' where id = ${entry.id}`.execute(tp.platform.core.db),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`delete from audit_log where id = ${entry.id}`.execute(tp.platform.core.db),
    ).rejects.toThrow(/append-only/);
    const page = await agent.get('/admin/audit').expect(200);
    expect(page.text).toContain('department.create');
  });
});
