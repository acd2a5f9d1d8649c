/**
 * The columns a partial update sets: each field of `patch` that is given (not undefined), stored
 * under its column name from `columns`. A field left out keeps the value the row has.
 */
export function changedColumns<P extends object, const C extends { [K in keyof P]?: string }>(
  patch: P,
  columns: C,
): { [K in keyof C & keyof P as C[K] & string]?: Exclude<P[K], undefined> } {
  const set: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns)) {
    const value = (patch as Record<string, unknown>)[field];
    if (value !== undefined) set[column as string] = value;
  }
  return set as never;
}
