import { formatDeadline, formatDuration } from '../../src/shared/time.js';

describe('formatDeadline', () => {
  it('reads a deadline at midnight as 24:00 of the day before', () => {
    expect(formatDeadline(new Date('2026-11-25T16:00:00Z'))).toBe('11月25日 24:00');
    expect(formatDeadline('2026-11-26T00:00:00+08:00')).toBe('11月25日 24:00');
    expect(formatDeadline(new Date('2027-01-01T00:00:00+08:00'))).toBe('12月31日 24:00');
  });
  it('shows other deadlines as they are, in Beijing time', () => {
    expect(formatDeadline(new Date('2026-11-26T09:30:00Z'))).toBe('11月26日 17:30');
    expect(formatDeadline(new Date('2026-11-25T16:00:30Z'))).toBe('11月26日 00:00');
    expect(formatDeadline(null)).toBe('');
  });
});

describe('formatDuration', () => {
  it('reads in days and hours, hours and minutes, or minutes', () => {
    expect(formatDuration(24453 * 60)).toBe('16 天 23 小时');
    expect(formatDuration((17 * 24 + 1) * 3600 + 59)).toBe('17 天 1 小时');
    expect(formatDuration(3 * 86400)).toBe('3 天');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3 小时 5 分钟');
    expect(formatDuration(7200)).toBe('2 小时');
    expect(formatDuration(125)).toBe('2 分钟');
    expect(formatDuration(20)).toBe('不到 1 分钟');
  });
});
