import { Router } from 'express';
import type { AlertsService } from './service.js';
import { alertJson, ALERT_TYPES } from './model.js';
import { z, parse, fields } from '../shared/validation.js';
import { ctxOf } from '../shared/context.js';
import { HttpProblem } from '../shared/errors.js';

const listSchema = z.object({
  acked: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
  resolved: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
  type: z.enum(ALERT_TYPES).optional(),
  afterId: z.coerce.number().int().min(0).optional(),
  beforeId: z.coerce.number().int().positive().optional(),
  departmentId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function alertsRoutes(alerts: AlertsService): Router {
  const r = Router();
  r.get('/api/alerts', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const q = parse(listSchema, req.query, '查询');
    const rows = await alerts.list(req.principal, q);
    res.json({ alerts: rows.map(alertJson) });
  });
  r.post('/api/alerts/:id/ack', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const id = parse(fields.id, req.params.id, '预警编号');
    const row = await alerts.ack(ctxOf(req), id);
    res.json(alertJson(row));
  });
  return r;
}
