/**
 * Simulated time following the wall clock (`aoi sim start`, the realtime tests): a ticker moves it forward
 * every few hundred milliseconds, and every request first moves it to the wall time it is answered at. A
 * ticker alone advances in bursts when the machine is busy (its ticks come late), so two scrapes would read
 * counters that moved by a burst's worth of simulated time between two wall-clock timestamps closer
 * together, and a rate() over them would read high (a false CpuHigh seen on a loaded machine).
 */
export interface FollowedClock {
  now(): number;
  advance(ms: number): void;
}

export class WallFollower {
  private wallAt: number;
  private simAt: number;

  constructor(
    private readonly clock: FollowedClock,
    readonly speed: number,
    private readonly wall: () => number = Date.now,
  ) {
    this.wallAt = wall();
    this.simAt = clock.now();
  }

  /** Moves simulated time to the wall's now (never back: a wall clock stepped back waits for itself). */
  catchUp(): void {
    const now = this.wall();
    if (now > this.wallAt) {
      this.clock.advance((now - this.wallAt) * this.speed);
      this.wallAt = now;
    }
    this.simAt = this.clock.now();
  }

  /** The wall time (ms since the epoch) a simulated time corresponds to, as a scraper's clock reads it. */
  wallOf(simTime: number): number {
    return Math.round(this.wallAt + (simTime - this.simAt) / this.speed);
  }
}
