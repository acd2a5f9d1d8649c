import { existsSync } from 'node:fs';
import request from 'supertest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { binary, minimalPdf } from '../support/files.js';
import { disclosureCast, type Who } from './support.js';
import { attachmentPath, sha256 } from '../../src/files/files.js';

// Issue 14 point 1: a request's attachments — staff upload (API and plain form), list, download,
// delete; the public form may attach files; every step is on the timeline and in the audit log.
let tp: TestPlatform;
let office: Who;
let drafterA: Who;
let drafterB: Who;
let deptA: number;

beforeAll(async () => {
  tp = await startTestPlatform();
  ({ office, drafterA, drafterB, deptA } = await disclosureCast(tp));
}, 90_000);
afterAll(() => tp.close());

const stored = (buf: Buffer) => existsSync(attachmentPath(tp.platform.core.config.dataDir, sha256(buf)));

async function register(): Promise<number> {
  const res = await office.agent
    .post('/api/disclosure-requests')
    .set('x-csrf-token', office.csrf)
    .send({
      channel: '信函',
      applicantType: '自然人',
      applicantName: '李四',
      contact: '13900000002',
      content: '请公开本区2026年道路维修计划',
      receivedAt: new Date(Date.now() - 3600_000).toISOString(),
      departmentId: deptA,
    })
    .expect(201);
  return res.body.id as number;
}

const upload = (who: Who, id: number, buf: Buffer, name: string) =>
  who.agent
    .post(`/api/disclosure-requests/${id}/attachments`)
    .set('x-csrf-token', who.csrf)
    .attach('file', buf, name);
const del = (who: Who, id: number, aid: number) =>
  who.agent.delete(`/api/disclosure-requests/${id}/attachments/${aid}`).set('x-csrf-token', who.csrf);
const detail = async (id: number) =>
  (await office.agent.get(`/api/disclosure-requests/${id}`).expect(200)).body as {
    attachments: { id: number; fileName: string; source: string; href: string }[];
    steps: { kind: string; data: Record<string, unknown> }[];
  };
const audits = (action: string, id: number) =>
  tp.platform.core.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .where('subject_id', '=', String(id))
    .execute();

it('uploads, lists, downloads and deletes a request attachment; other departments are refused', async () => {
  const id = await register();
  const pdf = minimalPdf(`申请书扫描件 ${Date.now()}`);
  const up = await upload(drafterA, id, pdf, '申请书扫描件.pdf').expect(201);
  expect(up.body).toMatchObject({ fileName: '申请书扫描件.pdf', mime: 'application/pdf', source: 'staff' });
  expect(stored(pdf)).toBe(true);

  const list = await drafterA.agent.get(`/api/disclosure-requests/${id}/attachments`).expect(200);
  expect(list.body.map((a: { id: number }) => a.id)).toEqual([up.body.id]);
  const d = await detail(id);
  expect(d.attachments).toEqual([expect.objectContaining({ id: up.body.id, fileName: '申请书扫描件.pdf' })]);
  expect(d.steps.at(-1)).toMatchObject({ kind: 'attachment_added', data: { fileName: '申请书扫描件.pdf' } });
  expect(await audits('disclosure.attachment_added', id)).toHaveLength(1);

  const dl = await drafterA.agent
    .get(`/api/disclosure-requests/${id}/attachments/${up.body.id}`)
    .buffer(true)
    .parse(binary)
    .expect(200);
  expect(dl.headers['content-type']).toBe('application/pdf');
  expect(Buffer.compare(dl.body as Buffer, pdf)).toBe(0);
  // The page link answers the same file.
  await drafterA.agent.get(d.attachments[0]!.href).expect(200);

  // Another department's staff learn nothing and change nothing; strangers are asked to sign in.
  expect((await drafterB.agent.get(`/api/disclosure-requests/${id}/attachments`)).status).toBe(404);
  expect((await drafterB.agent.get(`/api/disclosure-requests/${id}/attachments/${up.body.id}`)).status).toBe(
    404,
  );
  expect((await upload(drafterB, id, minimalPdf('B'), 'b.pdf')).status).toBe(404);
  expect((await del(drafterB, id, up.body.id)).status).toBe(404);
  expect((await request(tp.url).get(`/api/disclosure-requests/${id}/attachments/${up.body.id}`)).status).toBe(
    401,
  );
  expect(
    (await request(tp.url).post(`/api/disclosure-requests/${id}/attachments`).attach('file', pdf, 'x.pdf'))
      .status,
  ).toBe(401);
  // A refused delete leaves row and bytes.
  expect(stored(pdf)).toBe(true);

  const gone = await del(drafterA, id, up.body.id).expect(200);
  expect(gone.body).toMatchObject({ id: up.body.id, deleted: true });
  expect(stored(pdf)).toBe(false);
  expect((await drafterA.agent.get(`/api/disclosure-requests/${id}/attachments/${up.body.id}`)).status).toBe(
    404,
  );
  expect((await del(drafterA, id, up.body.id)).status).toBe(404);
  expect((await detail(id)).steps.at(-1)).toMatchObject({
    kind: 'attachment_removed',
    data: { fileName: '申请书扫描件.pdf' },
  });
  expect(await audits('disclosure.attachment_removed', id)).toHaveLength(1);
});

