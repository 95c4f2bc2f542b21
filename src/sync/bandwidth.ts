// A token bucket shared by every transfer of a process, so BWLIMIT caps what is read from Swift.
import { setTimeout as sleep } from 'node:timers/promises';

export class Bandwidth {
  readonly #bytesPerSecond: number;
  #available: number;
  #updatedAt = performance.now();

  constructor(bytesPerSecond: number) {
    this.#bytesPerSecond = bytesPerSecond;
    this.#available = bytesPerSecond;
  }

  /** Waits until `bytes` may pass. Unlimited when constructed with 0. */
  async take(bytes: number): Promise<void> {
    if (this.#bytesPerSecond <= 0) return;
    const now = performance.now();
    this.#available = Math.min(this.#bytesPerSecond, this.#available + ((now - this.#updatedAt) / 1000) * this.#bytesPerSecond);
    this.#updatedAt = now;
    this.#available -= bytes;
    if (this.#available < 0) await sleep((-this.#available / this.#bytesPerSecond) * 1000);
  }
}
