import { Router } from 'express';
import type { Core } from '../../context.js';
import type { AlertsService } from '../../alerts/service.js';
import { policyPageContext } from './shared.js';
import { publicPolicyPages } from './public.js';
import { workspacePolicyPages } from './workspace.js';
import { reviewPolicyPages } from './review.js';

/** Policy pages: the public website, the drafting departments' workspace, the supervisors' review queue. */
export function policyPages(core: Core, alerts: AlertsService): Router {
  const ctx = policyPageContext(core);
  const r = Router();
  r.use(publicPolicyPages(ctx));
  r.use('/workspace', workspacePolicyPages(ctx, alerts));
  r.use('/review', reviewPolicyPages(ctx));
  return r;
}
