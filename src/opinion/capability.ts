import { Router } from 'express';
import type { Capability, PlatformParts } from '../capability.js';
import { OpinionService } from './service.js';
import { opinionConfig } from './config/index.js';
import { opinionApiRoutes } from './routes.js';
import { opinionPageRoutes } from './pages.js';
import { correctionRoutes } from './corrections-routes.js';
import { OpinionWorker } from './worker.js';
import { announceAnalysed, serveOpinionLive } from './live.js';

/** Opinion monitoring (SPEC §2.2): ingest, the analysis pipeline, events, 监测方案 and pages. */
export function opinionCapability(parts: PlatformParts): Capability & { worker: OpinionWorker } {
  const svc = new OpinionService(parts.core);
  const cfg = opinionConfig(parts.core);
  const worker = new OpinionWorker(parts.core);
  serveOpinionLive(parts.io, parts.core, parts.feed, svc);
  worker.pipeline.onBatchStored((ids, eventIds) => announceAnalysed(parts.core, ids, eventIds));
  const routes = Router();
  routes.use(opinionApiRoutes(svc, cfg));
  routes.use(opinionPageRoutes(parts.core, svc, cfg));
  routes.use(correctionRoutes(parts.core));
  return {
    name: 'opinion',
    routes,
    pages: ['/opinion', '/opinion/settings'],
    worker,
    start: () => worker.start(),
    stop: () => worker.stop(),
  };
}
