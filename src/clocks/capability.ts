import type { Capability, PlatformParts } from '../capability.js';
import { calendarRoutes } from '../calendar/routes.js';
import { seedPackagedYears } from '../calendar/store.js';
import { ClockEngine } from './engine.js';
import { clocksRoutes } from './routes.js';
import { DEFAULT_CLOCK_POLICIES } from './policy.js';
import { Router } from 'express';
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

/** Calendar, clock policies and the clock engine: the deadline spine of SPEC §2. */
export function clocksCapability(parts: PlatformParts): Capability & { engine: ClockEngine } {
  const engine = new ClockEngine(parts.core, parts.scheduler, parts.feed);
  const routes = Router();
  routes.use(calendarRoutes(parts.core));
  routes.use(clocksRoutes(parts.core));
  return {
    name: 'clocks',
    engine,
    routes,
    pages: ['/clocks', '/admin/calendar', '/admin/clock-policies'],
    defineJobs: () => engine.defineJobs(),
    start: () => engine.start(),
    stop: () => engine.stop(),
  };
}
