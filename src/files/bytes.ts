import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.js';
import { removeBytes, sha256, storeBytes } from './files.js';

/** Namespace of the advisory locks taken per stored file hash. */
const BYTES_LOCK = 4101;

/**
 * Files are stored once per hash and shared by every row that holds that hash, whatever its
 * table; this lock serialises "store and point at" against "unpoint and remove" for one hash, so
 * a delete never removes bytes an upload has just relied on.
 */
async function lockBytes(trx: Trx, hash: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${BYTES_LOCK}, hashtext(${hash}))`.execute(trx);
}

/** Stores the bytes under the hash's lock, inside the transaction that will point a row at them. */
export async function storeLocked(trx: Trx, dataDir: string, bytes: Buffer): Promise<string> {
  await lockBytes(trx, sha256(bytes));
  return storeBytes(dataDir, bytes);
}

/** Whether any row of any table still points at the bytes. */
async function referenced(trx: Trx, hash: string): Promise<boolean> {
  const found = await sql<{ one: number }>`
    select 1 as one from policy_attachments where sha256 = ${hash}
    union all select 1 from disclosure_attachments where sha256 = ${hash}
    union all select 1 from accountability_records where attachment_sha256 = ${hash}
    limit 1`.execute(trx);
  return found.rows.length > 0;
}

/** Removes the bytes once no row points at them any more. */
export async function releaseBytes(trx: Trx, dataDir: string, hash: string): Promise<void> {
  await lockBytes(trx, hash);
  if (!(await referenced(trx, hash))) await removeBytes(dataDir, hash);
}

/**
 * After the transaction that unpointed them has committed: removes bytes nothing points at any
 * more, under the same per-hash lock uploads take. A delete that fails or rolls back must never
 * leave a row whose download 404s, so the bytes never go inside that transaction.
 */
export async function releaseAfterCommit(db: Db, dataDir: string, hash: string): Promise<void> {
  await db.transaction().execute((trx) => releaseBytes(trx, dataDir, hash));
}
