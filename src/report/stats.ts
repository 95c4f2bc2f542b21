// Counters of one run: requests by operation, retries by cause, objects and bytes by outcome.
import type { OutageCounts, Side } from '../outage.ts';
import { processMemory } from './memory.ts';
import { ShardTotals } from './totals.ts';

export type Operation =
  | 'swift_auth' | 'swift_list' | 'swift_head' | 'swift_get'
  | 's3_list' | 's3_head' | 's3_get' | 's3_put' | 's3_copy' | 's3_create_multipart' | 's3_upload_part' | 's3_complete_multipart'
  | 's3_abort_multipart' | 's3_delete'
  /** Any request of the start-up probe of what the bucket is (s3/profile.ts). */
  | 's3_probe';

export interface ObjectProblem { key: string; reason: string }

/** The resync ledger of a run (NooBaa): objects it knew at the start, settled from the listings without a HEAD,
 *  learned this run (written, or proven by a HEAD), how many times a ledger was written, and for how many containers
 *  it stood in for the bucket's listing (TRUST_LEDGER_HOURS). */
export interface LedgerCounts { known: number; settled: number; learned: number; written: number; trusted: number }

export class Stats {
  readonly startedAt = Date.now();
  /** The process's peak heap and RSS, sampled from the first run's start. */
  readonly memory = processMemory.start();
  listed = 0;
  inShard = 0;
  toCopy = 0;
  bytesToCopy = 0;
  copied = 0;
  bytesCopied = 0;
  skipped = 0;
  unchanged = 0;
  /** Objects another tool wrote, proven equal by hashing the destination and given our metadata (no Swift read). */
  adopted = 0;
  /** Segments of large objects in another copied container: they arrive inside the assembled object. */
  segments = 0;
  extraneous = 0;
  /** Extraneous keys kept because Swift still answered for their names (the listing had missed them). */
  stillInSwift = 0;
  deleted = 0;
  failed = 0;
  inFlight = 0;
  /** Outages of each side: how many, and their seconds in all. */
  readonly outages: Record<Side, OutageCounts> = { swift: { count: 0, seconds: 0 }, s3: { count: 0, seconds: 0 } };
  /** Objects being copied or checked now: named when an outage outlasts OUTAGE_WAIT and ends the run. */
  readonly unfinished = new Set<string>();
  /** Seconds spent waiting for each side's listing (a ledger standing in for the bucket's counts as S3). */
  readonly listingSeconds = { swift: 0, s3: 0 };
  /** Set when the run keeps a resync ledger. */
  ledger: LedgerCounts | undefined;
  /** The shard's totals (estimated until the listings end) and what is done of them. */
  readonly totals = new ShardTotals();
  readonly requests = new Map<Operation, number>();
  readonly retries = new Map<string, number>();
  readonly latency = new Map<Operation, { count: number; totalMs: number }>();
  readonly failures: ObjectProblem[] = [];
  readonly skips: ObjectProblem[] = [];
  readonly notes: ObjectProblem[] = [];
  readonly #met = new Set<string>();

  countRequest(operation: Operation, ms?: number): void {
    this.requests.set(operation, (this.requests.get(operation) ?? 0) + 1);
    if (ms !== undefined) {
      const entry = this.latency.get(operation) ?? { count: 0, totalMs: 0 };
      entry.count++;
      entry.totalMs += ms;
      this.latency.set(operation, entry);
    }
  }

  countRetry(cause: string): void {
    this.retries.set(cause, (this.retries.get(cause) ?? 0) + 1);
  }

  /** Times one request and counts it, whatever its outcome. */
  async timed<T>(operation: Operation, request: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await request();
    } finally {
      this.countRequest(operation, performance.now() - started);
    }
  }

  /** True the first time a run-wide topic comes up: what concerns the run is said once, not per object. */
  firstTime(topic: string): boolean {
    if (this.#met.has(topic)) return false;
    this.#met.add(topic);
    return true;
  }

  get retryTotal(): number {
    let total = 0;
    for (const count of this.retries.values()) total += count;
    return total;
  }
}
