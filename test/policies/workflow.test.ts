import { POLICY_STATUSES } from '../../src/policies/tables.js';
import * as workflow from '../../src/policies/workflow.js';

const { acceptsInterpretations, canTake, isEditable, nextStatus, stepsFrom } = workflow;

describe('policy workflow table', () => {
  test('each status allows exactly the steps of the approval workflow', () => {
    expect(stepsFrom('draft')).toEqual(['submit', 'withdraw']);
    expect(stepsFrom('returned')).toEqual(['submit', 'withdraw']);
    expect(stepsFrom('submitted')).toEqual(['approve', 'return', 'withdraw']);
    expect(stepsFrom('approved')).toEqual(['return', 'publish', 'withdraw']);
    expect(stepsFrom('published')).toEqual(['withdraw']);
    expect(stepsFrom('withdrawn')).toEqual([]);
  });

  test('steps lead where the workflow says, and nowhere from a status they may not leave', () => {
    expect(nextStatus('draft', 'submit')).toBe('submitted');
    expect(nextStatus('submitted', 'approve')).toBe('approved');
    expect(nextStatus('approved', 'return')).toBe('returned');
    expect(nextStatus('approved', 'publish')).toBe('published');
    expect(nextStatus('published', 'withdraw')).toBe('withdrawn');
    // No skipping review, no publishing twice, nothing after withdrawal.
    expect(nextStatus('draft', 'publish')).toBeNull();
    expect(nextStatus('submitted', 'publish')).toBeNull();
    expect(nextStatus('published', 'publish')).toBeNull();
    expect(nextStatus('withdrawn', 'submit')).toBeNull();
    expect(canTake('approve', 'returned')).toBe(false);
  });

  test('text is editable only before submission; interpretations only once published', () => {
    expect(POLICY_STATUSES.filter(isEditable)).toEqual(['draft', 'returned']);
    expect(POLICY_STATUSES.filter(acceptsInterpretations)).toEqual(['published']);
  });
});
