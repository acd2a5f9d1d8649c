import type { Capability, PlatformParts } from '../capability.js';
import { AccountabilityService } from './service.js';
import { accountabilityRoutes } from './routes.js';

/** 问责 records on late or breached clocks (SPEC §2.6); shown on /reports and in the exports. */
export function accountabilityCapability(
  parts: PlatformParts,
): Capability & { service: AccountabilityService } {
  const service = new AccountabilityService(parts.core);
  return { name: 'accountability', service, routes: accountabilityRoutes(parts.core, service) };
}
