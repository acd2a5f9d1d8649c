import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Defaulted, Timestamp } from '../db/columns.js';

/** How a request arrived (条例 Art. 29/31 and the register's own words). */
export const CHANNELS = ['in_person', 'online', 'letter', 'fax', 'email', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The applicant columns of the annual report's table 三. */
export const APPLICANT_TYPES = [
  'natural_person',
  'business',
  'research',
  'public_interest',
  'legal_service',
  'other_org',
] as const;
export type ApplicantType = (typeof APPLICANT_TYPES)[number];

export const REQUEST_STATUSES = ['processing', 'correction', 'consultation', 'closed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const CHALLENGE_KINDS = ['review', 'suit'] as const;
export type ChallengeKind = (typeof CHALLENGE_KINDS)[number];
export const CHALLENGE_RESULTS = ['upheld', 'corrected', 'other', 'pending'] as const;
export type ChallengeResult = (typeof CHALLENGE_RESULTS)[number];

export const STEP_KINDS = [
  'received',
  'correction',
  'corrected',
  'abandoned',
  'consultation',
  'consultation_end',
  'extension',
  'reply',
  'challenge',
  'challenge_result',
  'assigned',
  'attachment_added',
  'attachment_removed',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface DisclosureRequestsTable {
  id: Generated<number>;
  number: string;
  channel: Channel;
  applicant_type: ApplicantType;
  applicant_name: string;
  contact: string;
  contact_key: string;
  address: Defaulted<string>;
  content: string;
  purpose: Defaulted<string>;
  received_at: Timestamp;
  department_id: number | null;
  status: Defaulted<RequestStatus>;
  period_start_at: Timestamp;
  correction_requested_at: Timestamp | null;
  correction_due_on: string | null;
  corrected_at: Timestamp | null;
  consultation_started_at: Timestamp | null;
  consultation_party: Defaulted<string>;
  extension_days: number | null;
  extension_approved_by: string | null;
  extension_reason: string | null;
  outcome: string | null;
  reply_reason: Defaulted<string>;
  replied_at: Timestamp | null;
  closed_at: Timestamp | null;
  source: Defaulted<'staff' | 'public'>;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: Defaulted<Date>;
}

export interface DisclosureStepsTable {
  id: Generated<number>;
  request_id: number;
  kind: StepKind;
  at: Timestamp;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  actor_user_id: number | null;
  actor_label: Defaulted<string>;
  created_at: CreatedAt;
}

export interface DisclosureChallengesTable {
  id: Generated<number>;
  request_id: number;
  kind: ChallengeKind;
  after_review: Defaulted<boolean>;
  filed_on: string;
  result: Defaulted<ChallengeResult>;
  decided_on: string | null;
  note: Defaulted<string>;
  created_at: CreatedAt;
  updated_at: Defaulted<Date>;
}

export interface DisclosureAttachmentsTable {
  id: Generated<number>;
  request_id: number;
  file_name: string;
  mime: string;
  size: number;
  sha256: string;
  source: Defaulted<'staff' | 'public'>;
  uploaded_by: number | null;
  created_at: CreatedAt;
}

export interface DisclosureAnnualInputsTable {
  year: number;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  updated_at: Defaulted<Date>;
}

export interface DisclosureTables {
  disclosure_requests: DisclosureRequestsTable;
  disclosure_steps: DisclosureStepsTable;
  disclosure_challenges: DisclosureChallengesTable;
  disclosure_annual_inputs: DisclosureAnnualInputsTable;
  disclosure_attachments: DisclosureAttachmentsTable;
}
