import { performance } from 'node:perf_hooks';

/**
 * The public website's lane on the event loop: at most `budgetMs` of cached public answers per
 * loop turn, the rest wait (first come, first served) for the next turn.
 *
 * Why: one event loop serves the flood and the staff. Without a lane every turn answers every
 * visitor whose request has arrived, and each step of a staff request (its session read, its
 * queries, its session touch: five database round trips) waits for a whole turn; under a flood of
 * fifty connections that was tens of milliseconds per step. With the lane a turn holds at most a
 * slice of public work, so a staff step waits for one slice, while the public pages are still
 * answered as fast as the loop goes (a turn with nothing else to do just runs the next slice).
 * Beyond `maxQueued` waiting answers the caller is told no (the visitor gets a 503 to retry).
 */
export class PublicLane {
  private readonly jobs: (() => void)[] = [];
  private head = 0;
  private spent = 0;
  private scheduled = false;

  constructor(
    private readonly budgetMs: number,
    private readonly maxQueued: number,
    /** Milliseconds, monotonic (tests pass their own). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  get length(): number {
    return this.jobs.length - this.head;
  }

  /** Runs `job` now if this turn's slice has room, else queues it; false when the line is full. */
  run(job: () => void): boolean {
    if (this.budgetMs <= 0) {
      job();
      return true;
    }
    if (this.length === 0 && this.spent < this.budgetMs) {
      this.timed(job);
      this.schedule();
      return true;
    }
    if (this.length >= this.maxQueued) return false;
    this.jobs.push(job);
    this.schedule();
    return true;
  }

  private timed(job: () => void): void {
    const t0 = this.now();
    try {
      job();
    } finally {
      this.spent += this.now() - t0;
    }
  }

  // setImmediate runs after the turn's I/O callbacks: the slice opens again once the staff
  // requests and database replies that arrived meanwhile have had their turn.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.scheduled = false;
    this.spent = 0;
    while (this.length > 0 && this.spent < this.budgetMs) {
      const job = this.jobs[this.head]!;
      this.jobs[this.head++] = undefined as unknown as () => void;
      this.timed(job);
    }
    if (this.length === 0) {
      this.jobs.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.jobs.splice(0, this.head);
      this.head = 0;
    }
    if (this.length > 0) this.schedule();
  };
}
