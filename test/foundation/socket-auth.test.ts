import { io as connect, type Socket } from 'socket.io-client';
import { startTestPlatform, login, ADMIN, type TestPlatform } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';
import { insertAlert } from '../../src/alerts/store.js';
import type { AlertJson } from '../../src/alerts/model.js';

let tp: TestPlatform;
const sockets: Socket[] = [];

beforeAll(async () => {
  tp = await startTestPlatform();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => tp.close());

interface Opts {
  cookie?: string;
  token?: string;
  lastAlertId?: number;
  transports?: ('polling' | 'websocket')[];
}

function open(o: Opts = {}): Socket {
  const auth: Record<string, unknown> = {};
  if (o.token !== undefined) auth.token = o.token;
  if (o.lastAlertId !== undefined) auth.lastAlertId = o.lastAlertId;
  const s = connect(`${tp.url}/console`, {
    auth,
    reconnection: false,
    forceNew: true,
    ...(o.cookie ? { extraHeaders: { cookie: o.cookie } } : {}),
    ...(o.transports ? { transports: o.transports } : {}),
  });
  sockets.push(s);
  return s;
}

/** Resolves once the server finished its replay and says `ready`, with the alerts seen so far. */
function ready(s: Socket): Promise<AlertJson[]> {
  const seen: AlertJson[] = [];
  s.on('alert', (a: AlertJson) => seen.push(a));
  return new Promise((resolve, reject) => {
    s.once('ready', () => resolve(seen));
    s.once('connect_error', (err) => reject(err));
  });
}

function refused(s: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    s.once('connect_error', (err) => resolve(err.message));
    s.once('ready', () => reject(new Error('socket was accepted')));
  });
}

function nextAlert(s: Socket, ms = 5000): Promise<AlertJson> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no alert within time')), ms);
    s.once('alert', (a: AlertJson) => {
      clearTimeout(t);
      resolve(a);
    });
  });
}

/** Waits until the alert with this id is among those a listener collected. */
function alertWithId(seen: AlertJson[], id: number, ms = 5000): Promise<AlertJson> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = seen.find((a) => a.id === id);
      if (hit) resolve(hit);
      else if (Date.now() > until) reject(new Error(`alert ${id} not pushed within ${ms} ms`));
      else setTimeout(check, 20);
    };
    check();
  });
}

async function storeAlert(title: string, departmentId: number | null) {
  const row = await tp.platform.core.db.transaction().execute((trx) =>
    insertAlert(
      trx,
      {
        type: 'event.detected',
        severity: 'warning',
        title,
        subjectKind: 'event',
        subjectId: 1,
        departmentId,
      },
      new Date(),
    ),
  );
  return row!;
}

async function adminToken(scopes: string[]) {
  const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
  const res = await agent
    .post('/api/tokens')
    .set('x-csrf-token', csrf)
    .send({ name: `console-${scopes.join('-')}`, scopes })
    .expect(201);
  return { id: res.body.id as number, token: res.body.token as string, agent, csrf };
}

describe('/console handshake', () => {
  it('refuses an anonymous socket', async () => {
    expect(await refused(open())).toBe('unauthorized');
  });

  it('refuses a forged or garbage session cookie', async () => {
    expect(await refused(open({ cookie: 'gop.sid=s%3Anot-a-session.abc' }))).toBe('unauthorized');
  });

  it('accepts a signed-in session cookie, over polling and over a bare websocket', async () => {
    const { cookie } = await login(tp, ADMIN.username, ADMIN.password);
    await ready(open({ cookie }));
    await ready(open({ cookie, transports: ['websocket'] }));
  });

  it('refuses the cookie of a session that logged out', async () => {
    const { agent, csrf, cookie } = await login(tp, ADMIN.username, ADMIN.password);
    await agent.post('/api/auth/logout').set('x-csrf-token', csrf);
    expect(await refused(open({ cookie }))).toBe('unauthorized');
  });

  it('accepts an API token with the read scope and refuses garbage or revoked tokens', async () => {
    const { id, token, agent, csrf } = await adminToken(['read']);
    const s = open({ token });
    await ready(s);
    // A token sees the whole county, like a global viewer.
    const got = nextAlert(s);
    const row = await storeAlert('令牌可见', null);
    expect((await got).id).toBe(row.id);
    expect(await refused(open({ token: 'gop_garbage' }))).toBe('unauthorized');
    expect(await refused(open({ token: 'x'.repeat(500) }))).toBe('unauthorized');
    await agent.delete(`/api/tokens/${id}`).set('x-csrf-token', csrf).expect(204);
    expect(await refused(open({ token }))).toBe('unauthorized');
  });

  it('refuses an ingest-only token: crawlers do not watch the console', async () => {
    const { token } = await adminToken(['ingest']);
    expect(await refused(open({ token }))).toBe('unauthorized');
  });
});

