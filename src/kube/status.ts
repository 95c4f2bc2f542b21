// Where a run stands: per-index rows, totals, throughput and ETA from a Job and its pods, for people and for scripts.
import type { CoreV1Event, V1Job, V1Pod } from '@kubernetes/client-node';
import { formatIndexList } from '../indexes.ts';
import type { PodProgress } from './pod-progress.ts';
import { expectedEta, expectedTotals, type ExpectedTotals } from './expected.ts';
import { nothingCanProgress, waitingNote, withWaiting } from './waiting.ts';
import {
  completionsOf, cronJobOrigin, envOf, failedIndexes, failureReason, indexRows, jobOutcome, LABEL, runOf, shardMap, unfinishedIndexes, type CronJobOrigin, type IndexRow,
  type IndexState, type JobOutcome,
} from './jobs.ts';

export interface StatusTotals { copied: number; unchanged: number; adopted: number; segments: number; skipped: number; deleted: number; failed: number; bytes: number }

export interface StatusReport {
  release: string;
  namespace: string;
  job: string;
  run: string;
  mode?: string;
  outcome: JobOutcome;
  /** Reason of the Failed condition, e.g. FailedIndexes. */
  reason?: string;
  completions: number;
  parallelism?: number;
  shardCount?: number;
  /** SHARD_INDEXES of a rerun: completion index i works on the i-th shard listed. */
  shardIndexes?: string;
  startTime?: string;
  completionTime?: string;
  elapsedSeconds: number;
  rows: IndexRow[];
  counts: Record<IndexState, number>;
  /** Sums over the indexes that reported a summary (a pod reports when it ends). */
  totals: StatusTotals;
  mibPerSecond: number;
  /** The run's objects and bytes: reported by the indexes whose pods ended, expected (Swift's container counts ÷
   *  SHARD_COUNT, as the pods reported them) for the others; absent when no pod reported them. */
  expected?: ExpectedTotals;
  /** Seconds left at the pace of the indexes finished so far (per byte of their shards when the pods reported their
   *  totals, see expected.ts); absent when nothing finished yet or the Job ended. */
  etaSeconds?: number;
  /** Failed completion indexes ("1,3") and the shards they work on. */
  failedIndexes: string;
  failedShards: string;
  /** Indexes an ended Job never finished (it stopped first), and their shards. */
  unfinishedIndexes: string;
  unfinishedShards: string;
  /** Why the running pods' progress could not be read (e.g. no permission to get pods/log). */
  progressUnreadable?: string;
  /** Pending indexes of a running Job that have no pod now ("4-5"). */
  noPodIndexes?: string;
  /** Nothing can progress (src/kube/waiting.ts): what the indexes wait on, e.g. "ImagePullBackOff (indexes 0-1)". */
  stuck?: string;
  /** Why the Job's events could not be read (e.g. no permission to list events). */
  eventsUnreadable?: string;
  /** The catch-up CronJob this Job belongs to, and who made it: the CronJob on its schedule, a person, or rerun. */
  cronJob?: { name: string; made: CronJobOrigin['made']; scheduledFor?: string };
}

/** What was read besides the Job and its pods: running pods' progress, and the Job's events. */
export interface Observed {
  progress: ReadonlyMap<string, PodProgress>;
  unreadable?: string;
  events?: readonly CoreV1Event[];
  eventsUnreadable?: string;
}

