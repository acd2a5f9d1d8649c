import { DateTime } from 'luxon';

interface Day {
  date: string;
  work: boolean;
  name: string;
  override?: boolean;
}

/** Month grids (Monday first) for the calendar page, each cell classed by what kind of day it is. */
export function monthGrid(year: number, exceptions: Day[]) {
  const byDate = new Map(exceptions.map((d) => [d.date, d]));
  const months = [];
  for (let m = 1; m <= 12; m++) {
    const first = DateTime.fromObject({ year, month: m, day: 1 });
    const cells: { day?: number; date?: string; cls?: string; name?: string }[] = [];
    for (let i = 1; i < first.weekday; i++) cells.push({});
    for (let d = first; d.month === m; d = d.plus({ days: 1 })) {
      const iso = d.toISODate()!;
      const ex = byDate.get(iso);
      const weekend = d.weekday >= 6;
      let cls = weekend ? 'weekend' : 'workday';
      if (ex) cls = ex.work ? 'swap-work' : 'holiday';
      if (ex?.override) cls += ' override';
      cells.push({ day: d.day, date: iso, cls, name: ex?.name ?? '' });
    }
    const weeks = [];
    for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
    months.push({ month: m, weeks });
  }
  return months;
}
