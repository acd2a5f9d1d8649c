import { Router } from 'express';
import type { Capability, PlatformParts } from '../capability.js';
import { consolePageRoutes } from './page.js';
import { rosterRoutes } from './roster.js';
import { attachConsoleNamespace, serveConsole } from './socket.js';

/** 值班台 and 值班表: the live alert console over Socket.IO `/console`, and the duty roster. */
export function consoleCapability({ core, io, session, alerts, feed }: PlatformParts): Capability {
  attachConsoleNamespace(io, core, session);
  serveConsole(io, core, alerts, feed);
  const routes = Router();
  routes.use(consolePageRoutes(core));
  routes.use(rosterRoutes(core));
  return { name: 'console', routes, pages: ['/console', '/roster'] };
}
