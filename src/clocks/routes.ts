import { Router, type Request } from 'express';
import { sql } from 'kysely';
import type { Core } from '../context.js';
import { authorize, departmentFilter, can, seesMajorEvents } from '../auth/policy.js';
import { clockOfMajorEvent, majorEventClockSql } from '../events/access.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { recordAudit } from '../audit/audit.js';
import { z, parse, fields } from '../shared/validation.js';
import { HttpProblem } from '../shared/errors.js';
import { withFlash } from '../web/flash.js';
import { clockJson, extendClock, pauseClock, resumeClock, type ClockRow } from './service.js';
import { clockPolicySchema, CLOCK_KIND_LABELS, ESCALATION_TARGET_LABELS } from './policy.js';
import type { ClockState } from '../db/schema.js';

const STATES = ['running', 'met', 'met_late', 'breached', 'cancelled'] as const;
const listQuery = z.object({
  state: z.union([z.enum(STATES), z.array(z.enum(STATES))]).optional(),
  kind: z.string().max(40).optional(),
  department: fields.id.optional(),
  subjectKind: z.string().max(40).optional(),
  subjectId: fields.id.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const ctx = (req: Request) => ({ actor: req.principal, requestId: String(req.id ?? '') });

export async function listClocks(core: Core, req: Request, raw: unknown): Promise<ClockRow[]> {
  authorize(req.principal, 'clock.read');
  const q = parse(listQuery, raw, '查询');
  const scope = departmentFilter(req.principal!, 'clock.read');
  let query = core.db.selectFrom('clocks').selectAll().limit(q.limit);
  const states: ClockState[] = q.state === undefined ? [] : Array.isArray(q.state) ? q.state : [q.state];
  if (states.length) query = query.where('state', 'in', states);
  // Open clocks soonest due first; closed ones most recent first.
  query =
    states.length && states.every((s) => s === 'running' || s === 'breached')
      ? query.orderBy('due_at').orderBy('id')
      : query
          .orderBy(sql`case when state in ('running','breached') then 0 else 1 end`)
          .orderBy('due_at', 'desc');
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (scope !== null)
    query = query.where((eb) =>
      seesMajorEvents(req.principal!, 'clock.read')
        ? eb.or([eb('department_id', '=', scope), majorEventClockSql])
        : eb('department_id', '=', scope),
    );
  else if (q.department) query = query.where('department_id', '=', q.department);
  if (q.subjectKind) query = query.where('subject_kind', '=', q.subjectKind);
  if (q.subjectId) query = query.where('subject_id', '=', q.subjectId);
  return query.execute();
}

export function clocksRoutes(core: Core): Router {
  const r = Router();

  r.get('/api/clocks', async (req, res) => {
    res.json({ clocks: (await listClocks(core, req, req.query)).map(clockJson) });
  });

  r.get('/api/clocks/:id', async (req, res) => {
    authorize(req.principal, 'clock.read');
    const id = parse(fields.id, req.params.id, '时钟编号');
    const c = await core.db.selectFrom('clocks').selectAll().where('id', '=', id).executeTakeFirst();
    if (
      !c ||
      !can(req.principal, 'clock.read', {
        departmentId: c.department_id,
        majorEvent: await clockOfMajorEvent(core.db, c.id),
      })
    )
      throw HttpProblem.notFound('时钟不存在');
    const thresholds = await core.db
      .selectFrom('clock_thresholds')
      .selectAll()
      .where('clock_id', '=', id)
      .orderBy('due_at')
      .execute();
    res.json({
      ...clockJson(c),
      thresholds: thresholds.map((t) => ({
        key: t.key,
        dueAt: t.due_at,
        firedAt: t.fired_at,
        alertId: t.alert_id,
      })),
    });
  });

  const ops = { pause: pauseClock, resume: resumeClock, extend: extendClock } as const;
  for (const [op, fn] of Object.entries(ops)) {
    r.post(`/api/clocks/:id/${op}`, async (req, res) => {
      const id = parse(fields.id, req.params.id, '时钟编号');
      const now = core.clock.now();
      const row = await core.db.transaction().execute(async (trx) => {
        const c = await trx.selectFrom('clocks').selectAll().where('id', '=', id).executeTakeFirst();
        if (!c) throw HttpProblem.notFound('时钟不存在');
        authorize(req.principal, 'clock.manage', { departmentId: c.department_id });
        const updated = await fn(trx, id, now);
        await recordAudit(trx, {
          ...ctx(req),
          action: `clock.${op}`,
          subjectKind: 'clock',
          subjectId: id,
          before: clockJson(c),
          after: clockJson(updated),
        });
        return updated;
      });
      res.json(clockJson(row));
    });
  }

  // ---- clock policies (configuration, SPEC §2.3) ----
  r.get('/api/clock-policies', async (req, res) => {
    authorize(req.principal, 'clock.read');
    const rows = await core.db.selectFrom('clock_policies').selectAll().orderBy('kind').execute();
    res.json({ policies: rows.map((p) => ({ kind: p.kind, label: p.label, config: p.config })) });
  });

  r.put('/api/clock-policies/:kind', async (req, res) => {
    authorize(req.principal, 'clockpolicy.manage');
    const kind = parse(
      z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, '须为小写字母、数字和下划线'),
      req.params.kind,
      '类型',
    );
    const body = parse(
      z.object({ label: fields.text(100), config: clockPolicySchema }),
      req.body,
      '时限配置',
    );
    res.json(await savePolicy(core, req, kind, body.label, body.config));
  });

  r.get('/admin/clock-policies', requirePageLogin, async (req, res) => {
    authorize(req.principal, 'clockpolicy.manage');
    const rows = await core.db.selectFrom('clock_policies').selectAll().orderBy('kind').execute();
    res.render('admin/clock-policies', {
      title: '时限配置',
      targets: ESCALATION_TARGET_LABELS,
      policies: rows.map((p) => ({ kind: p.kind, label: p.label, json: JSON.stringify(p.config, null, 2) })),
    });
  });

  r.post('/admin/clock-policies/:kind', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/admin/clock-policies', async () => {
      authorize(req.principal, 'clockpolicy.manage');
      const kind = parse(z.string().regex(/^[a-z][a-z0-9_]{1,40}$/), req.params.kind, '类型');
      let config: unknown;
      try {
        config = JSON.parse(String(req.body?.config ?? ''));
      } catch {
        throw HttpProblem.badRequest('配置须为 JSON', [{ field: 'config', message: '不是合法的 JSON' }]);
      }
      const label = parse(fields.text(100), req.body?.label, '名称');
      await savePolicy(core, req, kind, label, parse(clockPolicySchema, config, '时限配置'));
      return `已保存“${label}”；进行中的时钟保持原配置，新建时钟使用新配置`;
    });
  });

  r.get('/clocks', requirePageLogin, async (req, res) => {
    const clocks = (await listClocks(core, req, { state: ['running', 'breached'], limit: 500 })).map(
      clockJson,
    );
    const departments = await core.db.selectFrom('departments').select(['id', 'name']).execute();
    const names = new Map(departments.map((d) => [d.id, d.name]));
    res.render('clocks/list', {
      title: '全部时钟',
      clocks: clocks.map((c) => ({ ...c, departmentName: c.departmentId ? names.get(c.departmentId) : '' })),
      kinds: CLOCK_KIND_LABELS,
    });
  });

  return r;
}

async function savePolicy(core: Core, req: Request, kind: string, label: string, config: unknown) {
  return core.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('clock_policies')
      .selectAll()
      .where('kind', '=', kind)
      .executeTakeFirst();
    const userId = req.principal?.kind === 'user' ? req.principal.id : null;
    await trx
      .insertInto('clock_policies')
      .values({ kind, label, config: JSON.stringify(config), updated_by: userId })
      .onConflict((oc) =>
        oc
          .column('kind')
          .doUpdateSet({ label, config: JSON.stringify(config), updated_by: userId, updated_at: new Date() }),
      )
      .execute();
    await recordAudit(trx, {
      ...ctx(req),
      action: 'clockpolicy.save',
      subjectKind: 'clock_policy',
      subjectId: kind,
      before: before ? { label: before.label, config: before.config } : null,
      after: { label, config },
    });
    return { kind, label, config };
  });
}