export function buildStatusReport(job: V1Job, pods: readonly V1Pod[], where: { release: string; namespace: string }, now: Date = new Date(), observed: Observed = { progress: new Map() }): StatusReport {
  const rows = withProgress(withWaiting(indexRows(job, pods), job, pods, observed.events ?? []), observed.progress);
  const outcome = jobOutcome(job);
  const stuck = outcome === 'running' && nothingCanProgress(rows, job.spec?.parallelism ?? 1);
  const elapsedSeconds = elapsedOf(job, now);
  const totals = totalsOf(rows);
  const counts = countsOf(rows);
  const failed = failedIndexes(job, pods);
  const unfinished = unfinishedIndexes(job, pods);
  const etaSeconds = outcome === 'running' && !stuck ? expectedEta(rows, job, pods, now) ?? etaOf(counts, elapsedSeconds) : undefined;
  const shardCount = Number(envOf(job, 'SHARD_COUNT'));
  const shardIndexes = envOf(job, 'SHARD_INDEXES');
  const optional = {
    mode: job.metadata?.labels?.[LABEL.mode],
    reason: failureReason(job),
    parallelism: job.spec?.parallelism,
    shardCount: Number.isInteger(shardCount) && shardCount > 0 ? shardCount : undefined,
    shardIndexes,
    startTime: isoOf(job.status?.startTime),
    completionTime: isoOf(job.status?.completionTime),
    expected: expectedTotals(rows),
    etaSeconds,
    progressUnreadable: observed.unreadable,
    noPodIndexes: formatIndexList(rows.filter((row) => row.noPod).map((row) => row.index)) || undefined,
    stuck: stuck ? stuckCauses(rows) : undefined,
    eventsUnreadable: observed.eventsUnreadable,
    cronJob: cronJobOf(job),
  };
  return {
    release: where.release,
    namespace: where.namespace,
    job: job.metadata?.name ?? '',
    run: runOf(job),
    outcome,
    completions: completionsOf(job),
    elapsedSeconds,
    rows,
    counts,
    totals,
    mibPerSecond: elapsedSeconds > 0 ? round(totals.bytes / 1048576 / elapsedSeconds, 2) : 0,
    failedIndexes: formatIndexList(failed),
    failedShards: formatIndexList(failed.map(shardMap(job))),
    unfinishedIndexes: formatIndexList(unfinished),
    unfinishedShards: formatIndexList(unfinished.map(shardMap(job))),
    ...withoutUndefined(optional),
  };
}

function cronJobOf(job: V1Job): StatusReport['cronJob'] {
  const origin = cronJobOrigin(job);
  return origin && { name: origin.name, made: origin.made, ...(origin.scheduledFor ? { scheduledFor: origin.scheduledFor } : {}) };
}

/** Each running index's latest progress, from the pod the row shows. */
function withProgress(rows: IndexRow[], progress: ReadonlyMap<string, PodProgress>): IndexRow[] {
  return rows.map((row) => {
    const latest = row.state === 'running' && row.pod ? progress.get(row.pod) : undefined;
    return latest ? { ...row, progress: latest } : row;
  });
}

/** What the waiting indexes wait on, each cause with its indexes: "ImagePullBackOff (indexes 0-1), not created: quota (indexes 2-7)". */
function stuckCauses(rows: readonly IndexRow[]): string {
  const byCause = new Map<string, number[]>();
  for (const row of rows) {
    if (!row.waiting?.blocked) continue;
    const cause = row.waiting.reason === 'FailedCreate' ? `not created${row.waiting.message?.startsWith('quota ') ? ': quota' : ''}` : row.waiting.reason;
    byCause.set(cause, [...(byCause.get(cause) ?? []), row.index]);
  }
  return [...byCause].map(([cause, indexes]) => `${cause} (indexes ${formatIndexList(indexes)})`).join(', ');
}

/** ok: succeeded, or running with no failed index; failed: some index failed or the Job failed; stuck: the Job runs
 *  but nothing can progress until someone fixes what its indexes wait on (it fails no Job, so it would never end). */
export function statusOutcome(report: StatusReport): 'ok' | 'failed' | 'stuck' {
  if (report.stuck) return 'stuck';
  return report.counts.failed > 0 || report.outcome === 'failed' ? 'failed' : 'ok';
}

function elapsedOf(job: V1Job, now: Date): number {
  const start = job.status?.startTime;
  if (!start) return 0;
  const end = job.status?.completionTime ?? endOfFailedJob(job) ?? now;
  return Math.max(0, round((new Date(end).getTime() - new Date(start).getTime()) / 1000, 1));
}

/** A failed Job has no completionTime: it ended when its Failed (or, first, FailureTarget) condition became true. */
function endOfFailedJob(job: V1Job): Date | undefined {
  const conditions = job.status?.conditions?.filter((condition) => condition.status === 'True') ?? [];
  return (conditions.find((condition) => condition.type === 'FailureTarget') ?? conditions.find((condition) => condition.type === 'Failed'))?.lastTransitionTime;
}

function totalsOf(rows: readonly IndexRow[]): StatusTotals {
  const totals: StatusTotals = { copied: 0, unchanged: 0, adopted: 0, segments: 0, skipped: 0, deleted: 0, failed: 0, bytes: 0 };
  for (const { summary } of rows) {
    if (!summary) continue;
    for (const name of Object.keys(totals) as (keyof StatusTotals)[]) totals[name] += summary[name];
  }
  return totals;
}

