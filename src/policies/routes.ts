import { Router, type Request } from 'express';
import type { Core } from '../context.js';
import { authorize } from '../auth/policy.js';
import { parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { clockJson, type ClockRow } from '../clocks/service.js';
import { PolicyService } from './service.js';
import { InterpretationService } from './interpretations.js';
import { AttachmentService } from './attachments.js';
import type { PolicyWithDept } from './policy-store.js';
import {
  commentSchema,
  createPolicySchema,
  interpretationPatchSchema,
  interpretationSchema,
  listQuerySchema,
  publishSchema,
  returnSchema,
  updatePolicySchema,
} from './schemas.js';
import {
  interpretationJson,
  policyEventJson,
  policyJson,
  policySummaryJson,
  attachmentJson,
} from './model.js';
import { acceptUpload, receiveFile, sendStoredFile } from '../files/upload.js';
import { ctxOf } from '../shared/context.js';

/** The document's clock as SPEC §4 shows it ({id, dueAt, state, calendarCertain, …}), or null. */
export function clockBrief(c: ClockRow | null) {
  return c ? clockJson(c) : null;
}

export async function policyDetail(
  svc: { policies: PolicyService; interpretations: InterpretationService; attachments: AttachmentService },
  row: PolicyWithDept,
) {
  const [interps, events, clock, attachments] = await Promise.all([
    svc.interpretations.interpretationsOf(row.id),
    svc.policies.eventsOf(row.id),
    svc.interpretations.interpretationClock(row.id),
    svc.attachments.attachmentsOf('policy', [row.id]),
  ]);
  const interpAttachments = await svc.attachments.attachmentsOf(
    'interpretation',
    interps.map((i) => i.id),
  );
  return {
    ...policyJson(row),
    attachments: attachments.map(attachmentJson),
    interpretations: interps.map((i) =>
      interpretationJson(
        i,
        interpAttachments.filter((a) => a.owner_id === i.id),
      ),
    ),
    interpretationClock: clockBrief(clock),
    events: events.map(policyEventJson),
  };
}

export function policyApiRoutes(core: Core): Router {
  const r = Router();
  const svc = new PolicyService(core);
  const interpretationSvc = new InterpretationService(core);
  const attachmentSvc = new AttachmentService(core);
  const idOf = (req: Request) => parse(fields.id, req.params.id, '文件编号');

  r.get('/api/policies', async (req, res) => {
    const q = parse(listQuerySchema, req.query, '查询');
    const { rows, ...page } = await svc.list(req.principal, q);
    res.json({ ...page, policies: rows.map(policySummaryJson) });
  });

  r.post('/api/policies', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const input = parse(createPolicySchema, req.body, '政策文件');
    const row = await svc.create(ctxOf(req), input);
    res.status(201).json({ id: row.id, status: row.status, docNumber: row.doc_number });
  });

  r.get('/api/policies/:id', async (req, res) => {
    const row = await svc.get(req.principal, idOf(req));
    res.json(
      await policyDetail(
        { policies: svc, interpretations: interpretationSvc, attachments: attachmentSvc },
        row,
      ),
    );
  });

  r.patch('/api/policies/:id', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const id = idOf(req);
    const input = parse(updatePolicySchema, req.body, '政策文件');
    const row = await svc.update(ctxOf(req), id, input);
    res.json(policyJson(row));
  });

  r.post('/api/policies/:id/submit', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const row = await svc.submit(ctxOf(req), idOf(req));
    res.json({ id: row.id, status: row.status });
  });

  r.post('/api/policies/:id/approve', async (req, res) => {
    authorize(req.principal, 'policy.approve');
    const { comment } = parse(commentSchema, req.body ?? {}, '审核意见');
    const row = await svc.approve(ctxOf(req), idOf(req), comment);
    res.json({ id: row.id, status: row.status });
  });

  r.post('/api/policies/:id/return', async (req, res) => {
    authorize(req.principal, 'policy.approve');
    const { comment } = parse(returnSchema, req.body ?? {}, '退回意见');
    const row = await svc.returnForRevision(ctxOf(req), idOf(req), comment);
    res.json({ id: row.id, status: row.status, returnComment: row.return_comment });
  });

  r.post('/api/policies/:id/publish', async (req, res) => {
    authorize(req.principal, 'policy.publish');
    const { publishedAt } = parse(publishSchema, req.body ?? {}, '发布');
    const { policy, clock } = await svc.publish(
      ctxOf(req),
      idOf(req),
      publishedAt ? new Date(publishedAt) : undefined,
    );
    const j = policyJson(policy);
    res.json({
      id: j.id,
      status: j.status,
      publishedAt: j.publishedAt,
      interpretationClock: clockBrief(clock),
    });
  });

  r.post('/api/policies/:id/withdraw', async (req, res) => {
    authorize(req.principal, 'policy.withdraw');
    const { comment } = parse(commentSchema, req.body ?? {}, '撤回');
    const row = await svc.withdraw(ctxOf(req), idOf(req), comment);
    res.json({
      id: row.id,
      status: row.status,
      interpretationClock: clockBrief(await interpretationSvc.interpretationClock(row.id)),
    });
  });

  r.post('/api/policies/:id/interpretations', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const id = idOf(req);
    const input = parse(interpretationSchema, req.body, '解读');
    const { interpretation, clock } = await interpretationSvc.addInterpretation(ctxOf(req), id, input);
    res.status(201).json({ ...interpretationJson(interpretation), interpretationClock: clockBrief(clock) });
  });

  r.get('/api/interpretations/:id', async (req, res) => {
    const { interpretation } = await interpretationSvc.getInterpretation(
      req.principal,
      parse(fields.id, req.params.id, '解读编号'),
    );
    const attachments = await attachmentSvc.attachmentsOf('interpretation', [interpretation.id]);
    res.json(interpretationJson(interpretation, attachments));
  });

  const interpretationId = (req: Request) => parse(fields.id, req.params.id, '解读编号');

  r.patch('/api/interpretations/:id', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const id = interpretationId(req);
    const input = parse(interpretationPatchSchema, req.body ?? {}, '解读');
    const { interpretation, clock } = await interpretationSvc.updateInterpretation(ctxOf(req), id, input);
    const attachments = await attachmentSvc.attachmentsOf('interpretation', [id]);
    res.json({
      ...interpretationJson(interpretation, attachments),
      interpretationClock: clockBrief(clock),
    });
  });

  r.delete('/api/interpretations/:id', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const id = interpretationId(req);
    const { policyId, clock } = await interpretationSvc.deleteInterpretation(ctxOf(req), id);
    res.json({ id, policyId, deleted: true, interpretationClock: clockBrief(clock) });
  });

  r.delete('/api/attachments/:id', async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const id = parse(fields.id, req.params.id, '附件编号');
    const row = await attachmentSvc.deleteAttachment(ctxOf(req), id);
    res.json({ id, deleted: true, owner: { kind: row.owner_kind, id: row.owner_id } });
  });

  r.post('/api/policies/:id/attachments', receiveFile, async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const id = idOf(req);
    const file = await acceptUpload(req);
    const row = await attachmentSvc.addAttachment(ctxOf(req), { kind: 'policy', id }, file);
    res.status(201).json(attachmentJson(row));
  });

  r.post('/api/interpretations/:id/attachments', receiveFile, async (req, res) => {
    if (!req.principal) throw HttpProblem.unauthorized();
    const id = parse(fields.id, req.params.id, '解读编号');
    const file = await acceptUpload(req);
    const row = await attachmentSvc.addAttachment(ctxOf(req), { kind: 'interpretation', id }, file);
    res.status(201).json(attachmentJson(row));
  });

  // Downloads share the document's visibility, so public pages can link them.
  r.get('/attachments/:id', async (req, res) => {
    const a = await attachmentSvc.attachment(req.principal, parse(fields.id, req.params.id, '附件编号'));
    sendStoredFile(req, res, core.config.dataDir, a);
  });

  return r;
}
