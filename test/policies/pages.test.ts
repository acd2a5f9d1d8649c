import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import JSZip from 'jszip';
import { minimalPdf } from '../support/files.js';
import { usePlatform } from '../support/platform.js';
import { loadUserPrincipal } from '../../src/auth/users.js';
import { parsePolicyText } from '../../src/policies/importer.js';
import { importParsed } from '../../src/policies/import-file.js';
import { cast, doc, fieldsOf, published, send } from '../support/actors.js';
import { makeDocx } from '../support/docx.js';

const tp = usePlatform();
let c: Awaited<ReturnType<typeof cast>>;
beforeAll(async () => {
  c = await cast(tp);
});

const anon = () => request(tp.url);

describe('search', () => {
  it('finds a document by a Chinese word that appears only in its body, and by 解读 text', async () => {
    const { id } = await published(c.drafterA, c.supervisor, {
      title: '关于支持农业产业发展的若干措施',
      body: '一、对新建猕猴桃种植基地给予每亩五百元补贴。\n二、本措施自发布之日起施行。',
    });
    const hit = await anon().get('/api/policies').query({ q: '猕猴桃' }).expect(200);
    expect(hit.body.policies.map((p: { id: number }) => p.id)).toEqual([id]);
    expect(hit.body.total).toBe(1);
    expect((await anon().get('/api/policies').query({ q: '火龙果' })).body.total).toBe(0);

    await send(c.drafterA, 'post', `/api/policies/${id}/interpretations`, {
      form: 'qa',
      title: '政策问答',
      body: '问：合作社能否申请？答：农民专业合作社可以申请。',
    }).expect(201);
    const viaInterp = await anon().get('/api/policies').query({ q: '合作社' }).expect(200);
    expect(viaInterp.body.policies.map((p: { id: number }) => p.id)).toContain(id);

    // Keywords are stored for linking opinion events.
    const full = await anon().get(`/api/policies/${id}`).expect(200);
    expect(full.body.keywords).toEqual(expect.arrayContaining(['猕猴桃']));

    // The public page searches the same way.
    const page = await anon().get('/policies').query({ q: '猕猴桃' }).expect(200);
    expect(page.text).toContain('关于支持农业产业发展的若干措施');
    expect(page.text).toContain('已解读');
  });

  it('shows the public only published 主动公开 documents; drafters their own drafts too', async () => {
    const draft = await send(c.drafterA, 'post', '/api/policies', {
      ...doc(c.drafterA.departmentId),
      body: '草稿里的独有词语蓝莓酱。',
    }).expect(201);
    expect((await anon().get('/api/policies').query({ q: '蓝莓酱' })).body.total).toBe(0);
    expect((await send(c.drafterA, 'get', '/api/policies?q=蓝莓酱')).body.total).toBe(1);
    expect((await send(c.drafterB, 'get', '/api/policies?q=蓝莓酱')).body.total).toBe(0);
    expect((await send(c.supervisor, 'get', '/api/policies?q=蓝莓酱&status=draft')).body.total).toBe(1);
    expect((await anon().get(`/api/policies/${draft.body.id}`)).status).toBe(404);
    expect((await anon().get(`/policies/${draft.body.id}`).set('accept', 'text/html')).status).toBe(404);

    const hidden = await published(c.drafterA, c.supervisor, {
      disclosure: 'on_request',
      disclosureReason: '涉及个人隐私',
      body: '依申请公开的文件内容山楂片。',
    });
    expect((await anon().get('/api/policies').query({ q: '山楂片' })).body.total).toBe(0);
    expect((await anon().get(`/api/policies/${hidden.id}`)).status).toBe(404);
    // Non-public: its own department and the supervisors only, 404 to other departments.
    expect((await send(c.drafterB, 'get', `/api/policies/${hidden.id}`)).status).toBe(404);
    expect((await send(c.drafterA, 'get', `/api/policies/${hidden.id}`)).status).toBe(200);
    expect((await send(c.supervisor, 'get', `/api/policies/${hidden.id}`)).status).toBe(200);

    const filtered = await anon()
      .get('/api/policies')
      .query({ department: c.deptA.id, year: new Date().getFullYear() })
      .expect(200);
    expect(
      filtered.body.policies.every(
        (p: { draftingDepartmentId: number }) => p.draftingDepartmentId === c.deptA.id,
      ),
    ).toBe(true);
    const bad = await anon().get('/api/policies').query({ year: 'abc', status: 'lost' });
    expect(fieldsOf(bad)).toEqual(expect.arrayContaining(['year', 'status']));
  });
});