describe('/console alerts', () => {
  it('pushes a stored alert live and replays it to a socket that reconnects with lastAlertId', async () => {
    const { cookie } = await login(tp, ADMIN.username, ADMIN.password);
    const live = open({ cookie });
    await ready(live);
    // Every push is collected from here on: over polling both alerts can arrive in one payload and
    // be emitted in the same tick, before a listener attached after the first could see the second.
    const seen: AlertJson[] = [];
    live.on('alert', (a: AlertJson) => seen.push(a));
    const before = await storeAlert('基线预警', null);
    const row = await storeAlert('城关街道积水投诉激增', null);
    const got = await alertWithId(seen, row.id);
    expect(seen.map((a) => a.id)).toEqual([before.id, row.id]);
    expect(got).toMatchObject({
      id: row.id,
      type: 'event.detected',
      severity: 'warning',
      title: '城关街道积水投诉激增',
      subject: { kind: 'event', id: '1' },
    });
    expect(got.createdAt).toMatch(/\+08:00$/);

    const replayed = await ready(open({ cookie, lastAlertId: before.id }));
    expect(replayed.map((a) => a.id)).toEqual([row.id]);
  });

  it('keeps a drafter to alerts of its own department, live and on replay', async () => {
    const own = await makeDepartment(tp);
    const other = await makeDepartment(tp);
    const drafter = await makeUser(tp, ['drafter'], own.id);
    const { cookie } = await login(tp, drafter.username, drafter.password);
    const watcher = await makeUser(tp, ['duty'], other.id);
    const duty = await login(tp, watcher.username, watcher.password);

    const mark = await storeAlert('起点', null);
    const sDrafter = open({ cookie });
    const sDuty = open({ cookie: duty.cookie });
    const gotDrafter: AlertJson[] = [];
    const gotDuty: AlertJson[] = [];
    await Promise.all([ready(sDrafter), ready(sDuty)]);
    sDrafter.on('alert', (a: AlertJson) => gotDrafter.push(a));
    sDuty.on('alert', (a: AlertJson) => gotDuty.push(a));

    const foreign = await storeAlert('他部门预警', other.id);
    const global = await storeAlert('全区预警', null);
    const mine = await storeAlert('本部门预警', own.id);
    // Alerts arrive in commit order, so once the drafter has its own alert the others were decided.
    await new Promise<void>((resolve) => {
      const check = () => (gotDrafter.some((a) => a.id === mine.id) ? resolve() : setTimeout(check, 20));
      check();
    });
    await new Promise<void>((resolve) => {
      const check = () => (gotDuty.some((a) => a.id === mine.id) ? resolve() : setTimeout(check, 20));
      check();
    });
    expect(gotDrafter.map((a) => a.id)).toEqual([mine.id]);
    // Global viewers (duty) see every department's alerts and global ones.
    expect(gotDuty.map((a) => a.id)).toEqual([foreign.id, global.id, mine.id]);

    const replay = await ready(open({ cookie, lastAlertId: mark.id }));
    expect(replay.map((a) => a.id)).toEqual([mine.id]);
  });

  it('acknowledges over the socket and refuses an out-of-scope ack as not found', async () => {
    const own = await makeDepartment(tp);
    const other = await makeDepartment(tp);
    const drafter = await makeUser(tp, ['drafter'], own.id);
    const { cookie, csrf } = await login(tp, drafter.username, drafter.password);
    const s = open({ cookie });
    await ready(s);
    const mine = await storeAlert('待确认', own.id);
    const foreign = await storeAlert('别人的', other.id);
    const ack = (id: unknown) =>
      new Promise<{ ok: boolean; status?: number; alert?: AlertJson }>((resolve) =>
        s.emit('alert:ack', { id, csrfToken: csrf }, resolve),
      );
    const ok = await ack(mine.id);
    expect(ok.ok).toBe(true);
    expect(ok.alert).toMatchObject({ id: mine.id, acked: true, ackedBy: drafter.id });
    expect(await ack(foreign.id)).toMatchObject({ ok: false, status: 404 });
    expect(await ack('abc')).toMatchObject({ ok: false, status: 400 });
  });
});
