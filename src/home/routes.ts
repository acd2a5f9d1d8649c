import { Router } from 'express';
import type { Core } from '../context.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { can, departmentFilter } from '../auth/policy.js';
import { HttpProblem } from '../shared/errors.js';
import { z, parse, fields } from '../shared/validation.js';
import { withFlash } from '../web/flash.js';
import { alertJson } from '../alerts/model.js';
import { HomeService } from './service.js';
import { ctxOf } from '../shared/context.js';

const urgeSchema = z.object({ note: fields.optionalText(500) });
export function homeRoutes(core: Core): Router {
  const r = Router();
  const svc = new HomeService(core);

  r.get('/', requirePageLogin, async (req, res) => {
    const p = req.principal!;
    if (p.kind !== 'user') throw HttpProblem.forbidden();
    const roles = new Set(p.roles);
    const [drafter, analyst, spokesperson, supervisor, duty] = await Promise.all([
      roles.has('drafter') ? svc.drafter(p.departmentId) : null,
      roles.has('analyst') ? svc.analyst() : null,
      roles.has('spokesperson') ? svc.spokesperson(p.id, p.departmentId) : null,
      roles.has('supervisor') || roles.has('admin') ? svc.supervisor() : null,
      roles.has('duty') ? svc.unackedAlerts(departmentFilter(p, 'alert.read')) : null,
    ]);
    res.render('home', {
      title: '首页',
      drafter,
      analyst,
      // Wrapped: an empty list must still show its section ("没有…") rather than vanish.
      spokesperson: spokesperson && { items: spokesperson },
      supervisor: supervisor && { items: supervisor },
      canUrge: can(p, 'clock.urge'),
      duty: duty === null ? null : { unacked: duty },
    });
  });

  r.post('/home/urge/:id', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/', async () => {
      const id = parse(fields.id, req.params.id, '时钟编号');
      const { note } = parse(urgeSchema, req.body ?? {}, '督办');
      const out = await svc.urge(ctxOf(req), id, note ?? '');
      return `已向${out.departmentName || '责任单位'}发出督办，对方值班台已收到提醒`;
    });
  });

  r.post('/api/clocks/:id/urge', async (req, res) => {
    const id = parse(fields.id, req.params.id, '时钟编号');
    const { note } = parse(urgeSchema, req.body ?? {}, '督办');
    const out = await svc.urge(ctxOf(req), id, note ?? '');
    res.status(201).json({ alert: alertJson(out.alert) });
  });
  return r;
}
