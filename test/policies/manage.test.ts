import request from 'supertest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { insertAlert } from '../../src/alerts/store.js';
import { cast } from './support.js';

let tp: TestPlatform;
let c: Awaited<ReturnType<typeof cast>>;
beforeAll(async () => {
  tp = await startTestPlatform();
  c = await cast(tp);
});
afterAll(async () => tp.close());

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
