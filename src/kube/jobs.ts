// A release's copier Jobs and pods from the Kubernetes API, and the pure reading of them: one row per Job index.
import type { PodProgress } from './pod-progress.ts';
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Container, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { parseIndexList } from '../indexes.ts';

/** Labels and annotations the chart (helm/swift-to-s3/templates/job.yaml) and the Job controller put on objects. */
export const LABEL = {
  /** The chart's own release label: Argo CD's label tracking rewrites app.kubernetes.io/instance on the Job. */
  release: 'swift-to-s3.io/release',
  instance: 'app.kubernetes.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  run: 'swift-to-s3/run',
  mode: 'swift-to-s3/mode',
} as const;
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const COPIER_CONTAINER = 'copier';
/** app.kubernetes.io/managed-by of the Jobs swift-to-s3 rerun --apply makes. */
export const RERUN_MANAGER = 'swift-to-s3';
/** The CronJob controller's annotation on a Job it scheduled (getJobFromTemplate2, Kubernetes ≥ 1.28), and kubectl's
 *  (and oc's) on a Job made with create job --from=cronjob/<name> (create_job.go createJobFromCronJob). */
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
export const CRONJOB_INSTANTIATE = 'cronjob.kubernetes.io/instantiate';

/** pending: no pod of the index runs yet (none there, or one not started); unfinished: the Job ended before this
 *  index ran or finished (it will not run any more). */
export type IndexState = 'pending' | 'running' | 'succeeded' | 'failed' | 'unfinished';
export type JobOutcome = 'running' | 'complete' | 'failed';

/** The numbers a copier pod reports in its termination message (src/report/summary.ts), as far as status needs them. */
export interface CopierSummary {
  copied: number; unchanged: number; adopted: number; segments: number; skipped: number; deleted: number; failed: number; bytes: number; seconds: number;
  inShard?: number; interrupted?: boolean;
  /** The shard's objects and bytes (exact when the pod's listings ended) and one shard's share of Swift's container
   *  counts, from copiers that report them (src/report/totals.ts). */
  totals?: { objects: number; bytes: number };
  expected?: { objects: number; bytes: number };
  /** The first failure the pod reported: the object's key ("" for the shard as a whole, e.g. a fatal error) and why. */
  firstFailure?: { key: string; reason: string };
  /** Outages of Swift or S3 the pod rode out (or that ended it): how many, and their seconds. */
  outages?: { swift: { count: number; seconds: number }; s3: { count: number; seconds: number } };
}

export interface IndexRow {
  index: number;
  /** The shard this completion index works on (SHARD_INDEXES maps them in a rerun; otherwise the same number). */
  shard: number;
  state: IndexState;
  /** Pods started for this index. */
  attempts: number;
  /** The pod whose result the row shows: the succeeded one, else the newest. */
  pod?: string;
  summary?: CopierSummary;
  /** A termination message that is not a summary (e.g. the log tail of a crash), first line only. */
  message?: string;
  /** The result shown is from an attempt before the one now running or waiting. */
  earlierAttempt?: boolean;
  /** A running index: the latest progress line in its pod's log. */
  progress?: PodProgress;
  /** A pending index: no pod of it is there now (none created yet, or the last one ended and the next is to come). */
  noPod?: true;
  /** A pending index: why its pod has not started, or why none was created (src/kube/waiting.ts). */
  waiting?: Waiting;
}

/** Why an index has no running pod, as Kubernetes says it; none of these fails the Job. */
export interface Waiting {
  /** The container's waiting reason (ImagePullBackOff, CreateContainerConfigError, ContainerCreating …), the
   *  scheduler's (Unschedulable), or FailedCreate: the Job controller could not create the pod (a quota). */
  reason: string;
  message?: string;
  /** The pod will not start (or be created) until someone fixes the cause: an image, a Secret, a quota, the nodes. */
  blocked: boolean;
}

/**
 * A Job of the catch-up CronJob, and who made it. The CronJob controller owns the Jobs it schedules with a controller
 * reference (pkg/controller/cronjob/utils.go getJobFromTemplate2) and counts only those (getJobsToBeReconciled: its
 * history limits, status.lastSuccessfulTime); kubectl create job --from=cronjob/<name> adds a plain owner reference
 * and the instantiate annotation; swift-to-s3 rerun --apply a controller reference with its own managed-by label.
 */
