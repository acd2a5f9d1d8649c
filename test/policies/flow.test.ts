import request from 'supertest';
import { auditActions, usePlatform } from '../support/platform.js';
import { cast, doc, fieldsOf, problem, published, send } from '../support/actors.js';

const tp = usePlatform();
let c: Awaited<ReturnType<typeof cast>>;
beforeAll(async () => {
  c = await cast(tp);
});

const count = async (table: 'policies' | 'interpretations' | 'policy_events' | 'audit_log') =>
  Number(
    (
      await tp.platform.core.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the workflow of SPEC §4, walked by two departments', () => {
  it('drafts, returns, resubmits, approves, publishes and interprets, every step audited', async () => {
    const { drafterA, supervisor } = c;
    const created = await send(drafterA, 'post', '/api/policies', {
      ...doc(drafterA.departmentId, { interpretationPlan: undefined }),
      docNumber: '泸纳府办函[2016]131号',
      issuer: '泸州市纳溪区人民政府办公室',
      writtenOn: '2016-06-30',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(Number), status: 'draft' });
    const id = created.body.id as number;

    // 同步报批: no plan, no submission — and nothing changes.
    const noPlan = await send(drafterA, 'post', `/api/policies/${id}/submit`);
    expect(noPlan.status).toBe(422);
    expect(fieldsOf(noPlan)).toContain('interpretationPlan');
    expect((await send(drafterA, 'get', `/api/policies/${id}`)).body.status).toBe('draft');

    await send(drafterA, 'patch', `/api/policies/${id}`, { interpretationPlan: '同步发布图解与问答' }).expect(
      200,
    );
    const submitted = await send(drafterA, 'post', `/api/policies/${id}/submit`).expect(200);
    expect(submitted.body.status).toBe('submitted');

    // A submitted document is frozen for its drafters.
    const frozen = await send(drafterA, 'patch', `/api/policies/${id}`, { title: '改标题' });
    expect(frozen.status).toBe(409);
    problem(frozen);

    const returned = await send(supervisor, 'post', `/api/policies/${id}/return`, {
      comment: '请补充资金来源',
    });
    expect(returned.status).toBe(200);
    expect(returned.body.status).toBe('returned');
    const mine = await send(drafterA, 'get', `/api/policies/${id}`).expect(200);
    expect(mine.body.returnComment).toBe('请补充资金来源');
    expect(mine.body.docNumber).toBe('泸纳府办函〔2016〕131号');

    await send(drafterA, 'patch', `/api/policies/${id}`, { body: '第一条 资金由区财政安排。' }).expect(200);
    await send(drafterA, 'post', `/api/policies/${id}/submit`).expect(200);
    await send(supervisor, 'post', `/api/policies/${id}/approve`, { comment: '同意' }).expect(200);
    const pub = await send(supervisor, 'post', `/api/policies/${id}/publish`, {}).expect(200);
    expect(pub.body).toMatchObject({
      status: 'published',
      publishedAt: expect.stringMatching(/\+08:00$/),
      interpretationClock: {
        id: expect.any(Number),
        dueAt: expect.stringMatching(/\+08:00$/),
        state: 'running',
        calendarCertain: expect.any(Boolean),
      },
    });

    const interp = await send(drafterA, 'post', `/api/policies/${id}/interpretations`, {
      form: 'graphic',
      title: '一图读懂老旧小区改造',
      channel: '政府网站',
      url: 'https://www.example.gov.cn/jd/1.html',
      interpreter: '王局长',
      interpreterIsPrincipal: true,
    });
    expect(interp.status).toBe(201);
    expect(interp.body).toMatchObject({
      form: 'graphic',
      formLabel: '图解',
      interpretationClock: { state: 'met' },
    });

    // A second interpretation adds to the list; the clock stays met.
    await send(drafterA, 'post', `/api/policies/${id}/interpretations`, {
      form: '问答',
      title: '政策问答',
    }).expect(201);
    const full = await send(drafterA, 'get', `/api/policies/${id}`).expect(200);
    expect(full.body.interpretations.map((i: { formLabel: string }) => i.formLabel)).toEqual([
      '图解',
      '问答',
    ]);
    expect(full.body.interpretationClock).toMatchObject({ state: 'met', latenessSeconds: 0 });
    expect(full.body.events.map((e: { kind: string }) => e.kind)).toEqual([
      'create',
      'update',
      'submit',
      'return',
      'update',
      'submit',
      'approve',
      'publish',
      'interpret',
      'interpret',
    ]);

    expect(await auditActions(tp, 'policy', id)).toEqual([
      'policy.create',
      'policy.update',
      'policy.submit',
      'policy.return',
      'policy.update',
      'policy.submit',
      'policy.approve',
      'policy.publish',
      'policy.interpret',
      'policy.interpret',
    ]);
  });

  it('keeps each department to its own documents (403) and each role to its steps', async () => {
    const { drafterA, drafterB, supervisor } = c;
    const before = await count('policies');
    const foreign = await send(drafterB, 'post', '/api/policies', doc(drafterA.departmentId));
    expect(foreign.status).toBe(403);
    problem(foreign);
    expect(await count('policies')).toBe(before);

    const { body } = await send(drafterA, 'post', '/api/policies', doc(drafterA.departmentId)).expect(201);
    const id = body.id as number;
    expect((await send(drafterB, 'get', `/api/policies/${id}`)).status).toBe(404);
    expect((await send(drafterB, 'patch', `/api/policies/${id}`, { title: '别人的' })).status).toBe(403);
    expect((await send(drafterB, 'post', `/api/policies/${id}/submit`)).status).toBe(403);
    // Moving a document into another department is refused too.
    expect(
      (await send(drafterA, 'patch', `/api/policies/${id}`, { draftingDepartmentId: drafterB.departmentId }))
        .status,
    ).toBe(403);

    await send(drafterA, 'post', `/api/policies/${id}/submit`).expect(200);
    expect((await send(drafterA, 'post', `/api/policies/${id}/approve`, {})).status).toBe(403);
    expect((await send(supervisor, 'post', '/api/policies', doc(supervisor.departmentId))).status).toBe(403);
    // Publishing skips no step: a submitted document must be approved first.
    expect((await send(supervisor, 'post', `/api/policies/${id}/publish`, {})).status).toBe(409);
    await send(supervisor, 'post', `/api/policies/${id}/approve`, {}).expect(200);
    expect((await send(drafterA, 'post', `/api/policies/${id}/publish`, {})).status).toBe(403);
    await send(supervisor, 'post', `/api/policies/${id}/publish`, {}).expect(200);

    const stranger = await send(drafterB, 'post', `/api/policies/${id}/interpretations`, {
      form: 'text',
      title: '越权解读',
    });
    expect(stranger.status).toBe(403);
    // Published documents are readable by every signed-in user.
    expect((await send(drafterB, 'get', `/api/policies/${id}`)).status).toBe(200);
    expect((await request(tp.url).post(`/api/policies/${id}/submit`)).status).toBe(401);
  });

  it('names the bad field and writes nothing', async () => {
    const { drafterA } = c;
    const before = await Promise.all([count('policies'), count('policy_events'), count('audit_log')]);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...doc(drafterA.departmentId), title: undefined }, 'title'],
      [{ ...doc(drafterA.departmentId), title: '   ' }, 'title'],
      [{ ...doc(drafterA.departmentId), docNumber: '国办发2016年80号' }, 'docNumber'],
      [{ ...doc(drafterA.departmentId), docNumber: '国办发〔2016〕号' }, 'docNumber'],
      [{ ...doc(drafterA.departmentId), writtenOn: '2026-02-30' }, 'writtenOn'],
      [{ ...doc(drafterA.departmentId), disclosure: 'not_public' }, 'disclosureReason'],
      [{ ...doc(drafterA.departmentId), disclosure: '保密' }, 'disclosure'],
      [{ ...doc(drafterA.departmentId), draftingDepartmentId: 'x' }, 'draftingDepartmentId'],
      [{ ...doc(drafterA.departmentId), unknownField: 1 }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await send(drafterA, 'post', '/api/policies', body);
      expect([400, 422]).toContain(res.status);
      const fields = fieldsOf(res);
      if (field === '(body)') expect(problem(res).detail).toBeTruthy();
      else expect({ body, fields }).toEqual({ body, fields: expect.arrayContaining([field]) });
    }
    expect(await Promise.all([count('policies'), count('policy_events'), count('audit_log')])).toEqual(
      before,
    );

    const ok = await send(drafterA, 'post', '/api/policies', {
      ...doc(drafterA.departmentId),
      docNumber: '国办发（2016）80号',
      disclosure: '依申请公开',
      disclosureReason: '涉及第三方商业信息',
    });
    expect(ok.status).toBe(201);
    expect(ok.body.docNumber).toBe('国办发〔2016〕80号');
    // One live document per 文号.
    const dup = await send(drafterA, 'post', '/api/policies', {
      ...doc(drafterA.departmentId),
      docNumber: '国办发【2016】80号',
    });
    expect(dup.status).toBe(409);
    expect(fieldsOf(dup)).toContain('docNumber');
  });
});

