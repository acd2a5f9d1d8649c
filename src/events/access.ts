import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { Principal } from '../auth/principal.js';
import { authorize, can, seesMajorEvents } from '../auth/policy.js';
import { HttpProblem } from '../shared/errors.js';
import type { EventRow } from './model.js';
import { isMajor } from './rules.js';

/**
 * Which rows are "a major or extraordinary event" for the policy's `majorEvent` resource flag
 * (src/auth/policy.ts): the event, its clocks, and the alerts about either. List queries of
 * scoped callers who see major events (新闻办, 政务公开办) OR these into their department filter.
 */
const MAJOR = sql`('major', 'extraordinary')`;

/** On `clocks`: the clock of a major event. */
export const majorEventClockSql: RawBuilder<boolean> = sql<boolean>`(clocks.subject_kind = 'event' and exists (
  select 1 from opinion_events e where e.id = clocks.subject_id and e.severity in ${MAJOR}))`;

/** On `alerts`: an alert about a major event or one of its clocks. */
export const majorEventAlertSql: RawBuilder<boolean> = sql<boolean>`(
  (alerts.subject_kind = 'clock' and exists (
     select 1 from clocks c join opinion_events e on e.id = c.subject_id
      where c.subject_kind = 'event' and c.id::text = alerts.subject_id and e.severity in ${MAJOR}))
  or (alerts.subject_kind = 'event' and exists (
     select 1 from opinion_events e where e.id::text = alerts.subject_id and e.severity in ${MAJOR})))`;

/** Whether row `id` of `table` is of a major event, by that table's flag above. */
async function ofMajorEvent(db: Db, table: 'alerts' | 'clocks', id: number): Promise<boolean> {
  const flag = table === 'alerts' ? majorEventAlertSql : majorEventClockSql;
  const r = await db.selectFrom(table).select(flag.as('major')).where('id', '=', id).executeTakeFirst();
  return r?.major === true;
}

/** Whether one alert concerns a major event (for pushing it to those who see major events). */
export const alertConcernsMajorEvent = (db: Db, alertId: number) => ofMajorEvent(db, 'alerts', alertId);

/** Whether one clock belongs to a major event. */
export const clockOfMajorEvent = (db: Db, clockId: number) => ofMajorEvent(db, 'clocks', clockId);

/**
 * The events a department-scoped caller lists: its department's, those it is the spokesperson of,
 * and every major or extraordinary one when it sees those (新闻办, 政务公开办).
 */
export function scopedEvents(p: Principal, scope: number) {
  return (eb: ExpressionBuilder<Database, 'opinion_events'>) =>
    eb.or([
      eb('opinion_events.responsible_department_id', '=', scope),
      ...(p.kind === 'user' ? [eb('opinion_events.spokesperson_id', '=', p.id)] : []),
      ...(seesMajorEvents(p, 'opinion.read')
        ? [eb('opinion_events.severity', 'in', ['major', 'extraordinary'] as const)]
        : []),
    ]);
}

/** The policy's resource for an event. */
export const eventResource = (e: Pick<EventRow, 'responsible_department_id' | 'severity'>) => ({
  departmentId: e.responsible_department_id,
  majorEvent: isMajor(e.severity),
});

/** An event the caller may read; others' events are reported missing so their existence stays private. */
export async function visibleEvent(db: Db, p: Principal | undefined, id: number): Promise<EventRow> {
  authorize(p, 'opinion.read');
  const e = await db.selectFrom('opinion_events').selectAll().where('id', '=', id).executeTakeFirst();
  if (!e || !can(p, 'opinion.read', eventResource(e))) throw HttpProblem.notFound('舆情事件不存在');
  return e;
}