export interface CronJobOrigin {
  name: string;
  uid: string;
  apiVersion: string;
  made: 'scheduled' | 'by hand' | 'retry';
  /** The time the CronJob scheduled it for (the annotation, RFC 3339 in the CronJob's time zone). */
  scheduledFor?: string;
}

export function cronJobOrigin(job: V1Job): CronJobOrigin | undefined {
  const owner = job.metadata?.ownerReferences?.find((reference) => reference.kind === 'CronJob' && reference.apiVersion.startsWith('batch/'));
  if (!owner) return undefined;
  const annotations = job.metadata?.annotations ?? {};
  const made = job.metadata?.labels?.[LABEL.managedBy] === RERUN_MANAGER ? 'retry'
    : owner.controller === true && annotations[CRONJOB_INSTANTIATE] !== 'manual' ? 'scheduled' : 'by hand';
  const scheduledFor = made === 'scheduled' ? annotations[CRONJOB_SCHEDULED_TIMESTAMP] : undefined;
  return { name: owner.name, uid: owner.uid, apiVersion: owner.apiVersion, made, ...(scheduledFor ? { scheduledFor } : {}) };
}

/** Selector for the chart's copier Jobs (and the CronJob's) of a release. */
export function releaseSelector(release: string): string {
  return `${LABEL.release}=${release},${LABEL.component}=copier`;
}

export async function listReleaseJobs(kubeConfig: KubeConfig, namespace: string, release: string): Promise<V1Job[]> {
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const jobs = await batch.listNamespacedJob({ namespace, labelSelector: releaseSelector(release) });
  return jobs.items.filter((job) => job.spec?.completionMode === 'Indexed');
}

export async function listJobPods(kubeConfig: KubeConfig, namespace: string, job: V1Job): Promise<V1Pod[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: podSelector(job) });
  return pods.items;
}

export async function createJob(kubeConfig: KubeConfig, namespace: string, job: V1Job): Promise<V1Job> {
  return kubeConfig.makeApiClient(BatchV1Api).createNamespacedJob({ namespace, body: job });
}

/** The Job controller's own selector (controller-uid), so pods of an older Job with the same name never count. */
export function podSelector(job: V1Job): string {
  const matchLabels = job.spec?.selector?.matchLabels;
  if (matchLabels && Object.keys(matchLabels).length > 0) return Object.entries(matchLabels).map(([key, value]) => `${key}=${value}`).join(',');
  return `batch.kubernetes.io/job-name=${job.metadata?.name ?? ''}`;
}

export function runOf(job: V1Job): string {
  return job.metadata?.labels?.[LABEL.run] ?? '';
}

/** The newest Job of the given run, or of all: the one created last. */
export function pickJob(jobs: readonly V1Job[], run?: string): V1Job | undefined {
  const candidates = run === undefined ? jobs : jobs.filter((job) => runOf(job) === run);
  return [...candidates].sort(newestFirst)[0];
}

/**
 * By creation time, newest first: every Job the catch-up CronJob makes carries the run label of its template, and a
 * retry's run says nothing about when it ran. Creation times are whole seconds: a tie goes to the higher run number,
 * then to the name that sorts last.
 */
export function newestFirst(a: V1Job, b: V1Job): number {
  return createdAt(b) - createdAt(a) || runNumber(b) - runNumber(a) || compareText(b.metadata?.name ?? '', a.metadata?.name ?? '');
}

