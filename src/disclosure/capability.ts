import { Router } from 'express';
import type { Capability, PlatformParts } from '../capability.js';
import { DisclosureService } from './service.js';
import { disclosureApiRoutes } from './routes.js';
import { disclosurePageRoutes } from './pages.js';

const SWEEP_JOB = 'disclosure.abandoned';

/** 依申请公开 (SPEC §2.5): the register, the reply clock, the annual report, the public form. */
export function disclosureCapability(parts: PlatformParts): Capability & { service: DisclosureService } {
  const { core, scheduler } = parts;
  const service = new DisclosureService(core);
  const routes = Router();
  routes.use(disclosureApiRoutes(core, service));
  routes.use(disclosurePageRoutes(core, service));
  const sweep = async () => {
    try {
      const closed = await service.sweepAbandoned();
      if (closed.length) core.logger.info({ closed }, 'disclosure requests abandoned (逾期不补正)');
    } catch (err) {
      core.logger.warn({ err }, 'disclosure abandonment sweep failed');
    }
  };
  return {
    name: 'disclosure',
    service,
    routes,
    pages: ['/disclosure'],
    defineJobs: () => scheduler.define(SWEEP_JOB, sweep),
    // Abandonment is a date rule (the day after the stated date): an hourly sweep is on time.
    start: async () => {
      await sweep();
      await scheduler.every('1 hour', SWEEP_JOB);
    },
  };
}
