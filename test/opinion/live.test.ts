import { jest } from '@jest/globals';
import { io as connect, type Socket } from 'socket.io-client';
import { startTestPlatform, login, type TestPlatform } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';
import { crawlerDelivery } from '../support/opinion-fixtures.js';
import { ingest, ingestToken, payload, workerOf } from '../support/opinion.js';
import { send } from '../support/actors.js';

// Issue 16 item 5: /opinion is live over Socket.IO. Analysed items reach those who see every
// department's opinion; an event's updates reach the rooms allowed to see that event, and no other.
jest.setTimeout(120_000);

let tp: TestPlatform;
let token: string;
const sockets: Socket[] = [];

interface Pushed {
  items: { id: number; content: string; eventId: number | null; sentiment: string | null }[];
  events: { id: number; itemsCount: number; negativeCount: number; trend: string }[];
}

async function open(cookie?: string, apiToken?: string): Promise<{ socket: Socket; seen: Pushed }> {
  const socket = connect(`${tp.url}/opinion`, {
    auth: apiToken ? { token: apiToken } : {},
    reconnection: false,
    forceNew: true,
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
  sockets.push(socket);
  const seen: Pushed = { items: [], events: [] };
  socket.on('item', (i: Pushed['items'][number]) => seen.items.push(i));
  socket.on('event', (e: Pushed['events'][number]) => seen.events.push(e));
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, seen };
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  tp = await startTestPlatform();
  token = await ingestToken(tp);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await tp.close();
});

test('anonymous sockets and tokens without read access are refused', async () => {
  await expect(open()).rejects.toThrow('unauthorized');
  await expect(open(undefined, token)).rejects.toThrow('unauthorized');
  await expect(open(undefined, await ingestToken(tp, ['read']))).resolves.toBeDefined();
});

test('items and event updates reach the rooms allowed to see them, and only those', async () => {
  const center = await makeDepartment(tp, '舆情中心', 'opinion_center');
  const deptA = await makeDepartment(tp, '区教育局');
  const deptB = await makeDepartment(tp, '区卫健局');
  const analyst = await makeUser(tp, ['analyst'], center.id);
  const drafterA = await makeUser(tp, ['drafter'], deptA.id);
  const drafterB = await makeUser(tp, ['drafter'], deptB.id);
  const global = await open((await login(tp, analyst.username, analyst.password)).cookie);
  const a = await open((await login(tp, drafterA.username, drafterA.password)).cookie);
  const b = await open((await login(tp, drafterB.username, drafterB.password)).cookie);

  // The school incident, delivered as a crawler does: new items and a new event arrive live.
  const now = new Date(Date.now() - 40 * 60_000);
  const school = payload(
    crawlerDelivery().filter((i) => i.incident === 'school'),
    now,
  );
  const res = await ingest(tp, token, school).expect(200);
  expect(res.body.accepted).toBe(school.length);
  await until('the school items', () => global.seen.items.length === school.length);
  expect(global.seen.items.every((i) => i.sentiment !== null)).toBe(true);
  await until('the school event', () => global.seen.events.length > 0);
  const eventId = global.seen.events.at(-1)!.id;
  expect(global.seen.items.filter((i) => i.eventId === eventId).length).toBeGreaterThanOrEqual(3);
  // The event has no responsible department yet: only the global room heard of it.
  expect(a.seen.items).toEqual([]);
  expect(a.seen.events).toEqual([]);
  expect(b.seen.events).toEqual([]);

  // Assigned to 教育局 (as triage does), the next post reaches 教育局 and still not 卫健局.
  await tp.platform.core.db
    .updateTable('opinion_events')
    .set({ responsible_department_id: deptA.id })
    .where('id', '=', eventId)
    .execute();
  const before = global.seen.events.length;
  await ingest(tp, token, [
    { ...school[0]!, externalId: 'live-repost-1', url: undefined, author: '转发的家长' },
  ]).expect(200);
  await until('the update at 教育局', () => a.seen.events.some((e) => e.id === eventId));
  await until('the update in the global room', () => global.seen.events.length > before);
  const update = a.seen.events.find((e) => e.id === eventId)!;
  expect(update.itemsCount).toBe(global.seen.events.at(-1)!.itemsCount);
  expect(['rising', 'flat', 'falling']).toContain(update.trend);
  await workerOf(tp).drain();
  await new Promise((r) => setTimeout(r, 300));
  // Scoped readers get no raw items; the other department hears nothing at all.
  expect(a.seen.items).toEqual([]);
  expect(b.seen.items).toEqual([]);
  expect(b.seen.events).toEqual([]);
});

test("an analyst's correction moves the event live, without listing the corrected post as new", async () => {
  const center = await makeDepartment(tp, '舆情中心（研判）', 'opinion_center');
  const analyst = await makeUser(tp, ['analyst'], center.id);
  const session = await login(tp, analyst.username, analyst.password);
  const watcher = await open(session.cookie);
  const hospital = payload(
    crawlerDelivery().filter((i) => i.incident === 'hospital'),
    new Date(Date.now() - 30 * 60_000),
  );
  await ingest(tp, token, hospital).expect(200);
  await until('the hospital event', () => watcher.seen.events.length > 0);
  await workerOf(tp).drain();
  await new Promise((r) => setTimeout(r, 300));
  const eventId = watcher.seen.events.at(-1)!.id;
  // Any post of the event: a negative one corrected to neutral counts one negative fewer, and back.
  const post = watcher.seen.items.find((i) => i.eventId === eventId)!;
  const negative = post.sentiment === 'negative';
  const lastOf = () => watcher.seen.events.filter((e) => e.id === eventId).at(-1)!;
  const negativeBefore = lastOf().negativeCount;
  const itemsSeen = watcher.seen.items.length;
  const eventsSeen = watcher.seen.events.length;

  await send(session, 'post', `/api/opinion/items/${post.id}/correction`, {
    sentiment: negative ? 'neutral' : 'negative',
  }).expect(201);
  await until('the corrected event', () => watcher.seen.events.length > eventsSeen);
  const moved = watcher.seen.events.at(-1)!;
  expect(moved.id).toBe(eventId);
  expect(moved.negativeCount).toBe(negativeBefore + (negative ? -1 : 1));
  await new Promise((r) => setTimeout(r, 300));
  expect(watcher.seen.items.length).toBe(itemsSeen);
});

test('a socket whose session is revoked is disconnected', async () => {
  const user = await makeUser(tp, ['analyst']);
  const session = await login(tp, user.username, user.password);
  const s = await open(session.cookie);
  const closed = new Promise<string>((resolve) => s.socket.once('disconnect', resolve));
  await session.agent.post('/logout').set('X-CSRF-Token', session.csrf).type('form').send({});
  await expect(closed).resolves.toBeDefined();
});
