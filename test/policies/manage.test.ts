import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { auditOf, usePlatform } from '../support/platform.js';
import { insertAlert } from '../../src/alerts/store.js';
import { attachmentPath, sha256 } from '../../src/files/files.js';
import { minimalPdf } from '../support/files.js';
import { actor, cast, doc, fieldsOf, problem, published, send, type Actor } from '../support/actors.js';

const tp = usePlatform();
let c: Awaited<ReturnType<typeof cast>>;
let admin: Actor;
beforeAll(async () => {
  c = await cast(tp);
  admin = await actor(tp, ['admin'], c.deptA.id);
});

const anon = () => request(tp.url);
const db = () => tp.platform.core.db;

async function clockWarning(departmentId: number, title: string) {
  const now = tp.platform.core.clock.now();
  return db()
    .transaction()
    .execute(async (trx) =>
      insertAlert(
        trx,
        {
          type: 'clock.warning',
          severity: 'warning',
          title,
          subjectKind: 'clock',
          subjectId: 1,
          departmentId,
        },
        now,
      ),
    )
    .then((a) => a!);
}

const ackedAt = async (id: number) =>
  await db()
    .selectFrom('alerts')
    .select(['acked_at', 'acked_by'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('the workspace warning banner', () => {
  it('offers 确认 per alert: the API for the script, a form post without it, scoped to the department', async () => {
    const a = await clockWarning(c.deptA.id, '<b>解读</b>即将到期');
    const b = await clockWarning(c.deptA.id, '解读已超时');

    const ws = await c.drafterA.agent.get('/workspace').expect(200);
    expect(ws.text).toContain('&lt;b&gt;解读&lt;/b&gt;即将到期');
    expect(ws.text).toContain(`action="/workspace/alerts/${a.id}/ack"`);
    expect(ws.text).toContain(`data-ack="/api/alerts/${a.id}/ack"`);
    expect(ws.text).toContain('/static/js/policy-alerts.js');
    expect(ws.text).not.toMatch(/<script>(?!<\/script>)/);
    expect((await c.drafterB.agent.get('/workspace').expect(200)).text).not.toContain('即将到期');

    // Another department cannot acknowledge it, and a post without the token is refused.
    const foreign = await c.drafterB.agent
      .post(`/workspace/alerts/${a.id}/ack`)
      .type('form')
      .send({ _csrf: c.drafterB.csrf });
    expect(foreign.status).toBe(303);
    expect((await ackedAt(a.id)).acked_at).toBeNull();
    expect((await c.drafterB.agent.get('/workspace')).text).toContain('预警不存在');
    const forged = await c.drafterA.agent.post(`/workspace/alerts/${a.id}/ack`).type('form').send({});
    expect(forged.status).toBe(403);
    expect((await ackedAt(a.id)).acked_at).toBeNull();

    // The no-script fallback.
    const form = await c.drafterA.agent
      .post(`/workspace/alerts/${a.id}/ack`)
      .type('form')
      .send({ _csrf: c.drafterA.csrf });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/workspace');
    expect(await ackedAt(a.id)).toMatchObject({ acked_at: expect.any(Date), acked_by: c.drafterA.userId });
    const after = await c.drafterA.agent.get('/workspace').expect(200);
    expect(after.text).toContain('已确认预警“&lt;b&gt;解读&lt;/b&gt;即将到期”');
    expect(after.text).not.toContain(`/workspace/alerts/${a.id}/ack`);
    expect(after.text).toContain(`/workspace/alerts/${b.id}/ack`);

    // What the script sends: the API with the page's token in a header.
    const noToken = await c.drafterA.agent.post(`/api/alerts/${b.id}/ack`);
    expect(noToken.status).toBe(403);
    const api = await c.drafterA.agent.post(`/api/alerts/${b.id}/ack`).set('x-csrf-token', c.drafterA.csrf);
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ id: b.id, acked: true });
    const audit = await db()
      .selectFrom('audit_log')
      .select('subject_id')
      .where('action', '=', 'alert.ack')
      .execute();
    expect(audit.map((r) => String(r.subject_id))).toEqual(
      expect.arrayContaining([String(a.id), String(b.id)]),
    );
    expect((await c.drafterA.agent.get('/workspace')).text).not.toContain('clock-banner');
    expect((await anon().post(`/workspace/alerts/${b.id}/ack`)).status).toBe(302);
  });
});

