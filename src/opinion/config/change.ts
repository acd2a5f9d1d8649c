import { sql, type Selectable } from 'kysely';
import type { Core } from '../../context.js';
import type { Trx } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import { authorize } from '../../auth/policy.js';
import { recordAudit, type AuditEntry } from '../../audit/audit.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Ctx } from '../../shared/context.js';
import { HttpProblem } from '../../shared/errors.js';
import { CONFIG_CHANNEL } from '../settings.js';

/** What a configuration change records: the audit row's action, subject and before/after. */
export type ConfigAudit = Omit<AuditEntry, 'actor' | 'requestId'>;

/**
 * Every change to the opinion configuration (监测方案, local terms, lexicon edits, warning rules)
 * goes through here: authorised as `opinion.configure`, written in one transaction with its audit
 * row, and announced on `CONFIG_CHANNEL` so every pipeline worker reloads. `change` returns the
 * result and the audit to record, or `null` audit when nothing changed (no record, no wake-up).
 */
export async function configChange<T>(
  core: Core,
  ctx: Ctx,
  change: (trx: Trx) => Promise<{ result: T; audit: ConfigAudit | null }>,
  opts: { duplicate?: string } = {},
): Promise<T> {
  authorize(ctx.actor, 'opinion.configure');
  try {
    return await core.db.transaction().execute(async (trx) => {
      const { result, audit } = await change(trx);
      if (audit) {
        await recordAudit(trx, { ...ctx, ...audit });
        await sql`select pg_notify(${CONFIG_CHANNEL}, '')`.execute(trx);
      }
      return result;
    });
  } catch (err) {
    if (opts.duplicate && isUniqueViolation(err)) throw HttpProblem.conflict(opts.duplicate);
    throw err;
  }
}

type ConfigTable = 'opinion_schemes' | 'opinion_local_terms' | 'opinion_lexicon_overrides';

/** Deletes one configuration row by id (404 `missing` when there is none), audited with what it held. */
export function removeConfigRow<T extends ConfigTable>(
  core: Core,
  ctx: Ctx,
  table: T,
  id: number,
  audit: {
    action: string;
    subjectKind: string;
    missing: string;
    before: (row: Selectable<Database[T]>) => unknown;
  },
): Promise<void> {
  return configChange(core, ctx, async (trx) => {
    const row = (await trx
      .deleteFrom(table as ConfigTable)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()) as Selectable<Database[T]> | undefined;
    if (!row) throw HttpProblem.notFound(audit.missing);
    return {
      result: undefined,
      audit: {
        action: audit.action,
        subjectKind: audit.subjectKind,
        subjectId: id,
        before: audit.before(row),
      },
    };
  });
}
