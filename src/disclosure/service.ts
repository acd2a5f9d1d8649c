import { sql, type Updateable } from 'kysely';
import { DateTime } from 'luxon';
import type { Core } from '../context.js';
import type { Ctx } from '../shared/context.js';
import type { Trx } from '../db/database.js';
import { actorUserId } from '../auth/principal.js';
import { authorize, departmentFilter } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import { HttpProblem } from '../shared/errors.js';
import { ZONE, formatShanghai, shanghaiDate } from '../shared/time.js';
import { loadCalendar } from '../calendar/store.js';
import type { WorkCalendar } from '../calendar/workdays.js';
import {
  cancelClock,
  clocksForSubject,
  extendClock,
  openClock,
  pauseClock,
  resumeClock,
  satisfyClock,
} from '../clocks/service.js';
import type { ClockRow } from '../clocks/model.js';
import {
  CLOCK_KIND,
  SUBJECT_KIND,
  challengeJson,
  disclosureAttachmentJson,
  requestClockJson,
  requestSummaryJson,
  stepJson,
  type RequestRow,
} from './model.js';
import {
  STATUS_LABELS,
  contactKey,
  correctionNoticeLastDay,
  defaultCorrectionDueOn,
  isAbandoned,
  outcomeByCode,
  stepRefusal,
  thirdPartyLastDay,
  type Outcome,
  type StepName,
} from './rules.js';
import type {
  AnnualInputs,
  ChallengeInput,
  ListQuery,
  PublicRequestInput,
  RegisterInput,
} from './schemas.js';
import { replyLetterDocx } from './letter.js';
import { addStep, visibleRequest } from './steps.js';
import { DisclosureAttachmentService } from './attachments.js';
import type { UploadedFile } from '../files/files.js';
import type { ChallengeResult, DisclosureRequestsTable } from './tables.js';
import { isOpen, OPEN_CLOCK_STATES } from '../clocks/states.js';
import { lockById, lockRow } from '../db/lock.js';

/** Times from the field may run a little ahead of the server; further ahead is a typo. */
const SKEW_MS = 5 * 60_000;

function fieldProblem(status: 409 | 422, field: string, message: string): HttpProblem {
  return new HttpProblem(status, status === 409 ? '冲突' : '无法处理', message, {
    errors: [{ field, message }],
  });
}

/** End of a Shanghai date (24:00), as an instant. */
function endOfDay(isoDate: string): Date {
  return DateTime.fromISO(isoDate, { zone: ZONE }).plus({ days: 1 }).startOf('day').toJSDate();
}

/**
 * 依申请公开 (条例 2019 Art. 27–45): the register, every step on the request's clock, reviews and
 * suits. Every change is one transaction with its step, its audit record and its clock change.
 */
export class DisclosureService {
  readonly attachments: DisclosureAttachmentService;

  constructor(private readonly core: Core) {
    this.attachments = new DisclosureAttachmentService(core);
  }

  private now(): Date {
    return this.core.clock.now();
  }

  private notInFuture(field: string, at: Date): void {
    if (at.getTime() > this.now().getTime() + SKEW_MS) throw fieldProblem(422, field, '不能是将来的时间');
  }

  /**
   * A step cannot precede the one it follows. Forms give minutes, so a step entered within the
   * same minute as its predecessor counts from the predecessor's instant.
   */
  private notBefore(field: string, at: Date, earliest: Date, what: string): Date {
    if (at.getTime() >= earliest.getTime()) return at;
    if (earliest.getTime() - at.getTime() < 60_000) return earliest;
    throw fieldProblem(422, field, `不能早于${what}`);
  }

  private async calendar(db: Trx, at: Date): Promise<WorkCalendar> {
    const y = Number(shanghaiDate(at).slice(0, 4));
    return loadCalendar(db, y, y + 1);
  }

  private async checkDepartment(trx: Trx, id: number | null | undefined): Promise<void> {
    if (id == null) return;
    const d = await trx.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst();
    if (!d) throw fieldProblem(422, 'departmentId', '部门不存在');
  }

  /** The next number of a year: 2026-0001, 2026-0002, … (serialised by an advisory lock). */
  private async nextNumber(trx: Trx, receivedAt: Date): Promise<string> {
    const year = shanghaiDate(receivedAt).slice(0, 4);
    await sql`select pg_advisory_xact_lock(hashtext('disclosure_requests.number'))`.execute(trx);
    const row = await trx
      .selectFrom('disclosure_requests')
      .select(sql<number>`coalesce(max(split_part(number, '-', 2)::int), 0)`.as('n'))
      .where('number', 'like', `${year}-%`)
      .executeTakeFirstOrThrow();
    return `${year}-${String(Number(row.n) + 1).padStart(4, '0')}`;
  }

