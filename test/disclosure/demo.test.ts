import { login, usePlatform } from '../support/platform.js';
import { seedAccounts, DEMO_STEPS, DEMO_PASSWORD } from '../../scripts/seed-demo.js';
import { shanghaiDate } from '../../src/shared/time.js';

const tp = usePlatform({}, 90_000);

it('the demo seed gives last year a balanced annual report and this year a request in every state', async () => {
  const core = tp.platform.core;
  const accounts = await seedAccounts(core);
  for (const step of DEMO_STEPS) await step.run(core, accounts);
  // Idempotent: a second run adds nothing.
  const count = async () =>
    Number(
      (
        await core.db
          .selectFrom('disclosure_requests')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const before = await count();
  for (const step of DEMO_STEPS) await step.run(core, accounts);
  expect(await count()).toBe(before);

  const s = await login(tp, 'gongkai', DEMO_PASSWORD);
  const lastYear = Number(shanghaiDate(core.clock.now()).slice(0, 4)) - 1;
  const report = (await s.agent.get(`/api/disclosure/annual-report/${lastYear}`).expect(200)).body;
  expect(report.requests.balanced).toBe(true);
  expect(report.requests.newlyReceived.total).toBe(9);
  expect(report.requests.carriedOver.total).toBe(1);
  expect(report.requests.carriedForward.total).toBe(1);
  expect(report.requests.totals.total).toBe(9);
  expect(report.reviews.review.upheld).toBe(1);
  expect(report.reviews.suitDirect.pending).toBe(1);

  const all = (await s.agent.get('/api/disclosure-requests').expect(200)).body as {
    status: string;
    clock: { state: string; pausedAt?: string } | null;
  }[];
  const statuses = new Set(all.map((r) => r.status));
  expect([...statuses].sort()).toEqual(['closed', 'consultation', 'correction', 'processing']);
  expect(all.some((r) => r.clock?.state === 'breached')).toBe(true);
  const page = await s.agent.get('/disclosure').expect(200);
  expect(page.text).toContain('暂停计时');
}, 300_000);
