import { buildCalendar } from '../../src/calendar/build.js';
import { packagedSchedule } from '../../src/calendar/official.js';
import { statutoryHolidays } from '../../src/calendar/statutory.js';
import { addHours, addWorkingDays, isWorkday, type DayException } from '../../src/calendar/workdays.js';
import * as rules from '../../src/clocks/rules.js';
import { DEFAULT_CLOCK_POLICIES } from '../../src/clocks/time-limits.js';

function officialCalendar(years: number[], overrides = new Map<string, DayException>()) {
  const official = new Map<string, DayException>();
  const certain = new Set<number>();
  for (const y of years) {
    const s = packagedSchedule(y);
    if (!s) continue;
    certain.add(y);
    for (const [d, ex] of s) official.set(d, ex);
  }
  return buildCalendar({ official, overrides, certainYears: certain, years: [...years, 2027] });
}

const cal = officialCalendar([2024, 2025, 2026]);
const sh = (iso: string) => new Date(`${iso}+08:00`);
const { computeDeadline, decideThreshold, thresholdsFor, completion, warningTimes } = rules;
const policy = (kind: string) => DEFAULT_CLOCK_POLICIES.find((p) => p.kind === kind)!.config;

describe('3 working days after publication (开始的当日不计入, due 24:00 Asia/Shanghai)', () => {
  // [published (Shanghai local), due = 00:00 of the day after the 3rd working day]
  const cases: [string, string, string][] = [
    ['2025-09-26T10:00:00', '2025-10-01T00:00:00', 'SPEC example: Fri before 国庆, Sun 09-28 is 调休上班'],
    ['2025-09-28T09:00:00', '2025-10-10T00:00:00', 'published on the 调休 Sunday itself'],
    ['2025-09-30T18:00:00', '2025-10-12T00:00:00', '国庆+中秋 2025, Sat 10-11 调休上班 is the 3rd day'],
    ['2024-12-31T15:00:00', '2025-01-07T00:00:00', '元旦 2025'],
    ['2025-01-24T11:00:00', '2025-02-06T00:00:00', '春节 2025, Sun 01-26 调休上班'],
    ['2025-04-03T11:00:00', '2025-04-10T00:00:00', '清明 2025'],
    ['2025-04-25T11:00:00', '2025-04-30T00:00:00', '劳动节 2025, Sun 04-27 调休上班'],
    ['2025-04-30T11:00:00', '2025-05-09T00:00:00', '劳动节 2025 holiday week'],
    ['2025-05-30T11:00:00', '2025-06-06T00:00:00', '端午 2025'],
    ['2024-02-08T11:00:00', '2024-02-20T00:00:00', '春节 2024, Sun 02-18 调休上班'],
    ['2024-04-03T11:00:00', '2024-04-10T00:00:00', '清明 2024, Sun 04-07 调休上班'],
    ['2024-06-07T11:00:00', '2024-06-14T00:00:00', '端午 2024'],
    ['2024-09-13T11:00:00', '2024-09-20T00:00:00', '中秋 2024, Sat 09-14 调休上班'],
    ['2024-09-27T11:00:00', '2024-10-09T00:00:00', '国庆 2024, Sun 09-29 调休上班'],
    ['2025-12-31T11:00:00', '2026-01-07T00:00:00', '元旦 2026, Sun 01-04 调休上班'],
    ['2026-02-13T11:00:00', '2026-02-26T00:00:00', '春节 2026, Sat 02-14 调休上班'],
    ['2026-02-26T11:00:00', '2026-03-03T00:00:00', 'after 春节 2026, Sat 02-28 调休上班'],
    ['2026-04-02T11:00:00', '2026-04-09T00:00:00', '清明 2026'],
    ['2026-04-30T11:00:00', '2026-05-09T00:00:00', '劳动节 2026, Sat 05-09 调休上班 is the 3rd day'],
    ['2026-06-18T11:00:00', '2026-06-25T00:00:00', '端午 2026'],
    ['2026-09-18T11:00:00', '2026-09-23T00:00:00', 'Sun 09-20 调休上班 before 国庆 2026'],
    ['2026-09-24T11:00:00', '2026-10-01T00:00:00', '中秋 2026'],
    ['2026-09-30T11:00:00', '2026-10-11T00:00:00', '国庆 2026, Sat 10-10 调休上班'],
    ['2025-09-26T23:59:59', '2025-10-01T00:00:00', 'one second before midnight still counts from Friday'],
    ['2025-09-27T00:00:00', '2025-10-01T00:00:00', 'published on a Saturday holiday'],
  ];
  test.each(cases)('%s → %s (%s)', (published, due) => {
    const d = computeDeadline(policy('interpretation'), cal, { startAt: sh(published) });
    expect(d.dueAt.toISOString()).toBe(sh(due).toISOString());
    expect(d.calendarCertain).toBe(true);
  });

  test('the instant is read in Asia/Shanghai, not UTC', () => {
    // 2025-09-25T16:30Z is already Friday 00:30 in Shanghai.
    expect(addWorkingDays(cal, new Date('2025-09-25T16:30:00Z'), 3).toISOString()).toBe(
      sh('2025-10-01T00:00:00').toISOString(),
    );
  });

  test('a day override changes the count', () => {
    const overridden = officialCalendar([2025], new Map([['2025-09-29', { work: false, name: '临时停工' }]]));
    expect(addWorkingDays(overridden, sh('2025-09-26T10:00:00'), 3).toISOString()).toBe(
      sh('2025-10-10T00:00:00').toISOString(),
    );
  });
});

