/** A piece of work the queue starts when its turn comes. */
export type Job = () => Promise<void>;

/**
 * Runs jobs in the order they were added, at most `concurrency` at a time: with 1 (the default of
 * the command) each job starts when the previous one has finished, as the original runs scripts.
 * Jobs beyond `capacity` waiting are refused, so a peer sending faster than its scripts run cannot
 * grow the queue without end.
 */
export class JobQueue {
  private readonly waiting: Job[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly capacity = 10_000,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, not ${concurrency}`);
  }

  /** Adds a job; false when the queue is full and the job was refused. */
  push(job: Job): boolean {
    if (this.waiting.length >= this.capacity) return false;
    this.waiting.push(job);
    this.pump();
    return true;
  }

  /** Jobs not started yet. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Drops the jobs not started yet; returns how many were dropped. */
  clear(): number {
    const dropped = this.waiting.length;
    this.waiting.length = 0;
    this.settleIdle();
    return dropped;
  }

  /** Resolves once nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running += 1;
      // A job reports its own failures; one that throws anyway must not stop the queue.
      void job()
        .catch(() => undefined)
        .finally(() => {
          this.running -= 1;
          this.pump();
          this.settleIdle();
        });
    }
  }

  private settleIdle(): void {
    if (this.running !== 0 || this.waiting.length !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
