import { jest } from '@jest/globals';
import { usePlatform } from '../support/platform.js';
import { cast } from '../support/actors.js';
import { buildClock, buildPolicy } from '../support/factories.js';

// Issue 13 item 8 (/clocks): filters, and rows that lead to their subject.
jest.setTimeout(120_000);
const tp = usePlatform();

const rows = (html: string) => /<table class="grid" id="clocks">([\s\S]*?)<\/table>/.exec(html)![1]!;

test('filters by department, state and keyword; each row links to its document', async () => {
  // The workflow that publishes documents is not the point here: rows written directly.
  const { drafterB, supervisor } = await cast(tp);
  const late = await buildPolicy(tp, { status: 'published', title: '关于城镇燃气安全整治的通知' });
  const other = await buildPolicy(tp, {
    status: 'published',
    title: '关于学前教育普惠发展的意见',
    departmentId: drafterB.departmentId,
  });
  for (const [p, startAt] of [
    [late, new Date(Date.now() - 10 * 86_400_000)],
    [other, new Date()],
  ] as const)
    await buildClock(tp, {
      kind: 'interpretation',
      subjectKind: 'policy',
      subjectId: p.id,
      title: `《${p.title}》政策解读`,
      departmentId: p.drafting_department_id,
      startAt,
    });
  const all = rows((await supervisor.agent.get('/clocks').expect(200)).text);
  expect(all).toContain(`href="/workspace/policies/${late.id}"`);
  expect(all).toContain(`href="/workspace/policies/${other.id}"`);
  // Each countdown carries its deadline and the warning points the script turns amber at.
  expect(all).toMatch(/class="countdown" data-due="[^"]+" data-warn="[^",]+,[^"]+" data-state="running"/);

  const byDept = rows(
    (await supervisor.agent.get(`/clocks?department=${drafterB.departmentId}`).expect(200)).text,
  );
  expect(byDept).toContain('学前教育');
  expect(byDept).not.toContain('燃气安全');

  const byKeyword = rows((await supervisor.agent.get('/clocks?q=燃气').expect(200)).text);
  expect(byKeyword).toContain('燃气安全');
  expect(byKeyword).not.toContain('学前教育');

  // Ten days late: the engine has breached it (or will on its next sweep); "running" excludes it then.
  const running = rows(
    (await supervisor.agent.get('/clocks?state=running&kind=&department=').expect(200)).text,
  );
  expect(running).toContain('学前教育');
  await supervisor.agent.get('/clocks?state=late').expect(400);
});

test('a 依申请公开 clock row leads to its request', async () => {
  const { supervisor } = await cast(tp);
  await buildClock(tp, {
    kind: 'disclosure_request',
    subjectKind: 'disclosure_request',
    subjectId: 4242,
    title: '关于某小区规划许可信息的申请',
  });
  const all = rows((await supervisor.agent.get('/clocks?q=规划许可').expect(200)).text);
  expect(all).toContain('href="/disclosure/requests/4242"');
});
