import { buildCalendar } from '../../src/calendar/build.js';
import { packagedSchedule } from '../../src/calendar/official.js';
import type { DayException } from '../../src/calendar/workdays.js';
import {
  OUTCOMES,
  consultationPauseDays,
  correctionNoticeLastDay,
  defaultCorrectionDueOn,
  outcomeOf,
  replyDueAt,
  stepRefusal,
  table3,
  table4,
  thirdPartyLastDay,
  type RequestFacts,
} from '../../src/disclosure/rules.js';

function officialCalendar(years: number[]) {
  const official = new Map<string, DayException>();
  for (const y of years) for (const [d, ex] of packagedSchedule(y) ?? []) official.set(d, ex);
  return buildCalendar({
    official,
    overrides: new Map(),
    certainYears: new Set(years),
    years: [...years, years.at(-1)! + 1],
  });
}
const cal = officialCalendar([2025, 2026]);
const sh = (iso: string) => new Date(`${iso}+08:00`);
const iso = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);

describe('reply period on the PRC calendar (开始的当日不计入, due 24:00 of the last working day)', () => {
  // Received on 2026-09-25, itself a 中秋 holiday; 09-26/27 off, 国庆 10-01…10-07 off, Sat 10-10 调休上班.
  const received = sh('2026-09-25T09:30:00');

  it('20 working days from 2026-09-25 end on Thu 2026-10-29', () => {
    expect(iso(replyDueAt(cal, { startAt: received, periodDays: 20 }))).toBe('2026-10-30T00:00');
  });

  it('15 working days (seeds 002/004) end on Thu 2026-10-22', () => {
    expect(iso(replyDueAt(cal, { startAt: received, periodDays: 15 }))).toBe('2026-10-23T00:00');
  });

  it('a correction notice is due within 7 working days: by Mon 2026-10-12 (Sat 10-10 counts)', () => {
    expect(correctionNoticeLastDay(cal, received)).toBe('2026-10-12');
    // Without a stated date the applicant has 15 working days from the notice.
    expect(defaultCorrectionDueOn(cal, sh('2026-09-29T10:00:00'))).toBe('2026-10-26');
  });

  it('补正: the corrected request received Fri 2026-10-09 opens a new full period to Thu 2026-11-05', () => {
    expect(iso(replyDueAt(cal, { startAt: sh('2026-10-09T15:00:00'), periodDays: 20 }))).toBe(
      '2026-11-06T00:00',
    );
  });

  it('a consultation from Mon 10-12 to Tue 10-20 is 6 working days not counted: due Fri 11-06', () => {
    const paused = consultationPauseDays(cal, sh('2026-10-12T09:00:00'), sh('2026-10-20T16:00:00'));
    expect(paused).toBe(6);
    expect(iso(replyDueAt(cal, { startAt: received, periodDays: 20, pausedWorkingDays: paused }))).toBe(
      '2026-11-07T00:00',
    );
    expect(thirdPartyLastDay(cal, sh('2026-10-12T09:00:00'))).toBe('2026-11-02');
  });

  it('a 20-day extension after that pause moves the due date to Fri 2026-12-04', () => {
    expect(
      iso(replyDueAt(cal, { startAt: received, periodDays: 20, pausedWorkingDays: 6, extensionDays: 20 })),
    ).toBe('2026-12-05T00:00');
  });

  it('across 春节 2026 (02-15…02-23 off, Sat 02-14 and Sat 02-28 调休上班)', () => {
    // 02-11(1) 12(2) 13(3) 14(4) 24(5) 25(6) 26(7) 27(8) 28(9) 03-02(10) … 03-13(19) 03-16(20)
    expect(iso(replyDueAt(cal, { startAt: sh('2026-02-10T10:00:00'), periodDays: 20 }))).toBe(
      '2026-03-17T00:00',
    );
  });
});

describe('which step is allowed when', () => {
  const s = (status: 'processing' | 'correction' | 'consultation' | 'closed', extra = {}) => ({
    status,
    correctionRequested: false,
    extended: false,
    ...extra,
  });
  it.each([
    ['correction', s('processing'), null],
    ['correction', s('processing', { correctionRequested: true }), '一次性'],
    ['corrected', s('processing'), '当前状态'],
    ['consultation', s('correction'), '当前状态'],
    ['consultation_end', s('consultation'), null],
    ['extension', s('processing', { extended: true }), '只能延长一次'],
    ['reply', s('consultation'), '当前状态'],
    ['reply', s('closed'), '当前状态'],
    ['reply', s('processing'), null],
  ] as const)('%s in %o', (step, state, expected) => {
    const r = stepRefusal(step, state);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toContain(expected);
  });
});

