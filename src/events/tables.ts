import type { Generated } from 'kysely';
import type { CreatedAt, Defaulted, Timestamp } from '../db/columns.js';

export const SEVERITIES = ['general', 'large', 'major', 'extraordinary'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const EVENT_STATUSES = ['new', 'confirmed', 'responding', 'closed', 'dismissed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const ACTION_KINDS = [
  'initial_release',
  'press_conference',
  'response',
  'follow_up',
  'clarification',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export interface OpinionEventsTable {
  id: Generated<number>;
  origin: 'manual' | 'detected';
  title: string;
  summary: Defaulted<string>;
  status: Defaulted<EventStatus>;
  severity: Defaulted<Severity>;
  emergency: Defaulted<boolean>;
  responsible_department_id: number | null;
  spokesperson_id: number | null;
  detected_at: Timestamp;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  keywords: Defaulted<string[]>;
  categories: Defaulted<string[]>;
  channels: Defaulted<string[]>;
  items_count: Defaulted<number>;
  unique_authors: Defaulted<number>;
  negative_count: Defaulted<number>;
  hotness: Defaulted<number>;
  trend: Defaulted<'rising' | 'flat' | 'falling'>;
  emergency_signal: string | null;
  suggested_severity: Severity | null;
  policy_ids: Defaulted<number[]>;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: Defaulted<Date>;
}

export interface EventActionsTable {
  id: Generated<number>;
  event_id: number;
  kind: ActionKind;
  status: Defaulted<'planned' | 'done'>;
  occurred_at: Timestamp | null;
  planned_at: Timestamp | null;
  place: Defaulted<string>;
  spokesperson: Defaulted<string>;
  key_points: Defaulted<string>;
  channel: Defaulted<string>;
  url: Defaulted<string>;
  text: Defaulted<string>;
  clock_id: number | null;
  /** Shown in the public 回应关切 column. */
  public: Defaulted<boolean>;
  recorded_by: number | null;
  created_at: CreatedAt;
}

export interface DutyRosterTable {
  id: Generated<number>;
  date: string;
  level: number;
  user_id: number;
  department_id: number | null;
  note: Defaulted<string>;
  created_at: CreatedAt;
}

export interface EventTables {
  opinion_events: OpinionEventsTable;
  event_actions: EventActionsTable;
  duty_roster: DutyRosterTable;
}
