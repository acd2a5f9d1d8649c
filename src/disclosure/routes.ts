import { Router, type Request } from 'express';
import type { Core } from '../context.js';
import { parse, fields } from '../shared/validation.js';
import { authorize } from '../auth/policy.js';
import { DisclosureService, type Ctx } from './service.js';
import { OUTCOMES } from './rules.js';
import {
  assignSchema,
  challengeResultSchema,
  challengeSchema,
  consultationEndSchema,
  consultationSchema,
  correctedSchema,
  correctionSchema,
  extensionSchema,
  listQuerySchema,
  registerSchema,
  replySchema,
} from './schemas.js';

export const ctxOf = (req: Request): Ctx => ({ actor: req.principal, requestId: String(req.id ?? '') });

/** SPEC §4 依申请公开 calls. Every step answers with the request as `GET …/:id` shows it. */
export function disclosureApiRoutes(_core: Core, svc: DisclosureService): Router {
  const r = Router();
  const idOf = (req: Request) => parse(fields.id, req.params.id, '申请编号');
  const body = (req: Request) => req.body ?? {};

  r.get('/api/disclosure/outcomes', (_req, res) => {
    res.json(OUTCOMES.map((o) => ({ code: o.code, group: o.group, label: o.label })));
  });

  r.get('/api/disclosure-requests', async (req, res) => {
    res.json(await svc.list(ctxOf(req), parse(listQuerySchema, req.query, '查询')));
  });

  r.post('/api/disclosure-requests', async (req, res) => {
    // Who may register is known before the body is read: a stranger learns nothing from 400s.
    authorize(req.principal, 'disclosure.register');
    const input = parse(registerSchema, body(req), '政府信息公开申请');
    res.status(201).json(await svc.register(ctxOf(req), input));
  });

  r.get('/api/disclosure-requests/:id', async (req, res) => {
    res.json(await svc.detail(ctxOf(req), idOf(req)));
  });

  r.patch('/api/disclosure-requests/:id', async (req, res) => {
    const id = idOf(req);
    const { departmentId } = parse(assignSchema, body(req), '答复部门');
    res.json(await svc.assign(ctxOf(req), id, departmentId));
  });

  r.post('/api/disclosure-requests/:id/correction', async (req, res) => {
    const id = idOf(req);
    res.json(await svc.correction(ctxOf(req), id, parse(correctionSchema, body(req), '补正告知')));
  });
  r.post('/api/disclosure-requests/:id/corrected', async (req, res) => {
    const id = idOf(req);
    res.json(await svc.corrected(ctxOf(req), id, parse(correctedSchema, body(req), '补正')));
  });
  r.post('/api/disclosure-requests/:id/consultation', async (req, res) => {
    const id = idOf(req);
    res.json(await svc.consultation(ctxOf(req), id, parse(consultationSchema, body(req), '征求意见')));
  });
  r.post('/api/disclosure-requests/:id/consultation/end', async (req, res) => {
    const id = idOf(req);
    res.json(await svc.consultationEnd(ctxOf(req), id, parse(consultationEndSchema, body(req), '征求意见')));
  });
  r.post('/api/disclosure-requests/:id/extension', async (req, res) => {
    const id = idOf(req);
    res.json(await svc.extension(ctxOf(req), id, parse(extensionSchema, body(req), '延期答复')));
  });
  r.post('/api/disclosure-requests/:id/reply', async (req, res) => {
    const id = idOf(req);
    res.json(await svc.reply(ctxOf(req), id, parse(replySchema, body(req), '答复')));
  });
  r.post('/api/disclosure-requests/:id/challenges', async (req, res) => {
    const id = idOf(req);
    res
      .status(201)
      .json(await svc.addChallenge(ctxOf(req), id, parse(challengeSchema, body(req), '复议或诉讼')));
  });
  r.patch('/api/disclosure-requests/:id/challenges/:challengeId', async (req, res) => {
    const id = idOf(req);
    const challengeId = parse(fields.id, req.params.challengeId, '记录编号');
    res.json(
      await svc.decideChallenge(ctxOf(req), id, challengeId, parse(challengeResultSchema, body(req), '结果')),
    );
  });
  return r;
}
