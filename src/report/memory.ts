// The process's peak heap and resident memory over a run, for the summary: sampled every second and once more when
// read, so a short run and the end of a long one are counted too.

const MiB = 1024 * 1024;

export interface MemoryPeaks { peakHeapMiB: number; peakRssMiB: number }

/** One reading of the process's memory, in bytes. */
export type MemoryReading = () => { heapUsed: number; rss: number };

export class MemorySampler {
  readonly #read: MemoryReading;
  #heap = 0;
  #rss = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(read: MemoryReading = () => process.memoryUsage()) {
    this.#read = read;
  }

  /** Samples now and every `intervalMs`; the timer never keeps the process alive. A second start changes nothing. */
  start(intervalMs = 1000): this {
    if (this.#timer) return this;
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs).unref();
    return this;
  }

  sample(): void {
    const { heapUsed, rss } = this.#read();
    this.#heap = Math.max(this.#heap, heapUsed);
    this.#rss = Math.max(this.#rss, rss);
  }

  /** The peaks so far, this moment included, in MiB to one decimal. */
  peaks(): MemoryPeaks {
    this.sample();
    return { peakHeapMiB: Math.round((this.#heap / MiB) * 10) / 10, peakRssMiB: Math.round((this.#rss / MiB) * 10) / 10 };
  }
}

/** The process's sampler: memory is the process's, whichever run (or test) asks, so one timer serves them all. */
export const processMemory = new MemorySampler();
