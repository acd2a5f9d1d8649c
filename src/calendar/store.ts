import { sql } from 'kysely';
import { type Db, type Executor } from '../db/database.js';
import { buildCalendar } from './build.js';
import { packagedSchedule, packagedYears } from './official.js';
import type { DayException, WorkCalendar } from './workdays.js';

export interface YearInfo {
  year: number;
  certain: boolean;
  source: string | null;
}

function toMap(rows: { date: string; work: boolean; name: string }[]): Map<string, DayException> {
  return new Map(rows.map((r) => [r.date, { work: r.work, name: r.name }]));
}

/** The calendar for the given years (plus their neighbours, so counts can run across a new year). */
export async function loadCalendar(db: Executor, fromYear: number, toYear: number): Promise<WorkCalendar> {
  const from = fromYear - 1;
  const to = toYear + 1;
  const [days, years] = await Promise.all([
    db
      .selectFrom('calendar_days')
      .select(['date', 'source', 'work', 'name'])
      .where('date', '>=', `${from}-01-01`)
      .where('date', '<=', `${to}-12-31`)
      .execute(),
    db
      .selectFrom('calendar_years')
      .select(['year', 'certain'])
      .where('year', '>=', from)
      .where('year', '<=', to)
      .execute(),
  ]);
  const range: number[] = [];
  for (let y = from; y <= to; y++) range.push(y);
  return buildCalendar({
    official: toMap(days.filter((d) => d.source === 'official')),
    overrides: toMap(days.filter((d) => d.source === 'override')),
    certainYears: new Set(years.filter((y) => y.certain).map((y) => y.year)),
    years: range,
  });
}

export async function yearInfo(db: Executor, year: number): Promise<YearInfo> {
  const row = await db.selectFrom('calendar_years').selectAll().where('year', '=', year).executeTakeFirst();
  return { year, certain: row?.certain ?? false, source: row?.source ?? null };
}

export async function overridesOfYear(db: Executor, year: number) {
  return db
    .selectFrom('calendar_days')
    .select(['date', 'work', 'name'])
    .where('source', '=', 'override')
    .where('date', '>=', `${year}-01-01`)
    .where('date', '<=', `${year}-12-31`)
    .orderBy('date')
    .execute();
}

/** Replaces the official schedule of a year and marks it certain. */
export async function writeOfficialYear(
  db: Executor,
  year: number,
  days: ReadonlyMap<string, DayException>,
  source: string,
): Promise<void> {
  await db
    .deleteFrom('calendar_days')
    .where('source', '=', 'official')
    .where('date', '>=', `${year}-01-01`)
    .where('date', '<=', `${year}-12-31`)
    .execute();
  if (days.size > 0)
    await db
      .insertInto('calendar_days')
      .values([...days].map(([date, d]) => ({ date, source: 'official', work: d.work, name: d.name })))
      .execute();
  await db
    .insertInto('calendar_years')
    .values({ year, certain: true, source })
    .onConflict((oc) => oc.column('year').doUpdateSet({ certain: true, source, loaded_at: sql<Date>`now()` }))
    .execute();
}

export async function writeOverride(db: Executor, date: string, day: DayException): Promise<void> {
  await db
    .insertInto('calendar_days')
    .values({ date, source: 'override', work: day.work, name: day.name })
    .onConflict((oc) =>
      oc
        .columns(['date', 'source'])
        .doUpdateSet({ work: day.work, name: day.name, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export async function deleteOverride(db: Executor, date: string): Promise<boolean> {
  const r = await db
    .deleteFrom('calendar_days')
    .where('source', '=', 'override')
    .where('date', '=', date)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Loads every year the packaged data set knows and the database does not: a package update thus
 * brings a newly announced year in on the next start. Years imported by an admin are kept.
 */
export async function seedPackagedYears(db: Db): Promise<number[]> {
  const known = new Set((await db.selectFrom('calendar_years').select('year').execute()).map((r) => r.year));
  const added: number[] = [];
  for (const year of packagedYears()) {
    if (known.has(year)) continue;
    const days = packagedSchedule(year);
    if (!days) continue;
    await db.transaction().execute(async (trx) => {
      await writeOfficialYear(trx, year, days, 'chinese-days');
    });
    added.push(year);
  }
  return added;
}
