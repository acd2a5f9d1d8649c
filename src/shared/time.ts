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

/**
 * A deadline for people: 「11月25日 17:30」, and one that ends at midnight reads as the end of its
 * last day, 「11月25日 24:00」 — a working-day window "within 3 working days" ends then, and
 * 「11月26日 00:00」 made people think they had the 26th.
 */
export function formatDeadline(d: Date | string | null | undefined): string {
  if (!d) return '';
  const t = DateTime.fromJSDate(typeof d === 'string' ? new Date(d) : d, { zone: ZONE });
  if (!t.isValid) return '';
  if (t.hour === 0 && t.minute === 0 && t.second === 0)
    return `${t.minus({ days: 1 }).toFormat('M月d日')} 24:00`;
  return t.toFormat('M月d日 HH:mm');
}

/** A span for people, to the minute: 「17 天 1 小时」, 「3 小时 5 分钟」, 「不到 1 分钟」. */
export function formatDuration(seconds: number): string {
  const total = Math.floor(Math.abs(seconds) / 60);
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  if (days > 0) return hours > 0 ? `${days} 天 ${hours} 小时` : `${days} 天`;
  if (hours > 0) return minutes > 0 ? `${hours} 小时 ${minutes} 分钟` : `${hours} 小时`;
  return minutes > 0 ? `${minutes} 分钟` : '不到 1 分钟';
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
