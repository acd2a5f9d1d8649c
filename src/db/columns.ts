import type { ColumnType, JSONColumnType } from 'kysely';

/**
 * Column types shared by every table definition. They live here, not in `schema.ts`, so that the
 * capabilities' `tables.ts` files (which `schema.ts` composes into `Database`) need not import
 * `schema.ts` back.
 */

/** A timestamp the code always sets (strings accepted on write, as pg accepts them). */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** Set by the database default on insert, never changed afterwards. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** A timestamp with a database default that later writes set (updated_at, loaded_at). */
export type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** A column with a database default: optional on insert, a plain value otherwise. */
export type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** A jsonb column written as a JSON string. */
export type Json<T extends object | null> = JSONColumnType<T, string, string>;
