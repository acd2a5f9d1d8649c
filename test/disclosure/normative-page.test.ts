import { flashOf, usePlatform } from '../support/platform.js';
import { cast, published, send } from '../support/actors.js';
import { shanghaiDate } from '../../src/shared/time.js';

// Issue 14 point 2: the 规章 / 行政规范性文件 flag and the 废止 date from the document's staff page;
// they feed table 二 of the annual report.
const tp = usePlatform({}, 90_000);

it('the document page registers it as 行政规范性文件 and its 废止 date, validated, for supervisors only', async () => {
  const { drafterA, supervisor } = await cast(tp);
  const { id } = await published(drafterA, supervisor, { title: '关于规范物业服务收费的若干规定' });
  const page = `/workspace/policies/${id}`;
  const save = (who: typeof supervisor, body: Record<string, string>) =>
    who.agent
      .post(`${page}/normative`)
      .type('form')
      .send({ _csrf: who.csrf, ...body })
      .expect(303);

  const before = (await supervisor.agent.get(page).expect(200)).text;
  expect(before).toContain('id="normative-form"');
  expect(before).toContain('<option value="normative">行政规范性文件</option>');
  expect(/<td id="normative-kind">([^<]*)<\/td>/.exec(before)![1]).toBe('否');
  // Drafters see the register's answer but not the form.
  const drafterView = (await drafterA.agent.get(page).expect(200)).text;
  expect(drafterView).not.toContain('id="normative-form"');

  await save(supervisor, { normativeKind: 'normative', repealedOn: '' });
  const saved = (await supervisor.agent.get(page).expect(200)).text;
  expect(flashOf(saved)).toContain('已登记为行政规范性文件，现行有效');
  expect(saved).toMatch(/<option value="normative" selected>行政规范性文件<\/option>/);
  expect((await send(supervisor, 'get', `/api/policies/${id}`).expect(200)).body).toMatchObject({
    normativeKind: 'normative',
    repealedOn: null,
  });
  const year = shanghaiDate(new Date()).slice(0, 4);
  const report = await send(supervisor, 'get', `/api/disclosure/annual-report/${year}`).expect(200);
  expect(report.body.proactive.normativeDocuments).toEqual({ issued: 1, repealed: 0, inForce: 1 });

  // Validation speaks Chinese and names the field; nothing changes.
  await save(supervisor, { normativeKind: 'normative', repealedOn: '2026-13-45' });
  expect(flashOf((await supervisor.agent.get(page)).text)).toContain('废止日期');
  await save(supervisor, { normativeKind: 'normative', repealedOn: '2001-01-01' });
  expect(flashOf((await supervisor.agent.get(page)).text)).toContain('废止日期不能早于公开日期');
  await save(supervisor, { normativeKind: 'decree', repealedOn: '' });
  expect(flashOf((await supervisor.agent.get(page)).text)).toContain('规范性文件类别');
  await save(drafterA, { normativeKind: '', repealedOn: '' });
  expect(flashOf((await drafterA.agent.get(page)).text)).toContain('无权');
  expect((await send(supervisor, 'get', `/api/policies/${id}`)).body.normativeKind).toBe('normative');

  const today = shanghaiDate(new Date());
  await save(supervisor, { normativeKind: 'normative', repealedOn: today });
  const repealed = (await supervisor.agent.get(page).expect(200)).text;
  expect(flashOf(repealed)).toContain(`已登记为行政规范性文件，${today} 废止`);
  expect(/<td id="normative-kind">([^<]*)<\/td>/.exec(repealed)![1]).toBe(`行政规范性文件（${today} 废止）`);
  expect(repealed).toContain(`name="repealedOn" value="${today}"`);
  const after = await send(supervisor, 'get', `/api/disclosure/annual-report/${year}`).expect(200);
  expect(after.body.proactive.normativeDocuments).toEqual({ issued: 1, repealed: 1, inForce: 0 });

  await save(supervisor, { normativeKind: '', repealedOn: '' });
  expect(flashOf((await supervisor.agent.get(page)).text)).toContain('已登记为不属于规章或行政规范性文件');
  expect((await send(supervisor, 'get', `/api/policies/${id}`)).body.normativeKind).toBeNull();
});
