import type { Job } from 'agenda';
import type { Core } from '../context.js';
import type { Scheduler } from '../shared/scheduler.js';
import type { AlertFeed } from '../alerts/feed.js';
import { advanceClock } from './firing.js';
import { renotifyDueAlerts } from '../alerts/renotify.js';

const THRESHOLD_JOB = 'clock.threshold';
const SWEEP_JOB = 'clocks.sweep';

interface ThresholdJobData {
  clockId: number;
  key: string;
}

/**
 * Drives clocks in time. Each threshold due soon gets an Agenda job at its exact time (Agenda's
 * processor sets a timer for jobs inside its scan window); the scheduler is at-least-once, so the
 * job only asks `advanceClock`, which fires a threshold exactly once whoever asks. A sweep at start
 * and every SWEEP_INTERVAL_SECONDS fires whatever is overdue (a lost job, a node that was down)
 * and schedules what falls due within the horizon, so no breach depends on one job surviving.
 */
export class ClockEngine {
  /** clockId:key → due time already scheduled by this node. */
  private readonly scheduled = new Map<string, number>();
  private readonly horizonMs: number;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly core: Core,
    private readonly scheduler: Scheduler,
    private readonly feed: AlertFeed,
  ) {
    this.horizonMs = Math.max(5 * 60_000, core.config.sweepIntervalSeconds * 3000);
  }

  defineJobs(): void {
    this.scheduler.define<ThresholdJobData>(THRESHOLD_JOB, async (job: Job<ThresholdJobData>) => {
      await this.advance(job.attrs.data.clockId);
    });
    this.scheduler.define(SWEEP_JOB, async () => {
      await this.sweep();
    });
  }

  async start(): Promise<void> {
    this.feed.on('clock', this.onClockChanged);
    this.feed.on('reconnected', this.onReconnected);
    await this.sweep();
    await this.scheduler.every(`${this.core.config.sweepIntervalSeconds} seconds`, SWEEP_JOB);
    // Every node also sweeps on its own timer: the recurring Agenda job runs on one node at a
    // time, but the jobs a node schedules ahead must exist even if that node is the only one.
    this.timer = setInterval(() => void this.sweep(), this.core.config.sweepIntervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.feed.off('clock', this.onClockChanged);
    this.feed.off('reconnected', this.onReconnected);
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  private readonly onClockChanged = (clockId: number) => {
    void this.scheduleClock(clockId).catch((err: unknown) =>
      this.core.logger.error({ err, clockId }, 'scheduling clock failed'),
    );
  };

  private readonly onReconnected = () => void this.sweep();

  async advance(clockId: number): Promise<number> {
    return this.core.db.transaction().execute((trx) => advanceClock(trx, clockId, this.core.clock.now()));
  }

  /** Overdue thresholds fire now; those due within the horizon get an exact-time job. */
  sweep(): Promise<void> {
    this.sweeping ??= this.runSweep().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async runSweep(): Promise<void> {
    if (this.stopped) return;
    try {
      const now = this.core.clock.now();
      const overdue = await this.core.db
        .selectFrom('clock_thresholds')
        .select('clock_id')
        .distinct()
        .where('fired_at', 'is', null)
        .where('due_at', '<=', now)
        .limit(2000)
        .execute();
      for (const { clock_id } of overdue) await this.advance(clock_id);
      const soon = await this.core.db
        .selectFrom('clock_thresholds')
        .select(['clock_id', 'key', 'due_at'])
        .where('fired_at', 'is', null)
        .where('due_at', '>', now)
        .where('due_at', '<=', new Date(now.getTime() + this.horizonMs))
        .execute();
      for (const t of soon) await this.scheduleThreshold(t.clock_id, t.key, t.due_at);
      await renotifyDueAlerts(this.core, now);
      this.forgetPast(now);
    } catch (err) {
      this.core.logger.error({ err }, 'clock sweep failed');
    }
  }

  private async scheduleClock(clockId: number): Promise<void> {
    const now = this.core.clock.now();
    const rows = await this.core.db
      .selectFrom('clock_thresholds')
      .select(['key', 'due_at'])
      .where('clock_id', '=', clockId)
      .where('fired_at', 'is', null)
      .where('due_at', '<=', new Date(now.getTime() + this.horizonMs))
      .execute();
    for (const r of rows) {
      if (r.due_at <= now) await this.advance(clockId);
      else await this.scheduleThreshold(clockId, r.key, r.due_at);
    }
  }

  private async scheduleThreshold(clockId: number, key: string, dueAt: Date): Promise<void> {
    const id = `${clockId}:${key}`;
    if (this.scheduled.get(id) === dueAt.getTime()) return;
    await this.scheduler
      .create<ThresholdJobData>(THRESHOLD_JOB, { clockId, key })
      .unique({ 'data.clockId': clockId, 'data.key': key })
      .schedule(dueAt)
      .save();
    this.scheduled.set(id, dueAt.getTime());
  }

  private forgetPast(now: Date): void {
    for (const [id, due] of this.scheduled) if (due < now.getTime() - 60_000) this.scheduled.delete(id);
  }
}