describe('years without an official schedule', () => {
  test('2027 gets the statutory holidays of 《全国年节及纪念日放假办法》 (2024)', () => {
    const h = statutoryHolidays(2027);
    expect([...h.keys()].sort()).toEqual([
      '2027-01-01',
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-04-05',
      '2027-05-01',
      '2027-05-02',
      '2027-06-09',
      '2027-09-15',
      '2027-10-01',
      '2027-10-02',
      '2027-10-03',
    ]);
    expect(h.get('2027-02-05')?.name).toBe('春节');
  });

  test('a deadline crossing into 2027 is provisional', () => {
    const d = computeDeadline(policy('interpretation'), cal, { startAt: sh('2027-02-04T10:00:00') });
    expect(d.dueAt.toISOString()).toBe(sh('2027-02-12T00:00:00').toISOString());
    expect(d.calendarCertain).toBe(false);
    const crossing = computeDeadline(policy('interpretation'), cal, { startAt: sh('2026-12-30T10:00:00') });
    expect(crossing.dueAt.toISOString()).toBe(sh('2027-01-06T00:00:00').toISOString());
    expect(crossing.calendarCertain).toBe(false);
  });

  test('weekends stay weekends and 调休 Saturdays work', () => {
    expect(isWorkday(cal, '2026-10-10')).toBe(true);
    expect(isWorkday(cal, '2026-10-11')).toBe(false);
    expect(isWorkday(cal, '2026-10-07')).toBe(false);
    expect(isWorkday(cal, '2027-03-01')).toBe(true);
  });
});

describe('natural-hour windows', () => {
  test.each([
    ['initial_release', '2026-11-23T10:00:00', '2026-11-23T15:00:00'],
    ['press_conference', '2026-11-23T10:00:00', '2026-11-24T10:00:00'],
    ['response', '2026-09-30T22:30:00', '2026-10-02T22:30:00'],
  ])('%s from %s is due %s, holidays or not', (kind, start, due) => {
    const d = computeDeadline(policy(kind), cal, { startAt: sh(start) });
    expect(d.dueAt.toISOString()).toBe(sh(due).toISOString());
  });

  test('pause time is not counted', () => {
    const d = computeDeadline(policy('initial_release'), cal, {
      startAt: sh('2026-11-23T10:00:00'),
      pausedSeconds: 1800,
    });
    expect(d.dueAt.toISOString()).toBe(sh('2026-11-23T15:30:00').toISOString());
  });

  test('refuses a non-positive window', () => {
    expect(() => addHours(new Date(), -5)).toThrow(RangeError);
  });
});

