// A memory budget for multipart part buffers, shared by every transfer of a process, so RSS stays bounded
// whatever TRANSFERS × PART_CONCURRENCY × PART_SIZE would be.

export class Budget {
  readonly #total: number;
  #free: number;
  readonly #waiting: { bytes: number; resolve: () => void }[] = [];

  constructor(total: number) {
    this.#total = total;
    this.#free = total;
  }

  /** Reserves `bytes` (at most the whole budget, so one oversized part can still run alone). */
  async acquire(bytes: number): Promise<number> {
    const wanted = Math.min(bytes, this.#total);
    if (this.#waiting.length === 0 && this.#free >= wanted) {
      this.#free -= wanted;
      return wanted;
    }
    await new Promise<void>((resolve) => this.#waiting.push({ bytes: wanted, resolve }));
    return wanted;
  }

  release(bytes: number): void {
    this.#free += bytes;
    while (this.#waiting.length > 0 && this.#free >= this.#waiting[0]!.bytes) {
      const waiter = this.#waiting.shift()!;
      this.#free -= waiter.bytes;
      waiter.resolve();
    }
  }
}
