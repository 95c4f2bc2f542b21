// A token bucket shared by every transfer of a process, so BWLIMIT caps what is read from Swift.
import { setTimeout as sleep } from 'node:timers/promises';

/** What a transfer asks before it passes bytes on. */
export interface Throttle {
  take(bytes: number): Promise<void>;
}

export class Bandwidth implements Throttle {
  readonly #bytesPerSecond: number;
  // Empty until the first read, and filling from then: a bucket full at start would let the first second run at
  // twice the limit, and the first progress line would measure that burst as the rate.
  #available = 0;
  #updatedAt: number | undefined;

  constructor(bytesPerSecond: number) {
    this.#bytesPerSecond = bytesPerSecond;
  }

  /** Waits until `bytes` may pass. Unlimited when constructed with 0. */
  async take(bytes: number): Promise<void> {
    if (this.#bytesPerSecond <= 0) return;
    const now = performance.now();
    this.#updatedAt ??= now;
    this.#available = Math.min(this.#bytesPerSecond, this.#available + ((now - this.#updatedAt) / 1000) * this.#bytesPerSecond);
    this.#updatedAt = now;
    this.#available -= bytes;
    if (this.#available < 0) await sleep((-this.#available / this.#bytesPerSecond) * 1000);
  }
}