describe('outcomes', () => {
  it('are the 21 rows of table 三 with unique codes', () => {
    expect(OUTCOMES).toHaveLength(21);
    expect(new Set(OUTCOMES.map((o) => o.code)).size).toBe(21);
    expect(OUTCOMES.filter((o) => o.group === '不予公开')).toHaveLength(8);
    expect(OUTCOMES.filter((o) => o.group === '无法提供')).toHaveLength(3);
    expect(OUTCOMES.filter((o) => o.group === '不予处理')).toHaveLength(5);
    expect(OUTCOMES.filter((o) => o.group === '其他处理')).toHaveLength(3);
  });
  it('are found by code, label, or group and label', () => {
    expect(outcomeOf('予以公开')?.code).toBe('disclose');
    expect(outcomeOf('重复申请')?.code).toBe('reject_repeat');
    expect(outcomeOf('危及“三安全一稳定”')?.code).toBe('withhold_security');
    expect(outcomeOf('其他处理：逾期不补正')?.code).toBe('other_no_correction');
    expect(outcomeOf('其他')?.code).toBe('other');
    expect(outcomeOf('不予公开')).toBeUndefined();
    expect(outcomeOf('')).toBeUndefined();
  });
});

describe('table 三', () => {
  const r = (
    applicantType: RequestFacts['applicantType'],
    receivedOn: string,
    closedOn: string | null,
    outcome: string | null = null,
  ): RequestFacts => ({ applicantType, receivedOn, closedOn, outcome });
  const facts = [
    r('natural_person', '2025-12-20', '2026-01-10', 'disclose'), // 上年结转, closed this year
    r('business', '2025-12-28', null), // 上年结转, still open → 结转下年度
    r('natural_person', '2025-11-01', '2025-11-20', 'disclose'), // closed last year: not counted
    r('natural_person', '2026-03-01', '2026-03-20', 'partial'),
    r('natural_person', '2026-04-01', '2026-04-10', 'withhold_third_party'),
    r('research', '2026-05-01', '2026-05-30', 'unable_not_held'),
    r('legal_service', '2026-12-25', null), // 结转下年度
    r('public_interest', '2026-12-30', '2027-01-05', 'disclose'), // closed next year → 结转下年度
    r('natural_person', '2027-01-02', null), // next year: not counted
  ];
  const t = table3(facts, 2026);
  it('counts 本年新收, 上年结转, results and 结转下年度 per applicant type, and balances', () => {
    expect(t.newlyReceived).toEqual({
      natural_person: 2,
      business: 0,
      research: 1,
      public_interest: 1,
      legal_service: 1,
      other_org: 0,
      total: 5,
    });
    expect(t.carriedOver.total).toBe(2);
    expect(t.carriedOver.natural_person).toBe(1);
    expect(t.carriedOver.business).toBe(1);
    expect(t.resultsTotal.total).toBe(4);
    expect(t.outcomes.find((x) => x.key === 'disclose')!.counts.natural_person).toBe(1);
    expect(t.groups.find((g) => g.key === 'withhold')!.counts.total).toBe(1);
    expect(t.carriedForward).toMatchObject({ business: 1, legal_service: 1, public_interest: 1, total: 3 });
    expect(t.balanced).toBe(true);
  });
  it('names the column that does not balance', () => {
    const bad = table3([r('business', '2026-02-01', '2025-12-01', 'disclose')], 2026);
    expect(bad.balanced).toBe(false);
    expect(bad.unbalancedColumns).toEqual(['business', 'total']);
  });
});

describe('table 四', () => {
  it('counts reviews and suits filed in the year by their result at year end', () => {
    const t = table4(
      [
        {
          kind: 'review',
          afterReview: false,
          filedOn: '2026-03-01',
          result: 'upheld',
          decidedOn: '2026-05-01',
        },
        {
          kind: 'review',
          afterReview: false,
          filedOn: '2026-11-01',
          result: 'corrected',
          decidedOn: '2027-01-10',
        },
        { kind: 'suit', afterReview: false, filedOn: '2026-06-01', result: 'other', decidedOn: '2026-09-01' },
        { kind: 'suit', afterReview: true, filedOn: '2026-07-01', result: 'pending', decidedOn: null },
        {
          kind: 'review',
          afterReview: false,
          filedOn: '2025-07-01',
          result: 'upheld',
          decidedOn: '2025-09-01',
        },
      ],
      2026,
    );
    expect(t.review).toEqual({ upheld: 1, corrected: 0, other: 0, pending: 1, total: 2 });
    expect(t.suitDirect).toEqual({ upheld: 0, corrected: 0, other: 1, pending: 0, total: 1 });
    expect(t.suitAfterReview).toEqual({ upheld: 0, corrected: 0, other: 0, pending: 1, total: 1 });
  });
});
