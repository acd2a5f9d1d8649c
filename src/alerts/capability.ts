import type { Capability, PlatformParts } from '../capability.js';
import { alertsRoutes } from './routes.js';

/**
 * Alerts: stored, then announced with NOTIFY on commit (`store.ts`), fanned out to every node by
 * the feed, listed and acknowledged here. The service and feed are created with the platform
 * because the console and the clock engine need them too.
 */
export function alertsCapability({ alerts }: PlatformParts): Capability {
  return { name: 'alerts', routes: alertsRoutes(alerts) };
}
