import { chromium, type Browser } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

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
