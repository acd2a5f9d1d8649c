/** Tables owned by the policies capability (migrations 01x). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PolicyTables {}
