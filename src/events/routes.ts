import { Router, type Request } from 'express';
import type { Core } from '../context.js';
import { parse, fields } from '../shared/validation.js';
import { clockJson } from '../clocks/model.js';
import { EventsService } from './service.js';
import {
  actionPublicSchema,
  actionSchema,
  heldSchema,
  reasonSchema,
  recordEventSchema,
  triageSchema,
} from './schemas.js';
import { ctxOf } from '../shared/context.js';

/** SPEC §4 response calls: record by hand, triage, actions; plus dismiss/close and a planned press conference held. */
export function eventsApiRoutes(core: Core, svc: EventsService): Router {
  const r = Router();
  const idOf = (req: Request) => parse(fields.id, req.params.id, '事件编号');

  r.post('/api/opinion/events', async (req, res) => {
    const body = parse(recordEventSchema, req.body, '舆情事件');
    const e = await svc.record(ctxOf(req), body);
    res.status(201).json(e);
  });

  r.get('/api/opinion/events/:id', async (req, res) => {
    res.json(await svc.detail(req.principal, idOf(req)));
  });

  r.post('/api/opinion/events/:id/triage', async (req, res) => {
    const id = idOf(req);
    res.json(await svc.triage(ctxOf(req), id, parse(triageSchema, req.body ?? {}, '研判')));
  });

  r.post('/api/opinion/events/:id/actions', async (req, res) => {
    const id = idOf(req);
    const out = await svc.addAction(ctxOf(req), id, parse(actionSchema, req.body, '回应动作'));
    res.status(201).json({ action: out.action, clocks: out.clocks.map(clockJson) });
  });

  r.post('/api/opinion/events/:id/actions/:actionId/held', async (req, res) => {
    const id = idOf(req);
    const actionId = parse(fields.id, req.params.actionId, '动作编号');
    const out = await svc.markHeld(ctxOf(req), id, actionId, parse(heldSchema, req.body, '发布会'));
    res.json({ action: out.action, clocks: out.clocks.map(clockJson) });
  });

  r.patch('/api/opinion/events/:id/actions/:actionId', async (req, res) => {
    const id = idOf(req);
    const actionId = parse(fields.id, req.params.actionId, '动作编号');
    const body = parse(actionPublicSchema, req.body, '回应动作');
    res.json({ action: await svc.setActionPublic(ctxOf(req), id, actionId, body.public) });
  });

  for (const [path, status] of [
    ['dismiss', 'dismissed'],
    ['close', 'closed'],
  ] as const)
    r.post(`/api/opinion/events/:id/${path}`, async (req, res) => {
      const id = idOf(req);
      const { reason } = parse(reasonSchema, req.body ?? {}, '说明');
      res.json(await svc.finish(ctxOf(req), id, status, reason ?? ''));
    });

  return r;
}
