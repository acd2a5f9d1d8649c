import type { Selectable } from 'kysely';
import type { Trx } from './database.js';
import type { Database } from './schema.js';
import { HttpProblem } from '../shared/errors.js';

/** The tables whose rows are known by a numeric `id`. */
type TableWithId = {
  [T in keyof Database]: Selectable<Database[T]> extends { id: number } ? T : never;
}[keyof Database];

/**
 * One row by id, locked FOR UPDATE until the transaction ends, so a change reads what it
 * replaces; undefined when there is no such row.
 */
export async function lockRow<T extends TableWithId>(
  trx: Trx,
  table: T,
  id: number,
): Promise<Selectable<Database[T]> | undefined> {
  const row = await trx
    .selectFrom(table as TableWithId)
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row as Selectable<Database[T]> | undefined;
}

/** lockRow(), answering `missing` (a 404) when there is no such row. */
export async function lockById<T extends TableWithId>(
  trx: Trx,
  table: T,
  id: number,
  missing: string,
): Promise<Selectable<Database[T]>> {
  const row = await lockRow(trx, table, id);
  if (!row) throw HttpProblem.notFound(missing);
  return row;
}
