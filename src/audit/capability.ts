import type { Capability, PlatformParts } from '../capability.js';
import { auditRoutes } from './routes.js';

/** The audit log: every state change is recorded by its own transaction (`recordAudit`); this reads it. */
export function auditCapability({ core }: PlatformParts): Capability {
  return { name: 'audit', routes: auditRoutes(core), pages: ['/admin/audit'] };
}
