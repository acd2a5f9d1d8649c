import { Router } from 'express';
import type { Core } from '../context.js';
import { authorize, departmentFilter, seesMajorEvents } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { shanghaiDate } from '../shared/time.js';
import { ALERT_TYPE_LABELS } from '../alerts/model.js';
import { onDuty } from './roster.js';

/** 值班台: the page shell; public/js/console.js keeps it live over Socket.IO. */
export function consolePageRoutes(core: Core): Router {
  const r = Router();
  r.get('/console', requirePageLogin, async (req, res) => {
    authorize(req.principal, 'alert.read');
    const scope = departmentFilter(req.principal!, 'alert.read');
    const departments = await core.db
      .selectFrom('departments')
      .select(['id', 'name'])
      .orderBy('id')
      .execute();
    res.render('console/index', {
      title: '值班台',
      wide: true,
      scopeLabel:
        scope === null
          ? '全部单位'
          : `${departments.find((d) => d.id === scope)?.name ?? '本单位'}${
              seesMajorEvents(req.principal!, 'alert.read') ? ' 及全区重大、特别重大事件' : ''
            }`,
      globalScope: scope === null,
      departments,
      departmentsJson: JSON.stringify(Object.fromEntries(departments.map((d) => [d.id, d.name]))),
      types: Object.entries(ALERT_TYPE_LABELS).map(([value, label]) => ({ value, label })),
      onDuty: await onDuty(core, shanghaiDate(core.clock.now())),
    });
  });
  return r;
}
