import { Router } from 'express';
import type { Capability, PlatformParts } from '../capability.js';
import { EventsService } from './service.js';
import { eventsApiRoutes } from './routes.js';
import { eventsPageRoutes } from './pages.js';

/** Response workflow: events as cases, their actions and response clocks (SPEC §2.3, §4). */
export function eventsCapability(parts: PlatformParts): Capability {
  const svc = new EventsService(parts.core);
  const routes = Router();
  routes.use(eventsApiRoutes(parts.core, svc));
  routes.use(eventsPageRoutes(parts.core, svc));
  return { name: 'events', routes, pages: ['/responses'] };
}
