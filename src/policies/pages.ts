import { Router, type Request, type Response } from 'express';
import { sql } from 'kysely';
import type { Core } from '../context.js';
import type { AlertsService } from '../alerts/service.js';
import { alertJson } from '../alerts/model.js';
import { authorize, can, departmentFilter } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { formatShanghai, toIsoShanghai, toLocalInput } from '../shared/time.js';
import { redirectWithFlash, withFlash } from '../web/flash.js';
import { PolicyService, type PolicyWithDept } from './service.js';
import { ctxOf } from './routes.js';
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
import { EDITABLE, FORM_LABELS, isPublic, policyEventJson } from './model.js';
import {
  PUBLIC_LAYOUT,
  attachmentView,
  bodyView,
  clockView,
  formOptions,
  localInputToIso,
  policyRowView,
} from './views.js';

const checked = (v: unknown) => v === 'on' || v === 'true' || v === '1';

/** A policy form's fields as the JSON API expects them. */
function policyFromForm(body: Record<string, unknown>) {
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  return {
    title: text('title'),
    docNumber: text('docNumber'),
    issuer: text('issuer'),
    draftingDepartmentId: text('draftingDepartmentId'),
    writtenOn: text('writtenOn'),
    body: text('body'),
    disclosure: text('disclosure'),
    disclosureReason: text('disclosureReason'),
    requiresInterpretation: checked(body.requiresInterpretation),
    interpretationPlan: text('interpretationPlan'),
  };
}

function interpretationFromForm(body: Record<string, unknown>) {
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
  return {
    form: text('form') ?? '',
    title: text('title'),
    channel: text('channel'),
    url: text('url'),
    body: text('body'),
    interpreter: text('interpreter'),
    interpreterIsPrincipal: checked(body.interpreterIsPrincipal),
    publishedAt: localInputToIso(body.publishedAt),
  };
}

/** Where an attachment's delete button may send the user back to (never an outside URL). */
function workspaceBack(v: unknown): string {
  return typeof v === 'string' && /^\/workspace\/(policies|interpretations)\/\d+$/.test(v) ? v : '/workspace';
}

function problemText(err: HttpProblem): string {
  const f = err.extra.errors?.map((e) => `${e.field}：${e.message}`).join('；');
  return f ? `${err.detail}（${f}）` : (err.detail ?? err.title);
}

