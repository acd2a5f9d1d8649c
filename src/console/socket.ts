import type { RequestHandler, Request } from 'express';
import type { Server as IoServer, Socket } from 'socket.io';
import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { can, departmentFilter, seesMajorEvents, type Action } from '../auth/policy.js';
import { timingSafeEqual } from 'node:crypto';
import { principalFromToken, tokenPrincipalById } from '../auth/tokens.js';
import { liveSession } from '../auth/revocation.js';
import { alertConcernsMajorEvent } from '../events/access.js';
import { loadUserPrincipal } from '../auth/users.js';
import { HttpProblem } from '../shared/errors.js';
import type { AlertsService } from '../alerts/service.js';
import type { AlertFeed } from '../alerts/feed.js';
import { alertJson, type AlertRow } from '../alerts/model.js';

export const GLOBAL_ROOM = 'scope:global';
/** Scoped consoles that also see every major event's alerts (新闻办, 政务公开办). */
export const MAJOR_EVENTS_ROOM = 'scope:major-events';
export const deptRoom = (id: number) => `scope:dept:${id}`;

/** The rooms whose members may see an alert: global viewers, plus its department if it has one. */
export function alertRooms(alert: Pick<AlertRow, 'department_id'>): string[] {
  return alert.department_id === null ? [GLOBAL_ROOM] : [GLOBAL_ROOM, deptRoom(alert.department_id)];
}

async function authenticateSocket(socket: Socket, core: Core): Promise<Principal | null> {
  const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof token === 'string' && token) return principalFromToken(core.db, core.clock, token);
  const req = socket.request as Request;
  const userId = req.session?.userId;
  if (!userId) return null;
  socket.data.sid = req.sessionID;
  return loadUserPrincipal(core.db, userId);
}

/**
 * The socket's principal as the database sees it now: the token still unrevoked, or the session
 * still stored, still the same user, and that user still active (with today's roles). A state
 * change from a cookie socket must also carry that session's CSRF token, as HTTP calls do.
 */
