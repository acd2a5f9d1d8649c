import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { actorUserId } from '../auth/principal.js';
import { authorize } from '../auth/policy.js';
import { recordAudit } from '../audit/audit.js';
import type { Ctx } from '../shared/context.js';
import type { ClockPolicy } from './time-limits.js';

export interface TimeLimit {
  kind: string;
  label: string;
  config: ClockPolicy;
}

/**
 * The configured time limits per clock kind (`clock_policies`). A change applies to clocks opened
 * afterwards; running clocks keep the snapshot they were opened with.
 */
export class TimeLimitService {
  constructor(private readonly core: Core) {}

  async list(p: Principal | undefined, action: 'clock.read' | 'clockpolicy.manage' = 'clock.read') {
    authorize(p, action);
    const rows = await this.core.db.selectFrom('clock_policies').selectAll().orderBy('kind').execute();
    return rows.map((r) => ({ kind: r.kind, label: r.label, config: r.config as ClockPolicy }));
  }

  async save(ctx: Ctx, input: TimeLimit): Promise<TimeLimit> {
    authorize(ctx.actor, 'clockpolicy.manage');
    const { kind, label, config } = input;
    return this.core.db.transaction().execute(async (trx) => {
      const before = await trx
        .selectFrom('clock_policies')
        .selectAll()
        .where('kind', '=', kind)
        .executeTakeFirst();
      const userId = actorUserId(ctx.actor);
      await trx
        .insertInto('clock_policies')
        .values({ kind, label, config: JSON.stringify(config), updated_by: userId })
        .onConflict((oc) =>
          oc.column('kind').doUpdateSet({
            label,
            config: JSON.stringify(config),
            updated_by: userId,
            updated_at: this.core.clock.now(),
          }),
        )
        .execute();
      await recordAudit(trx, {
        ...ctx,
        action: 'clockpolicy.save',
        subjectKind: 'clock_policy',
        subjectId: kind,
        before: before ? { label: before.label, config: before.config } : null,
        after: { label, config },
      });
      return { kind, label, config };
    });
  }
}