  private async openPeriod(trx: Trx, r: RequestRow, startAt: Date): Promise<ClockRow> {
    return openClock(
      trx,
      {
        kind: CLOCK_KIND,
        subjectKind: SUBJECT_KIND,
        subjectId: r.id,
        title: `依申请公开 ${r.number}：${r.content.slice(0, 60)}`,
        departmentId: r.department_id,
        startAt,
      },
      this.now(),
    );
  }

  private async insertRequest(
    trx: Trx,
    ctx: Ctx,
    v: {
      channel: RequestRow['channel'];
      applicantType: RequestRow['applicant_type'];
      applicantName: string;
      contact: string;
      address: string;
      content: string;
      purpose: string;
      receivedAt: Date;
      departmentId: number | null;
      source: 'staff' | 'public';
    },
  ): Promise<RequestRow> {
    const number = await this.nextNumber(trx, v.receivedAt);
    const r = await trx
      .insertInto('disclosure_requests')
      .values({
        number,
        channel: v.channel,
        applicant_type: v.applicantType,
        applicant_name: v.applicantName,
        contact: v.contact,
        contact_key: contactKey(v.contact),
        address: v.address,
        content: v.content,
        purpose: v.purpose,
        received_at: v.receivedAt,
        period_start_at: v.receivedAt,
        department_id: v.departmentId,
        source: v.source,
        created_by: actorUserId(ctx.actor),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.openPeriod(trx, r, v.receivedAt);
    await addStep(trx, ctx, r.id, 'received', v.receivedAt, {
      number,
      channel: v.channel,
      source: v.source,
    });
    return r;
  }

  /** The disclosure office registers a request handed in, posted, faxed, e-mailed or received online. */
  async register(ctx: Ctx, input: RegisterInput) {
    authorize(ctx.actor, 'disclosure.register');
    this.notInFuture('receivedAt', input.receivedAt);
    const id = await this.core.db.transaction().execute(async (trx) => {
      await this.checkDepartment(trx, input.departmentId);
      const r = await this.insertRequest(trx, ctx, {
        channel: input.channel,
        applicantType: input.applicantType,
        applicantName: input.applicantName,
        contact: input.contact ?? '',
        address: input.address ?? '',
        content: input.content,
        purpose: input.purpose ?? '',
        receivedAt: input.receivedAt,
        departmentId: input.departmentId ?? null,
        source: 'staff',
      });
      return r.id;
    });
    return this.detail(ctx, id);
  }

  /** The public site's form: received the moment the applicant confirms it (Art. 31). */
  async submitPublic(
    ctx: Ctx,
    input: PublicRequestInput & { files?: UploadedFile[] },
  ): Promise<{ number: string; receivedAt: Date }> {
    const receivedAt = this.now();
    return this.core.db.transaction().execute(async (trx) => {
      const r = await this.insertRequest(trx, ctx, {
        channel: 'online',
        applicantType: input.applicantType,
        applicantName: input.applicantName,
        contact: input.contact,
        address: input.address ?? '',
        content: input.content,
        purpose: input.purpose ?? '',
        receivedAt,
        departmentId: null,
        source: 'public',
      });
      for (const f of input.files ?? []) await this.attachments.store(trx, ctx, r.id, f, 'public');
      return { number: r.number, receivedAt };
    });
  }

  /**
   * The applicant's status lookup. Unknown number and wrong contact answer the same null, so the
   * form is no oracle for which numbers exist; the route rate-limits failures.
   */
  async lookup(number: string, contact: string) {
    const r = await this.core.db
      .selectFrom('disclosure_requests')
      .selectAll()
      .where('number', '=', number)
      .executeTakeFirst();
    if (!r || r.contact_key === '' || r.contact_key !== contactKey(contact)) return null;
    const clocks = await clocksForSubject(this.core.db, SUBJECT_KIND, r.id);
    const clock = clocks.at(-1);
    const outcome = r.outcome ? outcomeByCode(r.outcome) : undefined;
    return {
      number: r.number,
      receivedAt: formatShanghai(r.received_at, 'yyyy-MM-dd'),
      statusLabel: STATUS_LABELS[r.status],
      dueOn:
        clock && r.status !== 'closed'
          ? formatShanghai(new Date(clock.due_at.getTime() - 1), 'yyyy-MM-dd')
          : null,
      paused: Boolean(clock?.paused_at),
      correctBy: r.status === 'correction' ? r.correction_due_on : null,
      outcome: outcome
        ? `${outcome.group}${outcome.group !== outcome.label ? `（${outcome.label}）` : ''}`
        : null,
      repliedOn: r.replied_at ? formatShanghai(r.replied_at, 'yyyy-MM-dd') : null,
    };
  }

  /** The request with its clock, its timeline and its reviews and suits (SPEC §4). */
  async detail(ctx: Ctx, id: number) {
    const r = await visibleRequest(this.core.db, ctx, id);
    const [clocks, steps, challenges, dept, attachments] = await Promise.all([
      clocksForSubject(this.core.db, SUBJECT_KIND, id),
      this.core.db
        .selectFrom('disclosure_steps')
        .selectAll()
        .where('request_id', '=', id)
        .orderBy('at')
        .orderBy('id')
        .execute(),
      this.core.db
        .selectFrom('disclosure_challenges')
        .selectAll()
        .where('request_id', '=', id)
        .orderBy('id')
        .execute(),
      r.department_id
        ? this.core.db
            .selectFrom('departments')
            .select('name')
            .where('id', '=', r.department_id)
            .executeTakeFirst()
        : undefined,
      this.attachments.list(ctx, id),
    ]);
    const cal = await loadCalendar(
      this.core.db,
      Number(shanghaiDate(r.received_at).slice(0, 4)),
      Number(shanghaiDate(this.now()).slice(0, 4)) + 1,
    );
    const clock = clocks.at(-1);
    return {
      ...requestSummaryJson(r, dept?.name),
      clock: requestClockJson(clock),
      periods: clocks.map(requestClockJson),
      correction: r.correction_requested_at
        ? {
            requestedAt: formatIso(r.correction_requested_at),
            correctBy: r.correction_due_on,
            correctedAt: formatIso(r.corrected_at),
          }
        : null,
      correctionNoticeLastDay: correctionNoticeLastDay(cal, r.received_at),
      consultation: r.consultation_started_at
        ? {
            startedAt: formatIso(r.consultation_started_at),
            party: r.consultation_party,
            thirdPartyLastDay: thirdPartyLastDay(cal, r.consultation_started_at),
          }
        : null,
      extension: r.extension_days
        ? { days: r.extension_days, approvedBy: r.extension_approved_by, reason: r.extension_reason }
        : null,
      reply: r.outcome
        ? { outcome: r.outcome, reason: r.reply_reason, repliedAt: formatIso(r.replied_at) }
        : null,
      steps: steps.map(stepJson),
      challenges: challenges.map(challengeJson),
      attachments: attachments.map(disclosureAttachmentJson),
    };
  }

  /** The register: the caller's department only for department staff; newest first. */
  async list(ctx: Ctx, q: ListQuery) {
    authorize(ctx.actor, 'disclosure.read');
    const scope = departmentFilter(ctx.actor!, 'disclosure.read');
    let query = this.core.db
      .selectFrom('disclosure_requests')
      .leftJoin('departments', 'departments.id', 'disclosure_requests.department_id')
      .leftJoin('clocks', (j) =>
        j
          .onRef('clocks.subject_id', '=', 'disclosure_requests.id')
          .on('clocks.subject_kind', '=', SUBJECT_KIND)
          .on('clocks.state', 'in', OPEN_CLOCK_STATES),
      )
      .selectAll('disclosure_requests')
      .select([
        'departments.name as department_name',
        'clocks.due_at as clock_due_at',
        'clocks.state as clock_state',
        'clocks.paused_at as clock_paused_at',
      ])
      .orderBy('disclosure_requests.id', 'desc')
      .limit(500);
    if (scope !== null) query = query.where('disclosure_requests.department_id', '=', scope);
    if (q.status === 'open') query = query.where('disclosure_requests.status', '<>', 'closed');
    else if (q.status) query = query.where('disclosure_requests.status', '=', q.status);
    if (q.department) query = query.where('disclosure_requests.department_id', '=', q.department);
    if (q.channel) query = query.where('disclosure_requests.channel', '=', q.channel);
    if (q.applicantType) query = query.where('disclosure_requests.applicant_type', '=', q.applicantType);
    if (q.year)
      query = query
        .where(
          'disclosure_requests.received_at',
          '>=',
          DateTime.fromObject({ year: q.year }, { zone: ZONE }).toJSDate(),
        )
        .where(
          'disclosure_requests.received_at',
          '<',
          DateTime.fromObject({ year: q.year + 1 }, { zone: ZONE }).toJSDate(),
        );
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([
          eb('disclosure_requests.number', 'like', like),
          eb('disclosure_requests.applicant_name', 'like', like),
          eb('disclosure_requests.content', 'like', like),
        ]),
      );
    }
    const rows = await query.execute();
    return rows.map((r) => ({
      ...requestSummaryJson(r, r.department_name),
      clock: r.clock_due_at
        ? {
            dueAt: formatIso(r.clock_due_at),
            state: r.clock_state,
            ...(r.clock_paused_at ? { pausedAt: formatIso(r.clock_paused_at) } : {}),
          }
        : null,
    }));
  }

