import { io as connect, type Socket } from 'socket.io-client';
import { startTestPlatform, login, ADMIN, type TestPlatform } from '../support/platform.js';
import { makeUser } from '../support/factories.js';
import { insertAlert } from '../../src/alerts/store.js';

/*
 * Issue 10 rows 2 and 3: a /console socket never outlives the authority it connected with
 * (disable, role change, password change, token revoke, logout — on any node), every ack is
 * re-authorised against the database and carries the page's CSRF token, and only the platform's
 * own origin (or ALLOWED_ORIGINS) may open a socket.
 */

let tp: TestPlatform;
let node2: TestPlatform;
const sockets: Socket[] = [];

beforeAll(async () => {
  tp = await startTestPlatform({ env: { ALLOWED_ORIGINS: 'https://gov.example.cn' } });
  // A second app node on the same database: revocations must reach its sockets too.
  node2 = await startTestPlatform({ db: tp.db });
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await node2.close();
  await tp.close();
});

function open(
  on: TestPlatform,
  o: { cookie?: string; token?: string; origin?: string; transports?: ('polling' | 'websocket')[] } = {},
): Socket {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.origin) headers.origin = o.origin;
  const s = connect(`${on.url}/console`, {
    auth: o.token ? { token: o.token } : {},
    reconnection: false,
    forceNew: true,
    extraHeaders: headers,
    ...(o.transports ? { transports: o.transports } : {}),
  });
  sockets.push(s);
  return s;
}

const ready = (s: Socket) =>
  new Promise<void>((resolve, reject) => {
    s.once('ready', () => resolve());
    s.once('connect_error', reject);
  });

const refused = (s: Socket) =>
  new Promise<string>((resolve, reject) => {
    s.once('connect_error', (err) => resolve(err.message));
    s.once('ready', () => reject(new Error('socket was accepted')));
  });

/** Resolves with the disconnect reason, or rejects if the socket is still up after `ms`. */
const dropped = (s: Socket, ms = 5000) =>
  new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('socket still connected')), ms);
    s.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });

type AckReply = { ok: boolean; status?: number };
const ack = (s: Socket, payload: Record<string, unknown>) =>
  new Promise<AckReply>((resolve) => s.emit('alert:ack', payload, resolve));

async function storeAlert(departmentId: number | null) {
  const row = await tp.platform.core.db.transaction().execute((trx) =>
    insertAlert(
      trx,
      {
        type: 'event.detected',
        severity: 'warning',
        title: '测试预警',
        subjectKind: 'event',
        subjectId: 1,
        departmentId,
      },
      new Date(),
    ),
  );
  if (!row) throw new Error('alert not stored');
  return row;
}

async function admin() {
  return login(tp, ADMIN.username, ADMIN.password);
}

/** An admin edits the user over HTTP; resolves with the disconnect reason of each watched socket. */
async function droppedByEdit(userId: number, body: object, ...watched: Socket[]) {
  const a = await admin();
  const gone = Promise.all(watched.map((s) => dropped(s)));
  await a.agent.patch(`/api/users/${userId}`).set('x-csrf-token', a.csrf).send(body).expect(200);
  return gone;
}

