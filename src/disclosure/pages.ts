import { Router, type Request } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { Core } from '../context.js';
import { authorize, can } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { shanghaiDate, toLocalInput } from '../shared/time.js';
import { parse, fields, z } from '../shared/validation.js';
import { HttpProblem, toProblem } from '../shared/errors.js';
import { withFlash } from '../web/flash.js';
import { PUBLIC_LAYOUT } from '../policies/views.js';
import { NORMATIVE_LABELS } from '../policies/model.js';
import { DisclosureService } from './service.js';
import { sendFile } from './routes.js';
import { ctxOf } from '../shared/context.js';
import { fileView } from '../files/files.js';
import {
  PUBLIC_UPLOAD,
  acceptUpload,
  acceptUploads,
  sendStoredFile,
  uploadProblem,
} from '../files/upload.js';
import { annualReport } from './report.js';
import { STEP_CALLS, formInput, opt } from './step-calls.js';
import {
  APPLICANT_TYPE_LABELS,
  CHALLENGE_RESULT_LABELS,
  CHANNEL_LABELS,
  GROUP_LABELS,
  OUTCOMES,
  STATUS_LABELS,
  TABLE3_COLUMNS,
} from './rules.js';
import {
  annualInputsSchema,
  challengeResultSchema,
  listQuerySchema,
  lookupSchema,
  normativeSchema,
  publicRequestSchema,
  registerSchema,
} from './schemas.js';
import { APPLICANT_TYPES, CHANNELS } from './tables.js';
import { DOCX_TYPE } from '../shared/word.js';

const channels = CHANNELS.map((value) => ({ value, label: CHANNEL_LABELS[value] }));
const applicantTypes = APPLICANT_TYPES.map((value) => ({ value, label: APPLICANT_TYPE_LABELS[value] }));
const outcomeGroups = Object.entries(GROUP_LABELS).map(([code, label]) => ({
  label,
  outcomes: OUTCOMES.filter((o) => o.groupCode === code).map((o) => ({ code: o.code, label: o.label })),
}));
const statuses = Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }));
const challengeResults = Object.entries(CHALLENGE_RESULT_LABELS).map(([value, label]) => ({ value, label }));

/** Failed status lookups are limited like logins: per address and number, and per address. */
function lookupLimiter(limit: number) {
  const make = (max: number, key: (req: Request) => string) =>
    rateLimit({
      windowMs: 15 * 60 * 1000,
      limit: max,
      keyGenerator: key,
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res) => {
        const body = toProblem(
          new HttpProblem(429, '请求过于频繁', '查询失败次数过多，请 15 分钟后再试'),
          req.originalUrl,
        );
        if (req.originalUrl.startsWith('/api')) {
          res.status(429).type('application/problem+json').send(JSON.stringify(body));
          return;
        }
        res.status(429).render('disclosure/status', {
          layout: PUBLIC_LAYOUT,
          title: '依申请公开办理进度查询',
          error: body.detail,
        });
      },
    });
  const number = (req: Request) => {
    const n = (req.body as { number?: unknown } | undefined)?.number;
    return typeof n === 'string' ? n.trim().slice(0, 20) : '';
  };
  return [
    make(limit, (req) => `${ipKeyGenerator(req.ip ?? '')}|${number(req)}`),
    make(limit * 10, (req) => ipKeyGenerator(req.ip ?? '')),
  ];
}

