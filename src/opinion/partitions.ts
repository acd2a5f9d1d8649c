import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * Monthly partitions of opinion_items (UTC months). Ingest creates the partition an item needs
 * before inserting it; retention drops whole partitions, which is instant whatever their size.
 */

const known = new WeakMap<Db, Set<string>>();

export function partitionName(d: Date): string {
  return `opinion_items_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function monthBounds(d: Date): [Date, Date] {
  const from = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const to = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return [from, to];
}

/** Creates the monthly partitions covering `dates` that do not exist yet (idempotent, race-safe). */
export async function ensureItemPartitions(db: Db, dates: Iterable<Date>): Promise<void> {
  let cache = known.get(db);
  if (!cache) known.set(db, (cache = new Set()));
  const wanted = new Map<string, Date>();
  for (const d of dates) {
    const name = partitionName(d);
    if (!cache.has(name)) wanted.set(name, d);
  }
  for (const [name, d] of wanted) {
    const [from, to] = monthBounds(d);
    try {
      await sql`
        create table if not exists ${sql.table(name)} partition of opinion_items
        for values from (${sql.lit(from.toISOString())}) to (${sql.lit(to.toISOString())})
      `.execute(db);
    } catch (err) {
      // Another node created it between our check and create: fine; anything else is not.
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23505') throw err;
    }
    cache.add(name);
  }
}

/** The current month and the next `ahead` months. */
export function monthsAround(now: Date, ahead: number): Date[] {
  const out: Date[] = [];
  for (let i = 0; i <= ahead; i++)
    out.push(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1)));
  return out;
}

/**
 * Retention: drops partitions that end before `before`, and the idempotency keys of the items
 * in them. Returns the dropped partition names.
 */
export async function dropExpired(db: Db, before: Date): Promise<string[]> {
  const parts = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'opinion_items'::regclass
  `.execute(db);
  const dropped: string[] = [];
  for (const { name } of parts.rows) {
    const m = /^opinion_items_p(\d{4})(\d{2})$/.exec(name);
    if (!m) continue;
    const end = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
    if (end.getTime() > before.getTime()) continue;
    await db.transaction().execute(async (trx) => {
      await sql`delete from opinion_queue where published_at < ${end}`.execute(trx);
      await sql`delete from opinion_item_keys where published_at < ${end}`.execute(trx);
      await sql`drop table ${sql.table(name)}`.execute(trx);
    });
    known.get(db)?.delete(name);
    dropped.push(name);
  }
  return dropped;
}