describe('thresholds', () => {
  const start = sh('2025-09-26T10:00:00');
  const due = sh('2025-10-01T00:00:00');
  const ts = thresholdsFor(policy('interpretation'), cal, start, due);

  test('warnings at 50 %, 80 % and the start of the last working day, then breach and escalation', () => {
    expect(ts.map((t) => [t.key, t.dueAt.toISOString()])).toEqual([
      ['warn:50', sh('2025-09-28T17:00:00').toISOString()],
      ['warn:lastday', sh('2025-09-30T00:00:00').toISOString()],
      ['warn:80', sh('2025-09-30T02:00:00').toISOString()],
      ['breach', due.toISOString()],
      ['esc:1', sh('2025-10-01T08:00:00').toISOString()],
    ]);
  });

  test('pages get the same warning points from the clock row alone (no calendar)', () => {
    const warnings = (p: Parameters<typeof thresholdsFor>[0], from: Date, to: Date) =>
      thresholdsFor(p, cal, from, to)
        .filter((x) => x.key.startsWith('warn:'))
        .map((x) => x.dueAt.toISOString());
    const iso = (ds: Date[]) => ds.map((d) => d.toISOString());
    expect(iso(warningTimes(policy('interpretation'), start, due))).toEqual(
      warnings(policy('interpretation'), start, due),
    );
    // Over the National Day holiday, and for 20 working days; an hours window has no last-day warning.
    for (const [kind, at] of [
      ['interpretation', '2025-09-30T16:00:00'],
      ['disclosure_request', '2025-09-20T09:00:00'],
      ['response', '2025-09-30T23:00:00'],
    ] as const) {
      const from = sh(at);
      const to = computeDeadline(policy(kind), cal, { startAt: from }).dueAt;
      expect(iso(warningTimes(policy(kind), from, to))).toEqual(warnings(policy(kind), from, to));
    }
    expect(warningTimes(policy('response'), start, sh('2025-09-28T10:00:00'))).toHaveLength(2);
  });

  const running = { state: 'running' as const, pausedAt: null };
  const breached = { state: 'breached' as const, pausedAt: null };
  const t = (key: string) => ts.find((x) => x.key === key)!;

  test('a threshold not yet due waits', () => {
    expect(decideThreshold(running, t('warn:50'), ts, sh('2025-09-28T16:59:59'))).toBe('wait');
    expect(decideThreshold(running, t('warn:50'), ts, sh('2025-09-28T17:00:00'))).toBe('fire');
  });

  test('a clock recorded late fires its breach once and skips overtaken warnings', () => {
    const now = sh('2025-10-01T00:30:00');
    expect(decideThreshold(running, t('warn:50'), ts, now)).toBe('skip');
    expect(decideThreshold(running, t('warn:80'), ts, now)).toBe('skip');
    expect(decideThreshold(running, t('breach'), ts, now)).toBe('fire');
    expect(decideThreshold(running, t('esc:1'), ts, now)).toBe('wait');
  });

  test('escalation fires only for a breached clock; a met clock fires nothing', () => {
    const now = sh('2025-10-01T09:00:00');
    expect(decideThreshold(breached, t('esc:1'), ts, now)).toBe('fire');
    expect(decideThreshold({ state: 'met', pausedAt: null }, t('esc:1'), ts, now)).toBe('skip');
    expect(decideThreshold({ state: 'met', pausedAt: null }, t('breach'), ts, now)).toBe('skip');
    expect(decideThreshold({ state: 'running', pausedAt: now }, t('breach'), ts, now)).toBe('wait');
  });

  test('completion is met before due and met_late with lateness after', () => {
    expect(completion(due, sh('2025-09-30T23:59:59'))).toEqual({ state: 'met', latenessSeconds: 0 });
    expect(completion(due, sh('2025-10-01T01:30:00'))).toEqual({ state: 'met_late', latenessSeconds: 5400 });
  });
});