async function currentPrincipal(socket: Socket, core: Core, csrfToken: unknown): Promise<Principal | null> {
  const p = socket.data.principal as Principal;
  if (p.kind === 'token') return tokenPrincipalById(core.db, p.id);
  const sid = socket.data.sid as string | undefined;
  if (!sid) return null;
  const session = await liveSession(core.db, sid);
  if (!session || session.userId !== p.id) return null;
  if (!session.csrfToken || typeof csrfToken !== 'string' || !sameSecret(csrfToken, session.csrfToken))
    return null;
  return loadUserPrincipal(core.db, p.id);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether a `principal_changed` notice (`user:ID`, `token:ID`, `session:SID`) concerns a socket. */
export function concerns(key: string, socket: Pick<Socket, 'data'>): boolean {
  const p = socket.data.principal as Principal | undefined;
  if (!p) return false;
  const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  if (kind === 'session') return socket.data.sid === id;
  return kind === p.kind && String(p.id) === id;
}

/**
 * `/console`: no anonymous sockets. Each socket joins its scope room (global or its department)
 * plus department and role rooms; alerts reach it through `alertRooms`.
 */
export function attachConsoleNamespace(io: IoServer, core: Core, session: RequestHandler) {
  // Sessions are read only on the handshake request; later polling requests carry the sid.
  io.engine.use((req: Request & { _query?: { sid?: string } }, res: never, next: () => void) => {
    if (req._query?.sid === undefined) session(req, res, next);
    else next();
  });
  const nsp = io.of('/console');
  nsp.use(socketAuthorization(core, 'alert.read'));
  return nsp;
}

/** Namespace middleware: no anonymous sockets, and only principals allowed `action`. */
export function socketAuthorization(core: Core, action: Action) {
  return (socket: Socket, next: (err?: Error) => void) => {
    authenticateSocket(socket, core)
      .then((p) => {
        if (!p || !can(p, action)) return next(new Error('unauthorized'));
        socket.data.principal = p;
        next();
      })
      .catch(() => next(new Error('unauthorized')));
  };
}

type Push = (row: AlertRow, payload: ReturnType<typeof alertJson>) => void;

/** Wires the alert feed and acknowledgements to the namespace once the alert service exists. */
export function serveConsole(io: IoServer, core: Core, alerts: AlertsService, feed: AlertFeed) {
  const nsp = io.of('/console');
  nsp.on('connection', async (socket) => {
    const p = socket.data.principal as Principal;
    const scope = departmentFilter(p, 'alert.read');
    socket.data.scope = scope;
    // Live pushes wait until the replay is out, so the client sees alerts in order, once each.
    const pending: AlertRow[] = [];
    const sent = new Set<number>();
    let replaying = true;
    const push: Push = (row, payload) => {
      if (replaying) pending.push(row);
      else if (!sent.has(row.id)) socket.emit('alert', payload);
    };
    socket.data.push = push;
    await socket.join(scope === null ? GLOBAL_ROOM : deptRoom(scope));
    const major = scope !== null && seesMajorEvents(p, 'alert.read');
    socket.data.major = major;
    if (major) await socket.join(MAJOR_EVENTS_ROOM);
    if (p.kind === 'user') for (const r of p.roles) await socket.join(`role:${r}`);

    socket.on('alert:ack', async (payload: unknown, cb?: (res: unknown) => void) => {
      const reply = typeof cb === 'function' ? cb : () => undefined;
      const body = (payload ?? {}) as { id?: unknown; csrfToken?: unknown };
      const id = Number(body.id);
      if (!Number.isSafeInteger(id) || id <= 0) return reply({ ok: false, status: 400, error: 'id 无效' });
      try {
        // Re-authorised against the database on every ack: the socket may be older than a
        // revocation, and the token binds the ack to a page of this platform.
        const csrf =
          body.csrfToken ?? (socket.handshake.auth as { csrfToken?: unknown } | undefined)?.csrfToken;
        const now = await currentPrincipal(socket, core, csrf);
        if (!now) {
          const fresh =
            p.kind === 'user' && socket.data.sid && (await liveSession(core.db, socket.data.sid as string));
          if (fresh && fresh.userId === p.id && (await loadUserPrincipal(core.db, p.id)))
            return reply({ ok: false, status: 403, error: 'CSRF 令牌缺失或无效，请刷新页面后重试' });
          reply({ ok: false, status: 401, error: '登录已失效，请重新登录' });
          socket.disconnect(true);
          return;
        }
        const row = await alerts.ack({ actor: now }, id);
        reply({ ok: true, alert: alertJson(row) });
      } catch (err) {
        const status = err instanceof HttpProblem ? err.status : 500;
        if (status >= 500) core.logger.error({ err }, 'socket ack failed');
        reply({ ok: false, status, error: err instanceof HttpProblem ? err.detail : '服务器错误' });
      }
    });

    const auth = (socket.handshake.auth ?? {}) as { lastAlertId?: unknown };
    const lastAlertId = Number(auth.lastAlertId);
    try {
      if (auth.lastAlertId != null && Number.isSafeInteger(lastAlertId) && lastAlertId >= 0) {
        for (const row of await alerts.replay(p, lastAlertId)) {
          sent.add(row.id);
          socket.emit('alert', alertJson(row));
        }
      }
    } catch (err) {
      core.logger.error({ err }, 'console replay failed');
    } finally {
      replaying = false;
      for (const row of pending) if (!sent.has(row.id)) socket.emit('alert', alertJson(row));
      sent.clear();
    }
    socket.emit('ready', {
      principal: p.kind === 'user' ? { id: p.id, displayName: p.displayName } : { token: p.name },
    });
  });

  feed.on('alert', (row) => {
    const payload = alertJson(row);
    const others: Push[] = [];
    for (const [, socket] of nsp.sockets) {
      const push = socket.data.push as Push | undefined;
      const scope = socket.data.scope as number | null | undefined;
      if (!push) continue;
      if (scope === null || scope === row.department_id) push(row, payload);
      else if (socket.data.major) others.push(push);
    }
    // Consoles that see major events get another department's alert when it concerns one.
    if (others.length)
      void alertConcernsMajorEvent(core.db, row.id)
        .then((major) => {
          if (major) for (const push of others) push(row, payload);
        })
        .catch((err: unknown) => core.logger.error({ err }, 'major-event alert lookup failed'));
  });
  feed.on('resolved', (row) => {
    const json = alertJson(row);
    nsp.to([...alertRooms(row), MAJOR_EVENTS_ROOM]).emit('alert:resolved', {
      id: row.id,
      resolvedAt: json.resolvedAt,
      reason: row.resolved_reason,
    });
  });
  // Authority taken away on any node: sockets holding it go at once; a still-valid user reconnects.
  feed.on('principal', (key) => {
    for (const [, socket] of nsp.sockets) if (concerns(key, socket)) socket.disconnect(true);
  });
  feed.on('ack', (row) => {
    nsp.to([...alertRooms(row), MAJOR_EVENTS_ROOM]).emit('alert:acked', {
      id: row.id,
      ackedAt: alertJson(row).ackedAt,
      ackedBy: row.acked_by,
    });
  });
}
