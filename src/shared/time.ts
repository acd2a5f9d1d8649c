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

/**
 * A form's `datetime-local` value ("2026-11-23T14:30") is wall-clock time in Asia/Shanghai;
 * returns it as ISO 8601 with the offset, or the input unchanged when it already has one.
 */
export function fromLocalInput(v: unknown): unknown {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const s = v.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(s)) return s;
  const dt = DateTime.fromISO(s, { zone: ZONE });
  return dt.isValid ? dt.toISO({ suppressMilliseconds: true }) : s;
}

/** The `datetime-local` value for an instant, in Asia/Shanghai. */
export function toLocalInput(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ZONE }).toFormat("yyyy-MM-dd'T'HH:mm");
}
