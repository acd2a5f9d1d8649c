import { ADMIN, login, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { makeDepartment, makeUser, PASSWORD } from '../support/factories.js';
import { VIEWS_DIR } from '../../src/web/views.js';

let tp: TestPlatform;
let admin: Awaited<ReturnType<typeof login>>;
beforeAll(async () => {
  tp = await startTestPlatform({ start: false });
  admin = await login(tp, ADMIN.username, ADMIN.password);
});
afterAll(() => tp.close());

const policyOf = async (kind: string) =>
  (await admin.agent.get('/api/clock-policies').expect(200)).body.policies.find(
    (p: { kind: string }) => p.kind === kind,
  );

/** The section of the page that edits one kind. */
const sectionOf = (html: string, kind: string) =>
  new RegExp(`<section class="card time-limit" id="limit-${kind}">([\\s\\S]*?)</section>`).exec(html)?.[1] ??
  '';

const flashOf = (html: string) =>
  /<div class="flash flash-(\w+)"[^>]*>([^<]*)<\/div>/.exec(html)?.slice(1) ?? [];

function post(kind: string, fields: Record<string, string>) {
  return admin.agent
    .post(`/admin/clock-policies/${kind}`)
    .type('form')
    .send({ _csrf: admin.csrf, ...fields });
}

const interpretationForm = {
  label: '政策解读（文件公开后 4 个工作日）',
  windowAmount: '4',
  windowUnit: 'working_days',
  warnLastWorkingDay: 'true',
  warnings: '40，75%',
  'escalation[0][afterMinutes]': '120',
  'escalation[0][target]': 'opinion_center',
  'escalation[1][afterMinutes]': '600',
  'escalation[1][target]': 'government_office',
  'escalation[2][afterMinutes]': '',
  'escalation[2][target]': '',
  renotifyMinutes: '45',
  extensionAmount: '',
  extensionUnit: 'working_days',
};

test('the page shows each time limit as a Chinese form and leaks nothing of the render context', async () => {
  const page = await admin.agent.get('/admin/clock-policies').expect(200);
  const section = sectionOf(page.text, 'interpretation');
  expect(section).toContain('name="windowAmount" value="3"');
  expect(section).toMatch(/<option value="working_days" selected>工作日<\/option>/);
  expect(section).toContain('name="warnings" value="50, 80"');
  expect(section).toContain('name="renotifyMinutes" value="60"');
  expect(section).toMatch(/name="escalation\[0\]\[afterMinutes\]" value="480"/);
  expect(section).toMatch(/<option value="government_office" selected>分管领导 \/ 政务公开办<\/option>/);
  for (const legend of ['窗口', '预警点', '升级步骤', '提醒间隔'])
    expect(section).toContain(`<legend>${legend}`);
  // The old page dumped the whole context (views path, settings, CSRF token) into a textarea.
  expect(page.text).not.toContain('<textarea');
  expect(page.text).not.toContain(VIEWS_DIR);
  expect(page.text).not.toContain('"settings"');
  const tokenUses = page.text.split(admin.csrf).length - 1;
  const forms = page.text.split('<form').length - 1;
  expect(tokenUses).toBe(forms + 1); // one hidden field per form, plus the page's meta tag
});

test('saving the form changes the time limit for new clocks and records it in the audit log', async () => {
  const res = await post('interpretation', interpretationForm);
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/admin/clock-policies');
  const page = await admin.agent.get('/admin/clock-policies').expect(200);
  expect(flashOf(page.text)).toEqual([
    'ok',
    expect.stringContaining('已保存“政策解读（文件公开后 4 个工作日）”'),
  ]);

  expect(await policyOf('interpretation')).toEqual({
    kind: 'interpretation',
    label: '政策解读（文件公开后 4 个工作日）',
    config: {
      window: { unit: 'working_days', amount: 4 },
      warnings: [0.4, 0.75],
      warnLastWorkingDay: true,
      escalation: [
        { afterMinutes: 120, target: 'opinion_center' },
        { afterMinutes: 600, target: 'government_office' },
      ],
      renotifyMinutes: 45,
      pausable: false,
    },
  });
  const audit = await tp.platform.core.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'clockpolicy.save')
    .where('subject_id', '=', 'interpretation')
    .executeTakeFirstOrThrow();
  expect(audit.actor_label).toContain('admin');
  expect(audit.before).toMatchObject({ config: { window: { amount: 3 } } });

  // Saved values come back into the form.
  const section = sectionOf(page.text, 'interpretation');
  expect(section).toContain('name="windowAmount" value="4"');
  expect(section).toContain('name="warnings" value="40, 75"');
});

test('bad input is refused with Chinese messages naming the fields, and nothing is saved', async () => {
  const before = await policyOf('response');
  const res = await post('response', {
    label: '舆情回应',
    windowAmount: '零',
    windowUnit: 'hours',
    warnings: '50, 120',
    'escalation[0][afterMinutes]': '三十',
    'escalation[0][target]': 'opinion_center',
    renotifyMinutes: '',
  });
  expect(res.status).toBe(303);
  const [kind, text] = flashOf((await admin.agent.get('/admin/clock-policies').expect(200)).text);
  expect(kind).toBe('error');
  for (const name of ['窗口时长', '预警点', '提醒间隔']) expect(text).toContain(name);
  expect(text).toContain('“120”不是 1–99 之间的百分比');
  expect(text).not.toMatch(/[A-Za-z]{4,}/); // no English field names or zod messages

  // The form's checks pass, the policy's own rules do not: still Chinese, still nothing saved.
  const tooMany = await post('response', {
    ...interpretationForm,
    windowUnit: 'hours',
    windowAmount: '48',
    warnings: '10, 20, 30, 40, 50, 60',
    'escalation[0][target]': 'nobody',
  });
  expect(tooMany.status).toBe(303);
  const [, text2] = flashOf((await admin.agent.get('/admin/clock-policies').expect(200)).text);
  expect(text2).toContain('预警点：最多 5 个预警点');
  expect(text2).toContain('升级步骤·第 1 项·升级对象：请选择升级对象');
  expect(await policyOf('response')).toEqual(before);
});

test('only administrators may open or change the time limits', async () => {
  const dept = await makeDepartment(tp);
  const supervisor = await makeUser(tp, ['supervisor'], dept.id);
  const s = await login(tp, supervisor.username, PASSWORD);
  expect((await s.agent.get('/admin/clock-policies')).status).toBe(403);
  const before = await policyOf('response');
  await s.agent
    .post('/admin/clock-policies/response')
    .type('form')
    .send({ _csrf: s.csrf, ...interpretationForm });
  expect(await policyOf('response')).toEqual(before);
});
