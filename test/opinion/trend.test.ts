import { trendOf } from '../../src/opinion/analysis/rules.js';

// Issue 13: the trend arrow said 回落 while an event's volume was still growing. The series' last
// bucket is the current hour; `now` says how much of it has passed.
const HOUR = 3600_000;
const at = (minutes: number) => 100 * HOUR + minutes * 60_000;

describe('trendOf compares the last hours with the hours before, at equal rates', () => {
  it('a new hour just begun is not a drop', () => {
    // Six an hour throughout; five minutes into the new hour one item has come so far.
    expect(trendOf([6, 6, 6, 6, 6, 1], at(5))).toBe('flat');
    // The old rule compared that one item with the full hours before it and said 回落.
    expect(trendOf([2, 2, 2, 4, 6, 1], at(3))).toBe('rising');
  });

  it('an event still growing never reads 回落', () => {
    for (let minutes = 0; minutes < 60; minutes += 5) {
      const sofar = Math.floor((minutes / 60) * 8);
      expect(trendOf([1, 2, 3, 4, 6, sofar], at(minutes))).not.toBe('falling');
      expect(trendOf([5, 5, 5, 5, 5, sofar], at(minutes))).not.toBe('falling');
    }
  });

  it('rising when the recent rate is well above the earlier one', () => {
    expect(trendOf([0, 0, 0, 1, 2, 5], at(30))).toBe('rising');
    expect(trendOf([0, 0, 0, 0, 0, 3], at(10))).toBe('rising');
    // Too few items to call anything.
    expect(trendOf([0, 0, 0, 0, 1, 1], at(59))).toBe('flat');
  });

  it('falling only when the window and the latest hour both run at half the earlier rate or less', () => {
    expect(trendOf([6, 6, 6, 1, 1, 0], at(54))).toBe('falling');
    expect(trendOf([6, 6, 6, 0, 0, 0], at(30))).toBe('falling');
    // Quiet window, but the latest hour picked up again: not 回落.
    expect(trendOf([6, 6, 6, 0, 0, 4], at(30))).not.toBe('falling');
    // A quiet event stays flat.
    expect(trendOf([1, 0, 1, 0, 0, 0], at(30))).toBe('flat');
  });

  it('uses the longest comparable windows a short series allows', () => {
    expect(trendOf([], at(30))).toBe('flat');
    expect(trendOf([4], at(30))).toBe('flat');
    expect(trendOf([8, 1], at(59))).toBe('falling');
    // Twenty-four hours of history: only the last six count with the default three-hour window.
    const day = [...Array<number>(18).fill(50), 2, 2, 2, 2, 2, 1];
    expect(trendOf(day, at(30))).toBe('flat');
  });
});
