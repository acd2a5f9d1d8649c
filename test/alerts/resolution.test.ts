import { ManualClock } from '../../src/shared/clock.js';
import type { AlertJson } from '../../src/alerts/model.js';
import { ADMIN, login, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { consoleClient, openTestClock } from '../support/clocks.js';
import { recordEvent } from '../support/events.js';

/**
 * Alerts about a clock end with the clock: met, cancelled or moved, its open warning, breach and
 * escalation alerts resolve (recorded with a reason, pushed as `alert:resolved`, kept in history).
 */
const sh = (iso: string) => `${iso}+08:00`;
const DAY = 86_400_000;

let tp: TestPlatform;
let admin: Awaited<ReturnType<typeof login>>;
const clock = new ManualClock(sh('2026-11-23T10:00:00'));
beforeAll(async () => {
  tp = await startTestPlatform({ clock });
  admin = await login(tp, ADMIN.username, ADMIN.password);
});
afterAll(() => tp.close());

type Console = Awaited<ReturnType<typeof consoleClient>> & { resolved: { id: number; reason: string }[] };
async function consoleWithResolutions(): Promise<Console> {
  const c = (await consoleClient(tp, { cookie: admin.cookie })) as Console;
  c.resolved = [];
  c.socket.on('alert:resolved', (m: { id: number; reason: string }) => c.resolved.push(m));
  return c;
}

async function until<T>(f: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const openAlerts = async () =>
  (await admin.agent.get('/api/alerts?acked=false&resolved=false&limit=500').expect(200)).body
    .alerts as AlertJson[];
const alertsOfClock = (list: AlertJson[], clockId: number) =>
  list.filter((a) => a.subject.kind === 'clock' && a.subject.id === String(clockId));

test('a late clock met: its warning, breach and escalation alerts resolve and consoles drop them', async () => {
  const c = await consoleWithResolutions();
  // Detected 20 days ago: the 48 h response clock is 18 days late when it is opened.
  const e = await recordEvent(admin, {
    title: '东湖街道路灯长期不亮',
    detectedAt: new Date(clock.now().getTime() - 20 * DAY),
  });
  const clockId = e.clocks[0]!.id;
  const open = alertsOfClock(await openAlerts(), clockId);
  // Warnings and the first escalation step were overtaken by later thresholds and not raised.
  expect(open.map((a) => a.type).sort()).toEqual(['clock.breached', 'event.escalated']);
  // Lateness for people: days and hours, not 25920 minutes.
  const escalation = open.find((a) => a.type === 'event.escalated')!;
  expect(escalation.title).toContain('已超时 18 天');
  expect(escalation.title).not.toMatch(/\d{4,} 分钟/);
  await c.waitFor((a) => a.id === escalation.id);

  await admin.agent
    .post(`/api/opinion/events/${e.id}/actions`)
    .set('x-csrf-token', admin.csrf)
    .send({ kind: 'response', occurredAt: clock.now().toISOString(), channel: '政府网站', text: '已修复' })
    .expect(201);

  expect(alertsOfClock(await openAlerts(), clockId)).toEqual([]);
  const pushed = await until(() => (c.resolved.length >= open.length ? c.resolved : undefined));
  expect(pushed.map((m) => m.id).sort()).toEqual(open.map((a) => a.id).sort());
  expect(new Set(pushed.map((m) => m.reason))).toEqual(new Set(['已完成（逾期 18 天）']));

  // Kept in history, with when and why.
  const history = alertsOfClock(
    (await admin.agent.get('/api/alerts?resolved=true&limit=500').expect(200)).body.alerts,
    clockId,
  );
  expect(history).toHaveLength(open.length);
  for (const a of history) {
    expect(a.resolved).toBe(true);
    expect(a.acked).toBe(false);
    expect(a.resolvedAt).toBe('2026-11-23T10:00:00+08:00');
    expect(a.resolvedReason).toBe('已完成（逾期 18 天）');
  }
  // Nothing is re-notified about a matter that is over.
  const renotify = await tp.platform.core.db
    .selectFrom('alerts')
    .select('renotify_at')
    .where('subject_kind', '=', 'clock')
    .where('subject_id', '=', String(clockId))
    .execute();
  expect(renotify.every((r) => r.renotify_at === null)).toBe(true);
  c.socket.close();
});

test('a dismissed event cancels its clocks and resolves their alerts with the reason', async () => {
  const c = await consoleWithResolutions();
  const e = await recordEvent(admin, {
    title: '网传青石镇停电',
    detectedAt: new Date(clock.now().getTime() - 3 * DAY),
  });
  const clockId = e.clocks[0]!.id;
  const open = alertsOfClock(await openAlerts(), clockId);
  expect(open.length).toBeGreaterThan(0);
  await admin.agent
    .post(`/api/opinion/events/${e.id}/dismiss`)
    .set('x-csrf-token', admin.csrf)
    .send({ reason: '谣言，已核实' })
    .expect(200);
  expect(alertsOfClock(await openAlerts(), clockId)).toEqual([]);
  const pushed = await until(() => (c.resolved.length >= open.length ? c.resolved : undefined));
  expect(new Set(pushed.map((m) => m.reason))).toEqual(new Set(['事件已忽略']));
  c.socket.close();
});

test('a moved deadline resolves the warnings counted toward the old one', async () => {
  const c = await consoleWithResolutions();
  // 依申请公开: 20 working days, 15 of them gone — the half-way warning has fired.
  const row = await openTestClock(tp, {
    kind: 'disclosure_request',
    startAt: new Date(sh('2026-11-02T09:00:00')),
  });
  const warnings = alertsOfClock(await openAlerts(), row.id);
  expect(warnings.map((a) => a.type)).toEqual(['clock.warning']);
  const extended = await admin.agent
    .post(`/api/clocks/${row.id}/extend`)
    .set('x-csrf-token', admin.csrf)
    .send({})
    .expect(200);
  const open = alertsOfClock(await openAlerts(), row.id);
  // The old warning is gone; what is open now is the notice of the new deadline.
  expect(open.map((a) => a.type)).toEqual(['clock.deadline_moved']);
  const pushed = await until(() => c.resolved.find((m) => m.id === warnings[0]!.id));
  expect(pushed.reason).toMatch(/^期限变更为 \d+月\d+日 24:00$/);
  expect(extended.body.dueAt).not.toBe(row.due_at.toISOString());
  c.socket.close();
});
