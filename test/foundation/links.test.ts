import { alertHref, subjectHref } from '../../src/web/links.js';

// Pure: where a clock, an alert or a to-do row leads the person who must act on it.
test.each([
  ['event', 7, '/responses/events/7'],
  ['policy', 7, '/workspace/policies/7'],
  ['interpretation', 7, '/workspace/interpretations/7'],
  ['disclosure_request', 7, '/disclosure/requests/7'],
  ['disclosure_annual_report', 2026, '/disclosure/annual/2026'],
  ['clock', 7, null],
  ['event', 0, null],
  ['event', 'x', null],
])('%s %s leads to %s', (kind, id, href) => {
  expect(subjectHref(kind, id)).toBe(href);
});

test('an alert about a clock leads to the clock’s own subject', () => {
  const a = {
    subject_kind: 'clock',
    subject_id: '3',
    type: 'clock.breached',
    data: { subject: { kind: 'disclosure_request', id: 9 } },
  };
  expect(alertHref(a)).toBe('/disclosure/requests/9');
  expect(alertHref({ ...a, data: null })).toBeNull();
});
