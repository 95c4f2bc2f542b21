// An Indexed Job controller for one Job in the (fake) API server: it creates each index's pods through the API,
// lets a kubelet run them, writes their status and the Job's status back through the API (so the server's
// validation applies), and applies podFailurePolicy, backoffLimitPerIndex, maxFailedIndexes and the legacy
// backoffLimit the way Kubernetes' Job controller does, as far as status and rerun read the result.
//
// Sources (kubernetes/kubernetes): pkg/controller/job/job_controller.go (syncJob: the failure and success
// conditions and their reasons and messages, nonIgnoredFailedPodsCount, newFailureCondition/newSuccessCondition with
// the FailureTarget and SuccessCriteriaMet steps before Failed and Complete), pkg/controller/job/indexed_job_utils.go
// (isIndexFailed, getNewIndexFailureCounts, orderedIntervals.String), pkg/controller/job/pod_failure_policy.go
// (matchPodFailurePolicy). Pods of different indexes run one at a time rather than `parallelism` at once; a failed
// index that may retry goes to the back of the queue, so the others make progress first, as they would in parallel.
import { podForIndex } from '../kube/fake-api.ts';
import type { Json, Pod } from './objects.ts';

export interface Api { url: string; namespace: string }

/** The API server refused a request: the test fails with the server's own Status message. */
export class ApiRefused extends Error {
  readonly code: number;
  readonly status: Json;
  constructor(code: number, status: Json, what: string) {
    const { reason = '', message = JSON.stringify(status) } = status as { reason?: string; message?: string };
    super(`${what}: ${code} ${reason}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

export async function call(api: Api, method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${api.url}${path}`, {
    method, headers: { 'content-type': 'application/json', authorization: 'Bearer job-controller' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await response.json() as Json;
  if (!response.ok) throw new ApiRefused(response.status, answer, `${method} ${path}`);
  return answer;
}

const jobsPath = (api: Api) => `/apis/batch/v1/namespaces/${encodeURIComponent(api.namespace)}/jobs`;
const podsPath = (api: Api) => `/api/v1/namespaces/${encodeURIComponent(api.namespace)}/pods`;

export function createJob(api: Api, job: Json): Promise<Json> {
  return call(api, 'POST', jobsPath(api), job);
}

// --- podFailurePolicy ---------------------------------------------------------------------------------------

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
interface PolicyRule { action: string; onExitCodes?: { containerName?: string; operator: string; values: number[] }; onPodConditions?: { type: string; status?: string }[] }
interface ContainerStatus { name?: string; state?: { terminated?: { exitCode: number } } }
export interface PolicyMatch { countFailed: boolean; action?: FailureAction; message?: string }

/** matchPodFailurePolicy: the first rule that matches decides; a rule with an unknown action or operator is skipped. */
export function matchPodFailurePolicy(policy: { rules?: PolicyRule[] } | undefined, pod: { metadata?: Json; status?: Json }): PolicyMatch {
  if (!policy) return { countFailed: true };
  const status = (pod.status ?? {}) as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[]; conditions?: { type: string; status: string }[] };
  const { namespace = '', name = '' } = (pod.metadata ?? {}) as { namespace?: string; name?: string };
  const where = `${namespace}/${name}`;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const container = matchOnExitCodes([...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])], rule.onExitCodes);
      if (!container) continue;
      failJobMessage = `Container ${container.name ?? ''} for pod ${where} failed with exit code ${container.state!.terminated!.exitCode} matching FailJob rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const condition = (status.conditions ?? []).find((c) => rule.onPodConditions!.some((p) => p.type === c.type && (p.status ?? 'True') === c.status));
      if (!condition) continue;
      failJobMessage = `Pod ${where} has condition ${condition.type} matching FailJob rule at index ${index}`;
    } else {
      continue;
    }
    switch (rule.action) {
      case 'Ignore': return { countFailed: false, action: 'Ignore' };
      case 'FailIndex': return { countFailed: true, action: 'FailIndex' };
      case 'Count': return { countFailed: true, action: 'Count' };
      case 'FailJob': return { countFailed: true, action: 'FailJob', message: failJobMessage };
      default: continue;
    }
  }
  return { countFailed: true };
}

/** getMatchingContainerFromList: a terminated container (of the named one, if given) with a non-zero exit code the operator accepts. */
function matchOnExitCodes(statuses: ContainerStatus[], requirement: NonNullable<PolicyRule['onExitCodes']>): ContainerStatus | undefined {
  return statuses.find((status) => {
    const exitCode = status.state?.terminated?.exitCode;
    if (exitCode === undefined || exitCode === 0) return false;
    if (requirement.containerName !== undefined && requirement.containerName !== status.name) return false;
    if (requirement.operator === 'In') return requirement.values.includes(exitCode);
    if (requirement.operator === 'NotIn') return !requirement.values.includes(exitCode);
    return false;
  });
}

// --- index lists ------------------------------------------------------------------------------------------------

/** orderedIntervals.String: "0,2-4,6,7": two neighbours with a comma, three or more as a range (Kubernetes' own
 *  spelling; src/indexes.ts formatIndexList writes a pair as a range, which parses the same). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const [first, last] = [sorted[i]!, sorted[j]!];
    parts.push(last === first ? String(first) : last === first + 1 ? `${first},${last}` : `${first}-${last}`);
    i = j + 1;
  }
  return parts.join(',');
}

// --- the controller ---------------------------------------------------------------------------------------------

/** Runs one pod to its end and answers its container's result and the pod's status (the kubelet's part). */
export type RunPod = (pod: Pod) => Promise<{ exitCode: number; podStatus: Json }>;

export interface JobRun {
  /** The Job as the API server holds it at the end. */
  job: Json;
  /** Every pod created, as stored at the end, in order of creation. */
  pods: Json[];
}

interface JobSpecView {
  completions?: number;
  completionMode?: string;
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  podFailurePolicy?: { rules?: PolicyRule[] };
}

interface Finish { reason: string; message: string }

/** Runs the named Indexed Job of the API server to its end (Complete or Failed) through `runPod`. */
export async function runIndexedJob(api: Api, name: string, runPod: RunPod): Promise<JobRun> {
  const jobPath = `${jobsPath(api)}/${encodeURIComponent(name)}`;
  const job = await call(api, 'GET', jobPath);
  const spec = job['spec'] as JobSpecView;
  if (spec.completionMode !== 'Indexed' || spec.completions === undefined) throw new Error(`${name}: only Indexed Jobs with completions are emulated`);
  const completions = spec.completions;
  const perIndex = spec.backoffLimitPerIndex !== undefined;
  const state = { completed: new Set<number>(), failedIndexes: new Set<number>(), failed: 0 };
  const status: Json = { startTime: now(), active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0, uncountedTerminatedPods: {}, ...(perIndex ? { failedIndexes: '' } : {}) };
  const putStatus = async () => {
    const stored = await call(api, 'PUT', `${jobPath}/status`, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: api.namespace }, status });
    Object.assign(status, stored['status'] as Json);
  };
  const pods: Json[] = [];
  await putStatus();

  const counts = new Map<number, { failures: number; ignored: number }>();
  const queue = Array.from({ length: completions }, (_, index) => index);
  let finish: Finish | undefined;
  while (queue.length > 0 && !finish) {
    const index = queue.shift()!;
    const count = counts.get(index) ?? { failures: 0, ignored: 0 };
    counts.set(index, count);
    const body = podForIndex(job, index, count.failures);
    if (count.ignored > 0) ((body['metadata'] as Json)['annotations'] as Record<string, string>)['batch.kubernetes.io/job-index-ignored-failure-count'] = String(count.ignored);
    const created = await call(api, 'POST', podsPath(api), body);
    pods.push(created);
    Object.assign(status, { active: 1 });
    await putStatus();

    const { exitCode, podStatus } = await runPod(created as unknown as Pod);
    const podName = String((created['metadata'] as Json)['name']);
    const ended = await call(api, 'PUT', `${podsPath(api)}/${encodeURIComponent(podName)}/status`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, namespace: api.namespace }, status: podStatus });
    pods[pods.length - 1] = ended;
    if (exitCode === 0) state.completed.add(index);
    else finish = onFailedPod(ended, index, count, spec, state, queue);
    Object.assign(status, {
      active: 0, succeeded: state.completed.size, failed: state.failed, completedIndexes: formatIndexes(state.completed),
      ...(perIndex ? { failedIndexes: formatIndexes(state.failedIndexes) } : {}),
    });
    await putStatus();
  }

  if (!finish && perIndex && state.failedIndexes.size > 0 && state.failedIndexes.size + state.completed.size >= completions) {
    finish = { reason: 'FailedIndexes', message: 'Job has failed indexes' };
  }
  const conditions: Json[] = [];
  const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', reason, message, lastProbeTime: now(), lastTransitionTime: now() });
  if (finish) {
    // FailureTarget first, while pods could still be terminating; Failed once none is left.
    conditions.push(condition('FailureTarget', finish.reason, finish.message));
    Object.assign(status, { conditions: [...conditions] });
    await putStatus();
    conditions.push(condition('Failed', finish.reason, finish.message));
    Object.assign(status, { conditions: [...conditions] });
  } else {
    conditions.push(condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'));
    Object.assign(status, { conditions: [...conditions] });
    await putStatus();
    conditions.push(condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'));
    Object.assign(status, { conditions: [...conditions], completionTime: now() });
  }
  await putStatus();
  return { job: await call(api, 'GET', jobPath), pods };
}

/**
 * A failed pod of `index`: the policy's verdict, then per-index backoff (isIndexFailed: FailIndex, or a counted
 * failure of a pod whose failure-count annotation reached backoffLimitPerIndex) or the legacy Job-wide backoffLimit
 * (failed > backoffLimit). Returns the Job's finishing condition when this failure ends it; queues a retry otherwise.
 */
function onFailedPod(pod: Json, index: number, count: { failures: number; ignored: number }, spec: JobSpecView, state: { failedIndexes: Set<number>; failed: number }, queue: number[]): Finish | undefined {
  const match = matchPodFailurePolicy(spec.podFailurePolicy, pod);
  if (match.countFailed) state.failed++;
  if (match.action === 'FailJob') return { reason: 'PodFailurePolicy', message: match.message ?? '' };
  if (spec.backoffLimitPerIndex !== undefined) {
    if (match.action === 'FailIndex' || (match.countFailed && count.failures >= spec.backoffLimitPerIndex)) {
      state.failedIndexes.add(index);
      if (spec.maxFailedIndexes !== undefined && state.failedIndexes.size > spec.maxFailedIndexes) {
        return { reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' };
      }
      return undefined;
    }
  } else if (state.failed > (spec.backoffLimit ?? 6)) {
    return { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  }
  if (match.countFailed) count.failures++;
  else count.ignored++;
  queue.push(index);
  return undefined;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
