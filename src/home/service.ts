import { sql } from 'kysely';
import type { Core } from '../context.js';
import { authorize } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { insertAlert } from '../alerts/store.js';
import { HttpProblem } from '../shared/errors.js';
import { formatDeadline, formatDuration, formatShanghai } from '../shared/time.js';
import { clockKindLabel, OPEN_CLOCK_STATES } from '../clocks/states.js';
import { STATUS_LABELS } from '../policies/model.js';
import { SEVERITY_LABELS } from '../events/rules.js';
import { subjectHref } from '../web/links.js';
import { warnAtOf } from '../clocks/model.js';
import type { Ctx } from '../shared/context.js';

/** A 督办 is one reminder: a second one for the same clock within this span is refused. */
export const URGE_COOLDOWN_MINUTES = 30;

type ClockLine = {
  id: number;
  kind: string;
  title: string;
  subject_kind: string;
  subject_id: number;
  department_id: number | null;
  department_name: string | null;
  start_at: Date;
  due_at: Date;
  state: string;
  policy: object;
};

function clockLine(c: ClockLine, now: Date) {
  const late = now.getTime() - c.due_at.getTime();
  return {
    id: c.id,
    kindLabel: clockKindLabel(c.kind, '时限'),
    title: c.title,
    href: subjectHref(c.subject_kind, c.subject_id),
    departmentName: c.department_name ?? '',
    dueText: formatDeadline(c.due_at),
    dueIso: c.due_at.toISOString(),
    warnAt: warnAtOf(c),
    late: late > 0,
    lateText: late > 0 ? formatDuration(late / 1000) : '',
    state: c.state,
  };
}

/**
 * Home: what each role has to do now. Every list is small and ordered by urgency; the full lists
 * stay on their own pages (workspace, /opinion, /responses, /clocks, /console).
 */
export class HomeService {
  constructor(private readonly core: Core) {}

  private openClocks() {
    return this.core.db
      .selectFrom('clocks')
      .leftJoin('departments', 'departments.id', 'clocks.department_id')
      .select([
        'clocks.id',
        'clocks.kind',
        'clocks.title',
        'clocks.subject_kind',
        'clocks.subject_id',
        'clocks.department_id',
        'departments.name as department_name',
        'clocks.start_at',
        'clocks.due_at',
        'clocks.state',
        'clocks.policy',
      ])
      .where('clocks.state', 'in', [...OPEN_CLOCK_STATES]);
  }

  /** Drafter: the department's documents waiting for it, and interpretations due soonest. */
  async drafter(departmentId: number) {
    const now = this.core.clock.now();
    const [waiting, due] = await Promise.all([
      this.core.db
        .selectFrom('policies')
        .select(['id', 'title', 'status', 'return_comment', 'updated_at'])
        .where('drafting_department_id', '=', departmentId)
        .where('status', 'in', ['draft', 'returned'])
        .orderBy(sql`case when status = 'returned' then 0 else 1 end`)
        .orderBy('updated_at', 'desc')
        .limit(10)
        .execute(),
      this.openClocks()
        .where('clocks.department_id', '=', departmentId)
        .where('clocks.subject_kind', '=', 'policy')
        .orderBy('clocks.due_at')
        .limit(10)
        .execute(),
    ]);
    return {
      waiting: waiting.map((p) => ({
        id: p.id,
        title: p.title,
        statusLabel: STATUS_LABELS[p.status],
        returned: p.status === 'returned',
        comment: p.return_comment ?? '',
        updatedText: formatShanghai(p.updated_at),
      })),
      due: due.map((c) => clockLine(c, now)),
    };
  }

