import request from 'supertest';
import type { TestPlatform } from './platform.js';
import { login, ADMIN, startTestPlatform } from './platform.js';
import type { Clock } from '../../src/shared/clock.js';
import type { FixtureItem } from './opinion-fixtures.js';
import type { OpinionWorker } from '../../src/opinion/worker.js';
import { makeDepartment, makeUser } from './factories.js';

/** An API token with the `ingest` scope, created through the admin API as a deployment would. */
export async function ingestToken(tp: TestPlatform, scopes = ['ingest']): Promise<string> {
  const { agent, csrf } = await login(tp, ADMIN.username, ADMIN.password);
  const res = await agent
    .post('/api/tokens')
    .set('X-CSRF-Token', csrf)
    .send({ name: `crawler-${Date.now()}`, scopes });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** The crawler payload for fixture items published `minutes` after `base`. */
export function payload(items: FixtureItem[], base: Date) {
  return items.map(({ incident: _incident, minutes, ...rest }) => ({
    ...rest,
    publishedAt: new Date(base.getTime() + minutes * 60_000).toISOString(),
  }));
}

export function ingest(tp: TestPlatform, token: string, items: unknown[]) {
  return request(tp.url).post('/api/opinion/items').set('Authorization', `Bearer ${token}`).send({ items });
}

export function workerOf(tp: TestPlatform): OpinionWorker {
  const c = tp.platform.capabilities.find((x) => x.name === 'opinion') as unknown as {
    worker: OpinionWorker;
  };
  return c.worker;
}

/** The usual cast of an opinion test: an analyst of 舆情中心 signed in, and an ingest token. */
export async function opinionDesk(tp: TestPlatform) {
  const center = await makeDepartment(tp, '舆情中心', 'opinion_center');
  const user = await makeUser(tp, ['analyst'], center.id);
  const analyst = await login(tp, user.username, user.password);
  return { center, analyst, token: await ingestToken(tp) };
}

/**
 * A test file's platform on `clock` with the usual opinion desk, started before its tests and
 * closed after them.
 */
export function useOpinionDesk(clock: Clock) {
  const state: { tp?: TestPlatform; desk?: Awaited<ReturnType<typeof opinionDesk>> } = {};
  beforeAll(async () => {
    state.tp = await startTestPlatform({ clock });
    state.desk = await opinionDesk(state.tp);
  });
  afterAll(() => state.tp?.close());
  return {
    get tp() {
      return state.tp!;
    },
    get analyst() {
      return state.desk!.analyst;
    },
    get token() {
      return state.desk!.token;
    },
  };
}
