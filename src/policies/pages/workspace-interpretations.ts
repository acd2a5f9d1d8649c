import type { Router, Request, Response } from 'express';
import { authorize } from '../../auth/policy.js';
import { parse, fields } from '../../shared/validation.js';
import { HttpProblem } from '../../shared/errors.js';
import { formatShanghai, toLocalInput } from '../../shared/time.js';
import { redirectWithFlash, withFlash } from '../../web/flash.js';
import { ctxOf } from '../../shared/context.js';
import { acceptUpload, uploadProblem } from '../../files/upload.js';
import { interpretationPatchSchema, interpretationSchema } from '../schemas.js';
import { attachmentView, clockView, formOptions, policyRowView } from '../views.js';
import { interpretationFromForm, problemText, workspaceBack } from './forms.js';
import { idOf, type PolicyPageContext } from './shared.js';
import { acceptsInterpretations } from '../workflow.js';
import { interpretationJson } from '../model.js';

/** Workspace pages for interpretations and attachments: add, correct, delete. */
export function addWorkspaceInterpretationPages(ws: Router, ctx: PolicyPageContext): void {
  const { core, interpretationSvc, attachmentSvc } = ctx;
  ws.post('/policies/:id/interpretations', async (req, res) => {
    const id = idOf(req);
    const back =
      typeof req.body?.back === 'string' && req.body.back === 'workspace'
        ? '/workspace'
        : `/workspace/policies/${id}`;
    await withFlash(req, res, back, async () => {
      const input = parse(interpretationSchema, interpretationFromForm(req.body ?? {}), '解读');
      const { clock } = await interpretationSvc.addInterpretation(ctxOf(req), id, input);
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
    const { interpretation: i, policy } = await interpretationSvc.getInterpretation(p, id);
    authorize(p, 'policy.interpret', { departmentId: policy.drafting_department_id });
    const [files, clock] = await Promise.all([
      attachmentSvc.attachmentsOf('interpretation', [i.id]),
      interpretationSvc.interpretationClock(policy.id),
    ]);
    // The stored interpretation, with its time as the datetime-local field wants it.
    const values = opts.values ?? { ...interpretationJson(i), publishedAt: toLocalInput(i.published_at) };
    res.status(opts.error ? 400 : 200).render('workspace/interpretation', {
      title: `解读：${i.title}`,
      interpretation: { id: i.id, title: i.title, publishedText: formatShanghai(i.published_at) },
      policy: policyRowView(policy),
      changeable: acceptsInterpretations(policy.status),
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
    const { interpretation: current } = await interpretationSvc.getInterpretation(req.principal, id);
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const values = interpretationFromForm(raw);
    // The form shows minutes: sending back the shown minute is no change of the stored instant.
    if (typeof raw.publishedAt === 'string' && raw.publishedAt.trim() === toLocalInput(current.published_at))
      values.publishedAt = undefined;
    try {
      const input = parse(interpretationPatchSchema, values, '解读');
      const { interpretation } = await interpretationSvc.updateInterpretation(ctxOf(req), id, input);
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
    const { interpretation: current } = await interpretationSvc.getInterpretation(req.principal, id);
    await withFlash(req, res, `/workspace/policies/${current.policy_id}`, async () => {
      const { title, clock } = await interpretationSvc.deleteInterpretation(ctxOf(req), id);
      const kept = current.satisfied_clock_id !== null && clock?.id === current.satisfied_clock_id;
      return `已删除解读“${title}”${kept ? '；解读时限已按该解读的发布时间办结，结论不变' : ''}`;
    });
  });

  // Uploads from a plain form (no JavaScript): the platform parsed the multipart body before its
  // CSRF check (src/app.ts), so the file is on req.file here.
  const upload = (kind: 'policy' | 'interpretation') => async (req: Request, res: Response) => {
    const id = parse(fields.id, req.params.id, kind === 'policy' ? '文件编号' : '解读编号');
    const back = kind === 'policy' ? `/workspace/policies/${id}` : `/workspace/interpretations/${id}`;
    await withFlash(req, res, back, async () => {
      const refused: unknown = res.locals.uploadError;
      if (refused) throw uploadProblem(refused);
      const row = await attachmentSvc.addAttachment(ctxOf(req), { kind, id }, await acceptUpload(req));
      return `已上传附件“${row.file_name}”`;
    });
  };
  ws.post('/policies/:id/attachments', upload('policy'));
  ws.post('/interpretations/:id/attachments', upload('interpretation'));

  ws.post('/attachments/:id/delete', async (req, res) => {
    const id = parse(fields.id, req.params.id, '附件编号');
    await withFlash(req, res, workspaceBack(req.body?.back), async () => {
      const row = await attachmentSvc.deleteAttachment(ctxOf(req), id);
      return `已删除附件“${row.file_name}”`;
    });
  });
}
