import JSZip from 'jszip';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { ManualClock } from '../../src/shared/clock.js';
import { startTestPlatform, login, type TestPlatform, type Agent } from '../support/platform.js';
import { makeDepartment, makeUser } from '../support/factories.js';
import type { DisclosureService } from '../../src/disclosure/service.js';

const clock = new ManualClock('2024-12-20T10:00:00+08:00');
let tp: TestPlatform;
let office: { agent: Agent; csrf: string };
let dept: number;
const ids: Record<string, number> = {};

const post = (path: string, body: object) =>
  office.agent.post(path).set('x-csrf-token', office.csrf).send(body);
const svc = () =>
  (tp.platform.capabilities.find((c) => c.name === 'disclosure') as unknown as { service: DisclosureService })
    .service;

async function receive(key: string, applicantType: string, receivedAt: string) {
  clock.set(receivedAt);
  const res = await post('/api/disclosure-requests', {
    channel: '当面',
    applicantType,
    applicantName: `申请人${key}`,
    contact: `1390000${key}`,
    content: `申请公开事项${key}`,
    receivedAt,
    departmentId: dept,
  });
  expect(res.status).toBe(201);
  ids[key] = res.body.id;
}
async function reply(key: string, outcome: string, repliedAt: string, reason = '依法说明理由') {
  clock.set(repliedAt);
  const res = await post(`/api/disclosure-requests/${ids[key]}/reply`, { outcome, reason, repliedAt });
  expect(res.status).toBe(200);
}

async function unzipText(buf: Buffer, entry: string): Promise<string> {
  const zip = await JSZip.loadAsync(buf);
  return (await zip.file(entry)!.async('string')).replace(/<[^>]+>/g, '');
}
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

