import type { Db } from '../db/database.js';
import type { Principal } from '../auth/principal.js';
import { authorize, can } from '../auth/policy.js';
import { HttpProblem } from '../shared/errors.js';
import type { EventRow } from './model.js';

/** An event the caller may read; others' events are reported missing so their existence stays private. */
export async function visibleEvent(db: Db, p: Principal | undefined, id: number): Promise<EventRow> {
  authorize(p, 'opinion.read');
  const e = await db.selectFrom('opinion_events').selectAll().where('id', '=', id).executeTakeFirst();
  if (!e || !can(p, 'opinion.read', { departmentId: e.responsible_department_id }))
    throw HttpProblem.notFound('舆情事件不存在');
  return e;
}
