/**
 * The simulator's time. Tests advance it by hand so nothing sleeps; `aoi sim start` lets it follow the wall
 * clock. Timers run in time order while the clock moves, each seeing `now()` at its own due time.
 */
interface Timer {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

export class SimClock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  private listeners: (() => void)[] = [];

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  iso(at = this.current): string {
    return new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  /** Runs `run` once the clock reaches `at`; returns a cancel function. */
  at(at: number, run: () => void): () => void {
    const timer: Timer = { at, seq: this.seq++, run, cancelled: false };
    this.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  after(ms: number, run: () => void): () => void {
    return this.at(this.current + ms, run);
  }

  /** Called after every advance, once all due timers ran (the simulator reconciles there). */
  onAdvance(listener: () => void): void {
    this.listeners.push(listener);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    const target = this.current + ms;
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.pop();
      if (next.cancelled) continue;
      this.current = Math.max(this.current, next.at);
      next.run();
      for (const listener of this.listeners) listener();
    }
    this.current = target;
    for (const listener of this.listeners) listener();
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** When the next live timer is due, if any. */
  nextDue(): number | undefined {
    while (this.timers[0]?.cancelled) this.pop();
    return this.timers[0]?.at;
  }

  // A binary min-heap on (at, seq): tens of thousands of pods each keep a timer.
  private push(timer: Timer): void {
    const heap = this.timers;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.timers;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && before(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < heap.length && before(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
