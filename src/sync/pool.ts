// The transfer pool of a shard: at most TRANSFERS tasks at once.

/** A pool that runs at most `limit` tasks at once; `add` waits for a free slot, so listing never runs far ahead. */
export class Pool {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;
  constructor(limit: number) { this.#limit = limit; }
  async add(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit) await Promise.race(this.#running);
    this.#throwIfFailed();
    const running: Promise<void> = task()
      .catch((error: unknown) => { this.#failure ??= { error }; })
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.race(this.#running);
    this.#throwIfFailed();
  }
  /** A task's error that is not about one object (a FatalError) ends the shard. */
  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
