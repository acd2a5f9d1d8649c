import type { Role } from '../db/schema.js';
import { HttpProblem } from '../shared/errors.js';
import type { Principal, TokenScope } from './principal.js';

/**
 * The one place that answers "may this principal do this to that?". Routes and the Socket.IO
 * namespace both ask here. Roles listed as `scoped` act only inside their own department.
 */
interface Rule {
  roles: Role[];
  scoped?: Role[];
  scopes?: TokenScope[];
  /**
   * Scoped roles of the 新闻办 and the 政务公开办 may also act on every major or extraordinary
   * event and its clocks and alerts, whoever the 责任单位 is (SPEC §2.3: they lead the response).
   */
  majorEvents?: true;
}

/** Departments that see and act on every major or extraordinary event. */
export const MAJOR_EVENT_OVERSIGHT_KINDS: readonly string[] = ['publicity', 'government_office'];

const EVERY_ROLE: Role[] = ['admin', 'supervisor', 'drafter', 'analyst', 'spokesperson', 'duty'];

export const RULES = {
  'admin.manage': { roles: ['admin'] },
  'audit.read': { roles: ['admin', 'supervisor'] },
  'department.read': { roles: EVERY_ROLE, scopes: ['read'] },
  'calendar.read': { roles: EVERY_ROLE, scopes: ['read'] },
  'calendar.manage': { roles: ['admin'] },
  'clockpolicy.manage': { roles: ['admin'] },
  'clock.manage': { roles: ['admin', 'supervisor'], scoped: ['drafter', 'spokesperson'] },
  'clock.read': {
    roles: ['admin', 'supervisor', 'analyst', 'duty'],
    scoped: ['drafter', 'spokesperson'],
    scopes: ['read'],
    majorEvents: true,
  },
  // `read` tokens may watch the console (SPEC §4: `/console` accepts `auth: {token}`).
  'alert.read': {
    roles: ['admin', 'supervisor', 'analyst', 'duty'],
    scoped: ['drafter', 'spokesperson'],
    scopes: ['read'],
    majorEvents: true,
  },
  'alert.ack': {
    roles: ['admin', 'supervisor', 'analyst', 'duty'],
    scoped: ['drafter', 'spokesperson'],
    majorEvents: true,
  },
  'policy.read': {
    roles: ['admin', 'supervisor', 'analyst', 'duty', 'spokesperson'],
    scoped: ['drafter'],
    scopes: ['read'],
  },
  'policy.create': { roles: ['admin'], scoped: ['drafter'] },
  'policy.edit': { roles: ['admin'], scoped: ['drafter'] },
  'policy.submit': { roles: ['admin'], scoped: ['drafter'] },
  'policy.approve': { roles: ['admin', 'supervisor'] },
  'policy.publish': { roles: ['admin', 'supervisor'] },
  'policy.withdraw': { roles: ['admin', 'supervisor'] },
  'policy.interpret': { roles: ['admin', 'supervisor'], scoped: ['drafter'] },
  'opinion.ingest': { roles: ['admin', 'analyst'], scopes: ['ingest'] },
  'opinion.read': {
    roles: ['admin', 'supervisor', 'analyst', 'duty'],
    scoped: ['spokesperson', 'drafter'],
    scopes: ['read'],
    majorEvents: true,
  },
  'opinion.configure': { roles: ['admin', 'analyst'] },
  'event.record': { roles: ['admin', 'analyst', 'duty', 'supervisor'], scoped: ['spokesperson'] },
  'event.triage': { roles: ['admin', 'analyst', 'supervisor'] },
  'event.act': {
    roles: ['admin', 'supervisor', 'analyst'],
    scoped: ['spokesperson'],
    majorEvents: true,
  },
  // 督办/催办: remind a late department (home dashboard of supervisors).
  'clock.urge': { roles: ['admin', 'supervisor'] },
  'roster.manage': { roles: ['admin', 'supervisor'] },
  'roster.read': { roles: EVERY_ROLE, scopes: ['read'] },
  // A department sees its own figures, briefs and 问责 records; supervisors see every department.
  'report.read': {
    roles: ['admin', 'supervisor', 'analyst'],
    scoped: ['drafter', 'spokesperson'],
    scopes: ['read'],
  },
  'report.generate': { roles: ['admin', 'supervisor', 'analyst'] },
  'accountability.record': { roles: ['admin', 'supervisor'] },
  'accountability.read': {
    roles: ['admin', 'supervisor'],
    scoped: ['drafter', 'spokesperson'],
    scopes: ['read'],
  },
  // 依申请公开: the disclosure office (政务公开办, supervisors) registers, assigns, extends and
  // reports; the answering department's staff handle and reply to their own requests.
  'disclosure.read': {
    roles: ['admin', 'supervisor'],
    scoped: ['drafter', 'spokesperson'],
    scopes: ['read'],
  },
  'disclosure.register': { roles: ['admin', 'supervisor'] },
  'disclosure.handle': { roles: ['admin', 'supervisor'], scoped: ['drafter', 'spokesperson'] },
  'disclosure.extend': { roles: ['admin', 'supervisor'] },
  'disclosure.challenge': { roles: ['admin', 'supervisor'] },
  'disclosure.report': { roles: ['admin', 'supervisor'], scopes: ['read'] },
} satisfies Record<string, Rule>;

export type Action = keyof typeof RULES;

export interface ResourceScope {
  /** The department that owns the resource; null or undefined for global resources. */
  departmentId?: number | null;
  /** The resource is a major or extraordinary event, or one of its clocks or alerts. */
  majorEvent?: boolean;
}

export function can(p: Principal | undefined, action: Action, resource?: ResourceScope): boolean {
  if (!p) return false;
  const rule: Rule = RULES[action];
  if (p.kind === 'token') return (rule.scopes ?? []).some((s) => p.scopes.includes(s));
  if (p.roles.some((r) => rule.roles.includes(r))) return true;
  if (!p.roles.some((r) => rule.scoped?.includes(r))) return false;
  // A scoped role acts on its own department's resources only; with no resource given the caller
  // must filter by `departmentFilter`.
  if (!resource) return true;
  if (resource.departmentId != null && resource.departmentId === p.departmentId) return true;
  return resource.majorEvent === true && seesMajorEvents(p, action);
}

/**
 * Whether a department-scoped caller also sees every major or extraordinary event for this action
 * (新闻办, 政务公开办). List queries add those events' rows to their department filter.
 */
export function seesMajorEvents(p: Principal, action: Action): boolean {
  const rule: Rule = RULES[action];
  return (
    p.kind === 'user' &&
    rule.majorEvents === true &&
    p.roles.some((r) => rule.roles.includes(r) || rule.scoped?.includes(r)) &&
    p.departmentKind !== undefined &&
    MAJOR_EVENT_OVERSIGHT_KINDS.includes(p.departmentKind)
  );
}

/** Throws 401 when anonymous and 403 when not allowed. */
export function authorize(
  p: Principal | undefined,
  action: Action,
  resource?: ResourceScope,
): asserts p is Principal {
  if (!p) throw HttpProblem.unauthorized();
  if (!can(p, action, resource)) throw HttpProblem.forbidden();
}

/**
 * For list queries: null means "every department", a number restricts to that department.
 * Call only after `authorize(p, action)` succeeded.
 */
export function departmentFilter(p: Principal, action: Action): number | null {
  if (p.kind === 'token') return null;
  const rule: Rule = RULES[action];
  return p.roles.some((r) => rule.roles.includes(r)) ? null : p.departmentId;
}

export function isGlobalViewer(p: Principal, action: Action): boolean {
  return departmentFilter(p, action) === null;
}
