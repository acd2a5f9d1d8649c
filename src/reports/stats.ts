/** Pure helpers for the supervision figures (tested without I/O). */

/** Median of a list (mean of the middle two for an even count); null for an empty list. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** "3小时25分", "2天4小时", "45分" for a duration in minutes. */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return '—';
  const m = Math.round(minutes);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const r = m % 60;
  if (d > 0) return h ? `${d}天${h}小时` : `${d}天`;
  if (h > 0) return r ? `${h}小时${r}分` : `${h}小时`;
  return `${r}分`;
}

export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export interface Count {
  key: string;
  count: number;
}

/** Totals per key, largest first (ties by key), from rows already counted by some finer key. */
export function totalsBy<T>(rows: readonly T[], key: (r: T) => string, count: (r: T) => number): Count[] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + count(r));
  return [...m.entries()]
    .map(([k, c]) => ({ key: k, count: c }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Every day from `from` to `to` inclusive (YYYY-MM-DD, plain calendar arithmetic). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (d <= end) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/**
 * A series per key over the given days, zeros filled in: what a stacked chart and its table show.
 * `keys` fixes the order (largest total first).
 */
export function seriesByDay(
  rows: readonly { day: string; key: string; count: number }[],
  days: readonly string[],
): { keys: string[]; days: string[]; values: Record<string, number[]> } {
  const keys = totalsBy(
    rows,
    (r) => r.key,
    (r) => r.count,
  ).map((c) => c.key);
  const index = new Map(days.map((d, i) => [d, i]));
  const values: Record<string, number[]> = {};
  for (const k of keys) values[k] = days.map(() => 0);
  for (const r of rows) {
    const i = index.get(r.day);
    if (i !== undefined) values[r.key]![i]! += r.count;
  }
  return { keys, days: [...days], values };
}
