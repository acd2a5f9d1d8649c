import type { Capability, PlatformParts } from '../capability.js';
import { homeRoutes } from './routes.js';

/** The home page: each role's to-do list, and 督办 for supervisors. */
export function homeCapability(parts: PlatformParts): Capability {
  return { name: 'home', routes: homeRoutes(parts.core) };
}
