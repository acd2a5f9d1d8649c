import { Router } from 'express';
import { DateTime } from 'luxon';
import type { Core } from '../context.js';
import { authorize } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { z, parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { withFlash } from '../web/flash.js';
import { ZONE } from '../shared/time.js';
import { ctxOf } from '../shared/context.js';
import { CalendarService } from './service.js';
import { monthGrid } from './grid.js';

const yearParam = z.coerce.number().int().min(2000).max(2100);
const dayBody = z.object({ work: z.boolean(), name: z.string().trim().max(50).default('') });
const importBody = z.object({
  year: z.number().int().min(2000).max(2100),
  days: z
    .array(z.object({ date: fields.isoDate, work: z.boolean(), name: z.string().trim().max(50).default('') }))
    .max(366),
});

/** Where a year's official arrangement came from, as the calendar page names it. */
const CALENDAR_SOURCE_LABELS: Record<string, string> = {
  'chinese-days': '内置的国务院办公厅节假日安排',
  import: '管理员导入',
};

export function calendarRoutes(core: Core): Router {
  const r = Router();
  const svc = new CalendarService(core);

  r.get('/api/calendar/:year', async (req, res) => {
    authorize(req.principal, 'calendar.read');
    const year = parse(yearParam, req.params.year, '年份');
    res.json(await svc.year(year));
  });

  r.put('/api/calendar/days/:date', async (req, res) => {
    authorize(req.principal, 'calendar.manage');
    const date = parse(z.object({ date: fields.isoDate }), req.params, '日期').date;
    const body = parse(dayBody, req.body, '日历');
    res.json(await svc.setDay(ctxOf(req), date, body));
  });

  r.post('/api/calendar/import', async (req, res) => {
    authorize(req.principal, 'calendar.manage');
    const body = parse(importBody, req.body, '节假日安排');
    res.json(await svc.importYear(ctxOf(req), body.year, body.days));
  });

  r.get('/admin/calendar', requirePageLogin, async (req, res) => {
    authorize(req.principal, 'calendar.manage');
    const thisYear = DateTime.now().setZone(ZONE).year;
    const year = req.query.year === undefined ? thisYear : parse(yearParam, req.query.year, '年份');
    const data = await svc.year(year);
    res.render('admin/calendar', {
      title: `工作日历 ${year}`,
      year,
      prev: year - 1,
      next: year + 1,
      certain: data.certain,
      source: data.source ? (CALENDAR_SOURCE_LABELS[data.source] ?? '其他来源') : '',
      months: monthGrid(year, data.days),
      overrides: data.days.filter((d) => d.override),
    });
  });

  r.post('/admin/calendar/day', requirePageLogin, async (req, res) => {
    const date = typeof req.body?.date === 'string' ? req.body.date : '';
    await withFlash(req, res, `/admin/calendar?year=${encodeURIComponent(date.slice(0, 4))}`, async () => {
      const d = parse(z.object({ date: fields.isoDate }), req.body, '日期').date;
      const work = req.body?.work === 'true';
      const name = parse(z.string().trim().max(50).default(''), req.body?.name, '说明');
      const result = await svc.setDay(ctxOf(req), d, { work, name });
      return `${d} 已设为${work ? '工作日' : '休息日'}，${result.clocksMoved} 个时钟期限已重新计算`;
    });
  });

  r.post('/admin/calendar/import', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/admin/calendar', async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(req.body?.schedule ?? ''));
      } catch {
        throw HttpProblem.badRequest('节假日安排须为 JSON', [
          { field: 'schedule', message: '不是合法的 JSON' },
        ]);
      }
      const body = parse(importBody, parsed, '节假日安排');
      const result = await svc.importYear(ctxOf(req), body.year, body.days);
      return `已导入 ${body.year} 年（${result.days} 天），${result.clocksMoved} 个时钟期限已重新计算`;
    });
  });

  return r;
}
