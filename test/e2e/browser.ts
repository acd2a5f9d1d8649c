import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, startTestPlatform, type TestPlatform } from '../support/platform.js';

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One platform and one browser for a browser-test file, started before and closed after it. */
export function useBrowserPlatform(): { readonly tp: TestPlatform; readonly browser: Browser } {
  const state: { tp?: TestPlatform; browser?: Browser } = {};
  beforeAll(async () => {
    state.tp = await startTestPlatform();
    state.browser = await launchBrowser();
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.tp?.close();
  });
  return {
    get tp() {
      return state.tp!;
    },
    get browser() {
      return state.browser!;
    },
  };
}

/**
 * Opens a page that needs a login, signs in through the /login form it is sent to, and waits
 * until it is back on that page: what a user does first every morning.
 */
export async function signInAt(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  if (!page.url().includes('/login?next=')) throw new Error(`${url} did not ask for a login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(url);
}

/** A new page on the live /console, signed in as the admin and connected (its socket is up). */
export async function openConsole(
  browser: Browser,
  tp: TestPlatform,
  options?: Parameters<Browser['newPage']>[0],
): Promise<Page> {
  const page = await browser.newPage(options);
  await signInAt(page, `${tp.url}/console`, ADMIN.username, ADMIN.password);
  await page.locator('#conn.conn-ok').waitFor({ timeout: 10_000 });
  return page;
}