beforeAll(async () => {
  tp = await startTestPlatform({ clock, env: { LOGIN_RATE_LIMIT: '3' } });
  dept = (await makeDepartment(tp, '区自然资源局')).id;
  const sup = await makeUser(tp, ['supervisor']);
  office = await login(tp, sup.username, sup.password);

  // The fixture year 2025, told in order of time.
  await receive('1', '自然人', '2024-12-20T09:00:00+08:00'); // 上年结转
  await reply('1', '予以公开', '2025-01-10T10:00:00+08:00');
  await receive('2', '商业企业', '2025-03-02T09:00:00+08:00');
  await reply('2', '部分公开', '2025-03-20T10:00:00+08:00');
  await receive('3', '自然人', '2025-05-06T09:00:00+08:00');
  await reply('3', '保护第三方合法权益', '2025-05-20T10:00:00+08:00', '涉及第三方商业秘密，第三方不同意公开');
  await receive('4', '科研机构', '2025-06-02T09:00:00+08:00');
  clock.set('2025-06-03T10:00:00+08:00');
  expect(
    (
      await post(`/api/disclosure-requests/${ids['4']}/correction`, {
        requestedAt: '2025-06-03T09:30:00+08:00',
        correctBy: '2025-06-10',
      })
    ).status,
  ).toBe(200);
  clock.set('2025-06-11T08:00:00+08:00');
  expect(await svc().sweepAbandoned()).toHaveLength(1); // 其他处理：逾期不补正
  clock.set('2025-07-02T10:00:00+08:00');
  expect(
    (
      await post(`/api/disclosure-requests/${ids['3']}/challenges`, {
        kind: '行政复议',
        filedOn: '2025-06-01',
        result: '维持',
        decidedOn: '2025-07-01',
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await post(`/api/disclosure-requests/${ids['2']}/challenges`, {
        kind: '行政诉讼',
        filedOn: '2025-04-01',
      })
    ).status,
  ).toBe(201);
  await receive('5', '法律服务机构', '2025-12-25T09:00:00+08:00'); // still open: 结转下年度
  await receive('6', '自然人', '2025-12-29T09:00:00+08:00');
  await reply('6', '本机关不掌握相关政府信息', '2026-01-05T10:00:00+08:00'); // closed next year

  // Table 二: documents from the policy register.
  const db = tp.platform.core.db;
  const doc = (
    title: string,
    publishedAt: string,
    kind: 'regulation' | 'normative' | null,
    repealedOn: string | null = null,
  ) =>
    db
      .insertInto('policies')
      .values({
        title,
        drafting_department_id: dept,
        status: 'published',
        published_at: new Date(publishedAt),
        normative_kind: kind,
        repealed_on: repealedOn,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  await doc('示范区行政规范性文件甲', '2025-03-01T10:00:00+08:00', 'normative');
  await doc('示范区行政规范性文件乙', '2024-05-01T10:00:00+08:00', 'normative', '2025-08-01');
  await doc('示范区政府规章丙', '2025-02-01T10:00:00+08:00', 'regulation');
  const untagged = await doc('示范区行政规范性文件丁', '2025-09-01T10:00:00+08:00', null);
  clock.set('2026-02-01T10:00:00+08:00');
  const tagged = await office.agent
    .put(`/api/policies/${untagged.id}/normative`)
    .set('x-csrf-token', office.csrf)
    .send({ normativeKind: '行政规范性文件', repealedOn: null });
  expect(tagged.status).toBe(200);
  await office.agent
    .put('/api/disclosure/annual-report/2025/inputs')
    .set('x-csrf-token', office.csrf)
    .send({ licensing: 12, punishment: 3, enforcement: 1, fees: 3.5 })
    .expect(200);
}, 120_000);
afterAll(() => tp.close());

it('produces tables 二, 三 and 四 of the fixture year, hand-computed, and balanced', async () => {
  const res = await office.agent.get('/api/disclosure/annual-report/2025').expect(200);
  const r = res.body;
  expect(r.year).toBe(2025);
  expect(r.proactive).toEqual({
    regulations: { issued: 1, repealed: 0, inForce: 1 },
    normativeDocuments: { issued: 2, repealed: 1, inForce: 2 },
    licensing: 12,
    punishment: 3,
    enforcement: 1,
    feesTenThousandYuan: 3.5,
  });
  const q = r.requests;
  expect(q.balanced).toBe(true);
  const c = (
    natural_person: number,
    business: number,
    research: number,
    legal_service: number,
    total: number,
  ) => ({
    natural_person,
    business,
    research,
    public_interest: 0,
    legal_service,
    other_org: 0,
    total,
  });
  expect(q.newlyReceived).toEqual(c(2, 1, 1, 1, 5));
  expect(q.carriedOver).toEqual(c(1, 0, 0, 0, 1));
  expect(q.totals).toEqual(c(2, 1, 1, 0, 4));
  expect(q.carriedForward).toEqual(c(1, 0, 0, 1, 2));
  const row = (key: string) => q.rows.find((x: { key: string }) => x.key === key).counts.total;
  expect(row('result.disclose')).toBe(1);
  expect(row('result.partial')).toBe(1);
  expect(row('result.withhold_third_party')).toBe(1);
  expect(row('group.withhold')).toBe(1);
  expect(row('result.other_no_correction')).toBe(1);
  expect(row('group.unable')).toBe(0);
  expect(r.reviews.review).toEqual({ upheld: 1, corrected: 0, other: 0, pending: 0, total: 1 });
  expect(r.reviews.suitDirect).toEqual({ upheld: 0, corrected: 0, other: 0, pending: 1, total: 1 });

  // The next year starts with what 2025 carried forward.
  const next = (await office.agent.get('/api/disclosure/annual-report/2026').expect(200)).body.requests;
  expect(next.carriedOver).toEqual(q.carriedForward);
  expect(next.balanced).toBe(true);
});

it('writes the report as .docx and .xlsx that read back with the same figures', async () => {
  const docx = await office.agent.get('/reports/annual/2025.docx').buffer(true).parse(binary).expect(200);
  expect(docx.headers['content-type']).toContain('wordprocessingml');
  const text = await unzipText(docx.body as Buffer, 'word/document.xml');
  expect(text).toContain('2025年政府信息公开工作年度报告');
  expect(text).toContain('一、本年新收政府信息公开申请数量');
  expect(text).toContain('四、结转下年度继续办理');
  expect(text).toContain('各列相符');

  const xlsx = await office.agent.get('/reports/annual/2025.xlsx').buffer(true).parse(binary).expect(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.body as never);
  const sheet = wb.getWorksheet('三 依申请公开')!;
  const rowOf = (label: string) => {
    let found: ExcelJS.Row | undefined;
    sheet.eachRow((r) => {
      if (String(r.getCell(1).value).startsWith(label)) found = r;
    });
    return found!;
  };
  expect(rowOf('一、本年新收').getCell(8).value).toBe(5);
  expect(rowOf('一、本年新收').getCell(2).value).toBe(2);
  expect(rowOf('二、上年结转').getCell(8).value).toBe(1);
  expect(rowOf('三、本年度办理结果 （七）总计').getCell(8).value).toBe(4);
  expect(rowOf('四、结转下年度').getCell(8).value).toBe(2);
  expect(wb.getWorksheet('二 主动公开')!.getRow(4).getCell(2).value).toBe(2);

  expect((await request(tp.url).get('/reports/annual/2025.docx')).status).toBe(401);
  expect((await office.agent.get('/reports/annual/2025.pdf')).status).toBe(404);
});

it('writes the reply letter with the outcome and its legal basis; none before the reply', async () => {
  const res = await office.agent
    .get(`/api/disclosure-requests/${ids['3']}/letter`)
    .buffer(true)
    .parse(binary)
    .expect(200);
  const text = await unzipText(res.body as Buffer, 'word/document.xml');
  expect(text).toContain('政府信息公开申请答复告知书');
  expect(text).toContain('申请人3');
  expect(text).toContain('不予公开（保护第三方合法权益）');
  expect(text).toContain('第十五条');
  expect(text).toContain('涉及第三方商业秘密');
  expect(text).toContain('六十日内');
  const open = await office.agent.get(`/api/disclosure-requests/${ids['5']}/letter`);
  expect(open.status).toBe(409);
});

describe('the public site', () => {
  it('takes a request online, acknowledges it with a number, and shows its status only with the contact', async () => {
    clock.set('2026-02-02T10:00:00+08:00');
    const anon = request.agent(tp.url);
    const form = await anon.get('/disclosure/apply').expect(200);
    expect(form.text).toContain('<label for="content">');
    const bad = await anon
      .post('/disclosure/apply')
      .type('form')
      .send({ applicantType: '自然人', applicantName: '李四' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('联系方式');
    const sent = await anon.post('/disclosure/apply').type('form').send({
      applicantType: '自然人',
      applicantName: '李四',
      contact: 'Li.Si@Example.com',
      content: '申请公开本村土地征收补偿标准',
    });
    expect(sent.status).toBe(201);
    const number = /id="ack-number">([^<]+)</.exec(sent.text)![1]!;
    expect(number).toMatch(/^2026-\d{4}$/);

    const stored = await office.agent.get(`/api/disclosure-requests?q=${number}`).expect(200);
    expect(stored.body[0]).toMatchObject({
      channel: 'online',
      source: 'public',
      receivedAt: '2026-02-02T10:00:00+08:00',
    });
    expect(stored.body[0].clock.dueAt).toBe('2026-03-07T00:00:00+08:00');

    const found = await anon
      .post('/disclosure/status')
      .type('form')
      .send({ number, contact: ' li.si@example.com ' });
    expect(found.status).toBe(200);
    expect(found.text).toContain('办理中');
    expect(found.text).toContain('2026-03-06');

    const wrong = await anon.post('/disclosure/status').type('form').send({ number, contact: '13900000000' });
    const unknown = await anon
      .post('/disclosure/status')
      .type('form')
      .send({ number: '2026-9999', contact: 'li.si@example.com' });
    expect(wrong.status).toBe(404);
    expect(unknown.status).toBe(404);
    const message = (t: string) => /role="alert">([^<]+)</.exec(t)![1];
    expect(message(wrong.text)).toBe(message(unknown.text));
    expect(
      (await request(tp.url).post('/api/disclosure/status').send({ number, contact: 'li.si@example.com' }))
        .body,
    ).toMatchObject({ number, statusLabel: '办理中' });
  });

  it('limits failed lookups like logins', async () => {
    const anon = request.agent(tp.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await anon
            .post('/disclosure/status')
            .type('form')
            .send({ number: '2026-0777', contact: `x${i}` })
        ).status,
      );
    expect(statuses).toEqual([404, 404, 404, 429]);
  });
});

it('renders the register, the request page and the annual report page', async () => {
  for (const path of [
    '/disclosure',
    `/disclosure/requests/${ids['3']}`,
    '/disclosure/annual/2025',
    '/disclosure?status=open&channel=当面',
  ]) {
    const res = await office.agent.get(encodeURI(path));
    expect([path, res.status]).toEqual([path, 200]);
  }
  const page = await office.agent.get('/disclosure/annual/2025');
  expect(page.text).toContain('勾稽关系相符');
});
