import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Defaulted, Timestamp } from '../db/columns.js';
import type { CountedLabels, LabelEvidence } from './cluster-adjust.js';

/** Items are stored once analysed (migration 100): 'pending' is what the stream calls a queued item. */
export type ItemStatus = 'pending' | 'analysed' | 'failed';
export type SentimentLabel = 'negative' | 'neutral' | 'positive';

/** An item as the crawler delivered it: in the queue until analysed, then in opinion_items. */
export interface DeliveredItemColumns {
  published_at: Timestamp;
  received_at: Timestamp;
  source: string;
  channel: string;
  external_id: string | null;
  url: string | null;
  title: Defaulted<string>;
  content: string;
  author: Defaulted<string>;
  metrics: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
  is_repost: boolean | null;
}

export interface OpinionItemsTable extends DeliveredItemColumns {
  id: Generated<number>;
  status: Defaulted<ItemStatus>;
  analysed_at: Timestamp | null;
  sentiment: SentimentLabel | null;
  sentiment_score: number | null;
  categories: Defaulted<string[]>;
  signal: string | null;
  keywords: Defaulted<string[]>;
  labels: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  minhash: Buffer | null;
  duplicate_of: number | null;
  cluster_id: number | null;
  scheme_ids: Defaulted<number[]>;
}

export interface OpinionItemKeysTable {
  key: string;
  item_id: number;
  published_at: Timestamp;
}

/** The inbox: an accepted item as delivered, until the pipeline stores it analysed (migration 100). */
export interface OpinionQueueTable extends DeliveredItemColumns {
  item_id: number;
  enqueued_at: CreatedAt;
}

export interface OpinionClustersTable {
  id: Generated<number>;
  event_id: number | null;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  items_count: Defaulted<number>;
  unique_authors: Defaulted<number>;
  negative_count: Defaulted<number>;
  positive_count: Defaulted<number>;
  duplicates_count: Defaulted<number>;
  hotness: Defaulted<number>;
  hotness_at: Timestamp;
  /** ClusterStats without `hours` (read back from opinion_cluster_hours, migration 101). */
  stats: ColumnType<Record<string, unknown>, string | undefined, string>;
  updated_at: Defaulted<Date>;
}

export interface OpinionClusterAuthorsTable {
  cluster_id: number;
  author: string;
}

/** A cluster's centroid as of the last checkpoint (migration 103; the log holds what came since). */
export interface OpinionClusterCentroidsTable {
  cluster_id: number;
  terms: string[];
  weights: number[];
}

/**
 * Per batch since the last checkpoint: its centroid term changes and touched cluster rows, as
 * JSON text (migrations 103, 104; pipeline/cluster-log.ts).
 */
export interface OpinionClusterLogTable {
  seq: Generated<string>;
  terms: string | null;
  clusters: string | null;
}

export interface OpinionClusterHoursTable {
  cluster_id: number;
  hour: Timestamp;
  items: Defaulted<number>;
  negative: Defaulted<number>;
}

export interface OpinionSchemesTable {
  id: Generated<number>;
  name: string;
  enabled: Defaulted<boolean>;
  region_words: Defaulted<string[]>;
  subject_words: Defaulted<string[]>;
  must_words: Defaulted<string[]>;
  exclude_words: Defaulted<string[]>;
  channels: Defaulted<string[]>;
  sources: Defaulted<string[]>;
  repost: Defaulted<'all' | 'original' | 'repost'>;
  duty_department_id: number | null;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: Defaulted<Date>;
}

export interface OpinionLocalTermsTable {
  id: Generated<number>;
  word: string;
  kind: Defaulted<'place' | 'institution' | 'other'>;
  created_by: number | null;
  created_at: CreatedAt;
}

export interface OpinionLexiconOverridesTable {
  id: Generated<number>;
  lexicon: 'area' | 'signal' | 'sentiment';
  label: string;
  word: string;
  weight: Defaulted<number>;
  removed: Defaulted<boolean>;
  /** The incident kind a signal word tells (migration 115); null keeps the shipped one. */
  kind: string | null;
  created_by: number | null;
  created_at: CreatedAt;
}

/** 人工研判 of one item (migration 021). */
export interface OpinionCorrectionsTable {
  id: Generated<number>;
  item_id: number;
  published_at: Date;
  text: string;
  sentiment: 'negative' | 'neutral' | 'positive' | null;
  areas: string[] | null;
  /** '' = no signal; null = not corrected. */
  signal: string | null;
  previous: unknown;
  note: Defaulted<string>;
  corrected_by: number | null;
  created_at: CreatedAt;
}

/** A correction's change to its item's cluster, until the pipeline leader applies it (migration 110). */
export interface OpinionClusterAdjustmentsTable {
  id: Generated<string>;
  cluster_id: number;
  item_id: number;
  published_at: Date;
  correction_id: number;
  before: ColumnType<CountedLabels, string, never>;
  after: ColumnType<CountedLabels, string, never>;
  evidence: ColumnType<LabelEvidence, string, never>;
}

export interface OpinionSettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Defaulted<Date>;
  updated_by: number | null;
}

/** Columns migration 020 adds to opinion_events (declared in events/tables.ts by the lead). */
export interface OpinionEventPipelineColumns {
  duplicates_count: Defaulted<number>;
  hotness_at: Timestamp | null;
  analysis: ColumnType<Record<string, unknown>, string | undefined, string>;
  scheme_ids: Defaulted<number[]>;
}

/** Tables owned by the opinion pipeline (migrations 02x); opinion_events lives in events/tables.ts. */
export interface OpinionTables {
  opinion_items: OpinionItemsTable;
  opinion_item_keys: OpinionItemKeysTable;
  opinion_queue: OpinionQueueTable;
  opinion_clusters: OpinionClustersTable;
  opinion_cluster_authors: OpinionClusterAuthorsTable;
  opinion_cluster_centroids: OpinionClusterCentroidsTable;
  opinion_cluster_log: OpinionClusterLogTable;
  opinion_cluster_hours: OpinionClusterHoursTable;
  opinion_schemes: OpinionSchemesTable;
  opinion_local_terms: OpinionLocalTermsTable;
  opinion_lexicon_overrides: OpinionLexiconOverridesTable;
  opinion_settings: OpinionSettingsTable;
  opinion_corrections: OpinionCorrectionsTable;
  opinion_cluster_adjustments: OpinionClusterAdjustmentsTable;
}

declare module '../events/tables.js' {
  // Merges the pipeline's columns into the lead's opinion_events type.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface OpinionEventsTable extends OpinionEventPipelineColumns {}
}
