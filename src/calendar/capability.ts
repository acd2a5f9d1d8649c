import type { Capability, PlatformParts } from '../capability.js';
import { calendarRoutes } from './routes.js';

/** The working-day calendar (国务院 holiday schedules and local overrides) every deadline counts on. */
export function calendarCapability({ core }: PlatformParts): Capability {
  return { name: 'calendar', routes: calendarRoutes(core), pages: ['/admin/calendar'] };
}
