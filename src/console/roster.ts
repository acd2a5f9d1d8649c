import { Router } from 'express';
import { DateTime } from 'luxon';
import type { Core } from '../context.js';
import { authorize } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { recordAudit } from '../audit/audit.js';
import { isUniqueViolation } from '../db/errors.js';
import { HttpProblem } from '../shared/errors.js';
import { shanghaiDate, ZONE } from '../shared/time.js';
import { z, parse, fields } from '../shared/validation.js';
import { withFlash } from '../web/flash.js';
import { ctxOf, type Ctx } from '../shared/context.js';

/** 值班表 levels follow the escalation chain (SPEC §2.3). */
export const DUTY_LEVELS = ['责任单位值班', '舆情中心值班', '分管领导 / 政务公开办'] as const;

const entrySchema = z.object({
  date: fields.isoDate,
  level: z.coerce.number().int().min(0).max(2),
  userId: fields.id,
  note: fields.optionalText(200),
});

/** Roster entries between two dates (inclusive), with the person and their department. */
export async function rosterBetween(core: Core, from: string, to: string) {
  const rows = await core.db
    .selectFrom('duty_roster')
    .innerJoin('users', 'users.id', 'duty_roster.user_id')
    .leftJoin('departments', 'departments.id', 'users.department_id')
    .select([
      'duty_roster.id',
      'duty_roster.date',
      'duty_roster.level',
      'duty_roster.note',
      'users.id as userId',
      'users.display_name as name',
      'departments.name as departmentName',
    ])
    .where('duty_roster.date', '>=', from)
    .where('duty_roster.date', '<=', to)
    .orderBy('duty_roster.date')
    .orderBy('duty_roster.level')
    .orderBy('users.display_name')
    .execute();
  return rows.map((r) => ({ ...r, levelLabel: DUTY_LEVELS[r.level] ?? String(r.level) }));
}

export const onDuty = (core: Core, date: string) => rosterBetween(core, date, date);

export class RosterService {
  constructor(private readonly core: Core) {}

  range(from: string, to: string) {
    return rosterBetween(this.core, from, to);
  }

  async add(ctx: Ctx, input: z.infer<typeof entrySchema>) {
    authorize(ctx.actor, 'roster.manage');
    return this.core.db.transaction().execute(async (trx) => {
      const user = await trx
        .selectFrom('users')
        .select(['id', 'department_id', 'active'])
        .where('id', '=', input.userId)
        .executeTakeFirst();
      if (!user || !user.active)
        throw HttpProblem.unprocessable('值班人员不存在', [
          { field: 'userId', message: '用户不存在或已停用' },
        ]);
      try {
        const row = await trx
          .insertInto('duty_roster')
          .values({
            date: input.date,
            level: input.level,
            user_id: input.userId,
            department_id: user.department_id,
            note: input.note ?? '',
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          ...ctx,
          action: 'roster.add',
          subjectKind: 'duty_roster',
          subjectId: row.id,
          after: row,
        });
        return row;
      } catch (err) {
        if (isUniqueViolation(err)) throw HttpProblem.conflict('该人员当天该级别已在值班表中');
        throw err;
      }
    });
  }

  async remove(ctx: Ctx, id: number) {
    authorize(ctx.actor, 'roster.manage');
    await this.core.db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('duty_roster').where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) throw HttpProblem.notFound('值班记录不存在');
      await recordAudit(trx, {
        ...ctx,
        action: 'roster.remove',
        subjectKind: 'duty_roster',
        subjectId: id,
        before: row,
      });
    });
  }
}

export function rosterRoutes(core: Core): Router {
  const r = Router();
  const svc = new RosterService(core);
  const rangeQuery = z.object({ from: fields.isoDate.optional(), to: fields.isoDate.optional() });

  r.get('/api/roster', async (req, res) => {
    authorize(req.principal, 'roster.read');
    const q = parse(rangeQuery, req.query, '查询');
    const today = shanghaiDate(core.clock.now());
    res.json({
      roster: await svc.range(q.from ?? today, q.to ?? q.from ?? today),
      onDuty: await onDuty(core, today),
    });
  });
  r.post('/api/roster', async (req, res) => {
    res.status(201).json(await svc.add(ctxOf(req), parse(entrySchema, req.body, '值班')));
  });
  r.delete('/api/roster/:id', async (req, res) => {
    await svc.remove(ctxOf(req), parse(fields.id, req.params.id, '编号'));
    res.status(204).end();
  });

  r.get('/roster', requirePageLogin, async (req, res) => {
    authorize(req.principal, 'roster.read');
    const start = DateTime.fromJSDate(core.clock.now(), { zone: ZONE }).startOf('day');
    const days = Array.from({ length: 14 }, (_, i) => start.plus({ days: i }).toISODate()!);
    const entries = await svc.range(days[0]!, days[days.length - 1]!);
    const users = await core.db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('active', '=', true)
      .orderBy('display_name')
      .execute();
    res.render('console/roster', {
      title: '值班表',
      canManage:
        req.principal?.kind === 'user' &&
        req.principal.roles.some((x) => x === 'admin' || x === 'supervisor'),
      levels: DUTY_LEVELS.map((label, value) => ({ value, label })),
      users,
      today: days[0],
      days: days.map((date) => ({
        date,
        levels: DUTY_LEVELS.map((label, level) => ({
          label,
          people: entries.filter((e) => e.date === date && e.level === level),
        })),
      })),
    });
  });
  r.post('/roster', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/roster', async () => {
      await svc.add(ctxOf(req), parse(entrySchema, req.body, '值班'));
      return '已添加值班';
    });
  });
  r.post('/roster/:id/delete', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/roster', async () => {
      await svc.remove(ctxOf(req), parse(fields.id, req.params.id, '编号'));
      return '已删除';
    });
  });
  return r;
}