  /** Locks a request the caller may handle and checks the step is allowed in its state. */
  private async lockFor(
    trx: Trx,
    ctx: Ctx,
    id: number,
    step: StepName,
  ): Promise<{ r: RequestRow; clock: ClockRow }> {
    const r = await visibleRequest(trx, ctx, id, { lock: true });
    authorize(ctx.actor, step === 'extension' ? 'disclosure.extend' : 'disclosure.handle', {
      departmentId: r.department_id,
    });
    const refusal = stepRefusal(step, {
      status: r.status,
      correctionRequested: r.correction_requested_at !== null,
      extended: r.extension_days !== null,
    });
    if (refusal)
      throw fieldProblem(409, step === 'extension' && r.extension_days ? 'days' : 'status', refusal);
    const clocks = await clocksForSubject(trx, SUBJECT_KIND, id);
    const clock = clocks.at(-1);
    if (!clock) throw HttpProblem.conflict('申请没有答复时钟');
    return { r, clock };
  }

  private async touch(trx: Trx, id: number, set: Updateable<DisclosureRequestsTable>) {
    await trx
      .updateTable('disclosure_requests')
      .set({ ...set, updated_at: this.now() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * One step on a request's clock, in one transaction: the time is checked, the request locked
   * and the step allowed in its state; `run` changes the clock and says what the row and the
   * timeline get. Answers the request as `detail` shows it.
   */
  private async step(
    ctx: Ctx,
    id: number,
    name: StepName,
    time: { field: string; at: Date },
    run: (
      trx: Trx,
      locked: { r: RequestRow; clock: ClockRow },
    ) => Promise<{ at: Date; set: Updateable<DisclosureRequestsTable>; data: Record<string, unknown> }>,
  ) {
    this.notInFuture(time.field, time.at);
    await this.core.db.transaction().execute(async (trx) => {
      const out = await run(trx, await this.lockFor(trx, ctx, id, name));
      await this.touch(trx, id, out.set);
      await addStep(trx, ctx, id, name, out.at, out.data);
    });
    return this.detail(ctx, id);
  }

  /** Art. 30: a one-time correction notice within 7 working days stops the clock. */
  async correction(
    ctx: Ctx,
    id: number,
    input: { requestedAt: Date; correctBy?: string | undefined; note?: string | undefined },
  ) {
    const time = { field: 'requestedAt', at: input.requestedAt };
    return this.step(ctx, id, 'correction', time, async (trx, { r, clock }) => {
      const at = this.notBefore(time.field, time.at, r.received_at, '收到申请的时间');
      const cal = await this.calendar(trx, r.received_at);
      const lastDay = correctionNoticeLastDay(cal, r.received_at);
      if (shanghaiDate(at) > lastDay)
        throw fieldProblem(422, time.field, `补正告知须在收到申请之日起 7 个工作日内（${lastDay} 前）作出`);
      const correctBy = input.correctBy ?? defaultCorrectionDueOn(cal, at);
      if (correctBy < shanghaiDate(at)) throw fieldProblem(422, 'correctBy', '补正期限不能早于告知日期');
      await pauseClock(trx, clock.id, this.now(), at);
      return {
        at,
        set: { status: 'correction', correction_requested_at: at, correction_due_on: correctBy },
        data: { correctBy, note: input.note ?? '' },
      };
    });
  }

  /** The corrected request arrives: a new full period from its receipt (Art. 30, 33). */
  async corrected(ctx: Ctx, id: number, input: { receivedAt: Date; note?: string | undefined }) {
    const time = { field: 'receivedAt', at: input.receivedAt };
    return this.step(ctx, id, 'corrected', time, async (trx, { r, clock }) => {
      const at = this.notBefore(time.field, time.at, r.correction_requested_at!, '补正告知的时间');
      if (r.correction_due_on && shanghaiDate(at) > r.correction_due_on)
        throw fieldProblem(422, time.field, `补正期限（${r.correction_due_on}）已过，申请视为放弃`);
      await cancelClock(trx, clock.id, this.now());
      await this.openPeriod(trx, r, at);
      return {
        at,
        set: { status: 'processing', corrected_at: at, period_start_at: at },
        data: { note: input.note ?? '' },
      };
    });
  }

  /** Art. 32: consulting a third party or another agency is not counted; the clock pauses. */
  async consultation(
    ctx: Ctx,
    id: number,
    input: { startedAt: Date; party?: string | undefined; note?: string | undefined },
  ) {
    const time = { field: 'startedAt', at: input.startedAt };
    return this.step(ctx, id, 'consultation', time, async (trx, { r, clock }) => {
      const at = this.notBefore(time.field, time.at, r.period_start_at, '本期计时开始的时间');
      await pauseClock(trx, clock.id, this.now(), at);
      const party = input.party ?? '';
      return {
        at,
        set: { status: 'consultation', consultation_started_at: at, consultation_party: party },
        data: {
          party,
          thirdPartyLastDay: thirdPartyLastDay(await this.calendar(trx, at), at),
          note: input.note ?? '',
        },
      };
    });
  }

  async consultationEnd(ctx: Ctx, id: number, input: { endedAt: Date; note?: string | undefined }) {
    const time = { field: 'endedAt', at: input.endedAt };
    return this.step(ctx, id, 'consultation_end', time, async (trx, { r, clock }) => {
      const at = this.notBefore(time.field, time.at, r.consultation_started_at!, '征求意见开始的时间');
      const resumed = await resumeClock(trx, clock.id, this.now(), at);
      return {
        at,
        set: { status: 'processing' },
        data: {
          pausedWorkingDays: resumed.paused_working_days - clock.paused_working_days,
          note: input.note ?? '',
        },
      };
    });
  }

  /** Art. 33: the head of the disclosure office extends once, by at most 20 working days. */
  async extension(
    ctx: Ctx,
    id: number,
    input: { approvedBy: string; reason: string; days: number; approvedAt?: Date | undefined },
  ) {
    const time = { field: 'approvedAt', at: input.approvedAt ?? this.now() };
    return this.step(ctx, id, 'extension', time, async (trx, { clock }) => {
      if (clock.state !== 'running') throw fieldProblem(409, 'status', '答复期限已过，不能再延长');
      await extendClock(trx, clock.id, this.now(), input.days);
      const { days, approvedBy, reason } = input;
      return {
        at: time.at,
        set: { extension_days: days, extension_approved_by: approvedBy, extension_reason: reason },
        data: { days, approvedBy, reason },
      };
    });
  }

  /** The reply, with exactly one outcome of table 三; the clock is met or met late. */
  async reply(
    ctx: Ctx,
    id: number,
    input: { outcome: Outcome; reason?: string | undefined; repliedAt: Date },
  ) {
    this.notInFuture('repliedAt', input.repliedAt);
    await this.core.db.transaction().execute(async (trx) => {
      const { r } = await this.lockFor(trx, ctx, id, 'reply');
      const repliedAt = this.notBefore('repliedAt', input.repliedAt, r.period_start_at, '本期计时开始的时间');
      const needsReason = !['disclose'].includes(input.outcome.code);
      if (needsReason && !input.reason) throw fieldProblem(422, 'reason', '除予以公开外，答复须说明理由');
      await this.close(trx, ctx, r, input.outcome, input.reason ?? '', repliedAt, 'reply');
    });
    return this.detail(ctx, id);
  }

  private async close(
    trx: Trx,
    ctx: Ctx,
    r: RequestRow,
    outcome: Outcome,
    reason: string,
    at: Date,
    step: 'reply' | 'abandoned',
  ): Promise<void> {
    const now = this.now();
    const stopped =
      step === 'reply'
        ? await satisfyClock(trx, { subjectKind: SUBJECT_KIND, subjectId: r.id, kind: CLOCK_KIND }, at, now)
        : null;
    if (step === 'abandoned') {
      const clocks = await clocksForSubject(trx, SUBJECT_KIND, r.id);
      for (const c of clocks) if (isOpen(c.state)) await cancelClock(trx, c.id, now);
    }
    await this.touch(trx, r.id, {
      status: 'closed',
      outcome: outcome.code,
      reply_reason: reason,
      replied_at: step === 'reply' ? at : null,
      closed_at: at,
    });
    await addStep(trx, ctx, r.id, step, at, {
      outcome: outcome.code,
      outcomeLabel: `${outcome.group}：${outcome.label}`,
      reason,
      ...(stopped ? { clockState: stopped.state, latenessSeconds: stopped.lateness_seconds } : {}),
    });
  }

  /**
   * 视为放弃 (Art. 30): a request whose correction date has passed is closed as 其他处理 —
   * 逾期不补正. Run by the capability's sweep on the platform clock; returns the numbers closed.
   */
  async sweepAbandoned(): Promise<string[]> {
    const today = shanghaiDate(this.now());
    const due = await this.core.db
      .selectFrom('disclosure_requests')
      .select('id')
      .where('status', '=', 'correction')
      .where('correction_due_on', '<', today)
      .execute();
    const closed: string[] = [];
    const outcome = outcomeByCode('other_no_correction')!;
    for (const { id } of due) {
      await this.core.db.transaction().execute(async (trx) => {
        const r = await lockRow(trx, 'disclosure_requests', id);
        if (
          !r ||
          r.status !== 'correction' ||
          !r.correction_due_on ||
          !isAbandoned(r.correction_due_on, today)
        )
          return;
        await this.close(
          trx,
          { actor: undefined, requestId: 'sweep' },
          r,
          outcome,
          '申请人无正当理由逾期不补正，视为放弃申请',
          endOfDay(r.correction_due_on),
          'abandoned',
        );
        closed.push(r.number);
      });
    }
    return closed;
  }

  /** The disclosure office names (or changes) the department that answers. */
  async assign(ctx: Ctx, id: number, departmentId: number) {
    authorize(ctx.actor, 'disclosure.register');
    await this.core.db.transaction().execute(async (trx) => {
      await this.checkDepartment(trx, departmentId);
      const r = await lockById(trx, 'disclosure_requests', id, '申请不存在');
      if (r.status === 'closed') throw fieldProblem(409, 'status', '已办结的申请不能改派');
      await this.touch(trx, id, { department_id: departmentId });
      await trx
        .updateTable('clocks')
        .set({ department_id: departmentId })
        .where('subject_kind', '=', SUBJECT_KIND)
        .where('subject_id', '=', id)
        .execute();
      await addStep(trx, ctx, id, 'assigned', this.now(), { from: r.department_id, departmentId });
    });
    return this.detail(ctx, id);
  }

  /** 行政复议 / 行政诉讼 against a reply (table 四). */
  async addChallenge(ctx: Ctx, id: number, input: ChallengeInput) {
    authorize(ctx.actor, 'disclosure.challenge');
    await this.core.db.transaction().execute(async (trx) => {
      const r = await lockById(trx, 'disclosure_requests', id, '申请不存在');
      if (r.status !== 'closed')
        throw fieldProblem(409, 'status', '只能对已答复的申请登记行政复议或行政诉讼');
      if (input.filedOn < shanghaiDate(r.closed_at!)) throw fieldProblem(422, 'filedOn', '不能早于答复日期');
      if (input.filedOn > shanghaiDate(this.now())) throw fieldProblem(422, 'filedOn', '不能是将来的日期');
      const c = await trx
        .insertInto('disclosure_challenges')
        .values({
          request_id: id,
          kind: input.kind,
          after_review: input.afterReview,
          filed_on: input.filedOn,
          result: input.result,
          decided_on: input.decidedOn ?? null,
          note: input.note ?? '',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await addStep(trx, ctx, id, 'challenge', DateTime.fromISO(input.filedOn, { zone: ZONE }).toJSDate(), {
        challengeId: c.id,
        kind: input.kind,
        afterReview: input.afterReview,
        result: input.result,
      });
    });
    return this.detail(ctx, id);
  }

  async decideChallenge(
    ctx: Ctx,
    id: number,
    challengeId: number,
    input: { result: ChallengeResult; decidedOn?: string | undefined },
  ) {
    authorize(ctx.actor, 'disclosure.challenge');
    await this.core.db.transaction().execute(async (trx) => {
      const c = await lockById(trx, 'disclosure_challenges', challengeId, '复议或诉讼记录不存在');
      if (c.request_id !== id) throw HttpProblem.notFound('复议或诉讼记录不存在');
      const decidedOn = input.result === 'pending' ? null : (input.decidedOn ?? null);
      if (decidedOn && decidedOn < c.filed_on)
        throw fieldProblem(422, 'decidedOn', '审结日期不能早于立案日期');
      await trx
        .updateTable('disclosure_challenges')
        .set({ result: input.result, decided_on: decidedOn, updated_at: this.now() })
        .where('id', '=', challengeId)
        .execute();
      await addStep(
        trx,
        ctx,
        id,
        'challenge_result',
        decidedOn ? DateTime.fromISO(decidedOn, { zone: ZONE }).toJSDate() : this.now(),
        {
          challengeId,
          kind: c.kind,
          result: input.result,
        },
      );
    });
    return this.detail(ctx, id);
  }

  /** The reply letter (告知书) of a closed request, as a Word file. */
  async letter(ctx: Ctx, id: number): Promise<{ buffer: Buffer; filename: string }> {
    const r = await visibleRequest(this.core.db, ctx, id);
    if (r.status !== 'closed' || !r.outcome) throw fieldProblem(409, 'status', '申请尚未答复，没有告知书');
    const dept = r.department_id
      ? await this.core.db
          .selectFrom('departments')
          .select('name')
          .where('id', '=', r.department_id)
          .executeTakeFirst()
      : undefined;
    const buffer = await replyLetterDocx(r, this.core.config.siteName, dept?.name ?? null);
    return { buffer, filename: `政府信息公开申请答复告知书-${r.number}.docx` };
  }

  /** Table 二's rows the platform does not hold (许可, 处罚, 强制, 收费), entered for a year. */
  async saveAnnualInputs(ctx: Ctx, year: number, data: AnnualInputs): Promise<void> {
    authorize(ctx.actor, 'disclosure.register');
    await this.core.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('disclosure_annual_inputs')
        .select('data')
        .where('year', '=', year)
        .executeTakeFirst();
      await trx
        .insertInto('disclosure_annual_inputs')
        .values({ year, data: JSON.stringify(data), updated_at: this.now() })
        .onConflict((oc) =>
          oc.column('year').doUpdateSet({ data: JSON.stringify(data), updated_at: this.now() }),
        )
        .execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'disclosure.annual_inputs',
        subjectKind: 'disclosure_annual_report',
        subjectId: year,
        before: before?.data,
        after: data,
        requestId: ctx.requestId,
      });
    });
  }

  /** Marks a document 规章 / 行政规范性文件 and records its 废止 date (annual report table 二). */
  async setNormative(
    ctx: Ctx,
    policyId: number,
    input: { normativeKind: 'regulation' | 'normative' | null; repealedOn: string | null },
  ) {
    authorize(ctx.actor, 'policy.approve');
    return this.core.db.transaction().execute(async (trx) => {
      const p = await trx
        .selectFrom('policies')
        .select(['id', 'normative_kind', 'repealed_on', 'published_at'])
        .where('id', '=', policyId)
        .forUpdate()
        .executeTakeFirst();
      if (!p) throw HttpProblem.notFound('政策文件不存在');
      if (input.repealedOn && (!p.published_at || input.repealedOn < shanghaiDate(p.published_at)))
        throw fieldProblem(422, 'repealedOn', '废止日期不能早于公开日期');
      await trx
        .updateTable('policies')
        .set({ normative_kind: input.normativeKind, repealed_on: input.repealedOn })
        .where('id', '=', policyId)
        .execute();
      await recordAudit(trx, {
        actor: ctx.actor,
        action: 'policy.normative',
        subjectKind: 'policy',
        subjectId: policyId,
        before: { normativeKind: p.normative_kind, repealedOn: p.repealed_on },
        after: input,
        requestId: ctx.requestId,
      });
      return { id: policyId, normativeKind: input.normativeKind, repealedOn: input.repealedOn };
    });
  }
}

function formatIso(d: Date | null): string | null {
  return d ? DateTime.fromJSDate(d, { zone: ZONE }).toISO({ suppressMilliseconds: true }) : null;
}