it('refuses a file whose structure is not an allowed type, naming the field', async () => {
  const id = await register();
  const fake = Buffer.from('%PDF-1.4\n<html><script>alert(1)</script></html>');
  const res = await upload(office, id, fake, '答复.pdf');
  expect(res.status).toBe(415);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['file']);
  const missing = await office.agent
    .post(`/api/disclosure-requests/${id}/attachments`)
    .set('x-csrf-token', office.csrf)
    .field('note', 'x');
  expect(missing.status).toBe(400);
  expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['file']);
  expect((await detail(id)).attachments).toEqual([]);
  expect(stored(fake)).toBe(false);
});

it('keeps bytes another request still holds', async () => {
  const [one, two] = [await register(), await register()];
  const pdf = minimalPdf(`shared ${Date.now()}`);
  const a = await upload(office, one, pdf, '身份证明.pdf').expect(201);
  await upload(office, two, pdf, '身份证明.pdf').expect(201);
  await del(office, one, a.body.id).expect(200);
  expect(stored(pdf)).toBe(true);
});

it('the staff page uploads and deletes without JavaScript, and shows the files', async () => {
  const id = await register();
  const pdf = minimalPdf(`答复告知书 ${Date.now()}`);
  const page = `/disclosure/requests/${id}`;
  const html = (await drafterA.agent.get(page).expect(200)).text;
  expect(html).toContain(`action="/disclosure/requests/${id}/attachments"`);
  expect(html).toContain(`data-upload="/api/disclosure-requests/${id}/attachments"`);
  expect(html).toContain('无附件。');
  // Department B cannot even open the page.
  expect((await drafterB.agent.get(page)).status).toBe(404);

  // Without the form's token the post is refused.
  await drafterA.agent.post(`${page}/attachments`).attach('file', pdf, '答复告知书.pdf').expect(403);
  const posted = await drafterA.agent
    .post(`${page}/attachments`)
    .field('_csrf', drafterA.csrf)
    .attach('file', pdf, '答复告知书.pdf')
    .expect(303);
  expect(posted.headers.location).toBe(page);
  const shown = (await drafterA.agent.get(page).expect(200)).text;
  expect(shown).toContain('已上传附件“答复告知书.pdf”');
  const list = /<ul class="plain attachment-list" id="attachment-list">([\s\S]*?)<\/ul>/.exec(shown)![1]!;
  expect(list).toContain('答复告知书.pdf');
  const aid = (await detail(id)).attachments[0]!.id;
  expect(list).toContain(`href="/disclosure/requests/${id}/attachments/${aid}"`);
  expect(shown).toMatch(/<li data-kind="attachment_added">[\s\S]*?添加附件 · 答复告知书.pdf/);

  // A wrong type is reported on the page, not as an error page.
  await drafterA.agent
    .post(`${page}/attachments`)
    .field('_csrf', drafterA.csrf)
    .attach('file', Buffer.from('MZ not a document'), 'x.pdf')
    .expect(303);
  expect((await drafterA.agent.get(page)).text).toContain('附件只能是 PDF、DOCX 或图片');

  await drafterA.agent
    .post(`${page}/attachments/${aid}/delete`)
    .type('form')
    .send({ _csrf: drafterA.csrf })
    .expect(303);
  const after = (await drafterA.agent.get(page).expect(200)).text;
  expect(after).toContain('已删除附件“答复告知书.pdf”');
  expect(after).toContain('无附件。');
  expect(stored(pdf)).toBe(false);
});

it('the public form attaches files to the new request, and refuses wrong types and too many files', async () => {
  const anon = () => request(tp.url);
  const form = (r: request.Test) =>
    r
      .field('applicantType', 'natural_person')
      .field('applicantName', '王五')
      .field('contact', '13700000003')
      .field('content', '请公开本区公共租赁住房分配结果');
  const apply = (await anon().get('/disclosure/apply').expect(200)).text;
  expect(apply).toContain('enctype="multipart/form-data"');
  expect(apply).toContain('name="file" multiple');

  const pdf = minimalPdf(`身份证 ${Date.now()}`);
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f2d1b50000000049454e44ae426082',
    'hex',
  );
  const ok = await form(anon().post('/disclosure/apply'))
    .attach('file', pdf, '身份证.pdf')
    .attach('file', png, '照片.png')
    .expect(201);
  const number = /\d{4}-\d{4}/.exec(ok.text)![0];
  const row = await tp.platform.core.db
    .selectFrom('disclosure_requests')
    .select('id')
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
  const d = await detail(row.id);
  expect(d.attachments.map((a) => [a.fileName, a.source])).toEqual([
    ['身份证.pdf', 'public'],
    ['照片.png', 'public'],
  ]);
  expect(d.steps.filter((s) => s.kind === 'attachment_added')).toHaveLength(2);

  const before = await tp.platform.core.db
    .selectFrom('disclosure_requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const wrong = await form(anon().post('/disclosure/apply'))
    .attach('file', Buffer.from('<html>not a file</html>'), '材料.pdf')
    .expect(415);
  expect(wrong.text).toContain('附件：附件只能是 PDF、DOCX 或图片');
  expect(wrong.text).toContain('王五');
  let tooMany = form(anon().post('/disclosure/apply'));
  for (let i = 0; i < 6; i++) tooMany = tooMany.attach('file', minimalPdf(`m${i}`), `m${i}.pdf`);
  expect((await tooMany).status).toBe(400);
  const after = await tp.platform.core.db
    .selectFrom('disclosure_requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  expect(after.n).toBe(before.n);
});