function runNumber(job: V1Job): number {
  return /^\d+$/.test(runOf(job)) ? Number(runOf(job)) : -1;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function createdAt(object: V1Job | V1Pod): number {
  const time = object.metadata?.creationTimestamp;
  return time ? new Date(time).getTime() : 0;
}

/**
 * Complete or Failed once the Job's end is decided; running before. Since Kubernetes 1.31 the controller first sets
 * FailureTarget / SuccessCriteriaMet and only adds Failed / Complete once the last pod has terminated
 * (pkg/controller/job/job_controller.go): the outcome is decided at the first of the pair.
 */
export function jobOutcome(job: V1Job): JobOutcome {
  if (hasCondition(job, 'Complete') || hasCondition(job, 'SuccessCriteriaMet')) return 'complete';
  if (hasCondition(job, 'Failed') || hasCondition(job, 'FailureTarget')) return 'failed';
  return 'running';
}

function hasCondition(job: V1Job, type: string): boolean {
  return job.status?.conditions?.some((condition) => condition.type === type && condition.status === 'True') ?? false;
}

/** The reason of the Failed (or FailureTarget) condition: FailedIndexes, BackoffLimitExceeded, PodFailurePolicy, DeadlineExceeded … */
export function failureReason(job: V1Job): string | undefined {
  const conditions = job.status?.conditions?.filter((condition) => condition.status === 'True') ?? [];
  return (conditions.find((condition) => condition.type === 'Failed') ?? conditions.find((condition) => condition.type === 'FailureTarget'))?.reason;
}

/** "1,3-5" → [1, 3, 4, 5]; an absent or empty list (as Kubernetes writes it when nothing is there) → []. */
export function indexesOf(text: string | undefined): number[] {
  return text === undefined || text.trim() === '' ? [] : parseIndexList(text);
}

/** The container that runs the copier: named "copier" in the chart; the first one otherwise. */
export function copierContainer(job: V1Job): V1Container | undefined {
  const containers = job.spec?.template?.spec?.containers ?? [];
  return containers.find((container) => container.name === COPIER_CONTAINER) ?? containers[0];
}

export function envOf(job: V1Job, name: string): string | undefined {
  return copierContainer(job)?.env?.find((variable) => variable.name === name)?.value;
}

/** Completion index → shard: through SHARD_INDEXES in a rerun, the identity otherwise. */
export function shardMap(job: V1Job): (index: number) => number {
  const listed = envOf(job, 'SHARD_INDEXES');
  if (!listed) return (index) => index;
  const shards = parseIndexList(listed);
  return (index) => shards[index] ?? index;
}

export function completionsOf(job: V1Job): number {
  return job.spec?.completions ?? 1;
}

/** The completion index of a pod: the annotation the Job controller sets, else the label of the same name. */
export function podIndex(pod: V1Pod): number | undefined {
  const text = pod.metadata?.annotations?.[COMPLETION_INDEX] ?? pod.metadata?.labels?.[COMPLETION_INDEX];
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

export function podsByIndex(pods: readonly V1Pod[]): Map<number, V1Pod[]> {
  const byIndex = new Map<number, V1Pod[]>();
  for (const pod of pods) {
    const index = podIndex(pod);
    if (index === undefined) continue;
    byIndex.set(index, [...(byIndex.get(index) ?? []), pod]);
  }
  for (const list of byIndex.values()) list.sort((a, b) => createdAt(b) - createdAt(a));
  return byIndex;
}

/**
 * Indexes that failed for good. With backoffLimitPerIndex, Kubernetes lists them in .status.failedIndexes.
 * Without it (legacy backoffLimit), an index failed when it has a failed pod, did not complete, and the Job has
 * ended: while it runs, the controller may still retry it.
 */
export function failedIndexes(job: V1Job, pods: readonly V1Pod[]): number[] {
  if (usesPerIndexBackoff(job)) return indexesOf(job.status?.failedIndexes);
  if (jobOutcome(job) === 'running') return [];
  const completed = new Set(indexesOf(job.status?.completedIndexes));
  const failed = pods.filter((pod) => pod.status?.phase === 'Failed').map(podIndex).filter((index) => index !== undefined);
  return [...new Set(failed)].filter((index) => !completed.has(index)).sort((a, b) => a - b);
}

/**
 * Indexes of an ended Job that neither completed nor failed: the Job stopped before they ran or finished
 * (maxFailedIndexes, activeDeadlineSeconds, a FailJob rule, the legacy backoffLimit). Their shards were not copied.
 */
export function unfinishedIndexes(job: V1Job, pods: readonly V1Pod[]): number[] {
  if (jobOutcome(job) === 'running') return [];
  const done = new Set([...indexesOf(job.status?.completedIndexes), ...failedIndexes(job, pods)]);
  return Array.from({ length: completionsOf(job) }, (_, index) => index).filter((index) => !done.has(index));
}

function usesPerIndexBackoff(job: V1Job): boolean {
  return job.spec?.backoffLimitPerIndex !== undefined || job.status?.failedIndexes !== undefined;
}

/** One row per completion index of the Job, from the Job's status and its pods. */
export function indexRows(job: V1Job, pods: readonly V1Pod[]): IndexRow[] {
  const completed = new Set(indexesOf(job.status?.completedIndexes));
  const failed = new Set(failedIndexes(job, pods));
  const byIndex = podsByIndex(pods);
  const shardOfIndex = shardMap(job);
  const ended = jobOutcome(job) !== 'running';
  const rows: IndexRow[] = [];
  for (let index = 0; index < completionsOf(job); index++) {
    const indexPods = byIndex.get(index) ?? [];
    const state = completed.has(index) ? 'succeeded' : failed.has(index) ? 'failed' : indexPods.some(isRunning) ? 'running' : ended ? 'unfinished' : 'pending';
    const noPod = state === 'pending' && !indexPods.some(isActive);
    rows.push({ index, shard: shardOfIndex(index), state, attempts: indexPods.length, ...resultOf(indexPods, state), ...(noPod ? { noPod } : {}) });
  }
  return rows;
}

/** A pod of the index that is there and not ending: Pending (not started yet) or Running. */
export function isActive(pod: V1Pod): boolean {
  return (pod.status?.phase === 'Pending' || pod.status?.phase === 'Running') && !pod.metadata?.deletionTimestamp;
}

/** Only a Running pod runs: a Pending one may wait forever (an image it cannot pull, a Secret that is missing). */
function isRunning(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
}

/** What the index's pods reported: the succeeded pod's summary for a succeeded index, else the newest message. */
function resultOf(pods: readonly V1Pod[], state: IndexState): Pick<IndexRow, 'pod' | 'summary' | 'message' | 'earlierAttempt'> {
  const chosen = (state === 'succeeded' ? pods.find((pod) => pod.status?.phase === 'Succeeded') : undefined)
    ?? pods.find((pod) => terminationMessage(pod) !== undefined) ?? pods[0];
  if (!chosen) return {};
  const text = terminationMessage(chosen);
  const summary = text === undefined ? undefined : parseSummary(text);
  const name = chosen.metadata?.name;
  const earlier = (state === 'running' || state === 'pending') && chosen !== pods[0];
  return { ...(name ? { pod: name } : {}), ...(summary ? { summary } : text ? { message: firstLine(text) } : {}), ...(earlier ? { earlierAttempt: true } : {}) };
}

export function terminationMessage(pod: V1Pod): string | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const copier = statuses.find((status) => status.name === COPIER_CONTAINER) ?? statuses[0];
  const message = copier?.state?.terminated?.message ?? copier?.lastState?.terminated?.message;
  return message?.trim() ? message : undefined;
}

const SUMMARY_COUNTS = ['copied', 'unchanged', 'adopted', 'segments', 'skipped', 'deleted', 'failed', 'bytes', 'seconds'] as const;

/** The copier's summary JSON, or undefined when the message is something else (a crash's log tail, a verify report). */
export function parseSummary(text: string): CopierSummary | undefined {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { return undefined; }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const fields = parsed as Record<string, unknown>;
  if (typeof fields.copied !== 'number' || typeof fields.failed !== 'number') return undefined;
  const count = (name: string) => typeof fields[name] === 'number' ? fields[name] : 0;
  const summary: CopierSummary = { copied: 0, unchanged: 0, adopted: 0, segments: 0, skipped: 0, deleted: 0, failed: 0, bytes: 0, seconds: 0 };
  for (const name of SUMMARY_COUNTS) summary[name] = count(name);
  if (typeof fields.inShard === 'number') summary.inShard = fields.inShard;
  if (fields.interrupted === true) summary.interrupted = true;
  const totals = amountOf(fields.totals);
  if (totals) summary.totals = totals;
  const expected = amountOf(fields.expected);
  if (expected) summary.expected = expected;
  const outages = outagesOf(fields.outages);
  if (outages) summary.outages = outages;
  const first = Array.isArray(fields.failures) ? fields.failures[0] as { key?: unknown; reason?: unknown } | undefined : undefined;
  if (first && typeof first.reason === 'string') summary.firstFailure = { key: typeof first.key === 'string' ? first.key : '', reason: first.reason };
  return summary;
}

function outagesOf(value: unknown): CopierSummary['outages'] {
  if (typeof value !== 'object' || value === null) return undefined;
  const side = (of: unknown) => {
    const { count, seconds } = (typeof of === 'object' && of !== null ? of : {}) as Record<string, unknown>;
    return { count: typeof count === 'number' ? count : 0, seconds: typeof seconds === 'number' ? seconds : 0 };
  };
  const { swift, s3 } = value as Record<string, unknown>;
  return { swift: side(swift), s3: side(s3) };
}

function amountOf(value: unknown): { objects: number; bytes: number } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { objects, bytes } = value as Record<string, unknown>;
  return typeof objects === 'number' && typeof bytes === 'number' ? { objects, bytes } : undefined;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
