import request from 'supertest';
import { usePlatform } from '../support/platform.js';
import { minimalPdf } from '../support/files.js';
import { ingestToken } from '../support/opinion.js';
import { actor, cast, published, send } from '../support/actors.js';

/*
 * Issue 10 row 7: machine tokens read only what their scopes allow, and non-public documents
 * (依申请公开 / 不予公开) are 404 — not 403 — to everyone outside their department and the
 * supervisors, with their interpretations' and attachments' downloads alike.
 */
const tp = usePlatform();
let c: Awaited<ReturnType<typeof cast>>;
beforeAll(async () => {
  c = await cast(tp);
});

const bearer = (token: string, url: string) =>
  request(tp.url).get(url).set('Authorization', `Bearer ${token}`);

it('non-public documents and their files: own department and supervisors only, 404 for the rest', async () => {
  const restricted = await send(c.drafterA, 'post', '/api/policies', {
    title: '关于内部工作安排的通知',
    draftingDepartmentId: c.drafterA.departmentId,
    body: '第一条 内部事项。',
    requiresInterpretation: false,
    disclosure: 'on_request',
    disclosureReason: '涉及内部管理事项',
  }).expect(201);
  const id = restricted.body.id as number;
  const file = await c.drafterA.agent
    .post(`/api/policies/${id}/attachments`)
    .set('x-csrf-token', c.drafterA.csrf)
    .attach('file', minimalPdf('内部'), '内部.pdf')
    .expect(201);
  await send(c.drafterA, 'post', `/api/policies/${id}/submit`).expect(200);
  await send(c.supervisor, 'post', `/api/policies/${id}/approve`, {}).expect(200);
  await send(c.supervisor, 'post', `/api/policies/${id}/publish`, {}).expect(200);
  const open = await published(c.drafterA, c.supervisor);

  const analystElsewhere = await actor(tp, ['analyst']);
  const colleague = await actor(tp, ['spokesperson'], c.drafterA.departmentId);
  const readToken = await ingestToken(tp, ['read']);
  const ingestOnly = await ingestToken(tp, ['ingest']);

  for (const who of [c.drafterB, analystElsewhere]) {
    expect((await send(who, 'get', `/api/policies/${id}`)).status).toBe(404);
    expect((await who.agent.get(`/attachments/${file.body.id}`)).status).toBe(404);
    const list = await send(who, 'get', '/api/policies?limit=100').expect(200);
    expect(JSON.stringify(list.body)).not.toContain('关于内部工作安排的通知');
  }
  // A missing id answers exactly the same.
  const missing = await send(c.drafterB, 'get', '/api/policies/99999999');
  const hidden = await send(c.drafterB, 'get', `/api/policies/${id}`);
  expect([hidden.status, hidden.body.title]).toEqual([missing.status, missing.body.title]);

  for (const who of [c.drafterA, colleague, c.supervisor]) {
    await send(who, 'get', `/api/policies/${id}`).expect(200);
    await who.agent.get(`/attachments/${file.body.id}`).expect(200);
  }

  expect((await bearer(readToken, `/api/policies/${id}`)).status).toBe(404);
  expect((await bearer(readToken, `/attachments/${file.body.id}`)).status).toBe(404);
  await bearer(readToken, `/api/policies/${open.id}`).expect(200);
  // An ingest-only token reads no documents at all.
  expect((await bearer(ingestOnly, `/api/policies/${id}`)).status).toBe(404);
  expect((await bearer(ingestOnly, `/attachments/${file.body.id}`)).status).toBe(404);
  expect((await bearer(ingestOnly, `/api/policies/${open.id}`)).status).toBe(404);
  expect((await bearer(ingestOnly, '/api/policies')).status).toBe(403);
});
