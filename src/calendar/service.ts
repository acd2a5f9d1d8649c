import type { Core } from '../context.js';
import { authorize } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { insertAlert } from '../alerts/store.js';
import { HttpProblem } from '../shared/errors.js';
import { rederiveWorkingDayClocks } from '../clocks/service.js';
import { loadCalendar, overridesOfYear, writeOfficialYear, writeOverride, yearInfo } from './store.js';
import type { DayException } from './workdays.js';
import { type Ctx } from '../shared/context.js';

export interface CalendarDay {
  date: string;
  work: boolean;
  name: string;
}

export class CalendarService {
  constructor(private readonly core: Core) {}

  /** Every day that differs from the plain week, with the year's certainty (SPEC §4). */
  async year(year: number) {
    const [info, cal, overrides] = await Promise.all([
      yearInfo(this.core.db, year),
      loadCalendar(this.core.db, year, year),
      overridesOfYear(this.core.db, year),
    ]);
    const overridden = new Set(overrides.map((o) => o.date));
    const days = [...cal.exceptions]
      .filter(([d]) => d.startsWith(`${year}-`))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, ex]) => ({ date, work: ex.work, name: ex.name, override: overridden.has(date) }));
    return { year, certain: info.certain, source: info.source, days };
  }

  /** Loads an official schedule (国务院办公厅关于…部分节假日安排的通知) and re-derives deadlines. */
  async importYear(ctx: Ctx, year: number, days: CalendarDay[]) {
    authorize(ctx.actor, 'calendar.manage');
    const seen = new Set<string>();
    days.forEach((d, i) => {
      if (!d.date.startsWith(`${year}-`))
        throw HttpProblem.unprocessable('日期不属于该年份', [
          { field: `days.${i}.date`, message: `须在 ${year} 年内` },
        ]);
      if (seen.has(d.date))
        throw HttpProblem.unprocessable('日期重复', [
          { field: `days.${i}.date`, message: '同一日期出现两次' },
        ]);
      seen.add(d.date);
    });
    const now = this.core.clock.now();
    return this.core.db.transaction().execute(async (trx) => {
      const before = await yearInfo(trx, year);
      const map = new Map<string, DayException>(days.map((d) => [d.date, { work: d.work, name: d.name }]));
      await writeOfficialYear(trx, year, map, 'import');
      const moved = await rederiveWorkingDayClocks(trx, now, `导入 ${year} 年官方节假日安排`);
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'calendar.import',
        subjectKind: 'calendar_year',
        subjectId: year,
        before,
        after: { certain: true, days: days.length },
        requestId: ctx.requestId,
      });
      await this.announce(
        trx,
        `已导入 ${year} 年官方节假日安排（${days.length} 天），${moved} 个时钟期限变更`,
        now,
        year,
      );
      return { year, certain: true, days: days.length, clocksMoved: moved };
    });
  }

  /** A single-day change (e.g. a locally announced closure) — admins only. */
  async setDay(ctx: Ctx, date: string, day: { work: boolean; name: string }) {
    authorize(ctx.actor, 'calendar.manage');
    const now = this.core.clock.now();
    return this.core.db.transaction().execute(async (trx) => {
      const year = Number(date.slice(0, 4));
      const cal = await loadCalendar(trx, year, year);
      const before = cal.exceptions.get(date) ?? null;
      await writeOverride(trx, date, day);
      const moved = await rederiveWorkingDayClocks(
        trx,
        now,
        `调整 ${date} 为${day.work ? '工作日' : '休息日'}`,
      );
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'calendar.day',
        subjectKind: 'calendar_day',
        subjectId: date,
        before,
        after: day,
        requestId: ctx.requestId,
      });
      await this.announce(
        trx,
        `${date} 调整为${day.work ? '工作日' : '休息日'}（${day.name || '无说明'}），${moved} 个时钟期限变更`,
        now,
        date,
      );
      return { date, work: day.work, name: day.name, clocksMoved: moved };
    });
  }

  private announce(
    trx: Parameters<typeof insertAlert>[0],
    title: string,
    now: Date,
    subject: string | number,
  ) {
    return insertAlert(
      trx,
      {
        type: 'calendar.changed',
        severity: 'info',
        title: `【日历变更】${title}`,
        subjectKind: 'calendar',
        subjectId: subject,
        departmentId: null,
        dedupeKey: `calendar:${subject}:${now.getTime()}`,
      },
      now,
    );
  }
}
