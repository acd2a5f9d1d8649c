import { Router, type Request } from 'express';
import type { Core } from '../context.js';
import { authorize, can, departmentFilter } from '../auth/policy.js';
import { requirePageLogin } from '../auth/authenticate.js';
import { fromLocalInput, toLocalInput } from '../shared/time.js';
import { parse, fields } from '../shared/validation.js';
import { withFlash } from '../web/flash.js';
import { clockJson } from '../clocks/model.js';
import { EventsService } from './service.js';
import {
  actionPublicSchema,
  actionSchema,
  confirmSchema,
  heldSchema,
  reasonSchema,
  recordEventSchema,
  triageSchema,
} from './schemas.js';
import { eventJson } from './model.js';
import { ACTION_LABELS, SEVERITY_LABELS, isMajor, isFinished } from './rules.js';
import { scopedEvents } from './access.js';
import { eventTimeline } from './timeline.js';
import { ACTION_KINDS, SEVERITIES } from './tables.js';
import { ctxOf } from '../shared/context.js';
import { isOpen } from '../clocks/states.js';

const severities = SEVERITIES.map((value) => ({ value, label: SEVERITY_LABELS[value] }));
const DONE_LABELS: Record<string, string> = {
  initial_release: '已发布',
  press_conference: '已召开',
  response: '已回应',
};
const actionKinds = ACTION_KINDS.map((value) => ({ value, label: ACTION_LABELS[value] }));

/** Form fields arrive as strings: turn them into what the API schemas expect. */
function formEvent(b: Record<string, unknown>) {
  return {
    title: b.title,
    summary: b.summary || undefined,
    detectedAt: fromLocalInput(b.detectedAt),
    severity: b.severity,
    emergency: b.emergency === 'true' || b.emergency === 'on',
    responsibleDepartmentId: b.responsibleDepartmentId || undefined,
    spokespersonId: b.spokespersonId || undefined,
  };
}

function formTriage(b: Record<string, unknown>) {
  return {
    ...(b.title ? { title: b.title } : {}),
    severity: b.severity,
    emergency: b.emergency === 'true',
    responsibleDepartmentId: b.responsibleDepartmentId ? b.responsibleDepartmentId : null,
    spokespersonId: b.spokespersonId ? b.spokespersonId : null,
  };
}

function formAction(b: Record<string, unknown>) {
  const planned = b.planned === 'true';
  return {
    kind: b.kind,
    planned,
    occurredAt: planned ? undefined : fromLocalInput(b.occurredAt),
    plannedAt: planned ? fromLocalInput(b.plannedAt) : undefined,
    place: b.place || undefined,
    spokesperson: b.spokesperson || undefined,
    keyPoints: b.keyPoints || undefined,
    channel: b.channel || undefined,
    url: b.url || undefined,
    text: b.text || undefined,
    public: b.public === 'true' || b.public === 'on',
  };
}

