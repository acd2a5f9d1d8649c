import { can, seesMajorEvents } from '../../src/auth/policy.js';
import type { Principal } from '../../src/auth/principal.js';
import { AccountsService } from '../../src/accounts/service.js';
import type { AlertJson } from '../../src/alerts/model.js';
import { ADMIN, login, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { makeDepartment, makeUser, PASSWORD } from '../support/factories.js';
import { consoleClient } from '../support/clocks.js';
import { recordEvent } from '../support/events.js';

/**
 * The district spokesperson (新闻办) and the government office see and act on every major or
 * extraordinary event and its clocks, whoever the 责任单位 is; other departments still do not.
 */
const spokesperson = (departmentId: number, departmentKind?: string): Principal => ({
  kind: 'user',
  id: 1,
  username: 'x',
  displayName: 'x',
  departmentId,
  ...(departmentKind ? { departmentKind } : {}),
  roles: ['spokesperson'],
});

describe('policy', () => {
  const major = { departmentId: 7, majorEvent: true };
  const general = { departmentId: 7, majorEvent: false };
  it('lets the news office and the government office act on major events of any department', () => {
    for (const kind of ['publicity', 'government_office']) {
      const p = spokesperson(1, kind);
      expect(seesMajorEvents(p, 'opinion.read')).toBe(true);
      for (const action of ['opinion.read', 'event.act', 'alert.read', 'alert.ack', 'clock.read'] as const) {
        expect([kind, action, can(p, action, major)]).toEqual([kind, action, true]);
        expect([kind, action, can(p, action, general)]).toEqual([kind, action, false]);
      }
      // Seeing an event is not triaging it, nor configuring anything.
      expect(can(p, 'event.triage', major)).toBe(false);
      expect(can(p, 'opinion.configure', major)).toBe(false);
    }
  });
  it('keeps every other department to its own events', () => {
    const p = spokesperson(1, 'department');
    expect(seesMajorEvents(p, 'opinion.read')).toBe(false);
    expect(can(p, 'opinion.read', major)).toBe(false);
    expect(can(p, 'event.act', major)).toBe(false);
    expect(can(spokesperson(7, 'department'), 'event.act', general)).toBe(true);
  });
});

describe('the news office during a major emergency', () => {
  let tp: TestPlatform;
  let xwb: Awaited<ReturnType<typeof login>>;
  let other: Awaited<ReturnType<typeof login>>;
  let admin: Awaited<ReturnType<typeof login>>;
  let bureau: { id: number };
  beforeAll(async () => {
    tp = await startTestPlatform();
    const news = await new AccountsService(tp.platform.core).createDepartment(
      { actor: undefined },
      { name: '区委宣传部（新闻办）', kind: 'publicity' },
    );
    bureau = await makeDepartment(tp, '区应急管理局');
    const elsewhere = await makeDepartment(tp, '区教育局');
    xwb = await login(tp, (await makeUser(tp, ['spokesperson'], news.id)).username, PASSWORD);
    other = await login(tp, (await makeUser(tp, ['spokesperson'], elsewhere.id)).username, PASSWORD);
    admin = await login(tp, ADMIN.username, ADMIN.password);
  });
  afterAll(() => tp.close());

  const record = (title: string, severity: string, emergency: boolean, hoursAgo: number) =>
    recordEvent(admin, {
      title,
      severity,
      emergency,
      responsibleDepartmentId: bureau.id,
      detectedAt: new Date(Date.now() - hoursAgo * 3_600_000),
    });

  test('sees the event in /responses, on its case page, its clocks and alerts, and acts on it', async () => {
    const blast = await record('青石镇化工厂爆炸', 'major', true, 6);
    const small = await record('应急局办事窗口排队久', 'general', false, 1);

    const list = (await xwb.agent.get('/responses').expect(200)).text;
    expect(list).toContain('青石镇化工厂爆炸');
    expect(list).not.toContain('应急局办事窗口排队久');
    const page = (await xwb.agent.get(`/responses/events/${blast.id}`).expect(200)).text;
    expect(page).toContain('青石镇化工厂爆炸');
    await xwb.agent.get(`/responses/events/${small.id}`).expect(404);
    await other.agent.get(`/responses/events/${blast.id}`).expect(404);

    const clocks = (await xwb.agent.get('/api/clocks?state=running&state=breached').expect(200)).body
      .clocks as {
      id: number;
      subject: { kind: string; id: number };
    }[];
    expect(new Set(clocks.map((c) => c.subject.id))).toEqual(new Set([blast.id]));
    await xwb.agent.get(`/api/clocks/${blast.clocks[0]!.id}`).expect(200);
    await xwb.agent.get(`/api/clocks/${small.clocks[0]!.id}`).expect(404);

    // The 5 h clock is breached: its alerts reach the news office, and it may acknowledge them.
    const alerts = (await xwb.agent.get('/api/alerts?acked=false').expect(200)).body.alerts as AlertJson[];
    const breach = alerts.find((a) => a.type === 'clock.breached');
    expect(breach?.title).toContain('青石镇化工厂爆炸');
    expect(alerts.every((a) => a.title.includes('青石镇化工厂爆炸'))).toBe(true);
    await xwb.agent.post(`/api/alerts/${breach!.id}/ack`).set('x-csrf-token', xwb.csrf).expect(200);
    await other.agent.post(`/api/alerts/${breach!.id}/ack`).set('x-csrf-token', other.csrf).expect(404);

    // …and records the authoritative release itself.
    const done = await xwb.agent
      .post(`/api/opinion/events/${blast.id}/actions`)
      .set('x-csrf-token', xwb.csrf)
      .send({ kind: 'initial_release', occurredAt: new Date().toISOString(), channel: '区政府网站' })
      .expect(201);
    expect(done.body.clocks.find((c: { kind: string }) => c.kind === 'initial_release').state).toBe(
      'met_late',
    );
    await xwb.agent
      .post(`/api/opinion/events/${small.id}/actions`)
      .set('x-csrf-token', xwb.csrf)
      .send({ kind: 'response', occurredAt: new Date().toISOString() })
      .expect(404);
  });

  test('its console is pushed major events’ alerts of any department, not the others', async () => {
    const c = await consoleClient(tp, { cookie: xwb.cookie });
    const general = await record('应急局网站打不开', 'general', false, 49);
    const major = await record('东湖街道山体滑坡', 'extraordinary', true, 5.5);
    const pushed = await c.waitFor(
      (a) => a.type === 'clock.breached' && a.title.includes('东湖街道山体滑坡'),
    );
    expect(pushed.subject.id).toBe(String(major.clocks.find((x) => x.kind === 'initial_release')!.id));
    await new Promise((r) => setTimeout(r, 500));
    expect(c.alerts.filter((a) => a.title.includes('应急局网站打不开'))).toEqual([]);
    const all = (await admin.agent.get('/api/alerts?acked=false').expect(200)).body.alerts as AlertJson[];
    expect(all.some((a) => a.subject.id === String(general.clocks[0]!.id))).toBe(true);
    // A console reconnecting with its last id gets the same scope.
    c.socket.close();
    const again = await consoleClient(tp, { cookie: xwb.cookie, lastAlertId: pushed.id - 1 });
    await again.waitFor((a) => a.id === pushed.id);
    again.socket.close();
  });
});
