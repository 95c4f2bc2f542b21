// The memory for multipart part buffers, shared by every transfer of a process: buffers are reused, never left
// for the garbage collector, so RSS stays bounded whatever TRANSFERS × PART_CONCURRENCY × PART_SIZE would be.

export class PartBuffers {
  readonly #total: number;
  #allocated = 0;
  readonly #free: Buffer[] = [];
  readonly #waiting: { size: number; resolve: (buffer: Buffer) => void }[] = [];

  constructor(total: number) {
    this.#total = total;
  }

  /** A buffer of exactly `size` bytes, when the budget allows (one oversized buffer may exist alone). */
  async acquire(size: number): Promise<Buffer> {
    const buffer = this.#waiting.length === 0 ? this.#take(size) : undefined;
    return buffer ?? new Promise((resolve) => this.#waiting.push({ size, resolve }));
  }

  /** Gives a buffer back (the whole one acquired, not a slice of it). */
  release(buffer: Buffer): void {
    this.#free.push(buffer);
    while (this.#waiting.length > 0) {
      const next = this.#take(this.#waiting[0]!.size);
      if (!next) break;
      this.#waiting.shift()!.resolve(next);
    }
  }

  #take(size: number): Buffer | undefined {
    const same = this.#free.findIndex((buffer) => buffer.length === size);
    if (same >= 0) return this.#free.splice(same, 1)[0];
    // Parts of another size (a huge object grows its parts) make room by dropping free buffers.
    while (this.#allocated + size > this.#total && this.#free.length > 0) this.#allocated -= this.#free.pop()!.length;
    if (this.#allocated + size > this.#total && this.#allocated > 0) return undefined;
    this.#allocated += size;
    return Buffer.allocUnsafe(size);
  }
}
