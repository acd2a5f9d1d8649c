import { Router, type Request } from 'express';
import { authorize } from '../../auth/policy.js';
import { requirePageLogin } from '../../auth/authenticate.js';
import { parse } from '../../shared/validation.js';
import { formatDeadline } from '../../shared/time.js';
import { withFlash } from '../../web/flash.js';
import { ctxOf } from '../../shared/context.js';
import { commentSchema, publishSchema, returnSchema } from '../schemas.js';
import { clockView, localInputToIso, policyRowView } from '../views.js';
import { idOf, type PolicyPageContext } from './shared.js';

/** The supervisors' review queue and workflow actions. */
export function reviewPolicyPages(ctx: PolicyPageContext): Router {
  const { core, svc, interpretationSvc } = ctx;
  const rv = Router();
  rv.use(requirePageLogin, (req, _res, next) => {
    authorize(req.principal, 'policy.approve');
    next();
  });

  rv.get('/', async (_req, res) => {
    const now = core.clock.now();
    const [waiting, approved, openClocks] = await Promise.all([
      svc.byStatus(['submitted'], null),
      svc.byStatus(['approved'], null),
      interpretationSvc.openInterpretationClocks(null),
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
      const row = await svc.approve(ctxOf(req), id, comment);
      return `已审核通过“${row.title}”`;
    });
  });

  rv.post('/policies/:id/return', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, backOf(req, id), async () => {
      const { comment } = parse(returnSchema, { comment: req.body?.comment ?? '' }, '退回意见');
      const row = await svc.returnForRevision(ctxOf(req), id, comment);
      return `已退回“${row.title}”`;
    });
  });

  rv.post('/policies/:id/publish', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, backOf(req, id), async () => {
      const input = parse(publishSchema, { publishedAt: localInputToIso(req.body?.publishedAt) }, '发布');
      const { policy, clock } = await svc.publish(
        ctxOf(req),
        id,
        input.publishedAt ? new Date(input.publishedAt) : undefined,
      );
      return clock
        ? `已发布“${policy.title}”，解读须在 ${formatDeadline(clock.due_at)} 前发布`
        : `已发布“${policy.title}”`;
    });
  });

  rv.post('/policies/:id/withdraw', async (req, res) => {
    const id = idOf(req);
    await withFlash(req, res, backOf(req, id), async () => {
      const { comment } = parse(commentSchema, { comment: req.body?.comment ?? '' }, '撤回');
      const row = await svc.withdraw(ctxOf(req), id, comment);
      return `已撤回“${row.title}”`;
    });
  });

  return rv;
}
