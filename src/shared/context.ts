import type { Request } from 'express';
import type { Principal } from '../auth/principal.js';

/**
 * Who is acting and on behalf of which request: the first argument of every service method that
 * changes state (`svc.verb(ctx, …input)`), so the audit record names the actor and the request.
 * Services never see an Express `Request`.
 */
export interface Ctx {
  actor: Principal | undefined;
  requestId?: string | undefined;
  /** The caller's session (cookie sign-ins), kept when users change their own password. */
  sessionId?: string | undefined;
}

/** The acting principal and request id of an HTTP request. */
export const ctxOf = (req: Request): Ctx => ({
  actor: req.principal,
  requestId: String(req.id ?? ''),
  sessionId: req.viaBearer ? undefined : req.sessionID,
});
