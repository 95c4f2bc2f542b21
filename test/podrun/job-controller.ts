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
import { call, type Api } from './api.ts';
import { startOnNode, type NodePod, type RunPod } from './node.ts';
import type { Json } from './objects.ts';

export { ApiRefused, call, type Api } from './api.ts';
export type { PodIo, RunPod } from './node.ts';

const jobsPath = (api: Api) => `/apis/batch/v1/namespaces/${encodeURIComponent(api.namespace)}/jobs`;
const podsPath = (api: Api) => `/api/v1/namespaces/${encodeURIComponent(api.namespace)}/pods`;
const eventsPath = (api: Api) => `/api/v1/namespaces/${encodeURIComponent(api.namespace)}/events`;

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

export interface JobRun {
  /** The Job as the API server holds it at the end. */
  job: Json;
  /** Every pod created, as stored at the end, in order of creation. */
  pods: Json[];
}

export interface ControllerOptions {
  /** DefaultJobPodFailureBackOff (10 s): the delay before an index's (or, without per-index backoff, the Job's)
   *  next pod after a failure, doubled per further failure; tests shorten it, as the controller's own tests do. */
  podFailureBackoffMs?: number;
  /** MaxJobPodFailureBackOff (10 min). */
  maxPodFailureBackoffMs?: number;
  /** How soon a refused pod create is tried again (the work queue's requeue; also on any pod's change). */
  createRetryMs?: number;
  /** How often the controller and the kubelet look at the API without being told of a change (a pod deleted by
   *  someone else: the kubelet stops it, the controller sees it terminating). Default 250 ms. */
  resyncMs?: number;
}

/** A Job being run: `done` once it is Complete or Failed. */
export interface JobHandle { done: Promise<JobRun> }

interface JobSpecView {
  completions?: number;
  parallelism?: number;
  completionMode?: string;
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  podReplacementPolicy?: string;
  podFailurePolicy?: { rules?: PolicyRule[] };
}

interface Finish { reason: string; message: string }

const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
const IGNORED_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
/** SlowStartInitialBatchSize (controller_utils.go): pods are created in batches of 1, 2, 4, … until one is refused. */
const SLOW_START_INITIAL_BATCH = 1;

/** Runs the named Indexed Job of the API server to its end (Complete or Failed), its pods through `runPod`. */
export async function runIndexedJob(api: Api, name: string, runPod: RunPod, options: ControllerOptions = {}): Promise<JobRun> {
  return startIndexedJob(api, name, runPod, options).done;
}

/** Starts the Job's controller; the test may look at the API (run status) while it runs. */
export function startIndexedJob(api: Api, name: string, runPod: RunPod, options: ControllerOptions = {}): JobHandle {
  return { done: new JobController(api, name, runPod, options).run() };
}

/**
 * syncJob for one Indexed Job, one sync at a time, each on what the API holds: the pods that ended since the last
 * sync are accounted (in order of their end), then either the Job is finishing (its active pods are deleted and the
 * last condition waits until none is left) or pods are created for the first pending indexes, up to parallelism.
 */
class JobController {
  private readonly jobPath: string;
  private job: Json = {};
  private spec: JobSpecView = {};
  private readonly completed = new Set<number>();
  private readonly failedIndexes = new Set<number>();
  private failed = 0;
  private readonly accounted = new Set<string>();
  /** The newest failed pod of each index, whose annotations carry its failure counts (getNewIndexFailureCounts). */
  private readonly lastFailed = new Map<number, { failures: number; ignored: number; finishedAt: number }>();
  /** The Job-wide backoff record without per-index backoff (backoff_utils.go newBackoffRecord). */
  private readonly backoff = { failuresAfterLastSuccess: 0, lastFailureTime: 0 };
  private finish: Finish | undefined;
  private readonly conditions: Json[] = [];
  private readonly status: Json = {};
  private readonly onNode = new Map<string, NodePod>();
  private readonly created: string[] = [];
  private readonly recorded = new Map<string, { name: string; count: number }>();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private failure: unknown;
  private written = '';

  private readonly api: Api;
  private readonly name: string;
  private readonly runPod: RunPod;
  private readonly options: ControllerOptions;

  constructor(api: Api, name: string, runPod: RunPod, options: ControllerOptions) {
    this.api = api;
    this.name = name;
    this.runPod = runPod;
    this.options = options;
    this.jobPath = `${jobsPath(api)}/${encodeURIComponent(name)}`;
  }

