import { Router } from 'express';
import type { Core } from '../context.js';
import { authorize } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { z, parse } from '../shared/validation.js';
import { toIsoShanghai } from '../shared/time.js';

const querySchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  subjectKind: z
    .string()
    .trim()
    .max(50)
    .optional()
    .transform((v) => v || undefined),
  subjectId: z
    .string()
    .trim()
    .max(50)
    .optional()
    .transform((v) => v || undefined),
  action: z
    .string()
    .trim()
    .max(80)
    .optional()
    .transform((v) => v || undefined),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

export function auditRoutes(core: Core): Router {
  const r = Router();

  async function query(input: z.output<typeof querySchema>) {
    let q = core.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(input.limit);
    if (input.before) q = q.where('id', '<', input.before);
    if (input.subjectKind) q = q.where('subject_kind', '=', input.subjectKind);
    if (input.subjectId) q = q.where('subject_id', '=', input.subjectId);
    if (input.action) q = q.where('action', 'like', `${input.action}%`);
    return (await q.execute()).map((e) => ({
      id: e.id,
      at: toIsoShanghai(e.at),
      actorLabel: e.actor_label,
      action: e.action,
      subjectKind: e.subject_kind,
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
    const entries = await query(input);
    res.render('admin/audit', {
      title: '审计日志',
      filters: input,
      entries: entries.map((e) => ({
        ...e,
        changes: JSON.stringify({ before: e.before, after: e.after }, null, 2),
      })),
      nextBefore: entries.length === input.limit ? entries.at(-1)?.id : undefined,
    });
  });
  return r;
}
