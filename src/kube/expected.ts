// A run's totals and ETA from what its pods reported: each copier's summary (the termination message of a pod that
// ended) carries its shard's totals and one shard's share of Swift's container counts (src/report/totals.ts); a
// running pod's latest progress line (its log, where status may read it) its shard's totals and its own ETA. An
// index that has reported neither is expected to hold that share and to take as long per byte as those that did.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { completionsOf, podsByIndex, type IndexRow } from './jobs.ts';

export interface ExpectedTotals {
  objects: number;
  bytes: number;
  /** Indexes counted with the expected share, because no pod of theirs has reported its totals yet. */
  estimatedIndexes: number;
}

/** The run's objects and bytes: each index's reported totals, or the expected share where it has none. */
export function expectedTotals(rows: readonly IndexRow[]): ExpectedTotals | undefined {
  const share = shareOf(rows);
  if (!share) return undefined;
  const totals: ExpectedTotals = { objects: 0, bytes: 0, estimatedIndexes: 0 };
  for (const row of rows) {
    const reported = row.summary?.totals ?? progressTotals(row);
    totals.objects += reported?.objects ?? share.objects;
    totals.bytes += reported?.bytes ?? share.bytes;
    if (!row.summary?.totals && row.progress?.totals !== 'exact') totals.estimatedIndexes++;
  }
  return totals;
}

/**
 * Seconds until the last index ends: one shard takes (its expected bytes × the seconds per byte of the succeeded
 * indexes, or else of the running ones' current rates); a running index has its own progress line's ETA, or that
 * less the time since its pod started; a pending one all of it; and they share the Job's parallelism. Undefined
 * until an index succeeded with its totals or a running one reported a rate.
 */
export function expectedEta(rows: readonly IndexRow[], job: V1Job, pods: readonly V1Pod[], now: Date): number | undefined {
  const share = shareOf(rows);
  const pace = secondsPerByte(rows);
  if (!share || pace === undefined) return undefined;
  const shardSeconds = share.bytes * pace;
  const newest = podsByIndex(pods);
  let left = 0;
  let longest = 0;
  for (const row of rows) {
    if (row.state !== 'running' && row.state !== 'pending') continue;
    const started = row.state === 'running' ? newest.get(row.index)?.[0]?.status?.startTime : undefined;
    const ran = started ? Math.max(0, (now.getTime() - new Date(started).getTime()) / 1000) : 0;
    const rest = row.progress?.etaSeconds ?? Math.max(0, shardSeconds - ran);
    left += rest;
    longest = Math.max(longest, rest);
  }
  const slots = Math.max(1, job.spec?.parallelism ?? completionsOf(job));
  return Math.round(Math.max(longest, left / slots));
}

/** One shard's expected share, as the ended pods reported it (the mean, should their HEADs have seen different
 *  counts), or else the mean of the running pods' shard totals. */
function shareOf(rows: readonly IndexRow[]): { objects: number; bytes: number } | undefined {
  const ended = rows.flatMap((row) => (row.summary?.expected ? [row.summary.expected] : []));
  const shares = ended.length > 0 ? ended : rows.flatMap((row) => progressTotals(row) ?? []);
  if (shares.length === 0) return undefined;
  return {
    objects: Math.round(shares.reduce((sum, share) => sum + share.objects, 0) / shares.length),
    bytes: Math.round(shares.reduce((sum, share) => sum + share.bytes, 0) / shares.length),
  };
}

/** A running index's shard totals, as its latest progress line has them. */
function progressTotals({ progress }: IndexRow): { objects: number; bytes: number } | undefined {
  return progress ? { objects: progress.objects.total, bytes: progress.bytes.total } : undefined;
}

function secondsPerByte(rows: readonly IndexRow[]): number | undefined {
  let seconds = 0;
  let bytes = 0;
  for (const row of rows) {
    if (row.state !== 'succeeded' || !row.summary?.totals) continue;
    seconds += row.summary.seconds;
    bytes += row.summary.totals.bytes;
  }
  if (bytes > 0) return seconds / bytes;
  const rates = rows.flatMap((row) => (row.progress?.mibPerSecond ? [row.progress.mibPerSecond * 1048576] : []));
  return rates.length > 0 ? rates.length / rates.reduce((sum, rate) => sum + rate, 0) : undefined;
}