  /** Analyst: detected events nobody has triaged yet, the hottest first. */
  async analyst() {
    const rows = await this.core.db
      .selectFrom('opinion_events')
      .select([
        'id',
        'title',
        'hotness',
        'items_count',
        'suggested_severity',
        'emergency_signal',
        'last_seen_at',
      ])
      .where('status', '=', 'new')
      .orderBy(sql`emergency_signal is null`)
      .orderBy('hotness', 'desc')
      .orderBy('id', 'desc')
      .limit(10)
      .execute();
    const total = await this.core.db
      .selectFrom('opinion_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'new')
      .executeTakeFirstOrThrow();
    return {
      total: Number(total.n),
      events: rows.map((e) => ({
        id: e.id,
        title: e.title,
        hotness: Math.round(e.hotness),
        items: e.items_count,
        suggested: e.suggested_severity ? SEVERITY_LABELS[e.suggested_severity] : '',
        emergency: e.emergency_signal ?? '',
        lastSeenText: formatShanghai(e.last_seen_at),
      })),
    };
  }

  /**
   * Spokesperson: open clocks of the events they speak for or their department answers; the news
   * office and the government office also carry every major or extraordinary event.
   */
  async spokesperson(userId: number, departmentId: number) {
    const now = this.core.clock.now();
    const dept = await this.core.db
      .selectFrom('departments')
      .select('kind')
      .where('id', '=', departmentId)
      .executeTakeFirst();
    const wholeCounty = dept?.kind === 'publicity' || dept?.kind === 'government_office';
    const rows = await this.openClocks()
      .where('clocks.subject_kind', '=', 'event')
      .where((eb) =>
        eb.or([
          eb('clocks.department_id', '=', departmentId),
          eb(
            'clocks.subject_id',
            'in',
            eb
              .selectFrom('opinion_events')
              .select('opinion_events.id')
              .where((e) =>
                wholeCounty
                  ? e.or([e('spokesperson_id', '=', userId), e('severity', 'in', ['major', 'extraordinary'])])
                  : e('spokesperson_id', '=', userId),
              ),
          ),
        ]),
      )
      .orderBy('clocks.due_at')
      .limit(20)
      .execute();
    return rows.map((c) => clockLine(c, now));
  }

  /** Supervisor: every department's overdue open clocks, the latest due first, with the last 督办. */
  async supervisor() {
    const now = this.core.clock.now();
    const rows = await this.openClocks()
      .where('clocks.due_at', '<', now)
      .orderBy('clocks.due_at')
      .limit(50)
      .execute();
    const urged = rows.length
      ? await this.core.db
          .selectFrom('alerts')
          .select(['subject_id', sql<Date>`max(created_at)`.as('at')])
          .where('type', '=', 'supervision.urge')
          .where('subject_kind', '=', 'clock')
          .where(
            'subject_id',
            'in',
            rows.map((r) => String(r.id)),
          )
          .groupBy('subject_id')
          .execute()
      : [];
    const lastUrged = new Map(urged.map((u) => [Number(u.subject_id), u.at]));
    return rows.map((c) => ({
      ...clockLine(c, now),
      urgedText: lastUrged.has(c.id) ? formatShanghai(lastUrged.get(c.id)!) : '',
    }));
  }

  async unackedAlerts(departmentId: number | null) {
    let q = this.core.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('acked_at', 'is', null);
    if (departmentId !== null) q = q.where('department_id', '=', departmentId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  /**
   * 督办/催办: a supervisor reminds the late department. The alert is stored with its audit row
   * in one transaction and announced on commit, so that department's consoles show it live.
   */
  async urge(ctx: Ctx, clockId: number, note: string) {
    authorize(ctx.actor, 'clock.urge');
    const now = this.core.clock.now();
    return this.core.db.transaction().execute(async (trx) => {
      const clock = await trx
        .selectFrom('clocks')
        .leftJoin('departments', 'departments.id', 'clocks.department_id')
        .selectAll('clocks')
        .select('departments.name as department_name')
        .where('clocks.id', '=', clockId)
        .forUpdate('clocks')
        .executeTakeFirst();
      if (!clock) throw HttpProblem.notFound('时钟不存在');
      if (!(OPEN_CLOCK_STATES as readonly string[]).includes(clock.state) || clock.due_at > now)
        throw HttpProblem.conflict('该事项未超期，无需督办');
      if (clock.department_id === null) throw HttpProblem.conflict('该事项没有责任单位，无法督办');
      const recent = await trx
        .selectFrom('alerts')
        .select('id')
        .where('type', '=', 'supervision.urge')
        .where('subject_kind', '=', 'clock')
        .where('subject_id', '=', String(clockId))
        .where('created_at', '>', new Date(now.getTime() - URGE_COOLDOWN_MINUTES * 60_000))
        .executeTakeFirst();
      if (recent) throw HttpProblem.conflict(`${URGE_COOLDOWN_MINUTES} 分钟内已督办过该事项`);
      const by = ctx.actor?.kind === 'user' ? ctx.actor.displayName : '督办人';
      const late = formatDuration((now.getTime() - clock.due_at.getTime()) / 1000);
      const kind = clockKindLabel(clock.kind, '时限');
      const alert = await insertAlert(
        trx,
        {
          type: 'supervision.urge',
          severity: 'critical',
          title: `【督办】${kind}：${clock.title}（已超期 ${late}，请立即办理）`,
          body: note ? `督办意见：${note}` : '',
          subjectKind: 'clock',
          subjectId: clock.id,
          departmentId: clock.department_id,
          dueAt: clock.due_at,
          data: {
            clockId: clock.id,
            kind: clock.kind,
            subject: { kind: clock.subject_kind, id: clock.subject_id },
            urgedBy: by,
            note,
          },
        },
        now,
      );
      if (!alert) throw HttpProblem.conflict('督办未能发出，请重试');
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'supervision.urge',
        subjectKind: 'clock',
        subjectId: clock.id,
        after: { alertId: alert.id, departmentId: clock.department_id, note },
        requestId: ctx.requestId,
      });
      return { alert, departmentName: clock.department_name ?? '' };
    });
  }
}
