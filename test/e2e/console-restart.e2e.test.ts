import type { Browser } from 'playwright-core';
import { insertAlert } from '../../src/alerts/store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { launchBrowser, openConsole } from './browser.js';

let db: TestDatabase;
let browser: Browser;
beforeAll(async () => {
  db = await createTestDatabase();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await db?.drop();
});

const store = (tp: TestPlatform, title: string) =>
  tp.platform.core.db.transaction().execute((trx) =>
    insertAlert(
      trx,
      {
        type: 'event.detected',
        severity: 'critical',
        title,
        subjectKind: 'test',
        subjectId: title,
        departmentId: null,
      },
      new Date(),
    ),
  );

it('catches up after a server restart: alerts stored while it was down appear once, none twice', async () => {
  let tp = await startTestPlatform({ db });
  const port = tp.port;
  const page = await openConsole(browser, tp);

  const before = await store(tp, '重启前的预警');
  await page.locator(`li.alert[data-alert-id="${before!.id}"]`).waitFor({ timeout: 5000 });

  await tp.platform.close();
  await page.locator('#conn.conn-down, #conn.conn-connecting').first().waitFor({ timeout: 10_000 });
  tp = await startTestPlatform({ db, port, start: false });
  const during = await store(tp, '停机期间写入的预警');
  await tp.platform.start();

  await page.locator(`li.alert[data-alert-id="${during!.id}"]`).waitFor({ timeout: 15_000 });
  await page.locator('#conn.conn-ok').waitFor({ timeout: 10_000 });
  const after = await store(tp, '重启后的预警');
  await page.locator(`li.alert[data-alert-id="${after!.id}"]`).waitFor({ timeout: 5000 });
  for (const a of [before, during, after])
    expect(await page.locator(`li.alert[data-alert-id="${a!.id}"]`).count()).toBe(1);
  await page.close();
  await tp.platform.close();
});
