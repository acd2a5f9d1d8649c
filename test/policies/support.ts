// Moved to test/support/actors.ts; kept only for test/disclosure (another helper's files) until it imports from there.
export * from '../support/actors.js';
