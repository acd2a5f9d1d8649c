import type { Role } from '../../src/db/schema.js';
import { AccountsService } from '../../src/accounts/service.js';
import type { TestPlatform } from './platform.js';
import { POLICY_STATUSES, type PolicyStatus } from '../../src/policies/tables.js';
import { loadPolicy, reindexPolicy } from '../../src/policies/policy-store.js';
import type { EventStatus, Severity } from '../../src/events/tables.js';
import { openClock, type OpenClockInput } from '../../src/clocks/service.js';
import { insertAlert } from '../../src/alerts/store.js';
import type { NewAlert } from '../../src/alerts/model.js';

let seq = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`;

export async function makeDepartment(
  tp: TestPlatform,
  name = unique('部门'),
  kind?: 'department' | 'opinion_center' | 'government_office' | 'publicity',
) {
  return new AccountsService(tp.platform.core).createDepartment(
    { actor: undefined },
    { name, ...(kind ? { kind } : {}) },
  );
}

export const PASSWORD = 'password-1234';

export async function makeUser(
  tp: TestPlatform,
  roles: Role[],
  departmentId?: number,
  username = unique('u'),
) {
  const dept = departmentId ?? (await makeDepartment(tp)).id;
  const row = await new AccountsService(tp.platform.core).createUser(
    { actor: undefined },
    { username, password: PASSWORD, displayName: `测试${username}`, departmentId: dept, roles },
  );
  return { ...row, password: PASSWORD, departmentId: dept };
}

/*
 * Rows written directly, for tests where walking the HTTP workflow (create → submit → approve →
 * publish) is not the point. Each fills what the workflow would have set for the status asked for.
 */

/** A policy document in any status, drafted by `departmentId` (a new department if omitted). */
export async function buildPolicy(
  tp: TestPlatform,
  over: {
    status?: PolicyStatus;
    departmentId?: number;
    title?: string;
    body?: string;
    requiresInterpretation?: boolean;
    disclosure?: 'proactive' | 'on_request' | 'not_public';
    /** For a published document; defaults to now. */
    publishedAt?: Date;
  } = {},
) {
  const core = tp.platform.core;
  const now = core.clock.now();
  const status = over.status ?? 'draft';
  const published = status === 'published' || status === 'withdrawn' ? (over.publishedAt ?? now) : null;
  const reached = (s: PolicyStatus) => POLICY_STATUSES.indexOf(status) >= POLICY_STATUSES.indexOf(s);
  const departmentId = over.departmentId ?? (await makeDepartment(tp)).id;
  return core.db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('policies')
      .values({
        title: over.title ?? unique('测试文件'),
        drafting_department_id: departmentId,
        body: over.body ?? '第一条 为规范管理，制定本办法。',
        disclosure: over.disclosure ?? 'proactive',
        disclosure_reason: over.disclosure && over.disclosure !== 'proactive' ? '涉及内部事务' : '',
        requires_interpretation: over.requiresInterpretation ?? false,
        interpretation_plan: over.requiresInterpretation ? '公开后三个工作日内发布文字解读。' : '',
        status,
        submitted_at: status === 'draft' ? null : now,
        approved_at: reached('approved') && status !== 'returned' ? (published ?? now) : null,
        published_at: published,
        withdrawn_at: status === 'withdrawn' ? now : null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await reindexPolicy(trx, id);
    return loadPolicy(trx, id);
  });
}

/** An opinion event as 舆情 staff would have registered it; no clocks (add them with buildClock). */
export async function buildEvent(
  tp: TestPlatform,
  over: {
    title?: string;
    severity?: Severity;
    emergency?: boolean;
    status?: EventStatus;
    departmentId?: number | null;
    detectedAt?: Date;
  } = {},
) {
  const core = tp.platform.core;
  const detected = over.detectedAt ?? core.clock.now();
  return core.db
    .insertInto('opinion_events')
    .values({
      origin: 'manual',
      title: over.title ?? unique('测试事件'),
      severity: over.severity ?? 'general',
      emergency: over.emergency ?? false,
      status: over.status ?? 'confirmed',
      responsible_department_id: over.departmentId ?? null,
      detected_at: detected,
      first_seen_at: detected,
      last_seen_at: detected,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A clock on a subject, opened the way every domain opens one (deadline and thresholds from the
 * time limit in force), so the engine treats it like any other.
 */
export function buildClock(
  tp: TestPlatform,
  input: Partial<OpenClockInput> & Pick<OpenClockInput, 'subjectKind' | 'subjectId'>,
) {
  const core = tp.platform.core;
  const now = core.clock.now();
  return core.db
    .transaction()
    .execute((trx) =>
      openClock(
        trx,
        { kind: 'response', title: '测试事项', departmentId: null, startAt: now, ...input },
        now,
      ),
    );
}

/** An alert as a state change would have stored it (NOTIFY included, so consoles receive it). */
export async function buildAlert(tp: TestPlatform, over: Partial<NewAlert> = {}) {
  const core = tp.platform.core;
  const row = await core.db.transaction().execute((trx) =>
    insertAlert(
      trx,
      {
        type: 'clock.warning',
        severity: 'warning',
        title: unique('测试提醒'),
        subjectKind: 'test',
        subjectId: 1,
        departmentId: null,
        ...over,
      },
      core.clock.now(),
    ),
  );
  if (!row) throw new Error('alert not stored (dedupe key already used)');
  return row;
}