export function disclosurePageRoutes(core: Core, svc: DisclosureService): Router {
  const r = Router();
  const departments = () => core.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute();

  // ---- the register (政务公开办 and the answering departments) ----
  r.get('/disclosure', requirePageLogin, async (req, res) => {
    const p = req.principal!;
    authorize(p, 'disclosure.read');
    const q = parse(listQuerySchema, req.query, '查询');
    const [rows, depts] = await Promise.all([svc.list(ctxOf(req), q), departments()]);
    const year = Number(shanghaiDate(core.clock.now()).slice(0, 4));
    res.render('disclosure/index', {
      title: '依申请公开',
      requests: rows,
      q,
      canRegister: can(p, 'disclosure.register'),
      canReport: can(p, 'disclosure.report'),
      reportYear: year - 1,
      thisYear: year,
      departments: depts.map((d) => ({ ...d, selected: d.id === q.department })),
      statuses: [{ value: 'open', label: '未办结' }, ...statuses].map((s) => ({
        ...s,
        selected: s.value === q.status,
      })),
      channels: channels.map((c) => ({ ...c, selected: c.value === q.channel })),
      applicantTypes: applicantTypes.map((c) => ({ ...c, selected: c.value === q.applicantType })),
      allChannels: channels,
      allApplicantTypes: applicantTypes,
      allDepartments: depts,
      now: toLocalInput(core.clock.now()),
    });
  });

  r.post('/disclosure/requests', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/disclosure', async () => {
      const b = req.body ?? {};
      const d = await svc.register(ctxOf(req), parse(registerSchema, formInput(b), '政府信息公开申请'));
      return `已登记申请 ${d.number}，答复期限 ${d.clock?.dueAt ?? ''}`;
    });
  });

  r.get('/disclosure/requests/:id', requirePageLogin, async (req, res) => {
    const p = req.principal!;
    const id = parse(fields.id, req.params.id, '申请编号');
    const d = await svc.detail(ctxOf(req), id);
    const dept = { departmentId: d.departmentId };
    const open = d.status !== 'closed';
    const canHandle = can(p, 'disclosure.handle', dept);
    res.render('disclosure/request', {
      title: `依申请公开 ${d.number}`,
      r: d,
      canCorrection: canHandle && d.status === 'processing' && !d.correction,
      canCorrected: canHandle && d.status === 'correction',
      canConsult: canHandle && d.status === 'processing',
      canEndConsult: canHandle && d.status === 'consultation',
      canExtend: can(p, 'disclosure.extend', dept) && d.status === 'processing' && !d.extension,
      canReply: canHandle && d.status === 'processing',
      canAssign: can(p, 'disclosure.register') && open,
      canChallenge: can(p, 'disclosure.challenge') && !open,
      canAttach: canHandle,
      attachments: d.attachments.map((a) => ({
        ...fileView({ ...a, file_name: a.fileName }, a.href),
        fromApplicant: a.source === 'public',
      })),
      outcomeGroups,
      challengeResults,
      departments: (await departments()).map((x) => ({ ...x, selected: x.id === d.departmentId })),
      now: toLocalInput(core.clock.now()),
      today: shanghaiDate(core.clock.now()),
    });
  });

  const back = (req: Request) => `/disclosure/requests/${encodeURIComponent(String(req.params.id))}`;
  for (const step of STEP_CALLS)
    r.post(`/disclosure/requests/:id/${step.page}`, requirePageLogin, async (req, res) => {
      await withFlash(req, res, back(req), async () => {
        const id = parse(fields.id, req.params.id, '申请编号');
        const d = await step.call(svc, ctxOf(req), id, step.form(req.body ?? {}));
        return `${step.done}${d.clock?.dueAt ? `，答复期限：${d.clock.dueAt.slice(0, 10)}` : ''}`;
      });
    });
  r.post('/disclosure/requests/:id/challenges/:challengeId', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back(req), async () => {
      const id = parse(fields.id, req.params.id, '申请编号');
      const challengeId = parse(fields.id, req.params.challengeId, '记录编号');
      const b = req.body ?? {};
      await svc.decideChallenge(
        ctxOf(req),
        id,
        challengeId,
        parse(challengeResultSchema, { result: b.result, decidedOn: opt(b.decidedOn) }, '结果'),
      );
      return '已更新结果';
    });
  });

  // Attachments from a plain form (no JavaScript): src/app.ts parsed the multipart body before
  // its CSRF check, so the file is on req.file and a refused one in res.locals.uploadError.
  r.post('/disclosure/requests/:id/attachments', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back(req), async () => {
      const refused: unknown = res.locals.uploadError;
      if (refused) throw uploadProblem(refused);
      const requestId = parse(fields.id, req.params.id, '申请编号');
      const row = await svc.attachments.add(ctxOf(req), { requestId, file: await acceptUpload(req) });
      return `已上传附件“${row.file_name}”`;
    });
  });
  const attachmentIds = (req: Request) => ({
    requestId: parse(fields.id, req.params.id, '申请编号'),
    attachmentId: parse(fields.id, req.params.attachmentId, '附件编号'),
  });
  r.post('/disclosure/requests/:id/attachments/:attachmentId/delete', requirePageLogin, async (req, res) => {
    await withFlash(req, res, back(req), async () => {
      const row = await svc.attachments.remove(ctxOf(req), attachmentIds(req));
      return `已删除附件“${row.file_name}”`;
    });
  });
  r.get('/disclosure/requests/:id/attachments/:attachmentId', requirePageLogin, async (req, res) => {
    sendStoredFile(req, res, core.config.dataDir, await svc.attachments.get(ctxOf(req), attachmentIds(req)));
  });

  r.get('/disclosure/requests/:id/letter.docx', requirePageLogin, async (req, res) => {
    const { buffer, filename } = await svc.letter(ctxOf(req), parse(fields.id, req.params.id, '申请编号'));
    sendFile(res, buffer, filename, DOCX_TYPE);
  });

  // 规章 / 行政规范性文件 and their 废止 date, from the document's staff page (table 二).
  r.post('/workspace/policies/:id/normative', requirePageLogin, async (req, res) => {
    const id = parse(fields.id, req.params.id, '文件编号');
    await withFlash(req, res, `/workspace/policies/${id}`, async () => {
      const b = req.body ?? {};
      const saved = await svc.setNormative(
        ctxOf(req),
        id,
        parse(
          normativeSchema,
          { normativeKind: opt(b.normativeKind) ?? null, repealedOn: opt(b.repealedOn) ?? null },
          '规范性文件',
        ),
      );
      if (!saved.normativeKind) return '已登记为不属于规章或行政规范性文件';
      return `已登记为${NORMATIVE_LABELS[saved.normativeKind]}${saved.repealedOn ? `，${saved.repealedOn} 废止` : '，现行有效'}`;
    });
  });

  // ---- the annual report ----
  r.get('/disclosure/annual/:year', requirePageLogin, async (req, res) => {
    authorize(req.principal, 'disclosure.report');
    const year = parse(z.coerce.number().int().min(2000).max(2100), req.params.year, '年份');
    const report = await annualReport(core, year);
    const inputs = await core.db
      .selectFrom('disclosure_annual_inputs')
      .select('data')
      .where('year', '=', year)
      .executeTakeFirst();
    res.render('disclosure/annual', {
      title: `${year}年政府信息公开工作年度报告`,
      year,
      report,
      inputs: annualInputsSchema.parse(inputs?.data ?? {}),
      columns: ['自然人', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他', '总计'],
      rows: report.requests.rows.map((row) => ({ ...row, cells: TABLE3_COLUMNS.map((c) => row.counts[c]) })),
      canEdit: can(req.principal, 'disclosure.register'),
      prev: year - 1,
      next: year + 1,
    });
  });
  r.post('/disclosure/annual/:year/inputs', requirePageLogin, async (req, res) => {
    const year = parse(z.coerce.number().int().min(2000).max(2100), req.params.year, '年份');
    await withFlash(req, res, `/disclosure/annual/${year}`, async () => {
      await svc.saveAnnualInputs(ctxOf(req), year, parse(annualInputsSchema, req.body ?? {}, '年度报告数据'));
      return '已保存';
    });
  });

  // ---- the public site: apply online, look up the status ----
  const uploadLimits = { maxFiles: PUBLIC_UPLOAD.files, maxMb: PUBLIC_UPLOAD.bytes / 1024 / 1024 };
  r.get('/disclosure/apply', (_req, res) => {
    res.render('disclosure/apply', {
      layout: PUBLIC_LAYOUT,
      title: '政府信息公开申请',
      applicantTypes,
      ...uploadLimits,
    });
  });
  r.post('/disclosure/apply', async (req, res) => {
    const b = req.body ?? {};
    const values = {
      applicantType: b.applicantType,
      applicantName: b.applicantName,
      contact: b.contact,
      address: opt(b.address),
      content: b.content,
      purpose: opt(b.purpose),
    };
    let input;
    try {
      const refused: unknown = res.locals.uploadError;
      if (refused) throw uploadProblem(refused, PUBLIC_UPLOAD.bytes);
      input = { ...parse(publicRequestSchema, values, '申请'), files: await acceptUploads(req) };
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500) throw err;
      res.status(err.status).render('disclosure/apply', {
        layout: PUBLIC_LAYOUT,
        title: '政府信息公开申请',
        applicantTypes: applicantTypes.map((t) => ({ ...t, selected: t.value === values.applicantType })),
        values,
        ...uploadLimits,
        errors: (err.extra.errors ?? []).map((e) => e.message && `${fieldName(e.field)}：${e.message}`),
      });
      return;
    }
    const out = await svc.submitPublic({ actor: undefined, requestId: String(req.id ?? '') }, input);
    res.status(201).render('disclosure/submitted', {
      layout: PUBLIC_LAYOUT,
      title: '申请已提交',
      number: out.number,
      receivedAt: out.receivedAt,
    });
  });

  const limits = lookupLimiter(core.config.loginRateLimit);
  r.get('/disclosure/status', (_req, res) => {
    res.render('disclosure/status', { layout: PUBLIC_LAYOUT, title: '依申请公开办理进度查询' });
  });
  r.post('/disclosure/status', ...limits, async (req, res) => {
    const b = req.body ?? {};
    const parsed = lookupSchema.safeParse({ number: b.number, contact: b.contact });
    const found = parsed.success ? await svc.lookup(parsed.data.number, parsed.data.contact) : null;
    // One answer for "no such number" and "wrong contact": the form reveals nothing else.
    res.status(found ? 200 : 404).render('disclosure/status', {
      layout: PUBLIC_LAYOUT,
      title: '依申请公开办理进度查询',
      number: typeof b.number === 'string' ? b.number.slice(0, 20) : '',
      result: found,
      error: found ? undefined : '未找到与该编号和联系方式相符的申请，请核对后重试',
    });
  });
  r.post('/api/disclosure/status', ...limits, async (req, res) => {
    const q = parse(lookupSchema, req.body ?? {}, '查询');
    const found = await svc.lookup(q.number, q.contact);
    if (!found) throw HttpProblem.notFound('未找到与该编号和联系方式相符的申请');
    res.json(found);
  });
  return r;
}

const PUBLIC_FIELD_NAMES: Record<string, string> = {
  applicantType: '申请人类型',
  applicantName: '申请人姓名或名称',
  contact: '联系方式',
  address: '通信地址',
  content: '所需政府信息的内容描述',
  purpose: '用途',
  file: '附件',
};
const fieldName = (f: string) => PUBLIC_FIELD_NAMES[f] ?? f;
