import { DateTime } from 'luxon';

export const ZONE = 'Asia/Shanghai';

/** ISO 8601 with the +08:00 offset, as every API response shows times. */
export function toIsoShanghai(d: Date | null | undefined): string | null {
  if (!d) return null;
  return DateTime.fromJSDate(d, { zone: ZONE }).toISO({ suppressMilliseconds: true });
}

/** "2026-11-23 17:30" for pages. */
export function formatShanghai(d: Date | string | null | undefined, fmt = 'yyyy-MM-dd HH:mm'): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  return DateTime.fromJSDate(date, { zone: ZONE }).toFormat(fmt);
}

/** The Shanghai calendar date (YYYY-MM-DD) an instant falls on. */
export function shanghaiDate(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ZONE }).toISODate()!;
}
