// The end of a run: the counts, problems and requests of a shard, for the log and for Kubernetes' termination message.
import type { OutageCounts, Side } from '../outage.ts';
import type { MemoryPeaks } from './memory.ts';
import type { Stats, ObjectProblem, LedgerCounts } from './stats.ts';

export interface Summary {
  shard: number;
  shardCount: number;
  listed: number;
  inShard: number;
  copied: number;
  unchanged: number;
  adopted: number;
  segments: number;
  skipped: number;
  deleted: number;
  extraneous: number;
  /** Extraneous keys not deleted because Swift still has their names (DELETE_EXTRANEOUS). */
  stillInSwift?: number;
  failed: number;
  bytes: number;
  seconds: number;
  mibPerSecond: number;
  retries: number;
  /** Outages of each side that the run rode out (or that ended it): how many, and their seconds in all. */
  outages?: Record<Side, OutageCounts>;
  /** The shard's objects and bytes: counted when every listing ended (exact), else estimated as in the progress
   *  line (an interrupted run). Absent from the summaries of versions before it. */
  totals?: { objects: number; bytes: number; exact: boolean };
  /** One shard's share of the containers' HEAD counts: what `status` expects of the shards that have not reported. */
  expected?: { objects: number; bytes: number };
  /** The resync ledger's counts, when the run kept one (NooBaa). */
  ledger?: LedgerCounts;
  /** Seconds spent waiting for each side's listing. */
  listingSeconds?: { swift: number; s3: number };
  /** The process's peak heap and RSS (sampled every second). */
  memory?: MemoryPeaks;
  dryRun?: boolean;
  interrupted?: boolean;
  requests: Record<string, number>;
  failures: ObjectProblem[];
  skips: ObjectProblem[];
  notes: ObjectProblem[];
  /** Object problems left out to keep the message within 4 KiB. */
  more?: number;
}

export function summarize(stats: Stats, shard: { index: number; count: number }, flags: { dryRun: boolean; interrupted: boolean }): Summary {
  const seconds = (Date.now() - stats.startedAt) / 1000;
  const totals = stats.totals.snapshot();
  return {
    shard: shard.index,
    shardCount: shard.count,
    listed: stats.listed,
    inShard: stats.inShard,
    copied: stats.copied,
    unchanged: stats.unchanged,
    adopted: stats.adopted,
    segments: stats.segments,
    skipped: stats.skipped,
    deleted: stats.deleted,
    extraneous: stats.extraneous,
    ...(stats.stillInSwift > 0 ? { stillInSwift: stats.stillInSwift } : {}),
    failed: stats.failed,
    bytes: stats.bytesCopied,
    seconds: Math.round(seconds * 10) / 10,
    mibPerSecond: seconds > 0 ? Math.round((stats.bytesCopied / 1048576 / seconds) * 100) / 100 : 0,
    retries: stats.retryTotal,
    ...(stats.outages.swift.count + stats.outages.s3.count > 0 ? { outages: structuredClone(stats.outages) } : {}),
    totals: { ...totals.total, exact: totals.exact },
    ...(totals.expected ? { expected: totals.expected } : {}),
    ...(stats.ledger ? { ledger: { ...stats.ledger } } : {}),
    listingSeconds: { swift: Math.round(stats.listingSeconds.swift * 10) / 10, s3: Math.round(stats.listingSeconds.s3 * 10) / 10 },
    memory: stats.memory.peaks(),
    ...(flags.dryRun ? { dryRun: true, toCopy: stats.toCopy, bytesToCopy: stats.bytesToCopy } : {}),
    ...(flags.interrupted ? { interrupted: true } : {}),
    requests: Object.fromEntries([...stats.requests].sort(([a], [b]) => a.localeCompare(b))),
    failures: stats.failures,
    skips: stats.skips,
    notes: stats.notes,
  };
}

/** The object lists of a summary, in the order they are cut to fit the termination message. */
export const SUMMARY_LISTS = ['notes', 'skips', 'failures'] as const;
