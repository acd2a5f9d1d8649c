import { ADMIN, login, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { makeDepartment, makeUser, PASSWORD } from '../support/factories.js';

/** The event page's 确认 and the case page (研判 → 回应), as an analyst meets them. */
let tp: TestPlatform;
let analyst: Awaited<ReturnType<typeof login>>;
beforeAll(async () => {
  tp = await startTestPlatform({ start: false });
  const center = await makeDepartment(tp, '区舆情中心', 'opinion_center');
  analyst = await login(tp, (await makeUser(tp, ['analyst'], center.id)).username, PASSWORD);
});
afterAll(() => tp.close());

/** A detected event as the pipeline leaves it: new, with its signal and (maybe) a suggestion. */
async function detected(title: string, signal: string | null, suggested: string | null) {
  const now = new Date(Date.now() - 3_600_000);
  const row = await tp.platform.core.db
    .insertInto('opinion_events')
    .values({
      origin: 'detected',
      title,
      status: 'new',
      emergency: false,
      responsible_department_id: null,
      spokesperson_id: null,
      detected_at: now,
      first_seen_at: now,
      last_seen_at: now,
      emergency_signal: signal,
      suggested_severity: suggested as never,
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const post = (path: string, form: Record<string, string>) =>
  analyst.agent
    .post(path)
    .type('form')
    .send({ _csrf: analyst.csrf, ...form });

test('确认 shows the severity and clocks it opens and never defaults a casualty event to 一般', async () => {
  const id = await detected('化工园区爆炸有人受伤', '爆炸', null);
  const page = (await analyst.agent.get(`/opinion/events/${id}`).expect(200)).text;
  expect(page).toContain('请选择级别（未给出建议级别）');
  expect(page).not.toMatch(/<option value="general" selected>/);
  expect(page).toMatch(/首发权威信息：5 小时内，至 \d+月\d+日 \d\d:\d\d/);
  expect(page).toMatch(/舆情回应：48 小时内/);
  expect(page).toMatch(/name="emergency" value="true" checked/);

  // Submitting without a severity opens nothing.
  await post(`/responses/events/${id}/confirm`, { emergency: 'true' }).expect(303);
  const still = await analyst.agent.get(`/api/opinion/events/${id}`).expect(200);
  expect([still.body.status, still.body.clocks]).toEqual(['new', []]);

  await post(`/responses/events/${id}/confirm`, { severity: 'major', emergency: 'true' }).expect(303);
  const done = await analyst.agent.get(`/api/opinion/events/${id}`).expect(200);
  expect(done.body.severity).toBe('major');
  expect(done.body.clocks.map((c: { kind: string }) => c.kind)).toEqual([
    'initial_release',
    'press_conference',
  ]);

  // With a suggestion from the analysis, it is preselected.
  const other = await detected('学校食堂饭菜质量遭家长质疑', null, 'large');
  expect((await analyst.agent.get(`/opinion/events/${other}`).expect(200)).text).toMatch(
    /<option value="large" selected>较大<\/option>/,
  );
});

test('the case page: triage first, an editable title, and a timeline of 研判, re-triage, actions and alerts', async () => {
  const id = await detected('东湖街道某小区业主反映电梯停运三天无人修理请有关部门', null, 'general');
  const first = (await analyst.agent.get(`/responses/events/${id}`).expect(200)).text;
  expect(first.indexOf('<h2>研判</h2>')).toBeGreaterThan(0);
  expect(first.indexOf('<h2>研判</h2>')).toBeLessThan(first.indexOf('<h2>记录回应</h2>'));
  expect(first).toContain('name="title" value="东湖街道某小区业主反映电梯停运三天无人修理请有关部门"');

  await post(`/responses/events/${id}/triage`, {
    title: '东湖街道小区电梯停运',
    severity: 'general',
    emergency: 'false',
  }).expect(303);
  const ev = (await analyst.agent.get(`/api/opinion/events/${id}`).expect(200)).body;
  expect(ev.title).toBe('东湖街道小区电梯停运');
  expect(ev.clocks[0].title).toBe('东湖街道小区电梯停运');
  // Re-triage as a major emergency detected 6 h ago: the 5 h clock is breached at once.
  await tp.platform.core.db
    .updateTable('opinion_events')
    .set({ detected_at: new Date(Date.now() - 6 * 3_600_000) })
    .where('id', '=', id)
    .execute();
  await post(`/responses/events/${id}/triage`, { severity: 'major', emergency: 'true' }).expect(303);
  await post(`/responses/events/${id}/actions`, {
    kind: 'initial_release',
    occurredAt: new Date().toISOString(),
    channel: '区政府网站',
    text: '已组织抢修',
  }).expect(303);

  const html = (await analyst.agent.get(`/responses/events/${id}`).expect(200)).text;
  const timeline = html.slice(html.indexOf('id="event-timeline"'));
  const order = ['发现', '研判确认', '重新研判', '预警', '首发权威信息'].map((w) =>
    timeline.indexOf(`</strong> ${w}`),
  );
  expect(order.every((i) => i > 0)).toBe(true);
  expect(timeline).toContain('标题改为“东湖街道小区电梯停运”');
  expect(timeline).toContain('级别 重大，突发事件');
  expect(timeline).toMatch(
    /【已超时】首发权威信息：东湖街道小区电梯停运（期限 [^）]*）（已解除：已完成（逾期/,
  );
  expect(timeline).toContain('区政府网站 · 已组织抢修');
});

test('admins too can confirm; a bad severity is refused with the field named', async () => {
  const admin = await login(tp, ADMIN.username, ADMIN.password);
  const id = await detected('网传青石镇停电', null, null);
  const res = await admin.agent
    .post(`/responses/events/${id}/confirm`)
    .type('form')
    .send({ _csrf: admin.csrf, severity: 'huge' })
    .expect(303);
  const page = await admin.agent.get(res.headers.location!).expect(200);
  expect(page.text).toContain('请选择级别');
});