describe('public pages', () => {
  it('shows the document, its 相关解读 and the interpretation page, escaping all user text', async () => {
    const { id } = await published(c.drafterA, c.supervisor, {
      title: '<script>alert("t")</script>关于调整公交票价的通知',
      docNumber: '纳府发〔2025〕7号',
      issuer: '纳溪区人民政府',
      body: '第一段<b>加粗</b>\n\n第二段：票价调整为每人次二元。',
    });
    const interp = await send(c.drafterA, 'post', `/api/policies/${id}/interpretations`, {
      form: 'text',
      title: '<img src=x onerror=alert(1)>图解公交票价调整',
      body: '解读正文<script>bad()</script>',
      interpreter: '交通局局长',
      interpreterIsPrincipal: true,
    }).expect(201);

    const page = await anon().get(`/policies/${id}`).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;关于调整公交票价的通知');
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).not.toContain('<b>加粗</b>');
    expect(page.text).toContain('纳府发〔2025〕7号');
    expect(page.text).toContain('相关解读');
    expect(page.text).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;图解公交票价调整');
    expect(page.text).toContain(`/interpretations/${interp.body.id}`);
    // Paragraphs survive: two <p> in the body, blank lines dropped.
    expect(page.text).toMatch(
      /<p>第一段&lt;b&gt;加粗&lt;\/b&gt;<\/p>\s*<p>第二段：票价调整为每人次二元。<\/p>/,
    );

    const ip = await anon().get(`/interpretations/${interp.body.id}`).expect(200);
    expect(ip.text).toContain('解读正文&lt;script&gt;bad()&lt;/script&gt;');
    expect(ip.text).toContain('（第一解读人）');
    expect(ip.text).not.toContain('<script>bad');

    const list = await anon().get('/policies').expect(200);
    expect(list.text).toContain('关于调整公交票价的通知');
    expect(list.text).not.toContain('<script>alert');
  });

  it('renders the workspace with a countdown and the review queue', async () => {
    const { id, publish } = await published(c.drafterA, c.supervisor, {
      title: '关于实施学前教育资助的通知',
    });
    const returnedDoc = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(
      201,
    );
    await send(c.drafterA, 'post', `/api/policies/${returnedDoc.body.id}/submit`).expect(200);
    await send(c.supervisor, 'post', `/api/policies/${returnedDoc.body.id}/return`, {
      comment: '<i>请补充</i>测算依据',
    }).expect(200);
    const waiting = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(201);
    await send(c.drafterA, 'post', `/api/policies/${waiting.body.id}/submit`).expect(200);

    const ws = await c.drafterA.agent.get('/workspace').expect(200);
    expect(ws.text).toContain('关于实施学前教育资助的通知');
    expect(ws.text).toContain(`data-due="${publish.interpretationClock.dueAt}"`);
    expect(ws.text).toContain('添加解读');
    expect(ws.text).toContain('&lt;i&gt;请补充&lt;/i&gt;测算依据');
    expect(ws.text).toContain('/static/js/countdown.js');

    // Another department's workspace shows none of it.
    const other = await c.drafterB.agent.get('/workspace').expect(200);
    expect(other.text).not.toContain('关于实施学前教育资助的通知');

    const rv = await c.supervisor.agent.get('/review').expect(200);
    expect(rv.text).toContain(`/workspace/policies/${waiting.body.id}`);
    expect(rv.text).toContain(`/workspace/policies/${id}`);
    expect((await c.drafterA.agent.get('/review')).status).toBe(403);
    expect((await anon().get('/workspace')).status).toBe(302);

    // The one-click form adds an interpretation and stops the clock.
    const form = await c.drafterA.agent.post(`/workspace/policies/${id}/interpretations`).type('form').send({
      _csrf: c.drafterA.csrf,
      back: 'workspace',
      form: 'text',
      title: '文字解读',
      channel: '政府网站',
    });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/workspace');
    const after = await c.drafterA.agent.get('/workspace').expect(200);
    expect(after.text).toContain('已按时解读');
  });

  it('registers a document through the page form and shows the named error on bad input', async () => {
    const bad = await c.drafterA.agent
      .post('/workspace/policies')
      .type('form')
      .send({
        _csrf: c.drafterA.csrf,
        title: '页面登记',
        draftingDepartmentId: String(c.deptA.id),
        writtenOn: '2026-02-30',
      });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('writtenOn');
    expect(bad.text).toContain('value="页面登记"');
    const ok = await c.drafterA.agent
      .post('/workspace/policies')
      .type('form')
      .send({
        _csrf: c.drafterA.csrf,
        title: '页面登记的文件',
        draftingDepartmentId: String(c.deptA.id),
        docNumber: '纳教发(2026)3号',
        body: '正文',
        requiresInterpretation: 'on',
      });
    expect(ok.status).toBe(303);
    const id = Number(/\/workspace\/policies\/(\d+)/.exec(ok.headers.location!)?.[1]);
    const json = await send(c.drafterA, 'get', `/api/policies/${id}`).expect(200);
    expect(json.body).toMatchObject({ docNumber: '纳教发〔2026〕3号', requiresInterpretation: true });
    const submit = await c.drafterA.agent
      .post(`/workspace/policies/${id}/submit`)
      .type('form')
      .send({ _csrf: c.drafterA.csrf });
    expect(submit.status).toBe(303);
    const shown = await c.drafterA.agent.get(`/workspace/policies/${id}`).expect(200);
    expect(shown.text).toContain('同步报批');
  });
});

