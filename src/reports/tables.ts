import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../db/columns.js';

export type OpinionReportKind = 'daily' | 'weekly';

/** Archived 舆情日报/周报: the JSON exactly as generated, so what was handed upward stays as it was. */
export interface OpinionReportsTable {
  id: Generated<number>;
  kind: OpinionReportKind;
  period_start: string;
  content: ColumnType<Record<string, unknown>, string, string>;
  generated_at: Timestamp;
  trigger: 'scheduled' | 'manual';
}

export interface ReportTables {
  opinion_reports: OpinionReportsTable;
}
