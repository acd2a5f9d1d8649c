import { sql } from 'kysely';
import { type Db, type Trx } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { HttpProblem } from '../shared/errors.js';
import { formatDeadline, formatDuration, shanghaiDate } from '../shared/time.js';
import { insertAlert, resolveClockAlerts } from '../alerts/store.js';
import { loadCalendar } from '../calendar/store.js';
import { workingDaysBetween, type WorkCalendar } from '../calendar/workdays.js';
import { completion, computeDeadline, thresholdsFor } from './rules.js';
import { clockPolicySchema, type ClockPolicy } from './time-limits.js';
import { clockKindLabel, OPEN_CLOCK_STATES } from './states.js';
import { advanceClock } from './firing.js';
import { clockJson, type ClockRow } from './model.js';
import { lockById } from '../db/lock.js';

export { clockJson, type ClockRow };

/** Tells every node's engine to schedule this clock's timers once the transaction commits. */
export const CLOCK_CHANNEL = 'clock_changed';

export interface OpenClockInput {
  kind: string;
  subjectKind: string;
  subjectId: number;
  title: string;
  departmentId: number | null;
  startAt: Date;
}

export interface SubjectKey {
  subjectKind: string;
  subjectId: number;
  kind: string;
}

async function currentPolicy(trx: Trx, kind: string): Promise<ClockPolicy> {
  const row = await trx
    .selectFrom('clock_policies')
    .select('config')
    .where('kind', '=', kind)
    .executeTakeFirst();
  if (!row)
    throw HttpProblem.unprocessable(`未知的时钟类型：${kind}`, [
      { field: 'kind', message: '未知的时钟类型' },
    ]);
  return clockPolicySchema.parse(row.config);
}

function yearOf(d: Date): number {
  return Number(shanghaiDate(d).slice(0, 4));
}

async function calendarFor(trx: Trx | Db, start: Date): Promise<WorkCalendar> {
  return loadCalendar(trx, yearOf(start), yearOf(start) + 1);
}

type ExtensionFields = Pick<ClockRow, 'extended' | 'extension_working_days'>;

/** Working days a granted extension adds: the amount granted, else the policy's maximum. */
function extensionWorkingDays(policy: ClockPolicy, c: ExtensionFields): number {
  if (!c.extended || policy.extension?.unit !== 'working_days') return 0;
  return c.extension_working_days ?? policy.extension.amount;
}

function deadlineOf(
  policy: ClockPolicy,
  cal: WorkCalendar,
  c: Pick<ClockRow, 'start_at' | 'paused_seconds' | 'paused_working_days'> & ExtensionFields,
) {
  const ext = c.extended ? policy.extension : undefined;
  return computeDeadline(policy, cal, {
    startAt: c.start_at,
    pausedSeconds: c.paused_seconds,
    extraWorkingDays: c.paused_working_days + extensionWorkingDays(policy, c),
    extraHours: ext?.unit === 'hours' ? ext.amount : 0,
  });
}

async function writeThresholds(
  trx: Trx,
  clock: ClockRow,
  policy: ClockPolicy,
  cal: WorkCalendar,
): Promise<void> {
  const fired = new Set(
    (
      await trx
        .selectFrom('clock_thresholds')
        .select('key')
        .where('clock_id', '=', clock.id)
        .where('fired_at', 'is not', null)
        .execute()
    ).map((r) => r.key),
  );
  await trx
    .deleteFrom('clock_thresholds')
    .where('clock_id', '=', clock.id)
    .where('fired_at', 'is', null)
    .execute();
  const workingDays =
    policy.window.unit === 'working_days'
      ? policy.window.amount + clock.paused_working_days + extensionWorkingDays(policy, clock)
      : undefined;
  const rows = thresholdsFor(policy, cal, clock.start_at, clock.due_at, workingDays)
    .filter((t) => !fired.has(t.key))
    .map((t) => ({ clock_id: clock.id, key: t.key, due_at: t.dueAt }));
  if (rows.length) await trx.insertInto('clock_thresholds').values(rows).execute();
  await sql`select pg_notify(${CLOCK_CHANNEL}, ${String(clock.id)})`.execute(trx);
}

/**
 * Starts a clock inside the caller's transaction, with a snapshot of its kind's policy. Thresholds
 * already passed (an event recorded late) fire at once, in this transaction, exactly once.
 */
