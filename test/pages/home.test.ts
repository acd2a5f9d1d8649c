import { jest } from '@jest/globals';
import { ADMIN, auditOf, login, usePlatform } from '../support/platform.js';
import { makeDepartment } from '../support/factories.js';
import { consoleClient } from '../support/clocks.js';
import { actor, cast, doc, published, send } from '../support/actors.js';
import { recordEvent } from '../support/events.js';

// Issue 13 item 13: home is each role's to-do list; a supervisor's 督办 reaches the late department.
// Many API steps each: generous under a loaded two-core machine.
jest.setTimeout(120_000);
const tp = usePlatform();

const section = (html: string, id: string) => {
  const m = new RegExp(`<section class="card todo" id="${id}">([\\s\\S]*?)</section>`).exec(html);
  return m ? m[1]! : null;
};

test('drafter: documents waiting and interpretations due soonest; supervisor: late items and 督办', async () => {
  const { drafterA, drafterB, supervisor } = await cast(tp);
  const late = await published(
    drafterA,
    supervisor,
    {},
    new Date(Date.now() - 10 * 86_400_000).toISOString(),
  );
  const fresh = await published(drafterA, supervisor);
  const draft = await send(
    drafterA,
    'post',
    '/api/policies',
    doc(drafterA.departmentId, { title: '待报批的草稿文件' }),
  ).expect(201);
  // Another department's document never shows on this drafter's home.
  const other = await published(drafterB, supervisor, { title: '教育局的另一份文件' });

  const home = (await drafterA.agent.get('/').expect(200)).text;
  const mine = section(home, 'todo-drafter')!;
  expect(mine).not.toBeNull();
  const lateAt = mine.indexOf(`/workspace/policies/${late.id}"`);
  const freshAt = mine.indexOf(`/workspace/policies/${fresh.id}"`);
  expect(lateAt).toBeGreaterThan(-1);
  expect(freshAt).toBeGreaterThan(lateAt); // due soonest first
  expect(mine).toContain('已超期');
  expect(mine).toContain(`/workspace/policies/${draft.body.id}"`);
  expect(mine).not.toContain(`/workspace/policies/${other.id}"`);
  expect(section(home, 'todo-supervisor')).toBeNull();

  const supHome = (await supervisor.agent.get('/').expect(200)).text;
  const sup = section(supHome, 'todo-supervisor')!;
  const lateClock = late.publish.interpretationClock.id as number;
  expect(sup).toContain(`data-clock-id="${lateClock}"`);
  expect(sup).not.toContain(`data-clock-id="${fresh.publish.interpretationClock.id}"`);
  expect(sup).toContain(`action="/home/urge/${lateClock}"`);

  // The late department's console is open; the 督办 arrives there live, stored and audited.
  const console = await consoleClient(tp, { cookie: drafterA.cookie });
  try {
    const res = await supervisor.agent
      .post(`/home/urge/${lateClock}`)
      .type('form')
      .send({ _csrf: supervisor.csrf, note: '请今天下班前发布解读' })
      .expect(303);
    const after = (await supervisor.agent.get(res.headers.location!).expect(200)).text;
    expect(after).toContain('已向');
    expect(after).toContain('发出督办');
    const pushed = await console.waitFor((a) => a.type === 'supervision.urge');
    expect(pushed.departmentId).toBe(drafterA.departmentId);
    expect(pushed.typeLabel).toBe('督办');
    expect(pushed.title).toContain('【督办】');
    expect(pushed.body).toContain('请今天下班前发布解读');
    expect(pushed.href).toBe(`/workspace/policies/${late.id}`);
  } finally {
    console.socket.close();
  }
  const audit = await auditOf(tp, 'supervision.urge', lateClock);
  expect(audit).toHaveLength(1);
  expect(audit[0]!.actor_user_id).toBe(supervisor.userId);
  // The department's own alert list has it; another department's has not.
  const a = await drafterA.agent.get('/api/alerts?type=supervision.urge').expect(200);
  expect(a.body.alerts).toHaveLength(1);
  const b = await drafterB.agent.get('/api/alerts?type=supervision.urge').expect(200);
  expect(b.body.alerts).toHaveLength(0);

  // A second 督办 at once is refused; a drafter cannot urge; a clock not yet due cannot be urged.
  await send(supervisor, 'post', `/api/clocks/${lateClock}/urge`, {}).expect(409);
  await send(drafterA, 'post', `/api/clocks/${lateClock}/urge`, {}).expect(403);
  await send(supervisor, 'post', `/api/clocks/${fresh.publish.interpretationClock.id}/urge`, {}).expect(409);
  expect(section((await supervisor.agent.get('/').expect(200)).text, 'todo-supervisor')).toContain(
    '上次督办',
  );
});

test('analyst: events to triage; spokesperson: running clocks; duty: the console', async () => {
  const db = tp.platform.core.db;
  const now = new Date();
  const ev = await db
    .insertInto('opinion_events')
    .values({
      origin: 'detected',
      title: '东湖街道某小区连续停水',
      detected_at: now,
      first_seen_at: now,
      last_seen_at: now,
      hotness: 42,
      items_count: 7,
      suggested_severity: 'large',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const analyst = await actor(tp, ['analyst']);
  const aHome = section((await analyst.agent.get('/').expect(200)).text, 'todo-analyst')!;
  expect(aHome).toContain(`/opinion/events/${ev.id}"`);
  expect(aHome).toContain('较大');

  const dept = await makeDepartment(tp);
  const spokes = await actor(tp, ['spokesperson'], dept.id);
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  const recorded = await recordEvent(admin, {
    title: '青石镇化工厂异味',
    detectedAt: now,
    responsibleDepartmentId: dept.id,
  });
  const sHome = section((await spokes.agent.get('/').expect(200)).text, 'todo-spokesperson')!;
  expect(sHome).toContain(`/responses/events/${recorded.id}"`);
  expect(sHome).toContain('class="countdown"');

  // The news office carries every major event, whoever answers it.
  const newsOffice = await makeDepartment(tp, `新闻办${Date.now()}`, 'publicity');
  const news = await actor(tp, ['spokesperson'], newsOffice.id);
  const major = await recordEvent(admin, {
    title: '东湖街道燃气爆炸',
    detectedAt: now,
    severity: 'major',
    emergency: true,
    responsibleDepartmentId: dept.id,
  });
  const nHome = section((await news.agent.get('/').expect(200)).text, 'todo-spokesperson')!;
  expect(nHome).toContain(`/responses/events/${major.id}"`);
  expect(nHome).not.toContain(`/responses/events/${recorded.id}"`);

  // An empty list still shows its section, saying so.
  const idle = await actor(tp, ['spokesperson']);
  expect(section((await idle.agent.get('/').expect(200)).text, 'todo-spokesperson')).toContain(
    '没有进行中的回应时限',
  );

  const duty = await actor(tp, ['duty']);
  const dHome = section((await duty.agent.get('/').expect(200)).text, 'todo-duty')!;
  expect(dHome).toContain('href="/console"');
  expect(dHome).toMatch(/未确认预警 <strong[^>]*>\d+<\/strong>/);
});
