import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Core } from '../context.js';
import { ALERT_CHANNEL, alertById } from './store.js';
import type { AlertRow } from './model.js';
import { PRINCIPAL_CHANNEL } from '../auth/revocation.js';

export interface AlertFeedEvents {
  alert: [AlertRow];
  ack: [AlertRow];
  /** An alert's matter ended (committed): consoles drop it from their open lists. */
  resolved: [AlertRow];
  /** A clock's timers changed (committed); the clock engine schedules them. */
  clock: [number];
  /** Authority was taken from a user, token or session (`user:ID`, `token:ID`, `session:SID`). */
  principal: [string];
  /** Public website content changed (payload "version:epoch-ms", migration 070). */
  publicContent: [string];
  /** The opinion pipeline stored a batch (payload: the analysed item ids, comma-separated). */
  opinionAnalysed: [string];
  /** The LISTEN connection is back after a loss: listeners re-check what they may have missed. */
  reconnected: [];
}

/** Extra channels this connection listens to for other capabilities. */
const CLOCK_CHANNEL = 'clock_changed';
const PUBLIC_CONTENT_CHANNEL = 'public_content';
/** `OPINION_LIVE_CHANNEL` of src/opinion/live.ts. */
const OPINION_LIVE_CHANNEL = 'opinion_analysed';

/**
 * Listens for committed alerts (NOTIFY from `insertAlert`) on a dedicated connection and emits
 * them to this node's consoles. When the LISTEN connection drops it reconnects and replays every
 * alert it may have missed, so a network blip loses no push.
 */
export class AlertFeed extends EventEmitter<AlertFeedEvents> {
  private client: pg.Client | null = null;
  private stopped = false;
  private lastId = 0;
  private retryMs = 500;
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  /** Ids pushed recently: commits can arrive out of id order, so "id > last" alone would drop some. */
  private readonly emitted = new Set<number>();
  private lostAt: Date | null = null;

  constructor(private readonly core: Core) {
    super();
  }

  async start(): Promise<void> {
    const last = await this.core.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirst();
    this.lastId = Number(last?.max ?? 0);
    await this.connect();
  }

  get connected(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.core.databaseUrl, application_name: 'alert-feed' });
    const lost = (err?: unknown) => {
      if (this.client !== client) return;
      this.client = null;
      this.lostAt ??= new Date();
      client.removeAllListeners();
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.core.logger.warn({ err }, 'alert feed connection lost; reconnecting');
        this.scheduleReconnect();
      }
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('connection ended')));
    client.on('notification', (msg) => {
      if (!msg.payload) return;
      if (msg.channel === CLOCK_CHANNEL) {
        const id = Number(msg.payload);
        if (Number.isSafeInteger(id)) this.emit('clock', id);
      } else if (msg.channel === PRINCIPAL_CHANNEL) this.emit('principal', msg.payload);
      else if (msg.channel === PUBLIC_CONTENT_CHANNEL) this.emit('publicContent', msg.payload);
      else if (msg.channel === OPINION_LIVE_CHANNEL) this.emit('opinionAnalysed', msg.payload);
      else if (msg.channel === ALERT_CHANNEL) this.enqueue(msg.payload);
    });
    try {
      await client.connect();
      await client.query(
        `listen ${ALERT_CHANNEL}; listen ${CLOCK_CHANNEL}; listen ${PRINCIPAL_CHANNEL}; listen ${PUBLIC_CONTENT_CHANNEL}; listen ${OPINION_LIVE_CHANNEL}`,
      );
    } catch (err) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      if (this.stopped) return;
      this.core.logger.warn({ err }, 'alert feed could not connect; retrying');
      this.scheduleReconnect();
      return;
    }
    const wasLost = this.lostAt !== null;
    this.client = client;
    this.retryMs = 500;
    if (wasLost) this.emit('reconnected');
    // Anything committed while we were not listening is pushed now, in id order.
    this.queue = this.queue.then(() => this.catchUp());
  }

  private scheduleReconnect(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }

  private enqueue(payload: string): void {
    this.queue = this.queue
      .then(async () => {
        const [, kind, rest] = /^(?:(ack|resolved):)?(.*)$/.exec(payload)!;
        const id = Number(rest);
        if (!Number.isSafeInteger(id)) return;
        const row = await alertById(this.core.db, id);
        if (!row) return;
        if (kind === 'ack') this.emit('ack', row);
        else if (kind === 'resolved') this.emit('resolved', row);
        else this.deliver(row);
      })
      .catch((err: unknown) => this.core.logger.error({ err }, 'alert feed delivery failed'));
  }

  private deliver(row: AlertRow): void {
    if (this.emitted.has(row.id)) return;
    this.emitted.add(row.id);
    if (this.emitted.size > 20_000) {
      const oldest = this.emitted.values().next().value;
      if (oldest !== undefined) this.emitted.delete(oldest);
    }
    this.lastId = Math.max(this.lastId, row.id);
    this.emit('alert', row);
  }

  private async catchUp(): Promise<void> {
    const since = this.lostAt ? new Date(this.lostAt.getTime() - 60_000) : null;
    this.lostAt = null;
    let q = this.core.db.selectFrom('alerts').selectAll().orderBy('id').limit(5000);
    q = since
      ? q.where((eb) => eb.or([eb('id', '>', this.lastId), eb('created_at', '>=', since)]))
      : q.where('id', '>', this.lastId);
    for (const row of await q.execute()) this.deliver(row);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners();
      await c.end().catch(() => undefined);
    }
    await this.queue;
  }

  /** For tests of the reconnect path: drop the LISTEN connection as a network fault would. */
  simulateConnectionLoss(): void {
    this.client?.emit('error', new Error('simulated connection loss'));
  }
}
