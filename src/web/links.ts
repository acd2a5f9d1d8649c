/**
 * The page where a person acts on a subject that alerts and clocks refer to. Alerts about a clock
 * carry the clock's own subject in `data.subject`, so they lead to the event or document too.
 */
export function subjectHref(kind: string, id: string | number): string | null {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) return null;
  switch (kind) {
    case 'event':
      return `/responses/events/${n}`;
    case 'policy':
      return `/workspace/policies/${n}`;
    case 'interpretation':
      return `/workspace/interpretations/${n}`;
    case 'disclosure_request':
      return `/disclosure/requests/${n}`;
    case 'disclosure_annual_report':
      return `/disclosure/annual/${n}`;
    default:
      return null;
  }
}

/** Where an alert leads: its subject, else the subject of the clock it is about. */
export function alertHref(a: { subject_kind: string; subject_id: string; type: string; data: unknown }) {
  const direct = subjectHref(a.subject_kind, a.subject_id);
  if (direct) return direct;
  const inner = (a.data as { subject?: { kind?: unknown; id?: unknown } } | null)?.subject;
  if (
    inner &&
    typeof inner.kind === 'string' &&
    (typeof inner.id === 'number' || typeof inner.id === 'string')
  )
    return subjectHref(inner.kind, inner.id);
  if (a.type === 'calendar.changed') return '/admin/calendar';
  return null;
}
