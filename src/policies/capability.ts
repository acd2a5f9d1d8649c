import { Router } from 'express';
import type { Capability, PlatformParts } from '../capability.js';
import { policyApiRoutes } from './routes.js';
import { policyPages } from './pages/index.js';

/** 政策解读: documents, their workflow, interpretations and the public website pages. */
export function policiesCapability({ core, alerts }: PlatformParts): Capability {
  const routes = Router();
  routes.use(policyApiRoutes(core));
  routes.use(policyPages(core, alerts));
  return { name: 'policies', routes, pages: ['/workspace', '/review', '/policies'] };
}