function countsOf(rows: readonly IndexRow[]): Record<IndexState, number> {
  const counts: Record<IndexState, number> = { pending: 0, running: 0, succeeded: 0, failed: 0, unfinished: 0 };
  for (const row of rows) counts[row.state]++;
  return counts;
}

function etaOf(counts: Record<IndexState, number>, elapsedSeconds: number): number | undefined {
  const finished = counts.succeeded + counts.failed;
  const remaining = counts.pending + counts.running;
  if (finished === 0 || elapsedSeconds <= 0) return undefined;
  return Math.round((elapsedSeconds / finished) * remaining);
}

/** The report as lines for a person: a headline, one row per index, totals, and what to do about failures. */
export function formatStatus(report: StatusReport): string[] {
  const lines = [headline(report), ...cronJobLine(report), '', ...table(report), '', totalsLine(report), ...runningLine(report), ...expectedLine(report), timingLine(report)];
  if (report.progressUnreadable) lines.push(`progress of running pods not read: ${report.progressUnreadable}`);
  if (report.eventsUnreadable) lines.push(`the Job's events not read (why pods were not created): ${report.eventsUnreadable}`);
  if (report.noPodIndexes) lines.push(`no pod for indexes ${report.noPodIndexes}`);
  if (report.stuck) lines.push(`stuck: nothing can progress: ${report.stuck}; fix that (see NOTE) and the Job goes on by itself`);
  if (report.unfinishedIndexes) lines.push(unfinishedLine(report));
  if (report.failedIndexes) lines.push(failedLine(report));
  return lines;
}

function headline(report: StatusReport): string {
  const outcome = report.outcome === 'failed' ? `Failed${report.reason ? ` (${report.reason})` : ''}` : report.outcome === 'complete' ? 'Complete' : report.stuck ? 'Running but stuck' : 'Running';
  const shards = report.shardIndexes ?? (report.completions > 1 ? `0-${report.completions - 1}` : '0');
  const of = report.shardCount ? ` of ${report.shardCount}` : '';
  return `Job ${report.job} (release ${report.release}, namespace ${report.namespace}, run ${report.run || '?'}${report.mode ? `, ${report.mode}` : ''}): ${outcome}, ${report.completions} indexes for shards ${shards}${of}`;
}

/** A Job of the catch-up CronJob: which, and who made it; the newest Job is the one made last, by any of them. */
function cronJobLine({ cronJob }: StatusReport): string[] {
  if (!cronJob) return [];
  const made = cronJob.made === 'scheduled' ? `scheduled${cronJob.scheduledFor ? ` for ${cronJob.scheduledFor}` : ''}`
    : cronJob.made === 'retry' ? 'a retry made by swift-to-s3 rerun' : 'made by hand (create job --from=cronjob)';
  return [`catch-up: a Job of CronJob ${cronJob.name}, ${made}; every scheduled resync goes over all shards again`];
}