describe('attachments', () => {
  const pdf = minimalPdf('pages');

  it('stores PDF/DOCX/images with checksum and size, refuses other bytes whatever the name', async () => {
    const { body } = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(
      201,
    );
    const up = await c.drafterA.agent
      .post(`/api/policies/${body.id}/attachments`)
      .set('x-csrf-token', c.drafterA.csrf)
      .attach('file', pdf, '实施细则.pdf');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ fileName: '实施细则.pdf', mime: 'application/pdf', size: pdf.length });
    expect(up.body.sha256).toMatch(/^[0-9a-f]{64}$/);

    const docx = await c.drafterA.agent
      .post(`/api/policies/${body.id}/attachments`)
      .set('x-csrf-token', c.drafterA.csrf)
      .attach('file', makeDocx(['附件一']), 'a.docx');
    expect(docx.body.mime).toMatch(/wordprocessingml/);

    const fake = await c.drafterA.agent
      .post(`/api/policies/${body.id}/attachments`)
      .set('x-csrf-token', c.drafterA.csrf)
      .attach('file', Buffer.from('MZ\x90\x00 not a pdf'), 'virus.pdf');
    expect(fake.status).toBe(415);
    const none = await c.drafterA.agent
      .post(`/api/policies/${body.id}/attachments`)
      .set('x-csrf-token', c.drafterA.csrf)
      .field('x', '1');
    expect(fieldsOf(none)).toContain('file');
    const foreign = await c.drafterB.agent
      .post(`/api/policies/${body.id}/attachments`)
      .set('x-csrf-token', c.drafterB.csrf)
      .attach('file', pdf, 'x.pdf');
    expect(foreign.status).toBe(403);
    const big = await c.drafterA.agent
      .post(`/api/policies/${body.id}/attachments`)
      .set('x-csrf-token', c.drafterA.csrf)
      .attach('file', Buffer.concat([pdf, Buffer.alloc(21 * 1024 * 1024)]), 'big.pdf');
    expect(big.status).toBe(413);

    // Private until the document is public; the bytes come back intact.
    expect((await anon().get(`/attachments/${up.body.id}`)).status).toBe(404);
    const mine = await c.drafterA.agent.get(`/attachments/${up.body.id}`).expect(200);
    expect(Buffer.from(mine.body as Buffer).equals(pdf)).toBe(true);
    const rows = await tp.platform.core.db.selectFrom('policy_attachments').select('owner_id').execute();
    expect(rows).toHaveLength(2);
  });

  it('checks the real structure, names the file by its title and detected type, strips bidi', async () => {
    const { body } = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(
      201,
    );
    const attach = (buf: Buffer, name: string) =>
      c.drafterA.agent
        .post(`/api/policies/${body.id}/attachments`)
        .set('x-csrf-token', c.drafterA.csrf)
        .attach('file', buf, name);
    // Any ZIP that merely mentions word/document.xml is not a DOCX; a PDF header before HTML is no PDF.
    const zip = new JSZip();
    zip.file('notes.txt', 'word/document.xml');
    const fakeDocx = await zip.generateAsync({ type: 'nodebuffer' });
    expect((await attach(fakeDocx, 'a.docx')).status).toBe(415);
    const polyglot = Buffer.from('%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n');
    expect((await attach(polyglot, 'poly.html')).status).toBe(415);
    // Real files keep their title and get the detected type's extension, without bidi tricks.
    const renamed = await attach(minimalPdf('poly'), 'poly.html').expect(201);
    expect(renamed.body.fileName).toBe('poly.pdf');
    const bidi = await attach(makeDocx(['问答']), '招生政策问答\u202Excod.bat');
    expect(bidi.status).toBe(201);
    expect(bidi.body.fileName).toBe('招生政策问答xcod.docx');
    const dl = await c.drafterA.agent.get(`/attachments/${bidi.body.id}`).expect(200);
    expect(dl.headers['content-disposition']).toMatch(/^attachment;/);
    const pdfInline = await c.drafterA.agent.get(`/attachments/${renamed.body.id}`).expect(200);
    expect(pdfInline.headers['content-disposition']).toMatch(/^inline; filename="poly\.pdf"/);
  });
});

