import base from './jest.config.js';

/** Browser tests: Debian's Chromium driven by playwright-core. */
export default {
  ...base,
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 60000,
};
