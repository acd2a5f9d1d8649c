import type { Capability, PlatformParts } from '../capability.js';
import { seedPackagedYears } from '../calendar/store.js';
import { ClockEngine } from './engine.js';
import { Router } from 'express';
import { clocksApiRoutes } from './routes.js';
import { clocksPageRoutes } from './pages.js';
import { ClockControlService } from './control-service.js';
import { TimeLimitService } from './time-limit-service.js';
import { DEFAULT_CLOCK_POLICIES } from './time-limits.js';
import type { Db } from '../db/database.js';

/** Reference data every start needs: the packaged PRC schedules and the default clock policies. */
export async function seedClockReferenceData(db: Db): Promise<void> {
  await seedPackagedYears(db);
  await db
    .insertInto('clock_policies')
    .values(
      DEFAULT_CLOCK_POLICIES.map((p) => ({ kind: p.kind, label: p.label, config: JSON.stringify(p.config) })),
    )
    .onConflict((oc) => oc.column('kind').doNothing())
    .execute();
}

/** Clock policies and the clock engine: the deadline spine of SPEC §2. */
export function clocksCapability(parts: PlatformParts): Capability & { engine: ClockEngine } {
  const engine = new ClockEngine(parts.core, parts.scheduler, parts.feed);
  const clocks = new ClockControlService(parts.core);
  const limits = new TimeLimitService(parts.core);
  const routes = Router();
  routes.use(clocksApiRoutes(clocks, limits));
  routes.use(clocksPageRoutes(parts.core, clocks, limits));
  return {
    name: 'clocks',
    engine,
    routes,
    pages: ['/clocks', '/admin/clock-policies'],
    defineJobs: () => engine.defineJobs(),
    start: () => engine.start(),
    stop: () => engine.stop(),
  };
}