  async run(): Promise<JobRun> {
    this.job = await call(this.api, 'GET', this.jobPath);
    this.spec = this.job['spec'] as JobSpecView;
    if (this.spec.completionMode !== 'Indexed' || this.spec.completions === undefined) throw new Error(`${this.name}: only Indexed Jobs with completions are emulated`);
    const perIndex = this.spec.backoffLimitPerIndex !== undefined;
    Object.assign(this.status, { startTime: now(), active: 0, ready: 0, terminating: 0, succeeded: 0, failed: 0, uncountedTerminatedPods: {}, ...(perIndex ? { failedIndexes: '' } : {}) });
    await this.putStatus();
    for (;;) {
      const next = await this.sync();
      if (this.failure) throw this.failure as Error;
      if (next === 'done') break;
      await this.sleep(next);
    }
    await Promise.all([...this.onNode.values()].map((pod) => pod.done));
    const pods = await this.pods();
    const byName = new Map(pods.map((pod) => [String((pod['metadata'] as Json)['name']), pod]));
    return { job: await call(this.api, 'GET', this.jobPath), pods: this.created.map((podName) => byName.get(podName)).filter((pod) => pod !== undefined) };
  }

  /** One sync; answers how long to wait for the next one at most, or 'done'. */
  private async sync(): Promise<number | 'done'> {
    const pods = await this.pods();
    this.account(pods);
    const completions = this.spec.completions!;
    if (!this.finish && this.spec.backoffLimitPerIndex !== undefined && this.failedIndexes.size > 0 && this.failedIndexes.size + this.completed.size >= completions) {
      this.finish = { reason: 'FailedIndexes', message: 'Job has failed indexes' };
    }
    const live = pods.filter((pod) => !isTerminal(pod));
    const active = live.filter((pod) => !deleting(pod));
    const terminating = live.filter(deleting);
    // The kubelet's watch: a pod deleted by anyone gets its container stopped within the grace period.
    for (const pod of terminating) this.onNode.get(String((pod['metadata'] as Json)['name']))?.terminate(Number((pod['metadata'] as Json)['deletionGracePeriodSeconds'] ?? 0));
    let wait = this.options.resyncMs ?? 250;
    if (this.finish || this.completed.size >= completions) {
      // FailureTarget (or SuccessCriteriaMet) at once; Failed (or Complete) once no pod of the Job is left running.
      for (const pod of active) await this.deletePod(pod);
      this.addCondition(this.finish ? 'FailureTarget' : 'SuccessCriteriaMet');
      if (live.length === 0) {
        this.addCondition(this.finish ? 'Failed' : 'Complete');
        if (!this.finish) this.status['completionTime'] = now();
      }
    } else {
      wait = Math.min(wait, await this.createPods(active, terminating));
    }
    const after = (await this.pods()).filter((pod) => !isTerminal(pod));
    Object.assign(this.status, {
      active: after.filter((pod) => !deleting(pod)).length,
      ready: after.filter((pod) => !deleting(pod) && isReady(pod)).length,
      terminating: after.filter(deleting).length,
      succeeded: this.completed.size, failed: this.failed, completedIndexes: formatIndexes(this.completed),
      ...(this.spec.backoffLimitPerIndex !== undefined ? { failedIndexes: formatIndexes(this.failedIndexes) } : {}),
      conditions: [...this.conditions],
    });
    const finished = this.conditions.some((each) => each['type'] === 'Failed' || each['type'] === 'Complete');
    if (finished) Object.assign(this.status, { active: 0, ready: 0, terminating: 0 });
    // Like the controller, write the status only when it changed.
    if (JSON.stringify(this.status) !== this.written) await this.putStatus();
    return finished ? 'done' : wait;
  }

  /** The pods that ended since the last sync, in order of their end: successes complete an index, failures go through the policy. */
  private account(pods: Json[]): void {
    // isPodFailed: with podReplacementPolicy TerminatingOrFailed a pod being deleted has failed already.
    const failedEarly = (pod: Json) => this.spec.podReplacementPolicy !== 'Failed' && deleting(pod) && phaseOf(pod) !== 'Succeeded';
    const ended = pods.filter((pod) => (isTerminal(pod) || failedEarly(pod)) && !this.accounted.has(uidOf(pod))).sort((a, b) => finishedTime(a) - finishedTime(b));
    for (const pod of ended) {
      this.accounted.add(uidOf(pod));
      const index = indexOf(pod);
      if (phaseOf(pod) === 'Succeeded') {
        if (!this.failedIndexes.has(index)) this.completed.add(index);
        this.backoff.failuresAfterLastSuccess = 0;
        continue;
      }
      const match = matchPodFailurePolicy(this.spec.podFailurePolicy, pod);
      if (match.countFailed) this.failed++;
      if (this.finish || this.completed.has(index)) continue;
      this.finish = this.onFailedPod(pod, index, match);
    }
  }

