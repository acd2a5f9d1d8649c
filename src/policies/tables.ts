import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Defaulted, Timestamp } from '../db/columns.js';

export const POLICY_STATUSES = [
  'draft',
  'submitted',
  'approved',
  'returned',
  'published',
  'withdrawn',
] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** 公开属性 (seed 001 §二十一): only 主动公开 needs no reason. */
export const DISCLOSURES = ['proactive', 'on_request', 'not_public'] as const;
export type Disclosure = (typeof DISCLOSURES)[number];

export const INTERPRETATION_FORMS = [
  'text',
  'graphic',
  'audio',
  'video',
  'press_conference',
  'interview',
  'expert',
  'media',
  'qa',
] as const;
export type InterpretationForm = (typeof INTERPRETATION_FORMS)[number];

export const POLICY_EVENT_KINDS = [
  'create',
  'update',
  'submit',
  'approve',
  'return',
  'publish',
  'withdraw',
  'interpret',
  'interpret_update',
  'interpret_delete',
] as const;
export type PolicyEventKind = (typeof POLICY_EVENT_KINDS)[number];

export interface PoliciesTable {
  id: Generated<number>;
  title: string;
  doc_number: string | null;
  issuer: Defaulted<string>;
  drafting_department_id: number;
  /** 成文日期, a calendar date kept as 'YYYY-MM-DD'. */
  written_on: string | null;
  body: Defaulted<string>;
  disclosure: Defaulted<Disclosure>;
  disclosure_reason: Defaulted<string>;
  requires_interpretation: Defaulted<boolean>;
  interpretation_plan: Defaulted<string>;
  status: Defaulted<PolicyStatus>;
  /** The comment of the latest return, shown to the drafters until they resubmit. */
  return_comment: string | null;
  /** jieba TF-IDF keywords, for linking opinion events to documents. */
  keywords: Defaulted<string[]>;
  /** Maintained by the service from jieba tokens; never selected into JSON. */
  search: Defaulted<string>;
  source: Defaulted<string>;
  submitted_at: Timestamp | null;
  approved_at: Timestamp | null;
  published_at: Timestamp | null;
  withdrawn_at: Timestamp | null;
  /** 规章 or 行政规范性文件 (annual report table 二); null for any other document. */
  normative_kind: ColumnType<
    'regulation' | 'normative' | null,
    'regulation' | 'normative' | null | undefined
  >;
  /** 废止 date ('YYYY-MM-DD'). */
  repealed_on: ColumnType<string | null, string | null | undefined>;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: Defaulted<Date>;
}

export interface InterpretationsTable {
  id: Generated<number>;
  policy_id: number;
  form: InterpretationForm;
  title: string;
  channel: Defaulted<string>;
  url: Defaulted<string>;
  body: Defaulted<string>;
  interpreter: Defaulted<string>;
  /** 主要负责人 as 第一解读人. */
  interpreter_is_principal: Defaulted<boolean>;
  published_at: Timestamp;
  /** The interpretation clock this one's publication stopped (migration 011); null for later ones. */
  satisfied_clock_id: Defaulted<number | null>;
  created_by: number | null;
  created_at: CreatedAt;
}

/** The workflow trail shown on the document (submitted, returned with comment, …). */
export interface PolicyEventsTable {
  id: Generated<number>;
  policy_id: number;
  kind: PolicyEventKind;
  comment: Defaulted<string>;
  actor_user_id: number | null;
  actor_label: string;
  at: Timestamp;
}

export interface AttachmentsTable {
  id: Generated<number>;
  owner_kind: 'policy' | 'interpretation';
  owner_id: number;
  file_name: string;
  mime: string;
  size: number;
  sha256: string;
  uploaded_by: number | null;
  created_at: CreatedAt;
}

/** Tables owned by the policies capability (migrations 01x). */
export interface PolicyTables {
  policies: PoliciesTable;
  interpretations: InterpretationsTable;
  policy_events: PolicyEventsTable;
  policy_attachments: AttachmentsTable;
}