describe('sockets lose their principal with the HTTP authority, on every node', () => {
  it('disabling a user disconnects their sockets on both nodes at once, and they cannot return', async () => {
    const duty = await makeUser(tp, ['duty']);
    const { cookie } = await login(tp, duty.username, duty.password);
    const here = open(tp, { cookie });
    const there = open(node2, { cookie, transports: ['websocket'] });
    await Promise.all([ready(here), ready(there)]);
    expect(await droppedByEdit(duty.id, { active: false }, here, there)).toEqual([
      'io server disconnect',
      'io server disconnect',
    ]);
    expect(await refused(open(node2, { cookie }))).toBe('unauthorized');
  });

  it('a role change disconnects (the client reconnects with its new scope)', async () => {
    const user = await makeUser(tp, ['duty']);
    const { cookie } = await login(tp, user.username, user.password);
    const s = open(node2, { cookie });
    await ready(s);
    expect(await droppedByEdit(user.id, { roles: ['analyst'] }, s)).toEqual(['io server disconnect']);
    await ready(open(node2, { cookie }));
  });

  it('a password reset disconnects the user and ends their session', async () => {
    const user = await makeUser(tp, ['duty']);
    const { cookie } = await login(tp, user.username, user.password);
    const s = open(tp, { cookie });
    await ready(s);
    expect(await droppedByEdit(user.id, { password: 'Another-pass-42' }, s)).toEqual([
      'io server disconnect',
    ]);
    expect(await refused(open(tp, { cookie }))).toBe('unauthorized');
  });

  it('revoking a token disconnects its sockets on the other node', async () => {
    const a = await admin();
    const created = await a.agent
      .post('/api/tokens')
      .set('x-csrf-token', a.csrf)
      .send({ name: 'wall-screen', scopes: ['read'] })
      .expect(201);
    const s = open(node2, { token: created.body.token });
    await ready(s);
    const gone = dropped(s);
    await a.agent.delete(`/api/tokens/${created.body.id}`).set('x-csrf-token', a.csrf).expect(204);
    expect(await gone).toBe('io server disconnect');
  });

  it('logging out disconnects the sockets of that session only', async () => {
    const user = await makeUser(tp, ['duty']);
    const one = await login(tp, user.username, user.password);
    const two = await login(tp, user.username, user.password);
    const s1 = open(node2, { cookie: one.cookie });
    const s2 = open(node2, { cookie: two.cookie });
    await Promise.all([ready(s1), ready(s2)]);
    const gone = dropped(s1);
    await one.agent.post('/api/auth/logout').set('x-csrf-token', one.csrf).expect(204);
    expect(await gone).toBe('io server disconnect');
    await new Promise((r) => setTimeout(r, 300));
    expect(s2.connected).toBe(true);
  });

  it("every ack re-checks the database: a user disabled behind the socket's back cannot ack", async () => {
    const user = await makeUser(tp, ['duty']);
    const { cookie, csrf } = await login(tp, user.username, user.password);
    const s = open(tp, { cookie });
    await ready(s);
    const alert = await storeAlert(null);
    // Straight in the database: no notice is sent, only the ack's own check can notice.
    await tp.platform.core.db.updateTable('users').set({ active: false }).where('id', '=', user.id).execute();
    expect(await ack(s, { id: alert.id, csrfToken: csrf })).toMatchObject({ ok: false, status: 401 });
    const row = await tp.platform.core.db
      .selectFrom('alerts')
      .select('acked_at')
      .where('id', '=', alert.id)
      .executeTakeFirstOrThrow();
    expect(row.acked_at).toBeNull();
  });
});

describe('origin and CSRF on the socket', () => {
  it('refuses a handshake from a foreign origin, over polling and websocket', async () => {
    const { cookie } = await admin();
    for (const origin of ['http://evil.example', `http://127.0.0.1:${tp.port + 1}`, 'null'])
      for (const transports of [['polling'], ['websocket']] as const)
        expect(await refused(open(tp, { cookie, origin, transports: [...transports] }))).not.toBe('');
    await ready(open(tp, { cookie, origin: tp.url }));
    await ready(open(tp, { cookie, origin: 'https://gov.example.cn', transports: ['websocket'] }));
  });

  it("an ack from a cookie socket needs the session's CSRF token", async () => {
    const user = await makeUser(tp, ['duty']);
    const { cookie, csrf } = await login(tp, user.username, user.password);
    const s = open(tp, { cookie });
    await ready(s);
    const alert = await storeAlert(null);
    expect(await ack(s, { id: alert.id })).toMatchObject({ ok: false, status: 403 });
    expect(await ack(s, { id: alert.id, csrfToken: 'forged' })).toMatchObject({ ok: false, status: 403 });
    expect(s.connected).toBe(true);
    expect(await ack(s, { id: alert.id, csrfToken: csrf })).toMatchObject({ ok: true });
  });
});
