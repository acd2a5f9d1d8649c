import { Router, type Request } from 'express';
import { DateTime } from 'luxon';
import type { Core } from '../context.js';
import { authorize, departmentFilter } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { z, parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { ZONE } from '../shared/time.js';
import { contentDisposition } from '../files/files.js';
import { withFlash } from '../web/flash.js';
import { mondayOf, previousPeriods, type OpinionBrief } from './brief.js';
import type { BriefService } from './briefs.js';
import { briefDocx } from './docx.js';
import { DOCX_TYPE } from '../shared/word.js';
import { pieChart, type ChartSpec } from './charts.js';

/** Briefs cover every department: they are for the opinion center and the supervisors. */
function mayReadBriefs(req: Request): void {
  authorize(req.principal, 'report.read');
  if (departmentFilter(req.principal!, 'report.read') !== null)
    throw HttpProblem.forbidden('舆情日报、周报仅供舆情中心和督查人员查看');
}

const dateField = fields.isoDate;
const mondayField = fields.isoDate.refine(
  (d) => DateTime.fromISO(d, { zone: ZONE }).weekday === 1,
  '须为星期一的日期 YYYY-MM-DD',
);

function dailyDate(core: Core, raw: unknown, field = 'date'): string {
  const v = parse(z.object({ [field]: dateField.optional() }), raw, '查询参数')[field] as string | undefined;
  return v ?? previousPeriods(core.clock.now()).day;
}

function weeklyDate(core: Core, raw: unknown, field = 'monday'): string {
  const v = parse(z.object({ [field]: mondayField.optional() }), raw, '查询参数')[field] as
    string | undefined;
  return v ?? previousPeriods(core.clock.now()).monday;
}

function charts(b: OpinionBrief): Record<string, ChartSpec> {
  const series: ChartSpec = {
    option: {
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 40, right: 16, top: 16, bottom: 28, containLabel: true },
      xAxis: { type: 'category', data: b.volume.series.labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: '信息量', type: 'bar', itemStyle: { color: '#a8151c' }, data: b.volume.series.values },
      ],
    },
    drill: [],
  };
  return {
    series,
    channel: pieChart('渠道', b.volume.byChannel),
    area: pieChart('领域', b.volume.byArea),
    sentiment: pieChart('情感', b.volume.bySentiment),
  };
}

async function sendDocx(res: import('express').Response, b: OpinionBrief) {
  res.setHeader('content-type', DOCX_TYPE);
  res.setHeader('content-disposition', contentDisposition('attachment', `${b.title}.docx`));
  res.end(await briefDocx(b));
}

function renderBrief(res: import('express').Response, b: OpinionBrief, extra: Record<string, unknown> = {}) {
  res.render('reports/brief', {
    title: b.title,
    brief: b,
    charts: charts(b),
    docxUrl:
      b.kind === 'daily' ? `/reports/opinion-daily/${b.date}.docx` : `/reports/opinion-weekly/${b.date}.docx`,
    ...extra,
  });
}

/** 舆情日报/周报: JSON (SPEC §4), a printable page and a Word file, live or from the archive. */
export function briefRoutes(core: Core, briefs: BriefService): Router {
  const r = Router();

  r.get('/api/reports/opinion-daily', async (req, res) => {
    mayReadBriefs(req);
    res.json(await briefs.build('daily', dailyDate(core, req.query)));
  });

  r.get('/api/reports/opinion-weekly', async (req, res) => {
    mayReadBriefs(req);
    res.json(await briefs.build('weekly', weeklyDate(core, req.query)));
  });

  r.get('/api/reports/briefs', async (req, res) => {
    mayReadBriefs(req);
    res.json({
      briefs: (await briefs.list()).map((b) => ({ ...b, generated_at: b.generated_at.toISOString() })),
    });
  });

  r.get('/reports/opinion-daily/:date.docx', requirePageLogin, async (req, res) => {
    mayReadBriefs(req);
    await sendDocx(res, await briefs.build('daily', dailyDate(core, req.params)));
  });

  r.get('/reports/opinion-weekly/:monday.docx', requirePageLogin, async (req, res) => {
    mayReadBriefs(req);
    await sendDocx(res, await briefs.build('weekly', weeklyDate(core, req.params)));
  });

  r.get('/reports/opinion-daily/:date', requirePageLogin, async (req, res) => {
    mayReadBriefs(req);
    renderBrief(res, await briefs.build('daily', dailyDate(core, req.params)));
  });

  r.get('/reports/opinion-weekly/:monday', requirePageLogin, async (req, res) => {
    mayReadBriefs(req);
    renderBrief(res, await briefs.build('weekly', weeklyDate(core, req.params)));
  });

  r.get('/reports/briefs', requirePageLogin, async (req, res) => {
    mayReadBriefs(req);
    const q = parse(
      z.object({ date: dateField.optional(), week: dateField.optional() }),
      req.query,
      '查询参数',
    );
    if (q.date) return res.redirect(`/reports/opinion-daily/${q.date}`);
    if (q.week) return res.redirect(`/reports/opinion-weekly/${mondayOf(q.week)}`);
    const prev = previousPeriods(core.clock.now());
    res.render('reports/briefs', {
      title: '舆情日报 / 周报',
      yesterday: prev.day,
      lastMonday: prev.monday,
      archive: (await briefs.list()).map((b) => ({
        ...b,
        kindLabel: b.kind === 'daily' ? '日报' : '周报',
        triggerLabel: b.trigger === 'scheduled' ? '定时生成' : '手动存档',
      })),
    });
  });

  r.get('/reports/briefs/:id.docx', requirePageLogin, async (req, res) => {
    mayReadBriefs(req);
    const { id } = parse(z.object({ id: fields.id }), req.params, '路径');
    const b = await briefs.stored(id);
    if (!b) throw HttpProblem.notFound('没有这份存档');
    await sendDocx(res, b);
  });

  r.get('/reports/briefs/:id', requirePageLogin, async (req, res) => {
    mayReadBriefs(req);
    const { id } = parse(z.object({ id: fields.id }), req.params, '路径');
    const b = await briefs.stored(id);
    if (!b) throw HttpProblem.notFound('没有这份存档');
    renderBrief(res, b, { archived: true, docxUrl: `/reports/briefs/${id}.docx` });
  });

  r.post('/reports/briefs', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/reports/briefs', async () => {
      authorize(req.principal, 'report.generate');
      const q = parse(z.object({ kind: z.enum(['daily', 'weekly']), date: dateField }), req.body, '存档');
      const date = q.kind === 'weekly' ? mondayOf(q.date) : q.date;
      await briefs.archive(q.kind, date, 'manual');
      return `已存档${q.kind === 'daily' ? '日报' : '周报'}：${date}`;
    });
  });

  return r;
}
