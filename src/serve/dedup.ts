/**
 * Alertmanager re-sends a group's alerts on every group_interval and retries failed sends, so the same
 * alert arrives many times. One diagnosis per alert (group key + fingerprint) per window: later copies
 * inside the window are counted and dropped. Memory is bounded: expired keys go first (a Map keeps
 * insertion order, which is time order here), and past `maxKeys` the oldest go too.
 */
export class Deduper {
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  static key(groupKey: string, fingerprint: string): string {
    return `${groupKey}\u0000${fingerprint}`;
  }

  /** True when the key was seen within the window (it is then a duplicate). */
  isDuplicate(key: string): boolean {
    this.#prune();
    return this.#seen.has(key);
  }

  mark(key: string): void {
    this.#seen.delete(key);
    this.#seen.set(key, this.now());
    while (this.#seen.size > this.maxKeys) this.#seen.delete(this.#seen.keys().next().value!);
  }

  get size(): number {
    return this.#seen.size;
  }

  #prune(): void {
    const oldest = this.now() - this.windowMs;
    for (const [key, at] of this.#seen) {
      if (at > oldest) break;
      this.#seen.delete(key);
    }
  }
}
