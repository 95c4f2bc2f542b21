// Why an index's pod is not running: its container's waiting state, the scheduler's PodScheduled=False, or, when no
// pod exists at all, the Job controller's FailedCreate events (a quota, a LimitRange). None of these fails the Job:
// without them status would show the index as pending, and the run as going, for ever.
import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { COPIER_CONTAINER, isActive, podsByIndex, type IndexRow, type Waiting } from './jobs.ts';

/**
 * Waiting reasons of a container that will not start until someone fixes the cause (kubelet's images/types.go and
 * kuberuntime's container errors). ContainerCreating and PodInitializing are on their way and not in here.
 */
const BLOCKED_REASONS = new Set([
  'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull', 'ImageInspectError', 'RegistryUnavailable', 'SignatureValidationFailed',
  'CreateContainerConfigError', 'CreateContainerError', 'PreCreateHookError', 'CrashLoopBackOff',
]);

/** The Job controller's reason when a pod create is refused (pkg/controller/controller_utils.go FailedCreatePodReason). */
const FAILED_CREATE = 'FailedCreate';

/** The Job's events, by the core/v1 API (what `oc describe job` shows); refused: why they could not be read. */
export async function readJobEvents(kubeConfig: KubeConfig, namespace: string, job: V1Job): Promise<{ events: CoreV1Event[]; refused?: unknown }> {
  const name = job.metadata?.name ?? '';
  try {
    const list = await kubeConfig.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Job,involvedObject.name=${name}` });
    // An older Job of the same name (deleted, made again) leaves its events for an hour: keep this one's only.
    const uid = job.metadata?.uid;
    return { events: list.items.filter((event) => !uid || !event.involvedObject.uid || event.involvedObject.uid === uid) };
  } catch (error) {
    return { events: [], refused: error };
  }
}

/** Events are needed only where an index of a running Job has no pod: to say why none was created. */
export function needsJobEvents(rows: readonly IndexRow[]): boolean {
  return rows.some((row) => row.noPod);
}

/** The rows, each pending one with why it waits: from its pod, or from the Job's FailedCreate events when it has none. */
export function withWaiting(rows: readonly IndexRow[], job: V1Job, pods: readonly V1Pod[], events: readonly CoreV1Event[]): IndexRow[] {
  const byIndex = podsByIndex(pods);
  // Refusals before the newest pod the controller did create are over: pods were admitted after them.
  const since = Math.max(0, ...pods.map((pod) => timeOf(pod.metadata?.creationTimestamp)));
  const refusals = failedCreates(job, events).filter((refusal) => refusal.at >= since);
  return rows.map((row) => {
    if (row.state !== 'pending') return row;
    const active = (byIndex.get(row.index) ?? []).find(isActive);
    const waiting = active ? podWaiting(active) : notCreated(refusals, row.index);
    return waiting ? { ...row, waiting } : row;
  });
}

/** Why a pod that is there has not started: not scheduled (PodScheduled=False), or its container waits. */
export function podWaiting(pod: V1Pod): Waiting | undefined {
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    const reason = scheduled.reason ?? 'Unschedulable';
    return { reason, ...(scheduled.message ? { message: oneLine(scheduled.message) } : {}), blocked: reason === 'Unschedulable' };
  }
  const statuses = pod.status?.containerStatuses ?? [];
  const waiting = (statuses.find((status) => status.name === COPIER_CONTAINER) ?? statuses[0])?.state?.waiting;
  if (!waiting?.reason) return undefined;
  return { reason: waiting.reason, ...(waiting.message ? { message: oneLine(waiting.message) } : {}), blocked: BLOCKED_REASONS.has(waiting.reason) };
}

interface Refusal { index?: number; message: string; at: number }

/**
 * The Job's FailedCreate events, newest first, each with the index it names. The controller records
 * "Error creating: <the API's error>", and the API names a pod not yet created by its generateName, which for an
 * Indexed Job is "<job>-<index>-" (admission.NewForbidden: `pods "<job>-3-" is forbidden: exceeded quota: …`).
 */
function failedCreates(job: V1Job, events: readonly CoreV1Event[]): Refusal[] {
  const named = new RegExp(`"${escapeRegExp(job.metadata?.name ?? '')}-(\\d+)-"`);
  return events
    .filter((event) => event.reason === FAILED_CREATE && event.message)
    .map((event) => {
      const index = named.exec(event.message!)?.[1];
      return { ...(index !== undefined ? { index: Number(index) } : {}), message: event.message!, at: lastSeen(event) };
    })
    .sort((a, b) => b.at - a.at);
}

/**
 * Why an index has no pod: the newest refusal naming it, else the newest of any index. The controller creates pods
 * in slow-start batches and stops at the first refusal, so the indexes after it were not even tried: the same cause
 * keeps them from being created.
 */
function notCreated(refusals: readonly Refusal[], index: number): Waiting | undefined {
  const refusal = refusals.find((each) => each.index === index) ?? refusals[0];
  return refusal ? { reason: FAILED_CREATE, message: refusalText(refusal.message), blocked: true } : undefined;
}

/** "Error creating: pods "x-3-" is forbidden: exceeded quota: q, requested: …" → "quota q, requested: …". */
function refusalText(message: string): string {
  const cause = oneLine(message)
    .replace(/^\(combined from similar events\): /, '')
    .replace(/^Error creating: /, '')
    .replace(/^pods "[^"]*" is forbidden: /, '');
  return cause.replace(/^exceeded quota: /i, 'quota ');
}

/** When an event was last seen: a series' last observation, else lastTimestamp, eventTime, or its creation. */
function lastSeen(event: CoreV1Event): number {
  return timeOf(event.series?.lastObservedTime ?? event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp);
}

function timeOf(time: Date | undefined): number {
  return time ? new Date(time).getTime() : 0;
}

/**
 * Nothing can progress: the Job runs, no index runs, and every index left waits on a cause someone must fix, or has
 * no pod while the blocked ones hold every slot of the parallelism (the controller makes no pod for it meanwhile).
 */
export function nothingCanProgress(rows: readonly IndexRow[], parallelism: number): boolean {
  const left = rows.filter((row) => row.state === 'running' || row.state === 'pending');
  if (left.length === 0 || left.some((row) => row.state === 'running')) return false;
  const blocked = left.filter((row) => row.waiting?.blocked);
  if (blocked.length === 0) return false;
  const others = left.filter((row) => !row.waiting?.blocked);
  // A pod on its way (ContainerCreating) is progress; an index without a pod waits for a slot the blocked ones hold.
  return others.length === 0 || (others.every((row) => row.noPod) && blocked.length >= parallelism);
}

/** "ImagePullBackOff: Back-off pulling image …", "not created: quota …", or "no pod". */
export function waitingNote(row: IndexRow): string {
  const { waiting } = row;
  if (!waiting) return row.noPod ? 'no pod' : '';
  const text = waiting.reason === FAILED_CREATE ? `not created: ${waiting.message ?? 'see the Job\'s events'}` : `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
