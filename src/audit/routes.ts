import { Router } from 'express';
import { sql } from 'kysely';
import type { Core } from '../context.js';
import { authorize } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { z, parse, fields } from '../shared/validation.js';
import { toIsoShanghai, ZONE } from '../shared/time.js';
import { AUDIT_ACTION_LABELS, actorDisplay, auditActionLabel, subjectKindLabel } from './labels.js';

const optionalString = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => v || undefined);
/** Empty select/date fields arrive as "": treat them as absent. */
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

const querySchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  subjectKind: optionalString(50),
  subjectId: optionalString(50),
  /** A prefix: `policy.` selects every policy action. */
  action: optionalString(80),
  actorUserId: z.preprocess(blankToUndefined, fields.id.optional()),
  departmentId: z.preprocess(blankToUndefined, fields.id.optional()),
  /** Shanghai calendar dates, both inclusive. */
  from: z.preprocess(blankToUndefined, fields.isoDate.optional()),
  to: z.preprocess(blankToUndefined, fields.isoDate.optional()),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
type AuditQuery = z.output<typeof querySchema>;

export function auditRoutes(core: Core): Router {
  const r = Router();

  async function query(input: AuditQuery) {
    let q = core.db
      .selectFrom('audit_log')
      .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
      .leftJoin('departments', 'departments.id', 'users.department_id')
      .selectAll('audit_log')
      .select(['users.display_name as actor_name', 'departments.name as actor_department'])
      .orderBy('audit_log.id', 'desc')
      .limit(input.limit);
    if (input.before) q = q.where('audit_log.id', '<', input.before);
    if (input.subjectKind) q = q.where('audit_log.subject_kind', '=', input.subjectKind);
    if (input.subjectId) q = q.where('audit_log.subject_id', '=', input.subjectId);
    if (input.action) q = q.where('audit_log.action', 'like', `${input.action.replace(/[\\%_]/g, '\\$&')}%`);
    if (input.actorUserId) q = q.where('audit_log.actor_user_id', '=', input.actorUserId);
    if (input.departmentId) q = q.where('users.department_id', '=', input.departmentId);
    if (input.from)
      q = q.where('audit_log.at', '>=', sql<Date>`(${input.from}::date)::timestamp at time zone ${ZONE}`);
    if (input.to)
      q = q.where('audit_log.at', '<', sql<Date>`(${input.to}::date + 1)::timestamp at time zone ${ZONE}`);
    return (await q.execute()).map((e) => ({
      id: e.id,
      at: toIsoShanghai(e.at),
      actorLabel: e.actor_label,
      actorName: actorDisplay(e.actor_label, e.actor_name, e.actor_department),
      action: e.action,
      actionLabel: auditActionLabel(e.action),
      subjectKind: e.subject_kind,
      subjectKindLabel: subjectKindLabel(e.subject_kind),
      subjectId: e.subject_id,
      before: e.before,
      after: e.after,
    }));
  }

  r.get('/api/audit', async (req, res) => {
    authorize(req.principal, 'audit.read');
    res.json({ entries: await query(parse(querySchema, req.query, '查询')) });
  });

  r.get('/admin/audit', requirePageLogin, async (req, res) => {
    authorize(req.principal, 'audit.read');
    const input = parse(querySchema, req.query, '查询');
    const [entries, users, departments] = await Promise.all([
      query(input),
      core.db.selectFrom('users').select(['id', 'display_name as name']).orderBy('id').execute(),
      core.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute(),
    ]);
    const keep = new URLSearchParams();
    for (const k of ['action', 'actorUserId', 'departmentId', 'from', 'to', 'subjectKind'] as const)
      if (input[k] !== undefined) keep.set(k, String(input[k]));
    res.render('admin/audit', {
      title: '审计日志',
      filters: input,
      users,
      departments,
      actions: Object.entries(AUDIT_ACTION_LABELS)
        .map(([value, label]) => ({ value, label }))
        .sort((a, b) => a.value.localeCompare(b.value)),
      entries: entries.map((e) => ({
        ...e,
        changes: JSON.stringify({ before: e.before, after: e.after }, null, 2),
      })),
      nextHref:
        entries.length === input.limit
          ? `?${new URLSearchParams([...keep, ['before', String(entries.at(-1)!.id)]]).toString()}`
          : undefined,
    });
  });
  return r;
}
