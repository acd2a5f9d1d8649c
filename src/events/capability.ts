import { Router } from 'express';
import type { Capability, PlatformParts } from '../capability.js';
import { consolePageRoutes } from '../console/page.js';
import { rosterRoutes } from '../console/roster.js';
import { EventsService } from './service.js';
import { eventsApiRoutes } from './routes.js';
import { eventsPageRoutes } from './pages.js';

/** Response workflow (events as cases, actions, clocks) and the on-duty console (SPEC §2.3, §4). */
export function eventsCapability(parts: PlatformParts): Capability {
  const svc = new EventsService(parts.core);
  const routes = Router();
  routes.use(eventsApiRoutes(parts.core, svc));
  routes.use(eventsPageRoutes(parts.core, svc));
  routes.use(consolePageRoutes(parts.core));
  routes.use(rosterRoutes(parts.core));
  return { name: 'events', routes, pages: ['/console', '/responses', '/roster'] };
}
