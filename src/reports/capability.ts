import { Router } from 'express';
import type { Capability, PlatformParts } from '../capability.js';
import { reportsRoutes } from './routes.js';
import { briefRoutes } from './brief-routes.js';
import { BriefService } from './briefs.js';

/** 督查考核 (SPEC §2.6): dashboard, drill-downs, 考核 exports, and the archived 舆情日报/周报. */
export function reportsCapability(parts: PlatformParts): Capability & { briefs: BriefService } {
  const briefs = new BriefService(parts.core, parts.scheduler);
  const routes = Router();
  routes.use(reportsRoutes(parts.core));
  routes.use(briefRoutes(parts.core, briefs));
  return {
    name: 'reports',
    routes,
    briefs,
    pages: ['/reports'],
    defineJobs: () => briefs.defineJobs(),
    start: () => briefs.start(),
  };
}
