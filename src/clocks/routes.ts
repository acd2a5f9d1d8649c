import { Router } from 'express';
import { ctxOf } from '../shared/context.js';
import { z, parse, fields } from '../shared/validation.js';
import { clockJson } from './model.js';
import { CLOCK_STATES } from './states.js';
import { clockPolicySchema } from './time-limits.js';
import { CLOCK_CONTROLS, type ClockControlService } from './control-service.js';
import type { TimeLimitService } from './time-limit-service.js';

export const clockListQuery = z
  .object({
    state: z.union([z.enum(CLOCK_STATES), z.array(z.enum(CLOCK_STATES))]).optional(),
    kind: z.string().max(40).optional(),
    department: fields.id.optional(),
    subjectKind: z.string().max(40).optional(),
    subjectId: fields.id.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .transform(({ state, ...q }) => ({
    ...q,
    states: state === undefined ? [] : Array.isArray(state) ? state : [state],
  }));

export const clockKindParam = z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, '须为小写字母、数字和下划线');

/** The clocks JSON API (SPEC §4): list, detail, pause/resume/extend, and the time limits. */
export function clocksApiRoutes(clocks: ClockControlService, limits: TimeLimitService): Router {
  const r = Router();

  r.get('/api/clocks', async (req, res) => {
    const rows = await clocks.list(req.principal, parse(clockListQuery, req.query, '查询'));
    res.json({ clocks: rows.map(clockJson) });
  });

  r.get('/api/clocks/:id', async (req, res) => {
    res.json(await clocks.detail(req.principal, parse(fields.id, req.params.id, '时钟编号')));
  });

  for (const op of CLOCK_CONTROLS) {
    r.post(`/api/clocks/:id/${op}`, async (req, res) => {
      const id = parse(fields.id, req.params.id, '时钟编号');
      res.json(clockJson(await clocks.control(ctxOf(req), id, op)));
    });
  }

  r.get('/api/clock-policies', async (req, res) => {
    res.json({ policies: await limits.list(req.principal) });
  });

  r.put('/api/clock-policies/:kind', async (req, res) => {
    const kind = parse(clockKindParam, req.params.kind, '类型');
    const body = parse(
      z.object({ label: fields.text(100), config: clockPolicySchema }),
      req.body,
      '时限配置',
    );
    res.json(await limits.save(ctxOf(req), { kind, ...body }));
  });

  return r;
}
