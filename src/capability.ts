import type { RequestHandler, Router } from 'express';
import type { Server as IoServer } from 'socket.io';
import type { Core } from './context.js';
import type { Scheduler } from './shared/scheduler.js';
import type { AlertsService } from './alerts/service.js';
import type { AlertFeed } from './alerts/feed.js';

/** What every capability receives when the platform is assembled. */
export interface PlatformParts {
  core: Core;
  scheduler: Scheduler;
  alerts: AlertsService;
  feed: AlertFeed;
  io: IoServer;
  /** The session middleware, for Socket.IO handshakes. */
  session: RequestHandler;
}

/**
 * A domain plugged into the platform: its routes, the pages it adds to the navigation, and the
 * background work it runs between `start` and `stop` (queue workers, Agenda job definitions).
 */
export interface Capability {
  name: string;
  routes?: Router;
  pages?: string[];
  /** Called before the scheduler starts: define Agenda jobs here. */
  defineJobs?(): void;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
