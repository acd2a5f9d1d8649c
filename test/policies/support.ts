// Moved to test/support/actors.ts; kept for tests other helpers are writing in parallel (test/disclosure). Import from there.
export * from '../support/actors.js';
