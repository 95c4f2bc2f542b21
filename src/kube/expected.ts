// A run's totals and ETA from what its pods reported when they ended: each copier's summary carries its shard's
// totals and one shard's share of Swift's container counts (src/report/totals.ts). Status cannot see a running
// pod's progress lines (they are in its log; Kubernetes keeps only the termination message of a pod that ended),
// so an index that has not reported is expected to hold that share and to take as long per byte as those that did,
// counted from its pod's start.
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
    const reported = row.summary?.totals;
    totals.objects += reported?.objects ?? share.objects;
    totals.bytes += reported?.bytes ?? share.bytes;
    if (!reported) totals.estimatedIndexes++;
  }
  return totals;
}

/**
 * Seconds until the last index ends: one shard takes (its expected bytes × the seconds per byte of the succeeded
 * indexes); a running index has that less the time since its pod started, a pending one all of it, and they share
 * the Job's parallelism. Undefined until an index succeeded with its totals.
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
    const rest = Math.max(0, shardSeconds - ran);
    left += rest;
    longest = Math.max(longest, rest);
  }
  const slots = Math.max(1, job.spec?.parallelism ?? completionsOf(job));
  return Math.round(Math.max(longest, left / slots));
}

/** One shard's expected share, as the pods reported it (the mean, should their HEADs have seen different counts). */
function shareOf(rows: readonly IndexRow[]): { objects: number; bytes: number } | undefined {
  const shares = rows.flatMap((row) => (row.summary?.expected ? [row.summary.expected] : []));
  if (shares.length === 0) return undefined;
  return {
    objects: Math.round(shares.reduce((sum, share) => sum + share.objects, 0) / shares.length),
    bytes: Math.round(shares.reduce((sum, share) => sum + share.bytes, 0) / shares.length),
  };
}

function secondsPerByte(rows: readonly IndexRow[]): number | undefined {
  let seconds = 0;
  let bytes = 0;
  for (const row of rows) {
    if (row.state !== 'succeeded' || !row.summary?.totals) continue;
    seconds += row.summary.seconds;
    bytes += row.summary.totals.bytes;
  }
  return bytes > 0 ? seconds / bytes : undefined;
}
