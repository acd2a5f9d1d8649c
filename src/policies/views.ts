import type { ClockRow } from '../clocks/service.js';
import { formatDeadline, formatDuration, formatShanghai, toIsoShanghai } from '../shared/time.js';
import {
  CHANNELS,
  DISCLOSURE_LABELS,
  FORM_LABELS,
  INTERPRETATION_STATE_LABELS,
  STATUS_LABELS,
  paragraphs,
  type AttachmentRow,
  type PolicyRow,
} from './model.js';
import { DISCLOSURES, INTERPRETATION_FORMS, type PolicyStatus } from './tables.js';
import { fileView } from '../files/files.js';
import { isOpen } from '../clocks/states.js';
import { warnAtOf } from '../clocks/model.js';

/** Page layout of the public website (no platform navigation). */
export const PUBLIC_LAYOUT = '../policies/_layout';

/** What pages show of an interpretation clock. */
export function clockView(c: ClockRow | null | undefined, now: Date) {
  if (!c) return null;
  const overdue = isOpen(c.state) && c.due_at.getTime() <= now.getTime();
  return {
    id: c.id,
    state: c.state,
    label: overdue ? INTERPRETATION_STATE_LABELS.breached : (INTERPRETATION_STATE_LABELS[c.state] ?? c.state),
    open: isOpen(c.state),
    overdue,
    dueIso: toIsoShanghai(c.due_at),
    warnAt: warnAtOf(c),
    dueText: formatDeadline(c.due_at),
    metText: formatShanghai(c.met_at),
    lateText: c.lateness_seconds ? formatDuration(c.lateness_seconds) : '',
    certain: c.calendar_certain,
    badge:
      c.state === 'met'
        ? 'ok'
        : c.state === 'met_late' || overdue
          ? 'bad'
          : c.state === 'cancelled'
            ? ''
            : 'warn',
  };
}

export function statusBadge(s: PolicyStatus): string {
  return s === 'published' ? 'ok' : s === 'returned' ? 'bad' : s === 'withdrawn' ? '' : 'warn';
}

export function policyRowView(
  p: PolicyRow & { department_name: string; interpretations_count?: number | null },
) {
  return {
    id: p.id,
    title: p.title,
    docNumber: p.doc_number,
    issuer: p.issuer,
    departmentName: p.department_name,
    status: p.status,
    statusLabel: STATUS_LABELS[p.status],
    statusBadge: statusBadge(p.status),
    requiresInterpretation: p.requires_interpretation,
    writtenOn: p.written_on,
    publishedText: formatShanghai(p.published_at, 'yyyy-MM-dd'),
    updatedText: formatShanghai(p.updated_at),
    interpretationsCount: Number(p.interpretations_count ?? 0),
    returnComment: p.return_comment,
    disclosureLabel: DISCLOSURE_LABELS[p.disclosure],
  };
}

export function bodyView(text: string) {
  return paragraphs(text);
}

export const formOptions = {
  forms: INTERPRETATION_FORMS.map((v) => ({ value: v, label: FORM_LABELS[v] })),
  disclosures: DISCLOSURES.map((v) => ({ value: v, label: DISCLOSURE_LABELS[v] })),
  channels: CHANNELS,
};

/** 'YYYY-MM-DDTHH:mm' from a datetime-local input means Beijing time. */
export function localInputToIso(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const s = v.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s)) return `${s}:00+08:00`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(s)) return `${s}+08:00`;
  return s;
}

/** What pages show of an attachment: images are displayed, PDFs opened, the rest downloaded. */
export function attachmentView(a: AttachmentRow) {
  return fileView(a, `/attachments/${a.id}`);
}
