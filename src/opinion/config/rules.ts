import type { Core } from '../../context.js';
import type { Principal } from '../../auth/principal.js';
import { actorUserId } from '../../auth/principal.js';
import { authorize } from '../../auth/policy.js';
import type { Ctx } from '../../shared/context.js';
import { HttpProblem } from '../../shared/errors.js';
import { check, z } from '../../shared/validation.js';
import { AREAS } from '../analysis/lexicon.js';
import { DEFAULT_RULES, mergeRules, type WarningRules } from '../analysis/rules.js';
import { RULES_KEY, loadRules } from '../settings.js';
import { configChange } from './change.js';

/** A number greater than 0 and at most `max`. */
const positive = (max = Infinity) =>
  z
    .number()
    .gt(0, `须为大于 0${max < Infinity ? ` 且不超过 ${max}` : ''} 的数`)
    .max(max, `须为大于 0 且不超过 ${max} 的数`);
const HOURS_30_DAYS = 24 * 30;

/** The warning rules after merging over the defaults: every threshold in its range. */
export const warningRulesSchema = z.object({
  promoteMinItems: positive(10_000),
  spike: z.object({
    enabled: z.boolean(),
    windowMinutes: positive(24 * 60),
    baselineHours: positive(HOURS_30_DAYS),
    minItems: positive(),
    factor: positive(1000),
  }),
  negativeArea: z.object({
    enabled: z.boolean(),
    areas: z.array(z.string()).superRefine((areas, ctx) => {
      for (const a of areas)
        if (!(AREAS as readonly string[]).includes(a))
          ctx.addIssue({ code: 'custom', message: `未知领域：${a}` });
    }),
    minItems: positive(),
    minNegativeRatio: positive(1),
  }),
  emergency: z.object({ enabled: z.boolean() }),
  hotnessHalfLifeHours: positive(HOURS_30_DAYS),
  cluster: z.object({ threshold: positive(1), windowHours: positive(HOURS_30_DAYS) }),
  dedup: z.object({ minSimilarity: positive(1), windowHours: positive(HOURS_30_DAYS) }),
}) satisfies z.ZodType<WarningRules>;

/** 预警规则: the thresholds of the early-warning rules, merged over the shipped defaults. */
export class RulesService {
  constructor(private readonly core: Core) {}

  async get(p: Principal | undefined) {
    authorize(p, 'opinion.read');
    return { rules: await loadRules(this.core.db), defaults: DEFAULT_RULES };
  }

  set(ctx: Ctx, body: unknown) {
    return configChange(this.core, ctx, async (trx) => {
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw HttpProblem.badRequest('预警规则须为 JSON 对象', [{ field: '(body)', message: '须为对象' }]);
      const rules = mergeRules(body);
      const checked = check(warningRulesSchema, rules);
      if (!checked.ok) throw HttpProblem.unprocessable('预警规则取值无效', checked.errors);
      const before = await loadRules(trx);
      const row = {
        value: JSON.stringify(rules),
        updated_at: this.core.clock.now(),
        updated_by: actorUserId(ctx.actor),
      };
      await trx
        .insertInto('opinion_settings')
        .values({ key: RULES_KEY, ...row })
        .onConflict((oc) => oc.column('key').doUpdateSet(row))
        .execute();
      return {
        result: { rules },
        audit: { action: 'opinion.rules.set', subjectKind: 'opinion_rules', before, after: rules },
      };
    });
  }
}
