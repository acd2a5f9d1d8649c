import type { PolicyStatus } from './tables.js';

/**
 * The approval workflow of a policy document as data: which step may leave which status and where
 * it leads. The service, the pages and the tests all ask this table, so a status rule is changed
 * in one place. Pure: no I/O.
 */
export type PolicyStep = 'submit' | 'approve' | 'return' | 'publish' | 'withdraw';

export const WORKFLOW: Record<
  PolicyStep,
  { readonly from: readonly PolicyStatus[]; readonly to: PolicyStatus }
> = {
  submit: { from: ['draft', 'returned'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  // The reviewer may still send back a document already approved but not yet published.
  return: { from: ['submitted', 'approved'], to: 'returned' },
  publish: { from: ['approved'], to: 'published' },
  // Withdrawal ends any document that is not already withdrawn, published ones included.
  withdraw: { from: ['draft', 'submitted', 'approved', 'returned', 'published'], to: 'withdrawn' },
};

/** May `step` be taken from `status`? */
export function canTake(step: PolicyStep, status: PolicyStatus): boolean {
  return WORKFLOW[step].from.includes(status);
}

/** The status `step` leads to from `status`, or null where the workflow does not allow it. */
export function nextStatus(status: PolicyStatus, step: PolicyStep): PolicyStatus | null {
  return canTake(step, status) ? WORKFLOW[step].to : null;
}

/** The steps the workflow allows from `status` (whoever may take them). */
export function stepsFrom(status: PolicyStatus): PolicyStep[] {
  return (Object.keys(WORKFLOW) as PolicyStep[]).filter((s) => canTake(s, status));
}

/**
 * The drafting department may change the text and its attachments only before it goes up for review,
 * i.e. in exactly the statuses a submission may leave.
 */
export function isEditable(status: PolicyStatus): boolean {
  return canTake('submit', status);
}

/** Interpretations (and their attachments) are added, corrected or removed only on a published document. */
export function acceptsInterpretations(status: PolicyStatus): boolean {
  return status === 'published';
}
