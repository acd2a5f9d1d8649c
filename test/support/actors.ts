import request from 'supertest';
import { login, type Agent, type TestPlatform } from './platform.js';
import { makeDepartment, makeUser } from './factories.js';

export interface Actor {
  agent: Agent;
  csrf: string;
  cookie: string;
  departmentId: number;
  userId: number;
  username: string;
  password: string;
}

export async function actor(tp: TestPlatform, roles: Parameters<typeof makeUser>[1], departmentId?: number) {
  const u = await makeUser(tp, roles, departmentId);
  const s = await login(tp, u.username, u.password);
  return { ...s, departmentId: u.departmentId, userId: u.id, username: u.username, password: u.password };
}

/** Two drafting departments, a supervisor in the government office and an admin. */
export async function cast(tp: TestPlatform) {
  const deptA = await makeDepartment(tp, `住建局${Math.random().toString(36).slice(2, 6)}`);
  const deptB = await makeDepartment(tp, `教育局${Math.random().toString(36).slice(2, 6)}`);
  const office = await makeDepartment(
    tp,
    `政府办${Math.random().toString(36).slice(2, 6)}`,
    'government_office',
  );
  return {
    deptA,
    deptB,
    drafterA: await actor(tp, ['drafter'], deptA.id),
    drafterB: await actor(tp, ['drafter'], deptB.id),
    supervisor: await actor(tp, ['supervisor'], office.id),
  };
}

/** A request as a signed-in user, with their CSRF token (an Actor or a plain login()). */
export const send = (
  a: Pick<Actor, 'agent' | 'csrf'>,
  method: 'post' | 'patch' | 'get',
  url: string,
  body?: object,
) => {
  const req = a.agent[method](url).set('x-csrf-token', a.csrf);
  return body === undefined ? req : req.send(body);
};

export const problem = (res: request.Response) => {
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body.status).toBe(res.status);
  return res.body as { title: string; detail: string; errors?: { field: string; message: string }[] };
};

export const fieldsOf = (res: request.Response) => (problem(res).errors ?? []).map((e) => e.field);

let n = 0;
export function doc(departmentId: number, extra: Record<string, unknown> = {}) {
  n += 1;
  return {
    title: `关于进一步做好城镇老旧小区改造工作的实施意见（第${n}稿）`,
    draftingDepartmentId: departmentId,
    body: '第一条 为改善居民居住条件，推进老旧小区改造。\n第二条 改造资金由市、区两级财政共同承担。',
    requiresInterpretation: true,
    interpretationPlan: '文件公开后三个工作日内发布图解和文字解读，局长作为第一解读人。',
    ...extra,
  };
}

/** Creates, submits, approves and publishes a document; returns its id and the publish answer. */
export async function published(
  drafter: Actor,
  supervisor: Actor,
  extra: Record<string, unknown> = {},
  publishedAt?: string,
) {
  const created = await send(drafter, 'post', '/api/policies', doc(drafter.departmentId, extra)).expect(201);
  const id = created.body.id as number;
  await send(drafter, 'post', `/api/policies/${id}/submit`).expect(200);
  await send(supervisor, 'post', `/api/policies/${id}/approve`, {}).expect(200);
  const pub = await send(
    supervisor,
    'post',
    `/api/policies/${id}/publish`,
    publishedAt ? { publishedAt } : {},
  ).expect(200);
  return { id, publish: pub.body };
}
