import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Defaulted, Json, Timestamp, UpdatedAt } from './columns.js';
import type { EventTables } from '../events/tables.js';
import type { PolicyTables } from '../policies/tables.js';
import type { OpinionTables } from '../opinion/tables.js';
import type { AccountabilityTables } from '../accountability/tables.js';
import type { ReportTables } from '../reports/tables.js';
import type { DisclosureTables } from '../disclosure/tables.js';

export const ROLES = ['admin', 'supervisor', 'drafter', 'analyst', 'spokesperson', 'duty'] as const;
export type Role = (typeof ROLES)[number];

export interface DepartmentsTable {
  id: Generated<number>;
  name: string;
  kind: Defaulted<string>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  display_name: string;
  department_id: number;
  roles: Role[];
  active: Defaulted<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ApiTokensTable {
  id: Generated<number>;
  name: string;
  token_hash: string;
  token_prefix: string;
  scopes: string[];
  created_by: number | null;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: CreatedAt;
  actor_user_id: number | null;
  actor_label: string;
  action: string;
  subject_kind: string;
  subject_id: string | null;
  before: Json<object> | null;
  after: Json<object> | null;
  request_id: string | null;
}

export interface CalendarYearsTable {
  year: number;
  certain: boolean;
  source: string;
  loaded_at: UpdatedAt;
}

export interface CalendarDaysTable {
  date: string;
  source: 'official' | 'override';
  work: boolean;
  name: string;
  updated_at: UpdatedAt;
}

export interface ClockPoliciesTable {
  kind: string;
  label: string;
  config: Json<object>;
  updated_at: UpdatedAt;
  updated_by: number | null;
}

import type { ClockState } from '../clocks/states.js';
export type { ClockState };

export interface ClocksTable {
  id: Generated<number>;
  kind: string;
  subject_kind: string;
  subject_id: number;
  title: string;
  department_id: number | null;
  start_at: Timestamp;
  due_at: Timestamp;
  state: Defaulted<ClockState>;
  met_at: Timestamp | null;
  lateness_seconds: number | null;
  breached_at: Timestamp | null;
  paused_at: Timestamp | null;
  paused_seconds: Defaulted<number>;
  paused_working_days: Defaulted<number>;
  extended: Defaulted<boolean>;
  /** Working days of a granted extension shorter than the policy's maximum; null: the maximum. */
  extension_working_days: Defaulted<number | null>;
  policy: Json<object>;
  calendar_certain: Defaulted<boolean>;
  escalation_level: Defaulted<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ClockThresholdsTable {
  clock_id: number;
  key: string;
  due_at: Timestamp;
  fired_at: Timestamp | null;
  alert_id: number | null;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertsTable {
  id: Generated<number>;
  type: string;
  severity: AlertSeverity;
  title: string;
  body: Defaulted<string>;
  subject_kind: string;
  subject_id: string;
  department_id: number | null;
  due_at: Timestamp | null;
  escalation_level: Defaulted<number>;
  dedupe_key: string | null;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: CreatedAt;
  acked_at: Timestamp | null;
  acked_by: number | null;
  renotify_at: Timestamp | null;
  renotify_count: Defaulted<number>;
  /** Set when the matter ended (its clock met, cancelled or moved): off the open lists, kept in history. */
  resolved_at: Timestamp | null;
  resolved_reason: string | null;
}

/**
 * The whole database. Each capability declares its own tables next to its code and they are
 * joined here, so a capability can grow its schema without touching the others' files.
 */
export interface Database
  extends EventTables, PolicyTables, OpinionTables, AccountabilityTables, ReportTables, DisclosureTables {
  departments: DepartmentsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  calendar_years: CalendarYearsTable;
  calendar_days: CalendarDaysTable;
  clock_policies: ClockPoliciesTable;
  clocks: ClocksTable;
  clock_thresholds: ClockThresholdsTable;
  alerts: AlertsTable;
}
