import type { Generated } from 'kysely';
import type { CreatedAt, Defaulted, Timestamp } from '../db/columns.js';

/** 问责 decisions of seed 001 §十三, as codes; labels in model.ts. */
export const DECISIONS = ['criticism', 'interview', 'explanation', 'other'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface AccountabilityRecordsTable {
  id: Generated<number>;
  clock_id: number;
  department_id: number | null;
  decision: Decision;
  note: Defaulted<string>;
  attachment_name: string | null;
  attachment_sha256: string | null;
  attachment_mime: string | null;
  attachment_size: number | null;
  decided_at: Timestamp;
  recorded_by: number | null;
  created_at: CreatedAt;
}

export interface AccountabilityTables {
  accountability_records: AccountabilityRecordsTable;
}
