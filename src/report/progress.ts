// A progress line every PROGRESS_INTERVAL: objects and bytes done of the shard's totals (estimated until the
// listings end, see totals.ts), the copy rate, and the ETA of what remains.
import type { Log } from '../log.ts';
import type { Stats } from './stats.ts';
import type { ShardTotals, TotalsSnapshot } from './totals.ts';

/** The rate is measured over the last minute: long enough to smooth out single large objects, short enough to follow
 *  a change of pace (another shard's pods starting, a throttled link). */
const RATE_WINDOW_MS = 60_000;
/** Less than a second of copying measures the start (connections opening, first bytes), not the pace. */
const RATE_MIN_SPAN_MS = 1_000;

export interface ProgressLine {
  listed: number;
  inShard: number;
  /** "estimated" until every container's listing has ended, then "exact". */
  totals: 'estimated' | 'exact';
  objects: { done: number; total: number; copied: number; failed: number };
  bytes: { done: number; total: number; copied: number };
  inFlight: number;
  /** Bytes read from Swift per second over the last minute (since the first copy started, early on); null until
   *  the copy has run a second. */
  mibPerSecond: number | null;
  /** The bytes still to settle at that rate; null while there is no rate or nothing is being copied. */
  etaSeconds: number | null;
  retries: number;
}

/** Bytes transferred at moments in time; the rate over the window that ends at the newest. */
export class RateWindow {
  readonly #samples: { at: number; bytes: number }[] = [];

  add(at: number, bytes: number): void {
    this.#samples.push({ at, bytes });
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - RATE_WINDOW_MS) this.#samples.shift();
  }

  /** Bytes per second between the oldest sample in the window and the newest; undefined over less than a second. */
  get bytesPerSecond(): number | undefined {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.at - first.at < RATE_MIN_SPAN_MS) return undefined;
    return ((last.bytes - first.bytes) / (last.at - first.at)) * 1000;
  }
}

export function progressLine(stats: Stats, totals: TotalsSnapshot, bytesPerSecond: number | undefined): ProgressLine {
  const remaining = Math.max(0, totals.total.bytes - totals.done.bytes);
  return {
    listed: stats.listed,
    inShard: stats.inShard,
    totals: totals.exact ? 'exact' : 'estimated',
    objects: { done: totals.done.objects, total: totals.total.objects, copied: stats.copied, failed: stats.failed },
    bytes: { done: totals.done.bytes, total: totals.total.bytes, copied: stats.bytesCopied },
    inFlight: stats.inFlight,
    mibPerSecond: bytesPerSecond === undefined ? null : Math.round((bytesPerSecond / 1048576) * 100) / 100,
    etaSeconds: bytesPerSecond ? Math.round(remaining / bytesPerSecond) : null,
    retries: stats.retryTotal,
  };
}

/** When a line samples the bytes read. Bytes arrive in chunks: sampled at the moment the last chunk passed, a short
 *  span is measured exactly instead of up to a chunk short. Now instead when nothing passed since the last line (the
 *  rate then falls with the time), or when the last chunk passed within the copy's first second but the line comes
 *  after it: the copy has run a second by now (a stalled target, a starved process), and has a rate. */
export function sampleTime(totals: Pick<ShardTotals, 'copyingSince' | 'transferred' | 'lastReadAt'>, sampledBytes: number | undefined, now: number): number {
  const { copyingSince, transferred, lastReadAt } = totals;
  if (transferred === sampledBytes || lastReadAt === undefined || copyingSince === undefined) return now;
  const pastFirstSecond = lastReadAt - copyingSince >= RATE_MIN_SPAN_MS;
  return pastFirstSecond ? lastReadAt : now;
}

export function startProgress(stats: Stats, log: Log, intervalMs: number): () => void {
  const rate = new RateWindow();
  let sampled: number | undefined;
  const timer = setInterval(() => {
    // No line before the containers' counts are in: a first line of zeros would say nothing.
    if (!stats.totals.known) return;
    const { copyingSince, transferred } = stats.totals;
    if (copyingSince !== undefined) {
      // The first copy's start (0 bytes) is the rate's origin: before it the process authenticated and listed.
      if (sampled === undefined) rate.add(copyingSince, 0);
      rate.add(sampleTime(stats.totals, sampled, Date.now()), transferred);
      sampled = transferred;
    }
    log.info({ progress: progressLine(stats, stats.totals.snapshot(), rate.bytesPerSecond) }, 'progress');
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