export function eventsPageRoutes(core: Core, svc: EventsService): Router {
  const r = Router();
  const lists = async () => {
    const [departments, spokespersons] = await Promise.all([
      core.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute(),
      core.db
        .selectFrom('users')
        .select(['id', 'display_name', 'department_id'])
        .where('active', '=', true)
        .where((eb) => eb(eb.val('spokesperson'), '=', eb.fn.any('roles')))
        .orderBy('display_name')
        .execute(),
    ]);
    return { departments, spokespersons };
  };

  /** 回应时钟: each role sees its part (SPEC issue 6 §4). */
  r.get('/responses', requirePageLogin, async (req, res) => {
    const p = req.principal!;
    authorize(p, 'opinion.read');
    const scope = departmentFilter(p, 'opinion.read');
    let q = core.db.selectFrom('opinion_events').selectAll().orderBy('id', 'desc').limit(200);
    if (scope !== null) q = q.where(scopedEvents(p, scope));
    const events = await q.execute();
    const ids = events.map((e) => e.id);
    const clocks = ids.length
      ? await core.db
          .selectFrom('clocks')
          .selectAll()
          .where('subject_kind', '=', 'event')
          .where('subject_id', 'in', ids)
          .execute()
      : [];
    const { departments } = await lists();
    const deptName = new Map(departments.map((d) => [d.id, d.name]));
    const view = events.map((e) => ({
      ...eventJson(
        e,
        clocks.filter((c) => c.subject_id === e.id),
      ),
      departmentName: e.responsible_department_id ? deptName.get(e.responsible_department_id) : '未指定',
    }));
    const openClocks = view
      .flatMap((e) =>
        e.clocks
          .filter((c) => isOpen(c.state))
          .map((c) => ({
            ...c,
            eventId: e.id,
            departmentName: e.departmentName,
            // The action that satisfies this clock, recordable right from the list.
            canAct: can(p, 'event.act', {
              departmentId: e.responsibleDepartmentId,
              majorEvent: isMajor(e.severity),
            }),
            actionLabel: DONE_LABELS[c.kind] ?? '已回应',
          })),
      )
      .sort((a, b) => Date.parse(a.dueAt!) - Date.parse(b.dueAt!));
    res.render('events/responses', {
      title: '回应时钟',
      canRecord: can(p, 'event.record'),
      canTriage: can(p, 'event.triage'),
      triageQueue: view.filter((e) => e.status === 'new'),
      mine: openClocks,
      breached: openClocks.filter((c) => c.state === 'breached'),
      events: view,
      severities,
      now: toLocalInput(core.clock.now()),
      ...(await lists()),
    });
  });

  r.post('/responses/events', requirePageLogin, async (req, res) => {
    await withFlash(req, res, '/responses', async () => {
      const e = await svc.record(ctxOf(req), parse(recordEventSchema, formEvent(req.body ?? {}), '舆情事件'));
      return `已登记事件“${e.title}”并启动 ${e.clocks.length} 个回应时钟`;
    });
  });

  r.get('/responses/events/:id', requirePageLogin, async (req, res) => {
    const id = parse(fields.id, req.params.id, '事件编号');
    const e = await svc.detail(req.principal, id);
    const p = req.principal!;
    const { departments, spokespersons } = await lists();
    const history = await eventTimeline(core.db, { id, detectedAt: new Date(e.detectedAt!) });
    const mayAct = can(p, 'event.act', {
      departmentId: e.responsibleDepartmentId,
      majorEvent: isMajor(e.severity),
    });
    res.render('events/detail', {
      history,
      title: e.title,
      event: e,
      departmentName: departments.find((d) => d.id === e.responsibleDepartmentId)?.name ?? '未指定',
      spokespersonName: spokespersons.find((s) => s.id === e.spokespersonId)?.display_name ?? '未指定',
      canTriage: can(p, 'event.triage') && !isFinished(e.status),
      canAct: mayAct && !isFinished(e.status),
      // Publishing in 回应关切 stays possible once the event is finished (see setActionPublic).
      canPublish: mayAct,
      responses: e.actions,
      plannedConferences: e.actions.filter((a) => a.status === 'planned'),
      timeline: e.actions.filter((a) => a.status === 'done'),
      clocks: e.clocks,
      severities,
      actionKinds,
      departments,
      spokespersons,
      now: toLocalInput(core.clock.now()),
    });
  });

  // Every form on the event page posts back to it and reports the outcome as a flash message.
  const eventForm = (path: string, handle: (req: Request, id: number) => Promise<string>) =>
    r.post(`/responses/events/:id${path}`, requirePageLogin, async (req, res) => {
      const back = `/responses/events/${encodeURIComponent(String(req.params.id))}`;
      await withFlash(req, res, back, () => handle(req, parse(fields.id, req.params.id, '事件编号')));
    });
  const actionId = (req: Request) => parse(fields.id, req.params.actionId, '动作编号');
  const openClockLabels = (e: { clocks: { state: string; kindLabel: string }[] }, none: string) =>
    e.clocks
      .filter((c) => isOpen(c.state))
      .map((c) => c.kindLabel)
      .join('、') || none;

  eventForm('/triage', async (req, id) => {
    const e = await svc.triage(ctxOf(req), id, parse(triageSchema, formTriage(req.body ?? {}), '研判'));
    return `研判已保存：${openClockLabels(e, '无进行中的时钟')}`;
  });
  eventForm('/actions', async (req, id) => {
    const out = await svc.addAction(
      ctxOf(req),
      id,
      parse(actionSchema, formAction(req.body ?? {}), '回应动作'),
    );
    const stopped = out.clocks.filter((c) => c.id === out.action.clockId).map(clockJson);
    return out.action.status === 'planned'
      ? '已记录发布会计划'
      : `已记录${out.action.kindLabel}${stopped[0] ? `，${stopped[0].kindLabel}时钟：${stopped[0].stateLabel}` : ''}`;
  });
  eventForm('/actions/:actionId/held', async (req, id) => {
    const b = req.body ?? {};
    await svc.markHeld(
      ctxOf(req),
      id,
      actionId(req),
      parse(heldSchema, { occurredAt: fromLocalInput(b.occurredAt), url: b.url || undefined }, '发布会'),
    );
    return '已记录发布会召开';
  });
  eventForm('/actions/:actionId/public', async (req, id) => {
    const { public: show } = parse(actionPublicSchema, { public: req.body?.public === 'true' }, '回应动作');
    const a = await svc.setActionPublic(ctxOf(req), id, actionId(req), show);
    return show ? `已在“回应关切”栏目公开${a.kindLabel}` : `已从“回应关切”栏目撤下${a.kindLabel}`;
  });
  // 确认 from the event page: the severity and clocks were shown and chosen there; the 责任单位
  // is found by 属地/主管 as in any first triage.
  eventForm('/confirm', async (req, id) => {
    const b = req.body ?? {};
    const e = await svc.triage(
      ctxOf(req),
      id,
      parse(confirmSchema, { severity: b.severity || undefined, emergency: b.emergency === 'true' }, '研判'),
    );
    return `已确认为${e.severityLabel}${e.emergency ? '突发' : ''}事件，启动：${openClockLabels(e, '无')}`;
  });
  for (const [path, status, label] of [
    ['dismiss', 'dismissed', '已忽略'],
    ['close', 'closed', '已办结'],
  ] as const)
    eventForm(`/${path}`, async (req, id) => {
      const { reason } = parse(reasonSchema, { reason: req.body?.reason || undefined }, '说明');
      await svc.finish(ctxOf(req), id, status, reason ?? '');
      return `事件${label}`;
    });
  return r;
}
