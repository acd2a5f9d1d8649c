import { Router, type Request, type Response } from 'express';
import type { AlertsService } from '../../alerts/service.js';
import { alertJson } from '../../alerts/model.js';
import { authorize, can, departmentFilter } from '../../auth/policy.js';
import { requirePageLogin } from '../../auth/authenticate.js';
import { parse, fields } from '../../shared/validation.js';
import { HttpProblem } from '../../shared/errors.js';
import { formatShanghai } from '../../shared/time.js';
import { redirectWithFlash, withFlash } from '../../web/flash.js';
import type { PolicyWithDept } from '../policy-store.js';
import { ctxOf } from '../../shared/context.js';
import { createPolicySchema, updatePolicySchema } from '../schemas.js';
import { FORM_LABELS, NORMATIVE_LABELS, policyEventJson } from '../model.js';
import { acceptsInterpretations, canTake, isEditable } from '../workflow.js';
import { attachmentView, bodyView, clockView, formOptions, policyRowView } from '../views.js';
import { policyFromForm, problemText } from './forms.js';
import { idOf, type PolicyPageContext } from './shared.js';
import { addWorkspaceInterpretationPages } from './workspace-interpretations.js';

/**
 * The drafting departments' workspace. Document pages are open to every reader of the document
 * (supervisors review from them); the list and the forms to register documents are the drafting
 * departments'.
 */
export function workspacePolicyPages(ctx: PolicyPageContext, alerts: AlertsService): Router {
  const { core, svc, interpretationSvc, attachmentSvc } = ctx;
  const departments = () => core.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute();
  const ws = Router();
  ws.use(requirePageLogin);
  const drafterOnly = (req: Request, _res: Response, next: () => void) => {
    authorize(req.principal, 'policy.create');
    next();
  };

  ws.get('/', drafterOnly, async (req, res) => {
    const p = req.principal!;
    const scope = departmentFilter(p, 'policy.edit');
    const rows = await svc.byStatus(['draft', 'returned', 'submitted', 'approved', 'published'], scope);
    const clocks = await interpretationSvc.interpretationClocks(rows.map((r) => r.id));
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
    const warnings = (await alerts.list(p, { acked: false, resolved: false, limit: 50 }))
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
      const row = await svc.create(ctxOf(req), input);
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
      isEditable(row.status) && can(p, 'policy.edit', { departmentId: row.drafting_department_id });
    if (editable && req.query.edit === '1') return renderEditor(req, res, { policy: row });
    const [interps, events, clock, attachments] = await Promise.all([
      interpretationSvc.interpretationsOf(row.id),
      svc.eventsOf(row.id),
      interpretationSvc.interpretationClock(row.id),
      attachmentSvc.attachmentsOf('policy', [row.id]),
    ]);
    const interpFiles = await attachmentSvc.attachmentsOf(
      'interpretation',
      interps.map((i) => i.id),
    );
    const scope = { departmentId: row.drafting_department_id };
    const canInterpret = acceptsInterpretations(row.status) && can(p, 'policy.interpret', scope);
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
      canRemoveFiles: can(p, 'policy.edit', scope) && (isEditable(row.status) || can(p, 'admin.manage')),
      canSubmit: editable && can(p, 'policy.submit', { departmentId: row.drafting_department_id }),
      canReview: canTake('approve', row.status) && can(p, 'policy.approve'),
      canReturn: canTake('return', row.status) && can(p, 'policy.approve'),
      canPublish: canTake('publish', row.status) && can(p, 'policy.publish'),
      canWithdraw: canTake('withdraw', row.status) && can(p, 'policy.withdraw'),
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
      normative: {
        label: row.normative_kind ? NORMATIVE_LABELS[row.normative_kind] : '否',
        repealedOn: row.repealed_on,
        options: [
          { value: '', label: '不属于规章或行政规范性文件', selected: row.normative_kind === null },
          ...Object.entries(NORMATIVE_LABELS).map(([value, label]) => ({
            value,
            label,
            selected: value === row.normative_kind,
          })),
        ],
      },
      canNormative: can(p, 'policy.approve'),
    });
  });

  ws.post('/policies/:id', async (req, res) => {
    const id = idOf(req);
    const values = policyFromForm(req.body ?? {});
    try {
      const input = parse(updatePolicySchema, values, '政策文件');
      await svc.update(ctxOf(req), id, input);
      await redirectWithFlash(req, res, `/workspace/policies/${id}`, { kind: 'ok', text: '已保存' });
    } catch (err) {
      if (!(err instanceof HttpProblem) || err.status >= 500 || err.status === 404) throw err;
      await renderEditor(req, res, { policy: await svc.load(id), values, error: problemText(err) });
    }
  });

  ws.post('/policies/:id/submit', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, `/workspace/policies/${id}`, async () => {
      await svc.submit(ctxOf(req), id);
      return '已报批，等待审核';
    });
  });

  addWorkspaceInterpretationPages(ws, ctx);

  // Without JavaScript the banner's 确认 buttons post here; with it, policy-alerts.js calls the API.
  ws.post('/alerts/:id/ack', async (req, res) => {
    const id = parse(fields.id, req.params.id, '预警编号');
    await withFlash(req, res, '/workspace', async () => {
      const a = await alerts.ack(ctxOf(req), id);
      return `已确认预警“${a.title}”`;
    });
  });
  return ws;
}
