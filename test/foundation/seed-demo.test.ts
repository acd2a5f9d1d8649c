import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ADMIN, login, startTestPlatform } from '../support/platform.js';
import { DEMO_PASSWORD } from '../../scripts/seed-demo.js';

/**
 * `npm run seed:demo` on a database the platform never started on, and after a start: either
 * order fills the demo county, and what it prints is what it did.
 */
const run = promisify(execFile);

async function seed(db: TestDatabase): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gop-seed-'));
  try {
    const { stdout } = await run(
      path.resolve('node_modules/.bin/tsx'),
      [path.resolve('scripts/seed-demo.ts')],
      {
        env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        timeout: 120_000,
      },
    );
    return stdout;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** What the seed says it created: its own step plus the three months of history. */
function claimed(out: string): { policies: number; events: number } {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    policies: num(/政策文件新建 (\d+) 份/) + num(/历史政策文件 (\d+) 份/),
    events: num(/舆情回应事件新建 (\d+) 个/) + num(/历史舆情事件 (\d+) 个/),
  };
}

async function counts(db: TestDatabase) {
  const n = async (table: 'policies' | 'opinion_events' | 'clock_policies') =>
    Number(
      (
        await db.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    policies: await n('policies'),
    events: await n('opinion_events'),
    clockPolicies: await n('clock_policies'),
  };
}

test('seed before the first start: everything is created, then the start adds its admin', async () => {
  const db = await createTestDatabase();
  try {
    const out = await seed(db);
    const c = await counts(db);
    expect(c.policies).toBeGreaterThan(0);
    expect(out).toContain('舆情回应事件新建 3 个');
    expect(claimed(out)).toEqual({ policies: c.policies, events: c.events });
    // The first start after the seed: its admin joins the seeded government office, demo accounts work.
    const tp = await startTestPlatform({ db, start: false });
    try {
      await login(tp, ADMIN.username, ADMIN.password);
      const analyst = await login(tp, 'yq.analyst', DEMO_PASSWORD);
      await analyst.agent.get('/responses').expect(200);
      const offices = await db.db
        .selectFrom('departments')
        .select('id')
        .where('kind', '=', 'government_office')
        .execute();
      expect(offices).toHaveLength(1);
    } finally {
      await tp.platform.close();
    }
    // Run again: nothing new, and it says so.
    const again = await seed(db);
    expect(again).toContain('政策文件新建 0 份');
    expect(again).toContain('舆情回应事件新建 0 个');
    expect(again).toContain('历史数据已存在，未改动');
    expect(await counts(db)).toEqual(c);
  } finally {
    await db.drop();
  }
}, 240_000);

test('seed after the first start fills the same county', async () => {
  const db = await createTestDatabase();
  try {
    const tp = await startTestPlatform({ db, start: false });
    await tp.platform.close();
    const out = await seed(db);
    const c = await counts(db);
    expect(c.policies).toBeGreaterThan(0);
    expect(out).toContain('舆情回应事件新建 3 个');
    expect(claimed(out)).toEqual({ policies: c.policies, events: c.events });
  } finally {
    await db.drop();
  }
}, 240_000);
