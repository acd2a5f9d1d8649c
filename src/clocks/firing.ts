import { insertAlert } from '../alerts/store.js';
import type { NewAlert } from '../alerts/model.js';
import { formatDeadline, formatDuration, shanghaiDate } from '../shared/time.js';
import { decideThreshold, escalationLevel, thresholdGroup, type Threshold } from './rules.js';
import { ESCALATION_TARGET_LABELS, type ClockPolicy } from './time-limits.js';
import { clockKindLabel } from './states.js';
import type { ClockRow } from './model.js';
import { type Trx } from '../db/database.js';
import { lockRow } from '../db/lock.js';

/** The department an escalation target names, and who is on duty for that level today. */
async function escalationScope(trx: Trx, target: string, level: number, now: Date) {
  const dept = await trx
    .selectFrom('departments')
    .select(['id', 'name'])
    .where('kind', '=', target)
    .orderBy('id')
    .executeTakeFirst();
  const onDuty = await trx
    .selectFrom('duty_roster')
    .innerJoin('users', 'users.id', 'duty_roster.user_id')
    .select(['users.id', 'users.display_name'])
    .where('duty_roster.date', '=', shanghaiDate(now))
    .where('duty_roster.level', '=', Math.min(level, 2))
    .execute();
  return { departmentId: dept?.id ?? null, departmentName: dept?.name ?? null, onDuty };
}

function describe(clock: ClockRow): string {
  return `${clockKindLabel(clock.kind)}：${clock.title}`;
}

async function alertFor(
  trx: Trx,
  clock: ClockRow,
  policy: ClockPolicy,
  key: string,
  now: Date,
): Promise<NewAlert> {
  const due = formatDeadline(clock.due_at);
  const base = {
    subjectKind: 'clock',
    subjectId: clock.id,
    departmentId: clock.department_id,
    dueAt: clock.due_at,
    dedupeKey: `clock:${clock.id}:${key}:${clock.due_at.getTime()}`,
    data: {
      clockId: clock.id,
      kind: clock.kind,
      threshold: key,
      subject: { kind: clock.subject_kind, id: clock.subject_id },
    },
  };
  const group = thresholdGroup(key);
  if (group === 'warning') {
    const point = key === 'warn:lastday' ? '已进入最后一个工作日' : `时限已过 ${key.slice(5)}%`;
    return {
      ...base,
      type: 'clock.warning',
      severity: 'warning',
      title: `【时限预警】${describe(clock)}（${point}，${due} 到期）`,
    };
  }
  const renotifyAt = new Date(now.getTime() + policy.renotifyMinutes * 60_000);
  if (group === 'breach')
    return {
      ...base,
      type: 'clock.breached',
      severity: 'critical',
      title: `【已超时】${describe(clock)}（期限 ${due}）`,
      renotifyAt,
    };
  const level = escalationLevel(key);
  const step = policy.escalation[level - 1];
  const target = step?.target ?? 'government_office';
  const scope = await escalationScope(trx, target, level, now);
  const late = formatDuration((now.getTime() - clock.due_at.getTime()) / 1000);
  return {
    ...base,
    type: clock.subject_kind === 'event' ? 'event.escalated' : 'clock.escalated',
    severity: 'critical',
    title: `【超时升级】${describe(clock)} 已超时 ${late}，升级至${ESCALATION_TARGET_LABELS[target]}`,
    departmentId: scope.departmentId,
    escalationLevel: level,
    renotifyAt,
    data: {
      ...base.data,
      escalatedTo: target,
      escalatedToLabel: ESCALATION_TARGET_LABELS[target],
      responsibleDepartmentId: clock.department_id,
      onDuty: scope.onDuty.map((u) => ({ id: u.id, name: u.display_name })),
    },
  };
}

/**
 * Fires every due threshold of one clock, exactly once: the clock row is locked, and a threshold
 * counts as handled only once its `fired_at` is written in the same transaction as its alert.
 * Any number of job runs, sweeps and nodes may call this concurrently.
 */
export async function advanceClock(trx: Trx, clockId: number, now: Date): Promise<number> {
  const clock = await lockRow(trx, 'clocks', clockId);
  if (!clock) return 0;
  const rows = await trx
    .selectFrom('clock_thresholds')
    .selectAll()
    .where('clock_id', '=', clockId)
    .orderBy('due_at')
    .execute();
  const all: Threshold[] = rows.map((r) => ({ key: r.key, dueAt: r.due_at }));
  const policy = clock.policy as unknown as ClockPolicy;
  let fired = 0;
  let current: ClockRow = clock;
  for (const row of rows) {
    if (row.fired_at) continue;
    const decision = decideThreshold(
      { state: current.state, pausedAt: current.paused_at },
      { key: row.key, dueAt: row.due_at },
      all,
      now,
    );
    if (decision === 'wait') continue;
    let alertId: number | null = null;
    if (decision === 'fire') {
      if (row.key === 'breach')
        current = await trx
          .updateTable('clocks')
          .set({ state: 'breached', breached_at: current.due_at, updated_at: now })
          .where('id', '=', clockId)
          .returningAll()
          .executeTakeFirstOrThrow();
      else if (row.key.startsWith('esc:'))
        current = await trx
          .updateTable('clocks')
          .set({ escalation_level: escalationLevel(row.key), updated_at: now })
          .where('id', '=', clockId)
          .returningAll()
          .executeTakeFirstOrThrow();
      const alert = await insertAlert(trx, await alertFor(trx, current, policy, row.key, now), now);
      alertId = alert?.id ?? null;
      fired++;
    }
    await trx
      .updateTable('clock_thresholds')
      .set({ fired_at: now, alert_id: alertId })
      .where('clock_id', '=', clockId)
      .where('key', '=', row.key)
      .where('fired_at', 'is', null)
      .execute();
  }
  return fired;
}
