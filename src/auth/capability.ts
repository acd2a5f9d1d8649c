import type { Capability, PlatformParts } from '../capability.js';
import { authRoutes } from './routes.js';

/** Sign-in, sign-out and "who am I"; authorisation itself is `policy.ts`, asked by every route. */
export function authCapability({ core }: PlatformParts): Capability {
  return { name: 'auth', routes: authRoutes(core) };
}
