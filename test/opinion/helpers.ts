// Moved to test/support/opinion.ts; kept for tests other helpers are writing in parallel. Import from there.
export * from '../support/opinion.js';
