import type { Capability, PlatformParts } from '../capability.js';
import { reportsRoutes } from './routes.js';

export function reportsCapability(parts: PlatformParts): Capability {
  return { name: 'reports', routes: reportsRoutes(parts.core), pages: ['/reports'] };
}