export function policyPages(core: Core, alerts: AlertsService): Router {
  const r = Router();
  const svc = new PolicyService(core);
  const idOf = (req: Request) => parse(fields.id, req.params.id, '文件编号');
  // Countdowns in the browser correct their clock against the server's (tests pin it).
  const stampNow = (_req: Request, res: Response, next: () => void) => {
    res.locals.nowIso = toIsoShanghai(core.clock.now());
    next();
  };
  const departments = () => core.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute();

  // ---------------- public website ----------------

  r.get('/policies', async (req, res) => {
    const q = parse(listQuerySchema, req.query, '查询');
    // The website lists what is public, whoever looks; internal lists live in the workspace.
    const { rows, total, page, limit } = await svc.list(undefined, q);
    const [depts, years] = await Promise.all([
      core.db
        .selectFrom('departments')
        .select(['id', 'name'])
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('policies')
              .select('policies.id')
              .whereRef('policies.drafting_department_id', '=', 'departments.id')
              .where('policies.status', '=', 'published')
              .where('policies.disclosure', '=', 'proactive'),
          ),
        )
        .orderBy('name')
        .execute(),
      sql<{
        y: number;
      }>`select distinct extract(year from published_at at time zone 'Asia/Shanghai')::int as y
        from policies where status = 'published' and disclosure = 'proactive' order by y desc`.execute(
        core.db,
      ),
    ]);
    const pages = Math.max(1, Math.ceil(total / limit));
    const link = (p: number) => {
      const u = new URLSearchParams();
      if (q.q) u.set('q', q.q);
      if (q.department) u.set('department', String(q.department));
      if (q.year) u.set('year', String(q.year));
      u.set('page', String(p));
      return `/policies?${u.toString()}`;
    };
    res.render('policies/list', {
      layout: PUBLIC_LAYOUT,
      title: '政策文件',
      policies: rows.map(policyRowView),
      total,
      q: q.q ?? '',
      department: q.department || '',
      year: q.year || '',
      departments: depts.map((d) => ({ ...d, selected: d.id === q.department })),
      years: years.rows.map((y) => ({ year: y.y, selected: y.y === q.year })),
      prev: page > 1 ? link(page - 1) : null,
      next: page < pages ? link(page + 1) : null,
      page,
      pages,
    });
  });

  r.get('/policies/:id', async (req, res) => {
    const row = await svc.get(req.principal, idOf(req));
    const [interps, attachments, clock] = await Promise.all([
      svc.interpretationsOf(row.id),
      svc.attachmentsOf('policy', [row.id]),
      svc.interpretationClock(row.id),
    ]);
    res.render('policies/show', {
      layout: PUBLIC_LAYOUT,
      title: row.title,
      policy: policyRowView(row),
      preview: !isPublic(row),
      paragraphs: bodyView(row.body),
      attachments,
      interpretations: interps.map((i) => ({
        id: i.id,
        title: i.title,
        formLabel: FORM_LABELS[i.form],
        publishedText: formatShanghai(i.published_at),
        interpreter: i.interpreter,
        principal: i.interpreter_is_principal,
      })),
      clock: req.principal ? clockView(clock, core.clock.now()) : null,
    });
  });

  r.get('/interpretations/:id', async (req, res) => {
    const { interpretation: i, policy } = await svc.getInterpretation(
      req.principal,
      parse(fields.id, req.params.id, '解读编号'),
    );
    const attachments = (await svc.attachmentsOf('interpretation', [i.id])).map(attachmentView);
    res.render('policies/interpretation', {
      layout: PUBLIC_LAYOUT,
      title: i.title,
      interpretation: {
        id: i.id,
        title: i.title,
        formLabel: FORM_LABELS[i.form],
        channel: i.channel,
        url: i.url,
        interpreter: i.interpreter,
        principal: i.interpreter_is_principal,
        publishedText: formatShanghai(i.published_at),
      },
      paragraphs: bodyView(i.body),
      // 图解: the pictures are the material, so they come before any text.
      imagesFirst: i.form === 'graphic',
      images: attachments.filter((a) => a.isImage),
      files: attachments.filter((a) => !a.isImage),
      policy: policyRowView(policy),
    });
  });

  // ---------------- drafting department workspace ----------------

  // Document pages are open to every reader of the document (supervisors review from them);
  // the list and the forms to register documents are the drafting departments'.
  const ws = Router();
  ws.use(requirePageLogin, stampNow);
  const drafterOnly = (req: Request, _res: Response, next: () => void) => {
    authorize(req.principal, 'policy.create');
    next();
  };

  ws.get('/', drafterOnly, async (req, res) => {
    const p = req.principal!;
    const scope = departmentFilter(p, 'policy.edit');
    const rows = await svc.byStatus(['draft', 'returned', 'submitted', 'approved', 'published'], scope);
    const clocks = await svc.interpretationClocks(rows.map((r) => r.id));
    const counts = new Map(
      (
        await core.db
          .selectFrom('interpretations')
          .select(['policy_id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('policy_id', 'in', rows.length ? rows.map((r) => r.id) : [0])
          .groupBy('policy_id')
          .execute()
      ).map((c) => [c.policy_id, Number(c.n)]),
    );
    const now = core.clock.now();
    const view = rows.map((row) => ({
      ...policyRowView({ ...row, interpretations_count: counts.get(row.id) ?? 0 }),
      clock: clockView(clocks.get(row.id), now),
    }));
    const warnings = (await alerts.list(p, { acked: false, limit: 50 }))
      .filter((a) => a.type.startsWith('clock.'))
      .slice(0, 10)
      .map(alertJson);
    res.render('workspace/index', {
      title: '政策解读工作台',
      warnings,
      returned: view.filter((v) => v.status === 'returned'),
      toInterpret: view.filter((v) => v.status === 'published' && v.clock?.open),
      inProgress: view.filter((v) => ['draft', 'submitted', 'approved'].includes(v.status)),
      published: view.filter((v) => v.status === 'published' && !v.clock?.open),
      forms: formOptions.forms,
      channels: formOptions.channels,
    });
  });

  const renderEditor = async (
    req: Request,
    res: Response,
    opts: { policy?: PolicyWithDept; values?: Record<string, unknown>; error?: string },
  ) => {
    const p = req.principal!;
    const scope = departmentFilter(p, 'policy.edit');
    const depts = (await departments()).filter((d) => scope === null || d.id === scope);
    const row = opts.policy;
    const values = opts.values ?? {
      title: row?.title ?? '',
      docNumber: row?.doc_number ?? '',
      issuer: row?.issuer ?? '',
      draftingDepartmentId: String(row?.drafting_department_id ?? (p.kind === 'user' ? p.departmentId : '')),
      writtenOn: row?.written_on ?? '',
      body: row?.body ?? '',
      disclosure: row?.disclosure ?? 'proactive',
      disclosureReason: row?.disclosure_reason ?? '',
      requiresInterpretation: row?.requires_interpretation ?? false,
      interpretationPlan: row?.interpretation_plan ?? '',
    };
    res.status(opts.error ? 400 : 200).render('workspace/edit', {
      title: row ? `修改：${row.title}` : '登记政策文件',
      action: row ? `/workspace/policies/${row.id}` : '/workspace/policies',
      policy: row ? policyRowView(row) : null,
      values,
      departments: depts.map((d) => ({
        ...d,
        selected: String(d.id) === String(values.draftingDepartmentId),
      })),
      disclosures: formOptions.disclosures.map((d) => ({ ...d, selected: d.value === values.disclosure })),
      error: opts.error,
    });
  };

  ws.get('/new', drafterOnly, (req, res) => renderEditor(req, res, {}));

  ws.post('/policies', drafterOnly, async (req, res) => {
    const values = policyFromForm(req.body ?? {});
    try {
      const input = parse(createPolicySchema, values, '政策文件');
      const row = await svc.create(input, ctxOf(req));
      await redirectWithFlash(req, res, `/workspace/policies/${row.id}`, {
        kind: 'ok',
        text: `已登记“${row.title}”`,
      });
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500) throw err;
      await renderEditor(req, res, { values, error: problemText(err) });
    }
  });

  ws.get('/policies/:id', async (req, res) => {
    const row = await svc.get(req.principal, idOf(req));
    const p = req.principal!;
    authorize(p, 'policy.read', { departmentId: row.drafting_department_id });
    const editable =
      EDITABLE.includes(row.status) && can(p, 'policy.edit', { departmentId: row.drafting_department_id });
    if (editable && req.query.edit === '1') return renderEditor(req, res, { policy: row });
    const [interps, events, clock, attachments] = await Promise.all([
      svc.interpretationsOf(row.id),
      svc.eventsOf(row.id),
      svc.interpretationClock(row.id),
      svc.attachmentsOf('policy', [row.id]),
    ]);
    const interpFiles = await svc.attachmentsOf(
      'interpretation',
      interps.map((i) => i.id),
    );
    const scope = { departmentId: row.drafting_department_id };
    const canInterpret = row.status === 'published' && can(p, 'policy.interpret', scope);
    res.render('workspace/policy', {
      title: row.title,
      policy: {
        ...policyRowView(row),
        interpretationPlan: row.interpretation_plan,
        disclosureReason: row.disclosure_reason,
      },
      paragraphs: bodyView(row.body),
      editable,
      canInterpret,
      canRemoveFiles:
        can(p, 'policy.edit', scope) && (EDITABLE.includes(row.status) || can(p, 'admin.manage')),
      canSubmit: editable && can(p, 'policy.submit', { departmentId: row.drafting_department_id }),
      canReview: row.status === 'submitted' && can(p, 'policy.approve'),
      canReturn: (row.status === 'submitted' || row.status === 'approved') && can(p, 'policy.approve'),
      canPublish: row.status === 'approved' && can(p, 'policy.publish'),
      canWithdraw: row.status !== 'withdrawn' && can(p, 'policy.withdraw'),
      interpretations: interps.map((i) => ({
        id: i.id,
        title: i.title,
        formLabel: FORM_LABELS[i.form],
        channel: i.channel,
        interpreter: i.interpreter,
        principal: i.interpreter_is_principal,
        publishedText: formatShanghai(i.published_at),
        filesCount: interpFiles.filter((a) => a.owner_id === i.id).length,
        stoppedClock: i.satisfied_clock_id !== null,
      })),
      events: events.map(policyEventJson),
      clock: clockView(clock, core.clock.now()),
      attachments: attachments.map(attachmentView),
      forms: formOptions.forms,
      channels: formOptions.channels,
    });
  });

  ws.post('/policies/:id', async (req, res) => {
    const id = idOf(req);
    const values = policyFromForm(req.body ?? {});
    try {
      const input = parse(updatePolicySchema, values, '政策文件');
      await svc.update(id, input, ctxOf(req));
      await redirectWithFlash(req, res, `/workspace/policies/${id}`, { kind: 'ok', text: '已保存' });
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500 || err.status === 404) throw err;
      await renderEditor(req, res, { policy: await svc.load(id), values, error: problemText(err) });
    }
  });

  ws.post('/policies/:id/submit', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, `/workspace/policies/${id}`, async () => {
      await svc.submit(id, ctxOf(req));
      return '已报批，等待审核';
    });
  });

  ws.post('/policies/:id/interpretations', async (req, res) => {
    const id = idOf(req);
    const back =
      typeof req.body?.back === 'string' && req.body.back === 'workspace'
        ? '/workspace'
        : `/workspace/policies/${id}`;
    await withFlash(req, res, back, async () => {
      const input = parse(interpretationSchema, interpretationFromForm(req.body ?? {}), '解读');
      const { clock } = await svc.addInterpretation(id, input, ctxOf(req));
      const v = clockView(clock, core.clock.now());
      return `已添加解读“${input.title}”${v && !v.open ? `，${v.label}` : ''}`;
    });
  });

  const interpretationIdOf = (req: Request) => parse(fields.id, req.params.id, '解读编号');

  /** The interpretation's page in the workspace: correct it, delete it, manage its files. */
  const renderInterpretationEditor = async (
    req: Request,
    res: Response,
    id: number,
    opts: { values?: Record<string, unknown>; error?: string } = {},
  ) => {
    const p = req.principal!;
    const { interpretation: i, policy } = await svc.getInterpretation(p, id);
    authorize(p, 'policy.interpret', { departmentId: policy.drafting_department_id });
    const [files, clock] = await Promise.all([
      svc.attachmentsOf('interpretation', [i.id]),
      svc.interpretationClock(policy.id),
    ]);
    const values = opts.values ?? {
      form: i.form,
      title: i.title,
      channel: i.channel,
      url: i.url,
      body: i.body,
      interpreter: i.interpreter,
      interpreterIsPrincipal: i.interpreter_is_principal,
      publishedAt: toLocalInput(i.published_at),
    };
    res.status(opts.error ? 400 : 200).render('workspace/interpretation', {
      title: `解读：${i.title}`,
      interpretation: { id: i.id, title: i.title, publishedText: formatShanghai(i.published_at) },
      policy: policyRowView(policy),
      changeable: policy.status === 'published',
      stoppedClock: i.satisfied_clock_id !== null && clock?.id === i.satisfied_clock_id,
      clock: clockView(clock, core.clock.now()),
      values,
      forms: formOptions.forms.map((f) => ({ ...f, selected: f.value === values.form })),
      channels: formOptions.channels,
      attachments: files.map(attachmentView),
      error: opts.error,
    });
  };

  ws.get('/interpretations/:id', async (req, res) => {
    await renderInterpretationEditor(req, res, interpretationIdOf(req));
  });

  ws.post('/interpretations/:id', async (req, res) => {
    const id = interpretationIdOf(req);
    const { interpretation: current } = await svc.getInterpretation(req.principal, id);
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const values = interpretationFromForm(raw);
    // The form shows minutes: sending back the shown minute is no change of the stored instant.
    if (typeof raw.publishedAt === 'string' && raw.publishedAt.trim() === toLocalInput(current.published_at))
      values.publishedAt = undefined;
    try {
      const input = parse(interpretationPatchSchema, values, '解读');
      const { interpretation } = await svc.updateInterpretation(id, input, ctxOf(req));
      await redirectWithFlash(req, res, `/workspace/policies/${current.policy_id}`, {
        kind: 'ok',
        text: `已保存解读“${interpretation.title}”`,
      });
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500 || [401, 403, 404].includes(err.status))
        throw err;
      await renderInterpretationEditor(req, res, id, {
        values: { ...values, publishedAt: raw.publishedAt },
        error: problemText(err),
      });
    }
  });

  ws.post('/interpretations/:id/delete', async (req, res) => {
    const id = interpretationIdOf(req);
    const { interpretation: current } = await svc.getInterpretation(req.principal, id);
    await withFlash(req, res, `/workspace/policies/${current.policy_id}`, async () => {
      const { title, clock } = await svc.deleteInterpretation(id, ctxOf(req));
      const kept = current.satisfied_clock_id !== null && clock?.id === current.satisfied_clock_id;
      return `已删除解读“${title}”${kept ? '；解读时限已按该解读的发布时间办结，结论不变' : ''}`;
    });
  });

  ws.post('/attachments/:id/delete', async (req, res) => {
    const id = parse(fields.id, req.params.id, '附件编号');
    await withFlash(req, res, workspaceBack(req.body?.back), async () => {
      const row = await svc.deleteAttachment(id, ctxOf(req));
      return `已删除附件“${row.file_name}”`;
    });
  });

  // Without JavaScript the banner's 确认 buttons post here; with it, policy-alerts.js calls the API.
  ws.post('/alerts/:id/ack', async (req, res) => {
    const id = parse(fields.id, req.params.id, '预警编号');
    await withFlash(req, res, '/workspace', async () => {
      const a = await alerts.ack(req.principal!, id, String(req.id ?? ''));
      return `已确认预警“${a.title}”`;
    });
  });

  r.use('/workspace', ws);

  // ---------------- supervisor review queue ----------------

  const rv = Router();
  rv.use(requirePageLogin, stampNow, (req, _res, next) => {
    authorize(req.principal, 'policy.approve');
    next();
  });

  rv.get('/', async (_req, res) => {
    const now = core.clock.now();
    const [waiting, approved, openClocks] = await Promise.all([
      svc.byStatus(['submitted'], null),
      svc.byStatus(['approved'], null),
      svc.openInterpretationClocks(null),
    ]);
    const clocks = openClocks.map((c) => ({
      ...clockView(c, now)!,
      policyId: c.subject_id,
      policyTitle: c.policy_title,
      departmentName: c.department_name,
    }));
    res.render('review/index', {
      title: '审核与督办',
      waiting: waiting.map((w) => ({ ...policyRowView(w), plan: w.interpretation_plan })),
      approved: approved.map(policyRowView),
      overdue: clocks.filter((c) => c.overdue),
      running: clocks.filter((c) => !c.overdue),
    });
  });

  /** Review actions return to the queue, or to the document when started from there. */
  const backOf = (req: Request, id: number) =>
    req.body?.back === 'policy' ? `/workspace/policies/${id}` : '/review';

  rv.post('/policies/:id/approve', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, backOf(req, id), async () => {
      const { comment } = parse(commentSchema, { comment: req.body?.comment ?? '' }, '审核意见');
      const row = await svc.approve(id, comment, ctxOf(req));
      return `已审核通过“${row.title}”`;
    });
  });

  rv.post('/policies/:id/return', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, backOf(req, id), async () => {
      const { comment } = parse(returnSchema, { comment: req.body?.comment ?? '' }, '退回意见');
      const row = await svc.returnForRevision(id, comment, ctxOf(req));
      return `已退回“${row.title}”`;
    });
  });

  rv.post('/policies/:id/publish', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, backOf(req, id), async () => {
      const input = parse(publishSchema, { publishedAt: localInputToIso(req.body?.publishedAt) }, '发布');
      const { policy, clock } = await svc.publish(
        id,
        input.publishedAt ? new Date(input.publishedAt) : undefined,
        ctxOf(req),
      );
      return clock
        ? `已发布“${policy.title}”，解读须在 ${formatShanghai(clock.due_at)} 前发布`
        : `已发布“${policy.title}”`;
    });
  });

  rv.post('/policies/:id/withdraw', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, backOf(req, id), async () => {
      const { comment } = parse(commentSchema, { comment: req.body?.comment ?? '' }, '撤回');
      const row = await svc.withdraw(id, comment, ctxOf(req));
      return `已撤回“${row.title}”`;
    });
  });

  r.use('/review', rv);
  return r;
}
