import { Router, type Request, type Response } from 'express';
import type { Core } from '../context.js';
import { ctxOf } from '../shared/context.js';
import { parse, fields, z } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { annualReport, annualReportDocx, annualReportXlsx } from './report.js';
import { authorize } from '../auth/policy.js';
import { DisclosureService } from './service.js';
import { OUTCOMES } from './rules.js';
import { STEP_CALLS } from './step-calls.js';
import { disclosureAttachmentJson } from './model.js';
import { acceptUpload, receiveFile, sendStoredFile } from '../files/upload.js';
import {
  assignSchema,
  challengeResultSchema,
  annualInputsSchema,
  listQuerySchema,
  normativeSchema,
  registerSchema,
} from './schemas.js';
import { DOCX_TYPE } from '../shared/word.js';

/** SPEC §4 依申请公开 calls. Every step answers with the request as `GET …/:id` shows it. */
export function disclosureApiRoutes(core: Core, svc: DisclosureService): Router {
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

  for (const step of STEP_CALLS)
    if (step.api !== null)
      r.post(`/api/disclosure-requests/:id/${step.api}`, async (req, res) => {
        const id = idOf(req);
        res.status(step.status).json(await step.call(svc, ctxOf(req), id, body(req)));
      });
  r.patch('/api/disclosure-requests/:id/challenges/:challengeId', async (req, res) => {
    const id = idOf(req);
    const challengeId = parse(fields.id, req.params.challengeId, '记录编号');
    res.json(
      await svc.decideChallenge(ctxOf(req), id, challengeId, parse(challengeResultSchema, body(req), '结果')),
    );
  });
  // Attachments: who may read the request may download; who may handle it may add and remove.
  const attachmentIds = (req: Request) => ({
    requestId: idOf(req),
    attachmentId: parse(fields.id, req.params.attachmentId, '附件编号'),
  });
  r.get('/api/disclosure-requests/:id/attachments', async (req, res) => {
    res.json((await svc.attachments.list(ctxOf(req), idOf(req))).map(disclosureAttachmentJson));
  });
  r.post(
    '/api/disclosure-requests/:id/attachments',
    // Strangers are refused before a 20 MB body is read into memory.
    (req, _res, next) => {
      authorize(req.principal, 'disclosure.read');
      next();
    },
    receiveFile,
    async (req, res) => {
      const requestId = idOf(req);
      const row = await svc.attachments.add(ctxOf(req), { requestId, file: await acceptUpload(req) });
      res.status(201).json(disclosureAttachmentJson(row));
    },
  );
  r.get('/api/disclosure-requests/:id/attachments/:attachmentId', async (req, res) => {
    sendStoredFile(req, res, core.config.dataDir, await svc.attachments.get(ctxOf(req), attachmentIds(req)));
  });
  r.delete('/api/disclosure-requests/:id/attachments/:attachmentId', async (req, res) => {
    const row = await svc.attachments.remove(ctxOf(req), attachmentIds(req));
    res.json({ id: row.id, deleted: true, requestId: row.request_id });
  });

  r.get('/api/disclosure-requests/:id/letter', async (req, res) => {
    const { buffer, filename } = await svc.letter(ctxOf(req), idOf(req));
    sendFile(res, buffer, filename, DOCX_TYPE);
  });

  r.get('/api/disclosure/annual-report/:year', async (req, res) => {
    authorize(req.principal, 'disclosure.report');
    res.json(await annualReport(core, parse(yearField, req.params.year, '年份')));
  });
  r.put('/api/disclosure/annual-report/:year/inputs', async (req, res) => {
    const year = parse(yearField, req.params.year, '年份');
    await svc.saveAnnualInputs(ctxOf(req), year, parse(annualInputsSchema, body(req), '年度报告数据'));
    res.json(await annualReport(core, year));
  });
  // SPEC §4: /reports/annual/:year.docx and .xlsx
  r.get('/reports/annual/:file', async (req, res) => {
    const m = /^(\d{4})\.(docx|xlsx)$/.exec(String(req.params.file));
    if (!m) throw HttpProblem.notFound('没有这个年度报告文件');
    authorize(req.principal, 'disclosure.report');
    const year = parse(yearField, m[1], '年份');
    const report = await annualReport(core, year);
    const name = `${core.config.siteName}${year}年政府信息公开工作年度报告`;
    if (m[2] === 'docx')
      sendFile(res, await annualReportDocx(report, core.config.siteName), `${name}.docx`, DOCX_TYPE);
    else sendFile(res, await annualReportXlsx(report, core.config.siteName), `${name}.xlsx`, XLSX);
  });

  r.put('/api/policies/:id/normative', async (req, res) => {
    const id = parse(fields.id, req.params.id, '文件编号');
    res.json(await svc.setNormative(ctxOf(req), id, parse(normativeSchema, body(req), '规范性文件')));
  });
  return r;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const yearField = z.coerce.number().int().min(2000).max(2100);

export function sendFile(res: Response, buffer: Buffer, filename: string, type: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
  res.send(buffer);
}
