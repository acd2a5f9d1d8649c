import type { Capability, PlatformParts } from '../capability.js';
import { publicResponsePages } from './pages.js';

/** The public website's 回应关切 column (its cache and content version are set up by the platform). */
export function siteCapability(parts: PlatformParts): Capability {
  return { name: 'site', routes: publicResponsePages(parts.core) };
}
