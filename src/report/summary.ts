// The end of a run: one summary line for the log, and the same as JSON (≤ 4 KiB) for Kubernetes' termination message.
import { writeFileSync, accessSync, constants } from 'node:fs';
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
  failed: number;
  bytes: number;
  seconds: number;
  mibPerSecond: number;
  retries: number;
  /** The shard's objects and bytes: counted when every listing ended (exact), else estimated as in the progress
   *  line (an interrupted run). Absent from the summaries of versions before it. */
  totals?: { objects: number; bytes: number; exact: boolean };
  /** One shard's share of the containers' HEAD counts: what `status` expects of the shards that have not reported. */
  expected?: { objects: number; bytes: number };
  /** The resync ledger's counts, when the run kept one (NooBaa). */
  ledger?: LedgerCounts;
  dryRun?: boolean;
  interrupted?: boolean;
  requests: Record<string, number>;
  failures: ObjectProblem[];
  skips: ObjectProblem[];
  notes: ObjectProblem[];
  /** Object problems left out to keep the message within 4 KiB. */
  more?: number;
}

const TERMINATION_LIMIT = 4096;

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
    failed: stats.failed,
    bytes: stats.bytesCopied,
    seconds: Math.round(seconds * 10) / 10,
    mibPerSecond: seconds > 0 ? Math.round((stats.bytesCopied / 1048576 / seconds) * 100) / 100 : 0,
    retries: stats.retryTotal,
    totals: { ...totals.total, exact: totals.exact },
    ...(totals.expected ? { expected: totals.expected } : {}),
    ...(stats.ledger ? { ledger: { ...stats.ledger } } : {}),
    ...(flags.dryRun ? { dryRun: true, toCopy: stats.toCopy, bytesToCopy: stats.bytesToCopy } : {}),
    ...(flags.interrupted ? { interrupted: true } : {}),
    requests: Object.fromEntries([...stats.requests].sort(([a], [b]) => a.localeCompare(b))),
    failures: stats.failures,
    skips: stats.skips,
    notes: stats.notes,
  };
}

/** The summary as JSON of at most 4 KiB: object lists are cut first, with a count of what was left out. */
export function fitTerminationMessage(summary: Summary): string {
  let text = JSON.stringify(summary);
  if (Buffer.byteLength(text) <= TERMINATION_LIMIT) return text;
  const lists = { failures: [...summary.failures], skips: [...summary.skips], notes: [...summary.notes] };
  const total = lists.failures.length + lists.skips.length + lists.notes.length;
  const trimmed = { ...summary, ...lists, more: 0 };
  while (Buffer.byteLength(text) > TERMINATION_LIMIT) {
    const longest = (['notes', 'skips', 'failures'] as const).find((name) => trimmed[name].length > 0);
    if (!longest) break;
    trimmed[longest] = trimmed[longest].slice(0, -1).map((problem) => ({ key: problem.key.slice(0, 200), reason: problem.reason.slice(0, 200) }));
    trimmed.more = total - trimmed.failures.length - trimmed.skips.length - trimmed.notes.length;
    text = JSON.stringify(trimmed);
  }
  return text;
}

/** Where the summary goes: TERMINATION_MESSAGE_PATH, else /dev/termination-log when it is writable (in a pod). */
export function terminationPath(configured: string | undefined): string | undefined {
  if (configured) return configured;
  try {
    accessSync('/dev/termination-log', constants.W_OK);
    return '/dev/termination-log';
  } catch {
    return undefined;
  }
}

export function writeTerminationMessage(path: string | undefined, summary: Summary): void {
  if (!path) return;
  writeFileSync(path, fitTerminationMessage(summary));
}
