import { Router } from 'express';
import type { Core } from '../context.js';
import { authorize } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { ctxOf } from '../shared/context.js';
import { z, parse, fields } from '../shared/validation.js';
import { withFlash } from '../web/flash.js';
import { clockJson } from './model.js';
import { CLOCK_KIND_LABELS, OPEN_CLOCK_STATES } from './states.js';
import { ESCALATION_TARGETS, ESCALATION_TARGET_LABELS } from './time-limits.js';
import { parseTimeLimitForm, timeLimitFormValues } from './time-limit-form.js';
import { clockKindParam } from './routes.js';
import type { ClockControlService } from './control-service.js';
import type { TimeLimitService } from './time-limit-service.js';

/** Filters of the /clocks page; an empty select arrives as "". */
const blank = (v: unknown) => (v === '' ? undefined : v);
const clocksPageQuery = z.object({
  kind: z.preprocess(blank, z.string().max(40).optional()),
  department: z.preprocess(blank, fields.id.optional()),
  state: z.preprocess(blank, z.enum(OPEN_CLOCK_STATES).optional()),
  q: z.preprocess(blank, z.string().trim().max(100).optional()),
});

/** 全部时钟 and 时限配置. */
export function clocksPageRoutes(core: Core, clocks: ClockControlService, limits: TimeLimitService): Router {
  const r = Router();

  r.get('/clocks', requirePageLogin, async (req, res) => {
    const f = parse(clocksPageQuery, req.query, '筛选');
    const rows = await clocks.list(req.principal, {
      states: f.state ? [f.state] : [...OPEN_CLOCK_STATES],
      limit: 500,
      kind: f.kind,
      department: f.department,
    });
    const departments = await core.db
      .selectFrom('departments')
      .select(['id', 'name'])
      .orderBy('id')
      .execute();
    const names = new Map(departments.map((d) => [d.id, d.name]));
    res.render('clocks/list', {
      title: '全部时钟',
      clocks: rows
        .map(clockJson)
        .filter((c) => !f.q || c.title.includes(f.q))
        .map((c) => ({ ...c, departmentName: c.departmentId ? names.get(c.departmentId) : '' })),
      filters: f,
      departments,
      kinds: Object.entries(CLOCK_KIND_LABELS).map(([value, label]) => ({ value, label })),
    });
  });

  r.get('/admin/clock-policies', requirePageLogin, async (req, res) => {
    const policies = await limits.list(req.principal, 'clockpolicy.manage');
    res.render('admin/clock-policies', {
      title: '时限配置',
      targets: ESCALATION_TARGETS.map((value) => ({ value, label: ESCALATION_TARGET_LABELS[value] })),
      policies: policies.map((p) => ({ kind: p.kind, label: p.label, form: timeLimitFormValues(p.config) })),
    });
  });

  r.post('/admin/clock-policies/:kind', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/admin/clock-policies', async () => {
      authorize(req.principal, 'clockpolicy.manage');
      const kind = parse(clockKindParam, req.params.kind, '类型');
      const input = parseTimeLimitForm(req.body ?? {});
      await limits.save(ctxOf(req), { kind, ...input });
      return `已保存“${input.label}”；进行中的时钟保持原配置，新建时钟使用新配置`;
    });
  });

  return r;
}
