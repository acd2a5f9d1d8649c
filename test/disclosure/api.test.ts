import { ManualClock } from '../../src/shared/clock.js';
import { auditActions, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { disclosureCast, type Who } from './support.js';
import type { DisclosureService } from '../../src/disclosure/service.js';

const clock = new ManualClock('2026-09-25T10:00:00+08:00');
let tp: TestPlatform;
let office: Who;
let deptA: number;
let drafterA: Who;
let drafterB: Who;

beforeAll(async () => {
  tp = await startTestPlatform({ clock });
  ({ office, deptA, drafterA, drafterB } = await disclosureCast(tp));
}, 90_000);
afterAll(() => tp.close());

const svc = () =>
  (tp.platform.capabilities.find((c) => c.name === 'disclosure') as unknown as { service: DisclosureService })
    .service;

function post(who: Who, path: string, body: object) {
  return who.agent.post(path).set('x-csrf-token', who.csrf).send(body);
}

async function register(receivedAt = '2026-09-25T09:30:00+08:00', extra: object = {}) {
  const res = await post(office, '/api/disclosure-requests', {
    channel: '网上',
    applicantType: '自然人',
    applicantName: '张三',
    contact: '138-0000-0001',
    content: '请公开本区2026年老旧小区改造项目清单及资金安排',
    receivedAt,
    departmentId: deptA,
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body;
}

function expectProblem(
  res: { status: number; headers: Record<string, string>; body: { errors?: { field: string }[] } },
  status: number,
  field: string,
) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect((res.body.errors ?? []).map((e) => e.field)).toContain(field);
}

it('registers a request, pauses for a 6-working-day consultation, extends by 20 days and replies', async () => {
  clock.set('2026-09-25T10:00:00+08:00');
  const created = await register();
  expect(created.number).toMatch(/^2026-\d{4}$/);
  expect(created.clock).toMatchObject({ dueAt: '2026-10-30T00:00:00+08:00', state: 'running' });
  expect(created.clock.pausedAt).toBeUndefined();
  expect(created.channel).toBe('online');
  expect(created.applicantType).toBe('natural_person');
  const id = created.id as number;

  clock.set('2026-10-12T10:00:00+08:00');
  const paused = await post(drafterA, `/api/disclosure-requests/${id}/consultation`, {
    startedAt: '2026-10-12T09:00:00+08:00',
    party: '某物业公司',
  });
  expect(paused.status).toBe(200);
  expect(paused.body.status).toBe('consultation');
  expect(paused.body.clock.pausedAt).toBe('2026-10-12T09:00:00+08:00');
  expect(paused.body.consultation.thirdPartyLastDay).toBe('2026-11-02');

  // Replying or extending while the third party has the file is a step in the wrong state.
  expectProblem(
    await post(drafterA, `/api/disclosure-requests/${id}/reply`, {
      outcome: '予以公开',
      repliedAt: '2026-10-12T10:00:00+08:00',
    }),
    409,
    'status',
  );

  clock.set('2026-10-20T17:00:00+08:00');
  const resumed = await post(drafterA, `/api/disclosure-requests/${id}/consultation/end`, {
    endedAt: '2026-10-20T16:00:00+08:00',
  });
  expect(resumed.status).toBe(200);
  expect(resumed.body.clock).toMatchObject({ dueAt: '2026-11-07T00:00:00+08:00', state: 'running' });
  expect(resumed.body.clock.pausedAt).toBeUndefined();

  // Only the disclosure office extends.
  expect(
    (
      await post(drafterA, `/api/disclosure-requests/${id}/extension`, {
        approvedBy: '王主任',
        reason: '需调取档案',
        days: 20,
      })
    ).status,
  ).toBe(403);
  expectProblem(
    await post(office, `/api/disclosure-requests/${id}/extension`, {
      approvedBy: '王主任',
      reason: '需调取档案',
      days: 21,
    }),
    400,
    'days',
  );
  const extended = await post(office, `/api/disclosure-requests/${id}/extension`, {
    approvedBy: '王主任',
    reason: '涉及多个项目档案，需调取核实',
    days: 20,
  });
  expect(extended.status).toBe(200);
  expect(extended.body.clock.dueAt).toBe('2026-12-05T00:00:00+08:00');
  expect(extended.body.extension).toEqual({
    days: 20,
    approvedBy: '王主任',
    reason: '涉及多个项目档案，需调取核实',
  });
  expectProblem(
    await post(office, `/api/disclosure-requests/${id}/extension`, {
      approvedBy: '王主任',
      reason: '再延',
      days: 5,
    }),
    409,
    'days',
  );

  clock.set('2026-11-20T11:00:00+08:00');
  expectProblem(
    await post(drafterA, `/api/disclosure-requests/${id}/reply`, { repliedAt: '2026-11-20T10:00:00+08:00' }),
    400,
    'outcome',
  );
  expectProblem(
    await post(drafterA, `/api/disclosure-requests/${id}/reply`, {
      outcome: '不予公开',
      repliedAt: '2026-11-20T10:00:00+08:00',
    }),
    400,
    'outcome',
  );
  const replied = await post(drafterA, `/api/disclosure-requests/${id}/reply`, {
    outcome: '部分公开',
    reason: '清单中涉及个人信息的内容不予公开',
    repliedAt: '2026-11-20T10:00:00+08:00',
  });
  expect(replied.status).toBe(200);
  expect(replied.body.status).toBe('closed');
  expect(replied.body.outcome).toEqual({ code: 'partial', group: '部分公开', label: '部分公开' });
  expect(replied.body.clock.state).toBe('met');
  expect(replied.body.steps.map((s: { kind: string }) => s.kind)).toEqual([
    'received',
    'consultation',
    'consultation_end',
    'extension',
    'reply',
  ]);
  expectProblem(
    await post(drafterA, `/api/disclosure-requests/${id}/reply`, {
      outcome: '予以公开',
      repliedAt: '2026-11-20T10:00:00+08:00',
    }),
    409,
    'status',
  );

  expect(await auditActions(tp, 'disclosure_request', id)).toEqual([
    'disclosure.received',
    'disclosure.consultation',
    'disclosure.consultation_end',
    'disclosure.extension',
    'disclosure.reply',
  ]);

  // GET answers with the same shape.
  const got = await office.agent.get(`/api/disclosure-requests/${id}`);
  expect(got.body.clock).toEqual(replied.body.clock);
});

it('补正 stops the clock; the corrected request opens a new full period from its receipt', async () => {
  clock.set('2026-09-29T10:00:00+08:00');
  const { id } = await register();
  const stopped = await post(office, `/api/disclosure-requests/${id}/correction`, {
    requestedAt: '2026-09-29T09:00:00+08:00',
  });
  expect(stopped.status).toBe(200);
  expect(stopped.body.status).toBe('correction');
  expect(stopped.body.clock.pausedAt).toBe('2026-09-29T09:00:00+08:00');
  expect(stopped.body.correction.correctBy).toBe('2026-10-26');
  const firstClock = stopped.body.clock.id;

  expectProblem(
    await post(office, `/api/disclosure-requests/${id}/correction`, {
      requestedAt: '2026-09-29T09:30:00+08:00',
    }),
    409,
    'status',
  );
  expectProblem(
    await post(office, `/api/disclosure-requests/${id}/consultation`, {
      startedAt: '2026-09-29T09:30:00+08:00',
    }),
    409,
    'status',
  );

  clock.set('2026-10-09T16:00:00+08:00');
  const restarted = await post(office, `/api/disclosure-requests/${id}/corrected`, {
    receivedAt: '2026-10-09T15:00:00+08:00',
  });
  expect(restarted.status).toBe(200);
  expect(restarted.body.status).toBe('processing');
  expect(restarted.body.clock).toMatchObject({ dueAt: '2026-11-06T00:00:00+08:00', state: 'running' });
  expect(restarted.body.clock.id).not.toBe(firstClock);
  expect(restarted.body.periods.map((p: { state: string }) => p.state)).toEqual(['cancelled', 'running']);
});

it('refuses a correction notice after the 7th working day, naming requestedAt', async () => {
  clock.set('2026-10-13T10:00:00+08:00');
  const { id } = await register();
  expectProblem(
    await post(office, `/api/disclosure-requests/${id}/correction`, {
      requestedAt: '2026-10-13T09:00:00+08:00',
    }),
    422,
    'requestedAt',
  );
  // Nothing was written by the refused step.
  const got = await office.agent.get(`/api/disclosure-requests/${id}`);
  expect(got.body.status).toBe('processing');
  expect(got.body.steps).toHaveLength(1);
});

it('no correction by the stated date: the sweep closes it as 其他处理（逾期不补正）', async () => {
  clock.set('2026-11-02T10:00:00+08:00');
  const { id } = await register('2026-11-02T09:00:00+08:00');
  await post(office, `/api/disclosure-requests/${id}/correction`, {
    requestedAt: '2026-11-02T09:30:00+08:00',
    correctBy: '2026-11-10',
  }).expect(200);
  clock.set('2026-11-10T23:00:00+08:00');
  expect(await svc().sweepAbandoned()).toEqual([]);
  clock.set('2026-11-11T00:30:00+08:00');
  const closed = await svc().sweepAbandoned();
  expect(closed).toHaveLength(1);
  const got = await office.agent.get(`/api/disclosure-requests/${id}`);
  expect(got.body.status).toBe('closed');
  expect(got.body.outcome).toEqual({ code: 'other_no_correction', group: '其他处理', label: '逾期不补正' });
  expect(got.body.closedAt).toBe('2026-11-11T00:00:00+08:00');
  expect(got.body.clock.state).toBe('cancelled');
  expect(got.body.steps.at(-1).kind).toBe('abandoned');
  expectProblem(
    await post(office, `/api/disclosure-requests/${id}/corrected`, {
      receivedAt: '2026-11-11T00:20:00+08:00',
    }),
    409,
    'status',
  );
});

it('validates the register: Chinese words or codes, every bad field named, nothing written', async () => {
  clock.set('2026-11-12T10:00:00+08:00');
  const before = await tp.platform.core.db
    .selectFrom('disclosure_requests')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  const bad = await post(office, '/api/disclosure-requests', {
    channel: '飞鸽',
    applicantType: '外星人',
    applicantName: '',
    content: '某信息',
    receivedAt: 'yesterday',
  });
  expect(bad.status).toBe(400);
  const fieldsNamed = bad.body.errors.map((e: { field: string }) => e.field);
  expect(fieldsNamed).toEqual(
    expect.arrayContaining(['channel', 'applicantType', 'applicantName', 'receivedAt']),
  );
  expectProblem(
    await post(office, '/api/disclosure-requests', {
      channel: 'letter',
      applicantType: 'business',
      applicantName: '某公司',
      content: '某信息',
      receivedAt: '2026-12-01T09:00:00+08:00',
    }),
    422,
    'receivedAt',
  );
  const after = await tp.platform.core.db
    .selectFrom('disclosure_requests')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  expect(after.n).toBe(before.n);

  const ok = await post(office, '/api/disclosure-requests', {
    channel: 'letter',
    applicantType: 'business',
    applicantName: '某公司',
    content: '某信息',
    receivedAt: '2026-11-12',
  });
  expect(ok.status).toBe(201);
  expect(ok.body).toMatchObject({ channel: 'letter', channelLabel: '信函', applicantTypeLabel: '商业企业' });
  expect(ok.body.receivedAt).toBe('2026-11-12T00:00:00+08:00');
  // A department answers only its own requests; others' are reported missing.
  expect((await drafterB.agent.get(`/api/disclosure-requests/${ok.body.id}`)).status).toBe(404);
  expect((await post(drafterA, '/api/disclosure-requests', { channel: '当面' })).status).toBe(403);
});

it('serves the outcome list with stable codes and the annual-report labels', async () => {
  const res = await office.agent.get('/api/disclosure/outcomes').expect(200);
  expect(res.body).toHaveLength(21);
  expect(res.body[0]).toEqual({ code: 'disclose', group: '予以公开', label: '予以公开' });
  expect(res.body.map((o: { label: string }) => o.label)).toEqual(
    expect.arrayContaining([
      '属于四类过程性信息',
      '没有现成信息需要另行制作',
      '无正当理由大量反复申请',
      '逾期未缴纳信息处理费',
    ]),
  );
});

it('lists the register with filters, scoped to the department', async () => {
  const all = await office.agent.get('/api/disclosure-requests?status=closed').expect(200);
  expect(all.body.length).toBeGreaterThanOrEqual(2);
  expect(all.body.every((r: { status: string }) => r.status === 'closed')).toBe(true);
  const mine = await drafterB.agent.get('/api/disclosure-requests').expect(200);
  expect(mine.body).toEqual([]);
  const filtered = await office.agent
    .get(`/api/disclosure-requests?channel=${encodeURIComponent('信函')}`)
    .expect(200);
  expect(filtered.body.map((r: { channel: string }) => r.channel)).toEqual(['letter']);
});