describe('importing the seeds', () => {
  it('imports every seed file with its title, as drafts or as published documents', async () => {
    const admin = await tp.platform.core.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    const actor = (await loadUserPrincipal(tp.platform.core.db, admin.id))!;
    const dir = path.resolve(process.cwd(), 'test/fixtures/seeds');
    for (const f of readdirSync(dir)) {
      const parsed = parsePolicyText(readFileSync(path.join(dir, f), 'utf8'));
      const row = await importParsed(tp.platform.core, actor, parsed, {
        departmentId: c.deptB.id,
        source: f,
        published: f.startsWith('000'),
      });
      expect(row.title).toBe(parsed.title);
      expect(row.source).toBe(f);
    }
    const nx = await anon().get('/api/policies').query({ q: '纳溪区' }).expect(200);
    expect(nx.body.policies[0]).toMatchObject({
      docNumber: '泸纳府办函〔2016〕131号',
      publishedAt: '2016-07-04T00:00:00+08:00',
    });
    // Importing the same numbered document twice is refused, not duplicated.
    const again = parsePolicyText(
      readFileSync(
        path.join(
          dir,
          readdirSync(dir).find((f) => f.startsWith('000'))!,
        ),
        'utf8',
      ),
    );
    await expect(
      importParsed(tp.platform.core, actor, again, { departmentId: c.deptB.id, source: 'again' }),
    ).rejects.toMatchObject({ status: 409 });
  });
});

describe('demo data', () => {
  it('seeds documents in every state once, however often it runs', async () => {
    const { seedPolicies } = await import('../../src/policies/demo.js');
    expect(await seedPolicies(tp.platform.core)).toBe(6);
    expect(await seedPolicies(tp.platform.core)).toBe(0);
    const rows = await tp.platform.core.db
      .selectFrom('policies')
      .select('status')
      .where('source', 'like', 'demo:%')
      .execute();
    expect(rows.map((r) => r.status).sort()).toEqual([
      'draft',
      'published',
      'published',
      'published',
      'returned',
      'submitted',
    ]);
    const clocks = await tp.platform.core.db
      .selectFrom('clocks')
      .innerJoin('policies', 'policies.id', 'clocks.subject_id')
      .select('clocks.state')
      .where('policies.source', 'like', 'demo:%')
      .execute();
    expect(clocks.map((c) => c.state).sort()).toEqual(['breached', 'met', 'running']);
  });
});