function table(report: StatusReport): string[] {
  const showShard = report.shardIndexes !== undefined;
  const header = ['INDEX', ...(showShard ? ['SHARD'] : []), 'STATE', 'ATTEMPTS', 'COPIED', 'UNCHANGED', 'SKIPPED', 'FAILED', 'BYTES', 'SECONDS', 'NOTE'];
  const cells = report.rows.map((row) => [
    String(row.index),
    ...(showShard ? [String(row.shard)] : []),
    row.state,
    String(row.attempts),
    ...(row.summary
      ? [row.summary.copied, row.summary.unchanged, row.summary.skipped, row.summary.failed].map(String).concat(formatBytes(row.summary.bytes), String(row.summary.seconds))
      : ['-', '-', '-', '-', '-', '-']),
    noteOf(row),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]?.length ?? 0)));
  return [header, ...cells].map((cellsOfLine) => cellsOfLine.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

function noteOf(row: IndexRow): string {
  const notes = [progressNote(row), waitingNote(row), row.earlierAttempt ? 'earlier attempt' : '', row.summary?.interrupted ? 'interrupted' : '', outageNote(row), failureNote(row), row.message ?? ''];
  return notes.filter(Boolean).join('; ');
}

/** The outages an index's pod waited out: "S3 away 2× 95 s". */
function outageNote({ summary }: IndexRow): string {
  if (!summary?.outages) return '';
  const sides = [['Swift', summary.outages.swift], ['S3', summary.outages.s3]] as const;
  return sides.filter(([, counted]) => counted.count > 0).map(([name, counted]) => `${name} away ${counted.count}× ${Math.round(counted.seconds)} s`).join(', ');
}

/** A running index's latest progress line: done of its shard, rate, ETA. */
function progressNote({ progress }: IndexRow): string {
  if (!progress) return '';
  const { objects, bytes, mibPerSecond, etaSeconds } = progress;
  const part = bytes.total > 0 ? `${Math.floor((bytes.done / bytes.total) * 100)}%` : `${objects.done}/${objects.total} objects`;
  const rate = mibPerSecond === null ? '' : `, ${mibPerSecond} MiB/s`;
  const eta = etaSeconds === null ? '' : `, ETA ${formatDuration(etaSeconds)}`;
  return `${part} of ${objects.total} objects, ${formatBytes(bytes.total)}${progress.totals === 'estimated' ? ' (estimated)' : ''}${rate}${eta}`;
}

/** The running indexes' progress lines summed: what they have done so far and their pace now. */
function runningLine({ rows }: StatusReport): string[] {
  const reporting = rows.filter((row) => row.progress);
  if (reporting.length === 0) return [];
  const sum = (of: (progress: PodProgress) => number) => reporting.reduce((total, row) => total + of(row.progress!), 0);
  const rate = sum((progress) => progress.mibPerSecond ?? 0);
  return [`running: ${reporting.length} of ${rows.filter((row) => row.state === 'running').length} indexes report ${sum((progress) => progress.objects.done)} of ${sum((progress) => progress.objects.total)} objects, ${formatBytes(sum((progress) => progress.bytes.done))} of ${formatBytes(sum((progress) => progress.bytes.total))} done, ${round(rate, 2)} MiB/s`];
}

/** Why an index failed, as its pod said: the shard's fatal reason, or the first object's key and reason. */
function failureNote(row: IndexRow): string {
  const first = row.summary?.firstFailure;
  if (!first || row.state === 'succeeded') return '';
  const text = first.key ? `${first.key}: ${first.reason}` : first.reason;
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

function totalsLine(report: StatusReport): string {
  const { counts, totals } = report;
  const notRun = counts.unfinished > 0 ? `, ${counts.unfinished} never finished` : '';
  return `indexes: ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.running} running, ${counts.pending} pending${notRun} of ${report.completions}; `
    + `objects: ${totals.copied} copied, ${totals.unchanged} unchanged${takenOver(totals)}, ${totals.skipped} skipped, ${totals.failed} failed; ${formatBytes(totals.bytes)} copied`;
}

/** Adopted objects (another tool's, proven by their bytes) and accounted segments, named only when there are any. */
function takenOver(totals: StatusTotals): string {
  return (totals.adopted > 0 ? `, ${totals.adopted} adopted` : '') + (totals.segments > 0 ? `, ${totals.segments} segments of large objects` : '');
}

function expectedLine({ expected, completions }: StatusReport): string[] {
  if (!expected) return [];
  const basis = expected.estimatedIndexes === 0 ? 'as the indexes counted them' : `${expected.estimatedIndexes} of ${completions} indexes expected from Swift's container counts`;
  return [`run totals: ${expected.objects} objects, ${formatBytes(expected.bytes)} (${basis})`];
}

function timingLine(report: StatusReport): string {
  const eta = report.outcome !== 'running' ? 'ended' : report.stuck ? 'no ETA while nothing can progress' : report.etaSeconds === undefined ? 'ETA unknown until an index finishes or reports its progress' : `ETA ${formatDuration(report.etaSeconds)}`;
  return `elapsed ${formatDuration(report.elapsedSeconds)}, ${report.mibPerSecond} MiB/s, ${eta}`;
}

function unfinishedLine(report: StatusReport): string {
  const shards = report.unfinishedShards !== report.unfinishedIndexes ? ` (shards ${report.unfinishedShards})` : '';
  return `never finished: indexes ${report.unfinishedIndexes}${shards}: the Job stopped before them; a rerun includes them`;
}

function failedLine(report: StatusReport): string {
  const shards = report.failedShards !== report.failedIndexes ? ` (shards ${report.failedShards})` : '';
  const retry = report.cronJob ? 'the next scheduled resync retries them; swift-to-s3 rerun --apply retries them now, in a Job of the CronJob'
    : 'swift-to-s3 rerun prints the helm upgrade that retries them';
  return `failed indexes: ${report.failedIndexes}${shards}; ${retry}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

function isoOf(time: Date | undefined): string | undefined {
  return time ? new Date(time).toISOString() : undefined;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function withoutUndefined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}
