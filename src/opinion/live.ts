import { sql } from 'kysely';
import type { Server as IoServer } from 'socket.io';
import type { Core } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { departmentFilter, seesMajorEvents } from '../auth/policy.js';
import type { AlertFeed } from '../alerts/feed.js';
import { concerns, socketAuthorization } from '../console/socket.js';
import { isMajor } from '../events/rules.js';
import type { EventRow } from '../events/model.js';
import { trendOf } from './analysis/rules.js';
import { ITEM_COLUMNS, itemJson, opinionEventJson, type OpinionService } from './service.js';

/**
 * Live /opinion: analysed items and the events they changed, pushed over Socket.IO `/opinion`.
 * After each committed batch the pipeline leader announces the item ids with NOTIFY; every node
 * LISTENs (AlertFeed) and pushes to its own sockets' rooms, so sockets on any node hear it.
 */
export const OPINION_LIVE_CHANNEL = 'opinion_analysed';

/** NOTIFY payloads stay under PostgreSQL's 8000-byte limit. */
const IDS_PER_NOTIFY = 400;
/**
 * Marks a payload of event ids: events analysts' corrections moved. Their items are not new, so
 * only the events are pushed (a page would otherwise list a corrected old post as a new one).
 */
const EVENTS_PREFIX = 'e:';

/**
 * A committed batch's items and the events corrections moved, announced to every node (a lost
 * announcement loses a push, not data).
 */
export function announceAnalysed(
  core: Core,
  ids: readonly number[],
  correctedEventIds: readonly number[] = [],
): void {
  const payloads: string[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_NOTIFY)
    payloads.push(ids.slice(i, i + IDS_PER_NOTIFY).join(','));
  for (let i = 0; i < correctedEventIds.length; i += IDS_PER_NOTIFY)
    payloads.push(EVENTS_PREFIX + correctedEventIds.slice(i, i + IDS_PER_NOTIFY).join(','));
  Promise.all(
    payloads.map((p) => sql`select pg_notify(${OPINION_LIVE_CHANNEL}, ${p})`.execute(core.db)),
  ).catch((err: unknown) => core.logger.warn({ err }, 'opinion live announcement failed'));
}

/** Raw items are for those who see every department's opinion (as `GET /api/opinion/items`). */
export const LIVE_ALL = 'opinion:all';
export const LIVE_MAJOR = 'opinion:major';
export const liveDeptRoom = (id: number) => `opinion:dept:${id}`;
export const liveUserRoom = (id: number) => `opinion:user:${id}`;

/** The rooms a socket joins: the same reach `scopedEvents` gives the caller's lists. */
export function liveRoomsOf(p: Principal): string[] {
  const dept = departmentFilter(p, 'opinion.read');
  if (dept === null) return [LIVE_ALL];
  const rooms = [liveDeptRoom(dept)];
  if (p.kind === 'user') rooms.push(liveUserRoom(p.id));
  if (seesMajorEvents(p, 'opinion.read')) rooms.push(LIVE_MAJOR);
  return rooms;
}

/** The rooms whose members may see an event. */
export function eventRooms(
  e: Pick<EventRow, 'responsible_department_id' | 'spokesperson_id' | 'severity'>,
): string[] {
  const rooms = [LIVE_ALL];
  if (e.responsible_department_id !== null) rooms.push(liveDeptRoom(e.responsible_department_id));
  if (e.spokesperson_id !== null) rooms.push(liveUserRoom(e.spokesperson_id));
  if (isMajor(e.severity)) rooms.push(LIVE_MAJOR);
  return rooms;
}

export function serveOpinionLive(io: IoServer, core: Core, feed: AlertFeed, svc: OpinionService): void {
  const nsp = io.of('/opinion');
  nsp.use(socketAuthorization(core, 'opinion.read'));
  nsp.on('connection', async (socket) => {
    await socket.join(liveRoomsOf(socket.data.principal as Principal));
    socket.emit('ready');
  });
  feed.on('principal', (key) => {
    for (const [, socket] of nsp.sockets) if (concerns(key, socket)) socket.disconnect(true);
  });

  const pushEvents = async (events: readonly EventRow[]) => {
    const unique = [...new Map(events.map((e) => [e.id, e])).values()];
    const hourly = await svc.hourly(unique.map((e) => e.id));
    const now = core.clock.now().getTime();
    for (const e of unique) {
      const json = opinionEventJson(e);
      const sentiment = (e.analysis as { sentiment?: { positive?: number } } | null)?.sentiment;
      nsp.to(eventRooms(e)).emit('event', {
        ...json,
        negativeCount: e.negative_count,
        positiveCount: sentiment?.positive ?? 0,
        trend: trendOf(hourly.get(e.id) ?? [], now),
        analysis: undefined,
        clocks: undefined,
      });
    }
  };
  const push = async (ids: number[]) => {
    const items = await core.db
      .selectFrom('opinion_items')
      .select(ITEM_COLUMNS)
      .where('id', 'in', ids)
      .where('status', '!=', 'pending')
      .orderBy('id')
      .execute();
    const clusterIds = [...new Set(items.map((i) => i.cluster_id).filter((c) => c !== null))];
    const events = clusterIds.length
      ? await core.db
          .selectFrom('opinion_clusters as c')
          .innerJoin('opinion_events as e', 'e.id', 'c.event_id')
          .select('c.id as cluster_id')
          .selectAll('e')
          .where('c.id', 'in', clusterIds)
          .execute()
      : [];
    const eventOf = new Map(events.map((e) => [e.cluster_id, e.id]));
    for (const i of items) {
      const { explanation: _explanation, ...item } = itemJson(i);
      nsp.to(LIVE_ALL).emit('item', { ...item, eventId: eventOf.get(i.cluster_id ?? -1) ?? null });
    }
    await pushEvents(events.map(({ cluster_id: _cluster, ...e }) => e));
  };
  const pushCorrected = async (eventIds: number[]) =>
    pushEvents(await core.db.selectFrom('opinion_events').selectAll().where('id', 'in', eventIds).execute());
  // One batch after the other, so a client sees items in the order they were analysed.
  let queue = Promise.resolve();
  feed.on('opinionAnalysed', (payload) => {
    if (nsp.sockets.size === 0) return;
    const events = payload.startsWith(EVENTS_PREFIX);
    const ids = payload
      .slice(events ? EVENTS_PREFIX.length : 0)
      .split(',')
      .map(Number)
      .filter((n) => Number.isSafeInteger(n) && n > 0);
    if (!ids.length) return;
    queue = queue
      .then(() => (events ? pushCorrected(ids) : push(ids)))
      .catch((err: unknown) => core.logger.error({ err }, 'opinion live push failed'));
  });
}