const del = (a: Actor, url: string) => a.agent.delete(url).set('x-csrf-token', a.csrf);

const clockRow = (id: number) =>
  db().selectFrom('clocks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Unique bytes per call, so tests can see a file appear and disappear under DATA_DIR. */
const pdf = () => minimalPdf(randomBytes(8).toString('hex'));
const png = () =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(24)]);
const stored = (buf: Buffer) => existsSync(attachmentPath('/tmp/gop-test-data', sha256(buf)));

const upload = (a: Actor, url: string, buf: Buffer, name: string) =>
  a.agent.post(url).set('x-csrf-token', a.csrf).attach('file', buf, name);

async function interpreted(title: string) {
  const { id, publish } = await published(c.drafterA, c.supervisor, { title });
  const first = await send(c.drafterA, 'post', `/api/policies/${id}/interpretations`, {
    form: 'text',
    title: `${title}的文字解读`,
    body: '解读正文。',
  }).expect(201);
  expect(first.body.interpretationClock.state).toBe('met');
  expect(first.body.stoppedClockId).toBe(first.body.interpretationClock.id);
  return { id, publish, first: first.body as { id: number; publishedAt: string } };
}

describe('correcting interpretations', () => {
  it('edits every field through the API, department-scoped and audited, without touching the clock', async () => {
    const { id, publish, first } = await interpreted('关于提高城乡低保标准的通知');
    const clockBefore = await clockRow(publish.interpretationClock.id);

    const patch = {
      form: 'qa',
      title: '低保标准调整问答',
      channel: '两微一端',
      url: 'https://www.example.gov.cn/jd/1.html',
      body: '问：光伏扶贫收入算不算家庭收入？答：按规定计算。',
      interpreter: '民政局局长',
      interpreterIsPrincipal: true,
    };
    expect((await anon().patch(`/api/interpretations/${first.id}`).send(patch)).status).toBe(401);
    const foreign = await send(c.drafterB, 'patch', `/api/interpretations/${first.id}`, patch);
    expect(foreign.status).toBe(403);
    problem(foreign);

    const ok = await send(c.drafterA, 'patch', `/api/interpretations/${first.id}`, patch).expect(200);
    expect(ok.body).toMatchObject({ ...patch, formLabel: '问答', publishedAt: first.publishedAt });
    expect(ok.body.interpretationClock).toMatchObject({ state: 'met' });
    // The document's search follows the corrected text.
    const hit = await anon().get('/api/policies').query({ q: '光伏扶贫' }).expect(200);
    expect(hit.body.policies.map((p: { id: number }) => p.id)).toContain(id);

    const audit = await auditOf(tp, 'policy.interpretation.update', first.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_user_id: c.drafterA.userId,
      before: expect.objectContaining({ title: '关于提高城乡低保标准的通知的文字解读', form: 'text' }),
      after: expect.objectContaining({ title: '低保标准调整问答', form: 'qa', interpreterIsPrincipal: true }),
    });
    const detail = await send(c.drafterA, 'get', `/api/policies/${id}`).expect(200);
    expect(detail.body.events.at(-1)).toMatchObject({ kind: 'interpret_update', kindLabel: '修改解读' });

    // Supervisors interpret for every department, as when adding.
    await send(c.supervisor, 'patch', `/api/interpretations/${first.id}`, { channel: '报刊' }).expect(200);

    // Bad input names the field and changes nothing.
    const bad = [
      [{}, '(body)'],
      [{ title: '  ' }, 'title'],
      [{ url: 'javascript:alert(1)' }, 'url'],
      [{ form: 'poem' }, 'form'],
      [{ publishedAt: 'yesterday' }, 'publishedAt'],
      [{ policyId: 9 }, '(body)'],
    ] as const;
    for (const [body, field] of bad) {
      const res = await send(c.drafterA, 'patch', `/api/interpretations/${first.id}`, body);
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toContain(field);
    }
    expect((await send(c.drafterA, 'patch', '/api/interpretations/999999', { title: 'x' })).status).toBe(404);

    // publishedAt keeps the rules of adding one.
    const pubAt = Date.parse(publish.publishedAt);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const early = new Date(pubAt - 3_600_000).toISOString();
    for (const publishedAt of [future, early]) {
      const res = await send(c.drafterA, 'patch', `/api/interpretations/${first.id}`, { publishedAt });
      expect(res.status).toBe(422);
      expect(fieldsOf(res)).toEqual(['publishedAt']);
    }
    const sameMinute = await send(c.drafterA, 'patch', `/api/interpretations/${first.id}`, {
      publishedAt: new Date(pubAt - 30_000).toISOString(),
    }).expect(200);
    expect(sameMinute.body.publishedAt).toBe(publish.publishedAt);
    const later = new Date(Math.min(Date.now(), pubAt + 60_000)).toISOString();
    await send(c.drafterA, 'patch', `/api/interpretations/${first.id}`, { publishedAt: later }).expect(200);

    // Whatever was edited, the clock keeps the outcome recorded when the material was added.
    const clockAfter = await clockRow(publish.interpretationClock.id);
    expect(clockAfter).toMatchObject({
      state: clockBefore.state,
      met_at: clockBefore.met_at,
      lateness_seconds: clockBefore.lateness_seconds,
    });
  });

  it('deletes an interpretation with its files; the clock it stopped keeps its outcome, audited', async () => {
    const { id, publish, first } = await interpreted('关于调整城乡居民医保缴费标准的通知');
    const second = await send(c.drafterA, 'post', `/api/policies/${id}/interpretations`, {
      form: 'graphic',
      title: '一图读懂医保缴费',
    }).expect(201);
    expect(second.body.stoppedClockId).toBeNull();
    const image = png();
    const file = await upload(
      c.drafterA,
      `/api/interpretations/${first.id}/attachments`,
      image,
      '缴费标准.png',
    ).expect(201);
    expect(stored(image)).toBe(true);
    const met = await clockRow(publish.interpretationClock.id);

    expect((await anon().delete(`/api/interpretations/${first.id}`)).status).toBe(401);
    expect((await del(c.drafterB, `/api/interpretations/${first.id}`)).status).toBe(403);
    expect((await c.drafterA.agent.delete(`/api/interpretations/${first.id}`)).status).toBe(403); // CSRF
    const gone = await del(c.drafterA, `/api/interpretations/${first.id}`).expect(200);
    expect(gone.body).toMatchObject({
      id: first.id,
      policyId: id,
      deleted: true,
      interpretationClock: { id: met.id, state: 'met' },
    });
    expect(await clockRow(met.id)).toMatchObject({ state: 'met', met_at: met.met_at });

    expect((await anon().get(`/api/interpretations/${first.id}`)).status).toBe(404);
    expect((await anon().get(`/interpretations/${first.id}`)).status).toBe(404);
    expect((await anon().get(`/attachments/${file.body.id}`)).status).toBe(404);
    expect(stored(image)).toBe(false);
    const detail = await anon().get(`/api/policies/${id}`).expect(200);
    expect(detail.body.interpretations.map((i: { id: number }) => i.id)).toEqual([second.body.id]);
    expect(detail.body.interpretationClock).toMatchObject({ state: 'met' });
    expect(detail.body.events.at(-1)).toMatchObject({ kind: 'interpret_delete', kindLabel: '删除解读' });

    const [audit] = await auditOf(tp, 'policy.interpretation.delete', first.id);
    expect(audit).toMatchObject({
      actor_user_id: c.drafterA.userId,
      before: expect.objectContaining({
        title: '关于调整城乡居民医保缴费标准的通知的文字解读',
        satisfiedClockId: met.id,
        attachments: [expect.objectContaining({ id: file.body.id, fileName: '缴费标准.png' })],
      }),
      after: {
        deleted: true,
        stoppedClock: expect.objectContaining({ id: met.id, state: 'met', kept: true }),
      },
    });
    expect((await del(c.drafterA, `/api/interpretations/${first.id}`)).status).toBe(404);

    // A later one did not stop the clock, and its audit says nothing about it.
    await del(c.drafterA, `/api/interpretations/${second.body.id}`).expect(200);
    const [later] = await auditOf(tp, 'policy.interpretation.delete', second.body.id);
    expect(later!.after).toEqual({ deleted: true });
    expect(await clockRow(met.id)).toMatchObject({ state: 'met' });
  });

  it('refuses corrections once the document is withdrawn', async () => {
    const { id, first } = await interpreted('关于停止执行部分收费项目的通知');
    await send(c.supervisor, 'post', `/api/policies/${id}/withdraw`, { comment: '废止' }).expect(200);
    expect(
      (await send(c.drafterA, 'patch', `/api/interpretations/${first.id}`, { title: '改' })).status,
    ).toBe(409);
    expect((await del(c.drafterA, `/api/interpretations/${first.id}`)).status).toBe(409);
    const row = await db()
      .selectFrom('interpretations')
      .select('title')
      .where('id', '=', first.id)
      .executeTakeFirst();
    expect(row?.title).toBe('关于停止执行部分收费项目的通知的文字解读');
  });

  it('offers 修改 and 删除 on the workspace pages, with a form that keeps the stored time', async () => {
    const { id, first } = await interpreted('关于<em>优化</em>公租房配租的通知');
    const stored0 = await db()
      .selectFrom('interpretations')
      .select('published_at')
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();

    const policyPage = await c.drafterA.agent.get(`/workspace/policies/${id}`).expect(200);
    expect(policyPage.text).toContain(`href="/workspace/interpretations/${first.id}"`);
    expect(policyPage.text).toContain(`action="/workspace/interpretations/${first.id}/delete"`);
    expect(policyPage.text).toContain('/static/js/policy-confirm.js');

    const edit = await c.drafterA.agent.get(`/workspace/interpretations/${first.id}`).expect(200);
    expect(edit.text).toContain('value="关于&lt;em&gt;优化&lt;/em&gt;公租房配租的通知的文字解读"');
    expect(edit.text).toContain(`data-upload="/api/interpretations/${first.id}/attachments"`);
    expect(edit.text).toContain('/static/js/policy-upload.js');
    expect(edit.text).toContain('id="stopped-clock"');
    const shownMinute = /name="publishedAt" value="([^"]+)"/.exec(edit.text)![1]!;
    expect((await c.drafterB.agent.get(`/workspace/interpretations/${first.id}`)).status).toBe(403);

    const form = {
      _csrf: c.drafterA.csrf,
      form: 'text',
      title: '公租房配租解读（修订）',
      channel: '政府网站',
      url: '',
      interpreter: '住建局局长',
      publishedAt: shownMinute,
      body: '修订后的解读。',
    };
    const badUrl = await c.drafterA.agent
      .post(`/workspace/interpretations/${first.id}`)
      .type('form')
      .send({ ...form, url: 'ftp://x' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.text).toContain('url');
    expect(badUrl.text).toContain('value="公租房配租解读（修订）"');

    const saved = await c.drafterA.agent
      .post(`/workspace/interpretations/${first.id}`)
      .type('form')
      .send(form);
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/workspace/policies/${id}`);
    const row = await db()
      .selectFrom('interpretations')
      .selectAll()
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ title: '公租房配租解读（修订）', interpreter: '住建局局长' });
    expect(row.published_at.getTime()).toBe(stored0.published_at.getTime());

    const removed = await c.drafterA.agent
      .post(`/workspace/interpretations/${first.id}/delete`)
      .type('form')
      .send({ _csrf: c.drafterA.csrf });
    expect(removed.status).toBe(303);
    expect(removed.headers.location).toBe(`/workspace/policies/${id}`);
    const after = await c.drafterA.agent.get(`/workspace/policies/${id}`).expect(200);
    expect(after.text).toContain(
      '已删除解读“公租房配租解读（修订）”；解读时限已按该解读的发布时间办结，结论不变',
    );
    expect(after.text).toContain('已按时解读');
  });
});

describe('attachments', () => {
  it('deletes a document attachment while the document is a draft or returned, or as admin', async () => {
    const draft = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(201);
    const a1 = pdf();
    const up = await upload(c.drafterA, `/api/policies/${draft.body.id}/attachments`, a1, '细则.pdf').expect(
      201,
    );
    expect(stored(a1)).toBe(true);

    expect((await del(c.drafterB, `/api/attachments/${up.body.id}`)).status).toBe(403);
    expect((await del(c.supervisor, `/api/attachments/${up.body.id}`)).status).toBe(403);
    const ok = await del(c.drafterA, `/api/attachments/${up.body.id}`).expect(200);
    expect(ok.body).toMatchObject({
      id: up.body.id,
      deleted: true,
      owner: { kind: 'policy', id: draft.body.id },
    });
    expect(stored(a1)).toBe(false);
    expect((await c.drafterA.agent.get(`/attachments/${up.body.id}`)).status).toBe(404);
    expect((await del(c.drafterA, `/api/attachments/${up.body.id}`)).status).toBe(404);
    const [audit] = await auditOf(tp, 'policy.attachment.delete', draft.body.id);
    expect(audit!.before).toMatchObject({
      attachmentId: up.body.id,
      fileName: '细则.pdf',
      sha256: sha256(a1),
    });

    // Identical bytes attached twice are stored once and survive until the last row goes.
    const shared = pdf();
    const s1 = await upload(
      c.drafterA,
      `/api/policies/${draft.body.id}/attachments`,
      shared,
      '一.pdf',
    ).expect(201);
    const s2 = await upload(
      c.drafterA,
      `/api/policies/${draft.body.id}/attachments`,
      shared,
      '二.pdf',
    ).expect(201);
    await del(c.drafterA, `/api/attachments/${s1.body.id}`).expect(200);
    expect(stored(shared)).toBe(true);
    await c.drafterA.agent.get(`/attachments/${s2.body.id}`).expect(200);

    // Submitted: frozen for the drafters, an admin may still take a file off.
    await send(c.drafterA, 'post', `/api/policies/${draft.body.id}/submit`).expect(200);
    const frozen = await del(c.drafterA, `/api/attachments/${s2.body.id}`);
    expect(frozen.status).toBe(409);
    problem(frozen);
    await del(admin, `/api/attachments/${s2.body.id}`).expect(200);
    expect(stored(shared)).toBe(false);

    // Refused uploads leave no bytes behind.
    const stray = pdf();
    expect(
      (await upload(c.drafterB, `/api/policies/${draft.body.id}/attachments`, stray, 'x.pdf')).status,
    ).toBe(403);
    expect(stored(stray)).toBe(false);
  });

  it('deletes from the workspace page and only returns to workspace pages', async () => {
    const draft = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(201);
    const id = draft.body.id as number;
    const up = await upload(c.drafterA, `/api/policies/${id}/attachments`, pdf(), '附件一.pdf').expect(201);
    const up2 = await upload(c.drafterA, `/api/policies/${id}/attachments`, pdf(), '附件二.pdf').expect(201);
    const page = await c.drafterA.agent.get(`/workspace/policies/${id}`).expect(200);
    expect(page.text).toContain(`action="/workspace/attachments/${up.body.id}/delete"`);
    const back = `/workspace/policies/${id}`;
    const res = await c.drafterA.agent
      .post(`/workspace/attachments/${up.body.id}/delete`)
      .type('form')
      .send({ _csrf: c.drafterA.csrf, back });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(back);
    expect((await c.drafterA.agent.get(back)).text).toContain('已删除附件“附件一.pdf”');
    const evil = await c.drafterA.agent
      .post(`/workspace/attachments/${up2.body.id}/delete`)
      .type('form')
      .send({ _csrf: c.drafterA.csrf, back: 'https://evil.example/' });
    expect(evil.headers.location).toBe('/workspace');
    // Another department's drafter gets no button and no deletion.
    const foreign = await c.drafterB.agent
      .post(`/workspace/attachments/${up.body.id}/delete`)
      .type('form')
      .send({ _csrf: c.drafterB.csrf, back });
    expect(foreign.status).toBe(303);
    expect(
      await db().selectFrom('policy_attachments').select('id').where('owner_id', '=', id).execute(),
    ).toEqual([]);
  });

  it('shows 图解 images inline on the public interpretation page and serves files with their names', async () => {
    const { first } = await interpreted('关于发放育儿补贴的通知');
    await send(c.drafterA, 'patch', `/api/interpretations/${first.id}`, { form: 'graphic' }).expect(200);
    const image = png();
    const name = "一图读懂&育儿补贴'<1>.png";
    const img = await upload(c.drafterA, `/api/interpretations/${first.id}/attachments`, image, name).expect(
      201,
    );
    expect(img.body).toMatchObject({ fileName: "一图读懂&育儿补贴'_1_.png", mime: 'image/png' });
    const doc1 = pdf();
    const file = await upload(
      c.drafterA,
      `/api/interpretations/${first.id}/attachments`,
      doc1,
      '政策问答.pdf',
    ).expect(201);
    expect(
      (await upload(c.drafterB, `/api/interpretations/${first.id}/attachments`, png(), 'x.png')).status,
    ).toBe(403);

    const page = await anon().get(`/interpretations/${first.id}`).expect(200);
    const escaped = '一图读懂&amp;育儿补贴&#x27;_1_.png';
    expect(page.text).toContain(`<img src="/attachments/${img.body.id}" alt="${escaped}">`);
    expect(page.text.indexOf('gov-figure')).toBeLessThan(page.text.indexOf('gov-doc-body'));
    expect(page.text).toContain(`href="/attachments/${file.body.id}"`);
    expect(page.text).toContain(`href="/attachments/${file.body.id}?download&#x3D;1"`);
    expect(page.text).toContain('政策问答.pdf');

    const got = await anon().get(`/attachments/${img.body.id}`).expect(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toBe(
      `inline; filename="____&____'_1_.png"; filename*=UTF-8''${encodeURIComponent('一图读懂&育儿补贴').replace(/'/g, '%27')}%27_1_.png`,
    );
    expect(Buffer.from(got.body as Buffer).equals(image)).toBe(true);
    const dl = await anon().get(`/attachments/${file.body.id}`).query({ download: '1' }).expect(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="_+\.pdf"; filename\*=UTF-8''/);

    // Deleting an interpretation's file from its workspace page.
    const edit = await c.drafterA.agent.get(`/workspace/interpretations/${first.id}`).expect(200);
    expect(edit.text).toContain(`action="/workspace/attachments/${img.body.id}/delete"`);
    await del(c.drafterA, `/api/attachments/${img.body.id}`).expect(200);
    expect((await anon().get(`/interpretations/${first.id}`)).text).not.toContain('gov-figure');
  });
});