export async function openClock(trx: Trx, input: OpenClockInput, now: Date): Promise<ClockRow> {
  const policy = await currentPolicy(trx, input.kind);
  const cal = await calendarFor(trx, input.startAt);
  const deadline = computeDeadline(policy, cal, { startAt: input.startAt });
  let clock: ClockRow;
  try {
    clock = await trx
      .insertInto('clocks')
      .values({
        kind: input.kind,
        subject_kind: input.subjectKind,
        subject_id: input.subjectId,
        title: input.title.slice(0, 300),
        department_id: input.departmentId,
        start_at: input.startAt,
        due_at: deadline.dueAt,
        policy: JSON.stringify(policy),
        calendar_certain: deadline.calendarCertain,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw HttpProblem.conflict('该事项已有同类进行中的时钟');
    throw err;
  }
  await writeThresholds(trx, clock, policy, cal);
  await advanceClock(trx, clock.id, now);
  return trx.selectFrom('clocks').selectAll().where('id', '=', clock.id).executeTakeFirstOrThrow();
}

async function closeThresholds(trx: Trx, clockId: number, now: Date): Promise<void> {
  await trx
    .updateTable('clock_thresholds')
    .set({ fired_at: now })
    .where('clock_id', '=', clockId)
    .where('fired_at', 'is', null)
    .execute();
}

/** Stops the open clock of a subject: `met`, or `met_late` with its lateness. Null when none is open. */
export async function satisfyClock(
  trx: Trx,
  key: SubjectKey,
  metAt: Date,
  now: Date,
): Promise<ClockRow | null> {
  const clock = await trx
    .selectFrom('clocks')
    .selectAll()
    .where('subject_kind', '=', key.subjectKind)
    .where('subject_id', '=', key.subjectId)
    .where('kind', '=', key.kind)
    .where('state', 'in', OPEN_CLOCK_STATES)
    .forUpdate()
    .executeTakeFirst();
  if (!clock) return null;
  const done = completion(clock.due_at, metAt);
  await closeThresholds(trx, clock.id, now);
  await resolveClockAlerts(
    trx,
    clock.id,
    done.state === 'met' ? '已按时完成' : `已完成（逾期 ${formatDuration(done.latenessSeconds)}）`,
    now,
  );
  return trx
    .updateTable('clocks')
    .set({
      state: done.state,
      met_at: metAt,
      lateness_seconds: done.latenessSeconds,
      paused_at: null,
      updated_at: now,
    })
    .where('id', '=', clock.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function cancelClock(
  trx: Trx,
  clockId: number,
  now: Date,
  reason = '时钟已取消',
): Promise<void> {
  await closeThresholds(trx, clockId, now);
  const cancelled = await trx
    .updateTable('clocks')
    .set({ state: 'cancelled', updated_at: now })
    .where('id', '=', clockId)
    .where('state', 'in', OPEN_CLOCK_STATES)
    .executeTakeFirst();
  if (cancelled.numUpdatedRows > 0n) await resolveClockAlerts(trx, clockId, reason, now);
}

export function clocksForSubject(db: Db | Trx, subjectKind: string, subjectId: number): Promise<ClockRow[]> {
  return db
    .selectFrom('clocks')
    .selectAll()
    .where('subject_kind', '=', subjectKind)
    .where('subject_id', '=', subjectId)
    .orderBy('id')
    .execute();
}

/**
 * Re-derives the deadline of a running clock (calendar changed, paused, extended); when it moved,
 * its pending thresholds are replaced and the responsible department is told.
 */
export async function rederiveClock(trx: Trx, clock: ClockRow, now: Date, reason: string): Promise<boolean> {
  const policy = clockPolicySchema.parse(clock.policy);
  const cal = await calendarFor(trx, clock.start_at);
  const d = deadlineOf(policy, cal, clock);
  if (d.dueAt.getTime() === clock.due_at.getTime() && d.calendarCertain === clock.calendar_certain)
    return false;
  const updated = await trx
    .updateTable('clocks')
    .set({ due_at: d.dueAt, calendar_certain: d.calendarCertain, updated_at: now })
    .where('id', '=', clock.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const moved = d.dueAt.getTime() !== clock.due_at.getTime();
  if (moved) {
    // Warnings counted toward the old deadline: resolved, and due again against the new one.
    const resolved = await resolveClockAlerts(trx, clock.id, `期限变更为 ${formatDeadline(d.dueAt)}`, now, [
      'clock.warning',
    ]);
    if (resolved.length)
      await trx
        .deleteFrom('clock_thresholds')
        .where('clock_id', '=', clock.id)
        .where('key', 'like', 'warn:%')
        .execute();
  }
  await writeThresholds(trx, updated, policy, cal);
  if (moved)
    await insertAlert(
      trx,
      {
        type: 'clock.deadline_moved',
        severity: 'warning',
        title: `【期限变更】${clockKindLabel(clock.kind)}：${clock.title} 期限由 ${formatDeadline(
          clock.due_at,
        )} 改为 ${formatDeadline(d.dueAt)}（${reason}）`,
        subjectKind: 'clock',
        subjectId: clock.id,
        departmentId: clock.department_id,
        dueAt: d.dueAt,
        dedupeKey: `clock:${clock.id}:moved:${d.dueAt.getTime()}:${now.getTime()}`,
        data: { clockId: clock.id, from: clock.due_at.toISOString(), to: d.dueAt.toISOString(), reason },
      },
      now,
    );
  await advanceClock(trx, clock.id, now);
  return true;
}

/** Every running working-day clock after a calendar change. Returns how many moved. */
export async function rederiveWorkingDayClocks(trx: Trx, now: Date, reason: string): Promise<number> {
  const clocks = await trx
    .selectFrom('clocks')
    .selectAll()
    .where('state', '=', 'running')
    .where(sql<boolean>`policy->'window'->>'unit' = 'working_days'`)
    .forUpdate()
    .execute();
  let moved = 0;
  for (const c of clocks) if (await rederiveClock(trx, c, now, reason)) moved++;
  return moved;
}

async function lockRunning(trx: Trx, id: number): Promise<ClockRow> {
  const c = await lockById(trx, 'clocks', id, '时钟不存在');
  if (c.state !== 'running') throw HttpProblem.conflict('只有计时中的时钟可以操作');
  if (!clockPolicySchema.parse(c.policy).pausable) throw HttpProblem.conflict('该类时钟不可暂停或延长');
  return c;
}

/**
 * 依申请公开: third-party consultation time is not counted (条例 Art. 33). `at` is when the pause
 * really began (a consultation letter sent earlier that day), by default now.
 */
export async function pauseClock(trx: Trx, id: number, now: Date, at: Date = now): Promise<ClockRow> {
  const c = await lockRunning(trx, id);
  if (c.paused_at) throw HttpProblem.conflict('时钟已暂停');
  return trx
    .updateTable('clocks')
    .set({ paused_at: at, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Resumes a paused clock; `at` is when the pause really ended (by default now). */
export async function resumeClock(trx: Trx, id: number, now: Date, at: Date = now): Promise<ClockRow> {
  const c = await lockRunning(trx, id);
  if (!c.paused_at) throw HttpProblem.conflict('时钟未暂停');
  const policy = clockPolicySchema.parse(c.policy);
  const cal = await calendarFor(trx, c.start_at);
  const pausedDays =
    policy.window.unit === 'working_days'
      ? workingDaysBetween(cal, shanghaiDate(c.paused_at), shanghaiDate(at))
      : 0;
  const pausedSeconds = Math.max(0, Math.round((at.getTime() - c.paused_at.getTime()) / 1000));
  const updated = await trx
    .updateTable('clocks')
    .set({
      paused_at: null,
      paused_working_days: c.paused_working_days + pausedDays,
      paused_seconds: c.paused_seconds + (policy.window.unit === 'hours' ? pausedSeconds : 0),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await rederiveClock(trx, updated, now, '暂停后恢复计时');
  return trx.selectFrom('clocks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Extends a pausable clock once, by the policy's extension or, for a working-day extension, by
 * `workingDays` up to that maximum (条例 Art. 33: "延长的期限最长不得超过20个工作日").
 */
export async function extendClock(trx: Trx, id: number, now: Date, workingDays?: number): Promise<ClockRow> {
  const c = await lockRunning(trx, id);
  if (c.extended) throw HttpProblem.conflict('时钟已延长过一次');
  const ext = clockPolicySchema.parse(c.policy).extension;
  if (!ext) throw HttpProblem.conflict('该类时钟不可延长');
  if (workingDays !== undefined && (ext.unit !== 'working_days' || workingDays > ext.amount))
    throw HttpProblem.unprocessable(`延长不能超过 ${ext.amount} 个工作日`, [
      { field: 'days', message: `不能超过 ${ext.amount} 个工作日` },
    ]);
  const updated = await trx
    .updateTable('clocks')
    .set({ extended: true, extension_working_days: workingDays ?? null, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await rederiveClock(trx, updated, now, '延长答复期限');
  return trx.selectFrom('clocks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