  /**
   * A failed pod of `index`: FailJob ends the Job; with per-index backoff, FailIndex or a counted failure of a pod
   * whose failure-count annotation reached backoffLimitPerIndex fails the index (isIndexFailed), and more failed
   * indexes than maxFailedIndexes end the Job; without it, more failures than backoffLimit end it.
   */
  private onFailedPod(pod: Json, index: number, match: PolicyMatch): Finish | undefined {
    if (match.action === 'FailJob') return { reason: 'PodFailurePolicy', message: match.message ?? '' };
    const annotations = ((pod['metadata'] as Json)['annotations'] ?? {}) as Record<string, string>;
    const failures = Number(annotations[FAILURE_COUNT] ?? 0);
    const ignored = Number(annotations[IGNORED_COUNT] ?? 0);
    if (this.spec.backoffLimitPerIndex !== undefined) {
      if (match.action === 'FailIndex' || (match.countFailed && failures >= this.spec.backoffLimitPerIndex)) {
        this.failedIndexes.add(index);
        if (this.spec.maxFailedIndexes !== undefined && this.failedIndexes.size > this.spec.maxFailedIndexes) {
          return { reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' };
        }
        return undefined;
      }
    } else if (this.failed > (this.spec.backoffLimit ?? 6)) {
      return { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    }
    this.lastFailed.set(index, { failures: failures + (match.countFailed ? 1 : 0), ignored: ignored + (match.countFailed ? 0 : 1), finishedAt: finishedTime(pod) });
    if (match.countFailed) Object.assign(this.backoff, { failuresAfterLastSuccess: this.backoff.failuresAfterLastSuccess + 1, lastFailureTime: finishedTime(pod) });
    return undefined;
  }

  /**
   * manageJob's creates: the first pending indexes (neither succeeded nor failed, no active pod, and with
   * podReplacementPolicy Failed no terminating one either) whose backoff is over, up to parallelism, in slow-start
   * batches that stop at the first refusal (a FailedCreate event on the Job). Answers when to sync again.
   */
  private async createPods(active: Json[], terminating: Json[]): Promise<number> {
    const onlyFailed = this.spec.podReplacementPolicy === 'Failed';
    const busy = new Set([...active, ...(onlyFailed ? terminating : [])].map(indexOf));
    const slots = (this.spec.parallelism ?? 1) - active.length - (onlyFailed ? terminating.length : 0);
    let wait = Number.POSITIVE_INFINITY;
    const ready: number[] = [];
    for (let index = 0; index < this.spec.completions! && ready.length < slots; index++) {
      if (this.completed.has(index) || this.failedIndexes.has(index) || busy.has(index)) continue;
      const remaining = this.remainingBackoff(index);
      if (remaining > 0) { wait = Math.min(wait, remaining); continue; }
      ready.push(index);
    }
    for (let batch = SLOW_START_INITIAL_BATCH, at = 0; at < ready.length; at += batch, batch *= 2) {
      const results = await Promise.allSettled(ready.slice(at, at + batch).map((index) => this.createPod(index)));
      const refused = results.filter((result) => result.status === 'rejected');
      for (const refusal of refused) await this.recordFailedCreate(refusal.reason);
      if (refused.length > 0) return Math.min(wait, this.options.createRetryMs ?? 1000);
    }
    return wait;
  }

  /** getRemainingTimePerIndex (per-index: the index's last failed pod) or the Job's backoff record; ms left. */
  private remainingBackoff(index: number): number {
    const perIndex = this.spec.backoffLimitPerIndex !== undefined;
    const last = this.lastFailed.get(index);
    const failures = perIndex ? (last ? last.failures + last.ignored : 0) : this.backoff.failuresAfterLastSuccess;
    const since = perIndex ? last?.finishedAt ?? 0 : this.backoff.lastFailureTime;
    if (failures === 0) return 0;
    const max = this.options.maxPodFailureBackoffMs ?? 600_000;
    const delay = Math.min(max, (this.options.podFailureBackoffMs ?? 10_000) * 2 ** (failures - 1));
    return Math.max(0, delay - (Date.now() - since));
  }

  private async createPod(index: number): Promise<void> {
    const last = this.lastFailed.get(index);
    const body = podForIndex(this.job, index, last?.failures ?? 0);
    if (last && last.ignored > 0) ((body['metadata'] as Json)['annotations'] as Record<string, string>)[IGNORED_COUNT] = String(last.ignored);
    const created = await call(this.api, 'POST', podsPath(this.api), body);
    const podName = String((created['metadata'] as Json)['name']);
    this.created.push(podName);
    const pod = startOnNode(this.api, created, this.runPod);
    this.onNode.set(podName, pod);
    pod.done.then(() => this.wake(), (error: unknown) => { this.failure ??= error; this.wake(); });
  }

  /** deleteJobPods: DELETE with the pod's own grace period; the kubelet sees the deletionTimestamp and stops the container. */
  private async deletePod(pod: Json): Promise<void> {
    const podName = String((pod['metadata'] as Json)['name']);
    const deleted = await call(this.api, 'DELETE', `${podsPath(this.api)}/${encodeURIComponent(podName)}`);
    this.onNode.get(podName)?.terminate(Number((deleted['metadata'] as Json)['deletionGracePeriodSeconds'] ?? 0));
  }

  /** The event recorder: FailedCreate "Error creating: <the API's message>" on the Job; a repeat raises its count. */
  private async recordFailedCreate(error: unknown): Promise<void> {
    const cause = error instanceof Error && 'status' in error ? String((error.status as Json)['message']) : String(error);
    const message = `Error creating: ${cause}`;
    const at = now();
    const seen = this.recorded.get(message);
    if (seen) {
      seen.count++;
      await call(this.api, 'PATCH', `${eventsPath(this.api)}/${encodeURIComponent(seen.name)}`, { count: seen.count, lastTimestamp: at });
      return;
    }
    const metadata = this.job['metadata'] as { name: string; uid: string; resourceVersion: string };
    const event = await call(this.api, 'POST', eventsPath(this.api), {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${metadata.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.recorded.size)).toString(16)}` },
      involvedObject: { kind: 'Job', namespace: this.api.namespace, name: metadata.name, uid: metadata.uid, apiVersion: 'batch/v1', resourceVersion: metadata.resourceVersion },
      reason: 'FailedCreate', message, source: { component: 'job-controller' }, firstTimestamp: at, lastTimestamp: at, count: 1,
      type: 'Warning', eventTime: null, reportingComponent: 'job-controller', reportingInstance: '',
    });
    this.recorded.set(message, { name: String((event['metadata'] as Json)['name']), count: 1 });
  }

  private addCondition(type: string): void {
    if (this.conditions.some((each) => each['type'] === type)) return;
    const { reason, message } = this.finish ?? { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
    this.conditions.push({ type, status: 'True', reason, message, lastProbeTime: now(), lastTransitionTime: now() });
  }

  private async pods(): Promise<Json[]> {
    const uid = String((this.job['metadata'] as Json)['uid']);
    const list = await call(this.api, 'GET', `${podsPath(this.api)}?labelSelector=${encodeURIComponent(`batch.kubernetes.io/controller-uid=${uid}`)}`);
    return list['items'] as Json[];
  }

  private async putStatus(): Promise<void> {
    const stored = await call(this.api, 'PUT', `${this.jobPath}/status`, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: this.name, namespace: this.api.namespace }, status: this.status });
    Object.assign(this.status, stored['status'] as Json);
    this.written = JSON.stringify(this.status);
  }

  /** Until a pod of the Job changes (its node reports) or `ms` have passed. */
  private sleep(ms: number): Promise<void> {
    if (this.woken) { this.woken = false; return Promise.resolve(); }
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => { this.wakeUp = undefined; resolve(); }, ms) : undefined;
      this.wakeUp = () => { clearTimeout(timer); this.wakeUp = undefined; this.woken = false; resolve(); };
    });
  }

  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }
}

function uidOf(pod: Json): string {
  return String((pod['metadata'] as Json)['uid']);
}

function indexOf(pod: Json): number {
  return Number((((pod['metadata'] as Json)['annotations'] ?? {}) as Record<string, string>)[COMPLETION_INDEX]);
}

function phaseOf(pod: Json): string {
  const phase = (pod['status'] as Json | undefined)?.['phase'];
  return typeof phase === 'string' ? phase : '';
}

function isTerminal(pod: Json): boolean {
  return phaseOf(pod) === 'Succeeded' || phaseOf(pod) === 'Failed';
}

function deleting(pod: Json): boolean {
  return Boolean((pod['metadata'] as Json)['deletionTimestamp']);
}

function isReady(pod: Json): boolean {
  return ((pod['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((each) => each.type === 'Ready' && each.status === 'True');
}

/** getFinishedTime: the containers' latest finishedAt, else the Ready=False transition, else deletion, else creation. */
function finishedTime(pod: Json): number {
  const status = (pod['status'] ?? {}) as { containerStatuses?: { state?: { terminated?: { finishedAt?: string } } }[]; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
  const finished = (status.containerStatuses ?? []).map((each) => each.state?.terminated?.finishedAt);
  if (finished.length > 0 && finished.every(Boolean)) return Math.max(...finished.map((at) => new Date(at!).getTime()));
  const ready = (status.conditions ?? []).find((each) => each.type === 'Ready' && each.status === 'False');
  if (ready?.lastTransitionTime) return new Date(ready.lastTransitionTime).getTime();
  const metadata = pod['metadata'] as { deletionTimestamp?: string; deletionGracePeriodSeconds?: number; creationTimestamp?: string };
  if (metadata.deletionTimestamp) return new Date(metadata.deletionTimestamp).getTime() - (metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return new Date(metadata.creationTimestamp ?? 0).getTime();
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
