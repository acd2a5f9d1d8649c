import type { Capability, PlatformParts } from '../capability.js';
import { accountsRoutes } from './routes.js';

/** Departments, users and API tokens (SPEC §1): who may sign in and what they may do. */
export function accountsCapability({ core }: PlatformParts): Capability {
  return {
    name: 'accounts',
    routes: accountsRoutes(core),
    pages: ['/admin/departments', '/admin/users', '/admin/tokens'],
  };
}