describe('the interpretation clock', () => {
  it('publishing on 2025-09-26 (Fri) gives 2025-09-30 24:00 (调休 Sunday 09-28 counts)', async () => {
    const { publish } = await published(c.drafterA, c.supervisor, {}, '2025-09-26T10:00:00+08:00');
    expect(publish.publishedAt).toBe('2025-09-26T10:00:00+08:00');
    expect(publish.interpretationClock.dueAt).toBe('2025-10-01T00:00:00+08:00');
    expect(publish.interpretationClock.calendarCertain).toBe(true);
  });

  it('an interpretation after the deadline is met_late with its lateness', async () => {
    const { id } = await published(c.drafterA, c.supervisor, {}, '2025-09-26T10:00:00+08:00');
    const late = await send(c.drafterA, 'post', `/api/policies/${id}/interpretations`, {
      form: 'text',
      title: '文字解读',
      publishedAt: '2025-10-02T10:00:00+08:00',
    }).expect(201);
    // 2025-10-01 00:00 → 2025-10-02 10:00 is 34 hours.
    expect(late.body.interpretationClock).toMatchObject({ state: 'met_late', latenessSeconds: 34 * 3600 });
  });

  it('refuses interpretations before publication or dated before it, and timestamps in the future', async () => {
    const { body } = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(
      201,
    );
    const early = await send(c.drafterA, 'post', `/api/policies/${body.id}/interpretations`, {
      form: 'text',
      title: '抢先解读',
    });
    expect(early.status).toBe(409);
    const { id } = await published(c.drafterA, c.supervisor, {}, '2025-09-26T10:00:00+08:00');
    const before = await send(c.drafterA, 'post', `/api/policies/${id}/interpretations`, {
      form: 'text',
      title: '早于文件',
      publishedAt: '2025-09-25T10:00:00+08:00',
    });
    expect(before.status).toBe(422);
    expect(fieldsOf(before)).toContain('publishedAt');
    // A form's minute-precision time in the document's own publication minute counts as 同步公开.
    const sync = await published(c.drafterA, c.supervisor, {}, '2025-09-26T10:00:30+08:00');
    const sameMinute = await send(c.drafterA, 'post', `/api/policies/${sync.id}/interpretations`, {
      form: 'text',
      title: '同步解读',
      publishedAt: '2025-09-26T10:00:00+08:00',
    });
    expect(sameMinute.status).toBe(201);
    expect(sameMinute.body.publishedAt).toBe('2025-09-26T10:00:30+08:00');
    const badForm = await send(c.drafterA, 'post', `/api/policies/${id}/interpretations`, {
      form: 'tweet',
      title: 'x',
    });
    expect(fieldsOf(badForm)).toContain('form');
    const approved = await send(c.drafterA, 'post', '/api/policies', doc(c.drafterA.departmentId)).expect(
      201,
    );
    await send(c.drafterA, 'post', `/api/policies/${approved.body.id}/submit`).expect(200);
    await send(c.supervisor, 'post', `/api/policies/${approved.body.id}/approve`, {}).expect(200);
    const future = await send(c.supervisor, 'post', `/api/policies/${approved.body.id}/publish`, {
      publishedAt: '2099-01-01T00:00:00+08:00',
    });
    expect(future.status).toBe(422);
    expect(fieldsOf(future)).toContain('publishedAt');
    expect((await send(c.supervisor, 'get', `/api/policies/${approved.body.id}`)).body.status).toBe(
      'approved',
    );
  });

  it('a document without requiresInterpretation gets no clock; withdrawal cancels a running one', async () => {
    const plain = await published(c.drafterA, c.supervisor, {
      requiresInterpretation: false,
      interpretationPlan: '',
    });
    expect(plain.publish.interpretationClock).toBeNull();
    const interp = await send(c.drafterA, 'post', `/api/policies/${plain.id}/interpretations`, {
      form: 'media',
      title: '媒体解读',
    }).expect(201);
    expect(interp.body.interpretationClock).toBeNull();

    const { id, publish } = await published(c.drafterA, c.supervisor);
    expect(publish.interpretationClock.state).toBe('running');
    expect((await send(c.drafterA, 'post', `/api/policies/${id}/withdraw`, {})).status).toBe(403);
    const w = await send(c.supervisor, 'post', `/api/policies/${id}/withdraw`, {
      comment: '政策调整',
    }).expect(200);
    expect(w.body).toMatchObject({ status: 'withdrawn', interpretationClock: { state: 'cancelled' } });
    // Withdrawn documents vanish from the public website.
    expect((await request(tp.url).get(`/api/policies/${id}`)).status).toBe(404);
  });
});
