/**
 * A bounded queue with bounded concurrency: at most `concurrency` jobs run, at most `capacity` wait, and
 * `offer` says no (rather than growing) when full, so the receiver can answer 503 and let Alertmanager
 * retry later. `idle()` resolves when nothing runs or waits: graceful shutdown waits on it.
 */
export class WorkQueue<T> {
  readonly #waiting: T[] = [];
  #running = 0;
  #idle: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly capacity: number,
    private readonly run: (job: T) => Promise<void>,
  ) {}

  get depth(): number {
    return this.#waiting.length;
  }

  get running(): number {
    return this.#running;
  }

  /** Room for `n` more jobs right now (running slots free plus queue space). */
  hasRoom(n: number): boolean {
    return n <= this.concurrency - this.#running + this.capacity - this.#waiting.length;
  }

  /** Queues the job; false (and nothing queued) when full. */
  offer(job: T): boolean {
    if (!this.hasRoom(1)) return false;
    this.#waiting.push(job);
    this.#pump();
    return true;
  }

  idle(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.concurrency && this.#waiting.length > 0) {
      const job = this.#waiting.shift()!;
      this.#running++;
      // run() reports its own errors; a rejection here must not stop the queue.
      void this.run(job)
        .catch(() => undefined)
        .finally(() => {
          this.#running--;
          this.#pump();
          if (this.#running === 0 && this.#waiting.length === 0) {
            for (const resolve of this.#idle.splice(0)) resolve();
          }
        });
    }
  }
}
