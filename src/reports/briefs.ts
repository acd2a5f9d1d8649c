import type { Core } from '../context.js';
import type { Scheduler } from '../shared/scheduler.js';
import { ZONE } from '../shared/time.js';
import { buildOpinionBrief, previousPeriods, type OpinionBrief } from './brief.js';
import { localityName } from './model.js';
import type { OpinionReportKind } from './tables.js';

export const DAILY_JOB = 'reports.opinion-daily';
export const WEEKLY_JOB = 'reports.opinion-weekly';

/**
 * Generates 舆情日报/周报 and keeps them: every morning the previous day's, every Monday the previous
 * week's, so what was handed upward stays on record even if late data changes the live view.
 */
export class BriefService {
  constructor(
    private readonly core: Core,
    private readonly scheduler: Scheduler,
  ) {}

  build(kind: OpinionReportKind, date: string): Promise<OpinionBrief> {
    return buildOpinionBrief(this.core.db, kind, date, localityName(this.core.config), this.core.clock.now());
  }

  /** Builds and archives one brief (re-archiving the same period replaces it: at-least-once jobs). */
  archive(kind: OpinionReportKind, date: string, trigger: 'scheduled' | 'manual'): Promise<OpinionBrief> {
    return archiveBrief(this.core, kind, date, trigger);
  }

  list(limit = 120) {
    return this.core.db
      .selectFrom('opinion_reports')
      .select(['id', 'kind', 'period_start', 'generated_at', 'trigger'])
      .orderBy('period_start', 'desc')
      .orderBy('kind')
      .limit(limit)
      .execute();
  }

  async stored(id: number): Promise<OpinionBrief | null> {
    const row = await this.core.db
      .selectFrom('opinion_reports')
      .select('content')
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (row.content as unknown as OpinionBrief) : null;
  }

  defineJobs(): void {
    this.scheduler.define(DAILY_JOB, async () => {
      await this.archive('daily', previousPeriods(this.core.clock.now()).day, 'scheduled');
    });
    this.scheduler.define(WEEKLY_JOB, async () => {
      await this.archive('weekly', previousPeriods(this.core.clock.now()).monday, 'scheduled');
    });
  }

  async start(): Promise<void> {
    const opts = { timezone: ZONE, skipImmediate: true };
    await this.scheduler.every(this.core.config.dailyReportCron, DAILY_JOB, undefined, opts);
    await this.scheduler.every(this.core.config.weeklyReportCron, WEEKLY_JOB, undefined, opts);
  }
}

export async function archiveBrief(
  core: Core,
  kind: OpinionReportKind,
  date: string,
  trigger: 'scheduled' | 'manual',
): Promise<OpinionBrief> {
  const brief = await buildOpinionBrief(core.db, kind, date, localityName(core.config), core.clock.now());
  await core.db
    .insertInto('opinion_reports')
    .values({
      kind,
      period_start: date,
      content: JSON.stringify(brief),
      generated_at: core.clock.now(),
      trigger,
    })
    .onConflict((oc) =>
      oc.columns(['kind', 'period_start']).doUpdateSet((eb) => ({
        content: eb.ref('excluded.content'),
        generated_at: eb.ref('excluded.generated_at'),
        trigger: eb.ref('excluded.trigger'),
      })),
    )
    .execute();
  core.logger.info({ kind, date, trigger }, 'opinion brief archived');
  return brief;
}
