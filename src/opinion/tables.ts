/** Tables owned by the opinion pipeline (migrations 02x); opinion_events lives in events/tables.ts. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OpinionTables {}
