// Jobs and Pods as the Kubernetes API returns them for the chart's copier, for the kube tests. Their shapes follow
// Kubernetes' own code: the spec as SetDefaults_Job and generateSelector leave it (pkg/apis/batch/v1/defaults.go,
// pkg/registry/batch/job/strategy.go), the status and its conditions as pkg/controller/job/job_controller.go writes
// them (FailureTarget before Failed, SuccessCriteriaMet before Complete, no active pods once finished, succeeded
// counting completed indexes), the pods as the controller creates them (podForIndex) and a kubelet reports them.
// Every fixture Job passes the strict fake API's create validation (test/kube/fake-api.test.ts checks it). A pod that
// never starts is Pending as the kubelet (a container's waiting state) or the scheduler (PodScheduled=False) leaves it;
// a pod the API refused is only a FailedCreate event on the Job, as the controller's event recorder writes it.
import type { Summary } from '../../src/report/summary.ts';
import { podForIndex, type Json } from './fake-api.ts';

export const RELEASE = 'cube-files';
export const NAMESPACE = 'cube';
/** The chart's own release label (issue 11): on the Job, its pod template and so on every pod. */
export const RELEASE_LABEL = 'swift-to-s3.io/release';
const IMAGE = 'ghcr.io/fnndsc/swift-to-s3:0.1.0';

export type IndexedPod = {
  index: number; phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed'; summary?: Partial<Summary>; message?: string; minute: number;
  /** The copier's exit code of a Failed pod: 1 (objects failed, the default), 2 (FailJob), 3 (unreachable, FailIndex). */
  exitCode?: number;
  /** A Pending pod's container waiting state, as the kubelet reports it (default: ContainerCreating). */
  waiting?: { reason: string; message?: string };
  /** A Pending pod the scheduler could not place: the PodScheduled=False condition's message (reason Unschedulable). */
  unschedulable?: string;
};

export interface JobFixture {
  run: number;
  completions: number;
  /** Default: completions. */
  parallelism?: number;
  shardCount?: number;
  shardIndexes?: string;
  /** backoffLimitPerIndex in use (the chart's default); false: legacy backoffLimit. */
  perIndex?: boolean;
  /** Legacy backoff only: the whole Job's backoffLimit (the server's default is 6). */
  backoffLimit?: number;
  maxFailedIndexes?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  condition?: { type: 'Complete' | 'Failed'; reason?: string };
  createdAt: string;
  pods: IndexedPod[];
}

export function jobName(run: number): string {
  return `${RELEASE}-copy-${run}`;
}

export function uidOf(run: number): string {
  return `00000000-0000-4000-8000-${String(run).padStart(12, '0')}`;
}

/** A copier summary as src/report/summary.ts writes it, with the given counts. */
export function summary(shard: number, counts: Partial<Summary>): Summary {
  return {
    shard, shardCount: 6, listed: 600, inShard: 100, copied: 0, unchanged: 0, adopted: 0, segments: 0, skipped: 0, deleted: 0, extraneous: 0, failed: 0,
    bytes: 0, seconds: 60, mibPerSecond: 0, retries: 0, requests: { 'swift:GET': 100, 's3:PUT': 100 }, failures: [], skips: [], notes: [],
    ...counts,
  };
}

function at(base: string, minutes: number): string {
  return new Date(new Date(base).getTime() + minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
}

function chartLabels(run: number): Record<string, string> {
  return {
    'helm.sh/chart': 'swift-to-s3-0.1.0',
    'app.kubernetes.io/name': 'swift-to-s3',
    'app.kubernetes.io/instance': RELEASE,
    'app.kubernetes.io/version': '0.1.0',
    'app.kubernetes.io/managed-by': 'Helm',
    'app.kubernetes.io/part-of': 'swift-to-s3',
    'app.kubernetes.io/component': 'copier',
    [RELEASE_LABEL]: RELEASE,
    'swift-to-s3/run': String(run),
    'swift-to-s3/mode': 'copy',
  };
}

/** Labels the API server adds to the pod template and so to every pod of the Job (generateSelector). */
function controllerLabels(run: number): Record<string, string> {
  return {
    'batch.kubernetes.io/controller-uid': uidOf(run),
    'batch.kubernetes.io/job-name': jobName(run),
    'controller-uid': uidOf(run),
    'job-name': jobName(run),
  };
}

export function copierEnv(fixture: Pick<JobFixture, 'shardCount' | 'shardIndexes'>): Json[] {
  return [
    { name: 'SWIFT_CONTAINERS', value: 'users' },
    { name: 'SWIFT_AUTH_URL', value: 'http://cube-files-swift:8080/auth/v1.0' },
    { name: 'SWIFT_USER', valueFrom: { secretKeyRef: { name: 'cube-files-swift-credentials', key: 'SWIFT_USER' } } },
    { name: 'SHARD_COUNT', value: String(fixture.shardCount ?? 6) },
    ...(fixture.shardIndexes ? [{ name: 'SHARD_INDEXES', value: fixture.shardIndexes }] : []),
    { name: 'TERMINATION_MESSAGE_PATH', value: '/dev/termination-log' },
  ];
}

/**
 * The chart's exit-code rules (issue 11): evictions do not count (first: the first matching rule decides), 2 fails
 * the Job, 3 fails only the index (counted like 1 without backoffLimitPerIndex, where FailIndex is refused), 1
 * retries the index.
 */
function podFailurePolicy(perIndex: boolean): Json {
  const onExitCodes = (values: number[]) => ({ containerName: 'copier', operator: 'In', values });
  return {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: onExitCodes([2]), onPodConditions: [] },
      ...(perIndex ? [{ action: 'FailIndex', onExitCodes: onExitCodes([3]), onPodConditions: [] }] : []),
      { action: 'Count', onExitCodes: onExitCodes(perIndex ? [1] : [1, 3]), onPodConditions: [] },
    ],
  };
}

/** The messages job_controller.go gives each failure reason (newFailureCondition callers). */
const FAILURE_MESSAGES: Record<string, string> = {
  FailedIndexes: 'Job has failed indexes',
  MaxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  PodFailurePolicy: 'Container copier for pod failed with exit code 2 matching FailJob rule at index 1',
};

/** The controller's pair of conditions: the decision (FailureTarget / SuccessCriteriaMet), then the end (Failed / Complete). */
function conditionsOf(fixture: JobFixture): Json[] {
  const condition = fixture.condition;
  if (!condition) return [];
  const time = at(fixture.createdAt, 30);
  const [reason, message] = condition.type === 'Complete'
    ? ['CompletionsReached', 'Reached expected number of succeeded pods']
    : [condition.reason ?? 'BackoffLimitExceeded', FAILURE_MESSAGES[condition.reason ?? 'BackoffLimitExceeded'] ?? 'Job failed'];
  const decision = condition.type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
  return [decision, condition.type].map((type) => ({ type, status: 'True', reason, message, lastProbeTime: time, lastTransitionTime: time }));
}

function indexCount(indexes: string | undefined): number {
  if (!indexes) return 0;
  return indexes.split(',').reduce((total, fragment) => {
    const [from, to = from] = fragment.split('-').map(Number) as [number, number?];
    return total + to - from + 1;
  }, 0);
}

function statusOf(fixture: JobFixture, perIndex: boolean): Json {
  const count = (phase: string) => fixture.pods.filter((pod) => pod.phase === phase).length;
  const finished = fixture.condition !== undefined;
  return {
    startTime: at(fixture.createdAt, 0),
    ...(fixture.condition?.type === 'Complete' ? { completionTime: at(fixture.createdAt, 30) } : {}),
    // A finished Job has no active pods: the controller deletes them before it sets Failed or Complete.
    active: finished ? 0 : count('Running') + count('Pending'),
    succeeded: indexCount(fixture.completedIndexes),
    failed: count('Failed'),
    ...(fixture.completedIndexes !== undefined ? { completedIndexes: fixture.completedIndexes } : {}),
    ...(perIndex ? { failedIndexes: fixture.failedIndexes ?? '' } : {}),
    terminating: 0,
    uncountedTerminatedPods: {},
    ready: finished ? 0 : count('Running'),
    conditions: conditionsOf(fixture),
  };
}

export function job(fixture: JobFixture): Json {
  const perIndex = fixture.perIndex ?? true;
  const created = fixture.createdAt;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(fixture.run),
      namespace: NAMESPACE,
      uid: uidOf(fixture.run),
      resourceVersion: String(4000 + fixture.run),
      generation: 1,
      creationTimestamp: created,
      labels: chartLabels(fixture.run),
      annotations: { 'argocd.argoproj.io/sync-wave': '0', 'helm.sh/resource-policy': 'keep', 'meta.helm.sh/release-name': RELEASE, 'meta.helm.sh/release-namespace': NAMESPACE },
      managedFields: [
        { manager: 'helm', operation: 'Update', apiVersion: 'batch/v1', time: created, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:completions': {} } } },
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'batch/v1', time: at(created, 30), fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} }, subresource: 'status' },
      ],
    },
    spec: {
      parallelism: fixture.parallelism ?? fixture.completions,
      completions: fixture.completions,
      completionMode: 'Indexed',
      ...(perIndex ? { backoffLimit: 2147483647, backoffLimitPerIndex: 1 } : { backoffLimit: fixture.backoffLimit ?? 6 }),
      ...(fixture.maxFailedIndexes !== undefined ? { maxFailedIndexes: fixture.maxFailedIndexes } : {}),
      suspend: false,
      manualSelector: false,
      // SetDefaults_Job: with a podFailurePolicy the only replacement policy the server allows is Failed.
      podReplacementPolicy: 'Failed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uidOf(fixture.run) } },
      podFailurePolicy: podFailurePolicy(perIndex),
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'swift-to-s3', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'copier', [RELEASE_LABEL]: RELEASE, 'swift-to-s3/run': String(fixture.run), 'swift-to-s3/mode': 'copy', ...controllerLabels(fixture.run) } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 40,
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'copier', image: IMAGE, imagePullPolicy: 'IfNotPresent', args: ['copy'],
            terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError',
            env: copierEnv(fixture),
            resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
    status: statusOf(fixture, perIndex),
  };
}

const NAME_CHARACTERS = 'bcdfghjklmnpqrstvwxz2456789';

/** A generated pod name as names.SimpleNameGenerator makes them (5 characters of its alphabet), fixed per pod. */
function podSuffix(run: number, number: number): string {
  let seed = run * 7919 + number * 104_729 + 1;
  return Array.from({ length: 5 }, () => NAME_CHARACTERS[(seed = (seed * 48_271) % 2_147_483_647) % NAME_CHARACTERS.length]).join('');
}

/** What a kubelet reports for the copier container in each phase. */
function containerState(pod: IndexedPod, started: string, message: string | undefined): Json {
  if (pod.phase === 'Running') return { running: { startedAt: started } };
  if (pod.phase === 'Pending') return { waiting: pod.waiting ?? { reason: 'ContainerCreating' } };
  const exitCode = pod.phase === 'Succeeded' ? 0 : pod.exitCode ?? 1;
  return { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', ...(message ? { message } : {}), startedAt: started, finishedAt: at(started, 1), containerID: `cri-o://${'ab'.repeat(32)}` } };
}

export function pods(fixture: JobFixture): Json[] {
  const owner = job(fixture);
  const failuresBefore = new Map<number, number>();
  return fixture.pods.map((pod, number) => {
    const created = podForIndex(owner, pod.index, failuresBefore.get(pod.index) ?? 0);
    if (pod.phase === 'Failed') failuresBefore.set(pod.index, (failuresBefore.get(pod.index) ?? 0) + 1);
    const metadata = created.metadata as Json;
    const message = pod.message ?? (pod.summary ? JSON.stringify(summary(pod.index, pod.summary)) : undefined);
    const started = at(fixture.createdAt, pod.minute);
    const terminal = pod.phase === 'Succeeded' || pod.phase === 'Failed';
    if (terminal) delete metadata.finalizers; // the controller removes job-tracking once it has counted the pod
    return {
      ...created,
      metadata: {
        ...metadata,
        name: `${String(metadata.generateName)}${podSuffix(fixture.run, number)}`,
        uid: `10000000-0000-4000-8000-${String(fixture.run * 100 + number).padStart(12, '0')}`,
        resourceVersion: String(5000 + number),
        creationTimestamp: started,
        annotations: { ...(metadata.annotations as Json), 'openshift.io/scc': 'restricted-v2' },
      },
      spec: { ...(created.spec as Json), ...(pod.unschedulable === undefined ? { nodeName: 'worker-0' } : {}) },
      status: pod.unschedulable !== undefined ? unscheduledStatus(pod.unschedulable, started) : pod.phase === 'Pending' ? waitingStatus(pod, started) : {
        phase: pod.phase,
        qosClass: 'Burstable',
        startTime: started,
        containerStatuses: [{ name: 'copier', image: IMAGE, imageID: `${IMAGE}@sha256:${'cd'.repeat(32)}`, ready: pod.phase === 'Running', restartCount: 0, started: pod.phase === 'Running', state: containerState(pod, started, message) }],
      },
    };
  });
}

function podCondition(type: string, status: 'True' | 'False', time: string, reason?: string, message?: string): Json {
  return { type, status, lastProbeTime: null, lastTransitionTime: time, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** The scheduler's status for a pod no node fits (schedule_one.go handleSchedulingFailure): no node, no kubelet status. */
function unscheduledStatus(message: string, time: string): Json {
  return { phase: 'Pending', conditions: [podCondition('PodScheduled', 'False', time, 'Unschedulable', message)], qosClass: 'Burstable' };
}

/** A kubelet's status for a pod on a node whose container has not started (kubelet_pods.go generateAPIPodStatus). */
function waitingStatus(pod: IndexedPod, time: string): Json {
  const unready = 'containers with unready status: [copier]';
  const sandboxReady = (pod.waiting?.reason ?? 'ContainerCreating') !== 'ContainerCreating';
  return {
    phase: 'Pending',
    conditions: [
      podCondition('PodReadyToStartContainers', sandboxReady ? 'True' : 'False', time), podCondition('Initialized', 'True', time),
      podCondition('Ready', 'False', time, 'ContainersNotReady', unready), podCondition('ContainersReady', 'False', time, 'ContainersNotReady', unready),
      podCondition('PodScheduled', 'True', time),
    ],
    hostIP: '10.0.0.21', hostIPs: [{ ip: '10.0.0.21' }], ...(sandboxReady ? { podIP: '10.128.2.15', podIPs: [{ ip: '10.128.2.15' }] } : {}),
    startTime: time, qosClass: 'Burstable',
    containerStatuses: [{ name: 'copier', image: IMAGE, imageID: '', ready: false, restartCount: 0, started: false, lastState: {}, state: containerState(pod, time, undefined) }],
  };
}

/** A ResourceQuota's refusal as admission.NewForbidden words it for a pod named by its generateName "<job>-<index>-". */
export function quotaRefusal(quota = 'cube-quota'): string {
  return `exceeded quota: ${quota}, requested: limits.cpu=1, used: limits.cpu=2, limited: limits.cpu=2`;
}

/**
 * The Job controller's event for a pod the API refused (controller_utils.go createPods: FailedCreate, "Error creating:
 * <error>"), as client-go's recorder writes a core/v1 Event: named <job>.<nanoseconds hex>, the Job as involvedObject
 * (reference.GetReference), source and reportingComponent job-controller; repeats of it only raise count.
 */
export function failedCreateEvent(fixture: JobFixture, index: number, options: { cause?: string; minute?: number; count?: number } = {}): Json {
  const owner = job(fixture);
  const metadata = owner.metadata as Json & { name: string; uid: string; resourceVersion: string };
  const first = at(fixture.createdAt, options.minute ?? 0);
  const last = at(fixture.createdAt, (options.minute ?? 0) + (options.count ?? 1) - 1);
  const nanoseconds = (BigInt(new Date(first).getTime()) * 1_000_000n + BigInt(index)).toString(16);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${metadata.name}.${nanoseconds}`, namespace: NAMESPACE, uid: `20000000-0000-4000-8000-${String(fixture.run * 100 + index).padStart(12, '0')}`, resourceVersion: String(6000 + index), creationTimestamp: first },
    involvedObject: { kind: 'Job', namespace: NAMESPACE, name: metadata.name, uid: metadata.uid, apiVersion: 'batch/v1', resourceVersion: metadata.resourceVersion },
    reason: 'FailedCreate',
    message: `Error creating: pods "${metadata.name}-${index}-" is forbidden: ${options.cause ?? quotaRefusal()}`,
    source: { component: 'job-controller' },
    firstTimestamp: first,
    lastTimestamp: last,
    count: options.count ?? 1,
    type: 'Warning',
    eventTime: null,
    reportingComponent: 'job-controller',
    reportingInstance: '',
  };
}

const MiB = 1048576;

/** Run 2: 6 shards, per-index backoff, indexes 1 and 3 failed twice each, index 2 needed a second try. */
export const failedRun: JobFixture = {
  run: 2, completions: 6, completedIndexes: '0,2,4-5', failedIndexes: '1,3', condition: { type: 'Failed', reason: 'FailedIndexes' },
  createdAt: '2025-06-01T10:00:00Z',
  pods: [
    { index: 0, phase: 'Succeeded', minute: 0, summary: { copied: 100, bytes: 100 * MiB, seconds: 600 } },
    { index: 1, phase: 'Failed', minute: 0, message: 'Error: connect ECONNREFUSED 10.0.0.7:8080\n    at TCPConnectWrap' },
    { index: 1, phase: 'Failed', minute: 12, summary: { copied: 90, failed: 10, bytes: 90 * MiB, seconds: 700 } },
    { index: 2, phase: 'Failed', minute: 0, summary: { copied: 40, failed: 60, bytes: 40 * MiB, seconds: 300, interrupted: true } },
    { index: 2, phase: 'Succeeded', minute: 6, summary: { copied: 60, unchanged: 40, bytes: 60 * MiB, seconds: 500 } },
    { index: 3, phase: 'Failed', minute: 0, summary: { copied: 95, failed: 5, bytes: 95 * MiB, seconds: 650 } },
    { index: 3, phase: 'Failed', minute: 13, summary: { unchanged: 95, failed: 5, seconds: 30 } },
    { index: 4, phase: 'Succeeded', minute: 0, summary: { copied: 100, bytes: 200 * MiB, seconds: 900 } },
    { index: 5, phase: 'Succeeded', minute: 0, summary: { copied: 99, skipped: 1, bytes: 50 * MiB, seconds: 400 } },
  ],
};

/** Run 1, long done: every shard copied. */
export const completeRun: JobFixture = {
  run: 1, completions: 6, completedIndexes: '0-5', failedIndexes: '', condition: { type: 'Complete' },
  createdAt: '2025-05-01T10:00:00Z',
  pods: [0, 1, 2, 3, 4, 5].map((index) => ({ index, phase: 'Succeeded' as const, minute: 0, summary: { copied: 10, ...(index === 0 ? { adopted: 5, segments: 2 } : {}), bytes: 10 * MiB, seconds: 60 } })),
};

/** Run 4, half way: two indexes done, two running, two not started (parallelism as completions, pods pending). */
export const runningRun: JobFixture = {
  run: 4, completions: 6, completedIndexes: '0,2', failedIndexes: '',
  createdAt: '2025-06-02T10:00:00Z',
  pods: [
    { index: 0, phase: 'Succeeded', minute: 0, summary: { copied: 100, bytes: 100 * MiB, seconds: 600 } },
    { index: 1, phase: 'Running', minute: 0 },
    { index: 2, phase: 'Succeeded', minute: 0, summary: { copied: 100, bytes: 100 * MiB, seconds: 600 } },
    { index: 3, phase: 'Failed', minute: 0, summary: { copied: 1, failed: 1, bytes: MiB, seconds: 10 } },
    { index: 3, phase: 'Running', minute: 2 },
  ],
};

/**
 * Run 5 on a cluster without backoffLimitPerIndex: no failedIndexes, index 3's pods failed until backoffLimit. The
 * controller fails a Job when failed pods exceed backoffLimit: 3 failures end it only with a limit below 3.
 */
export const legacyRun: JobFixture = {
  run: 5, completions: 4, perIndex: false, backoffLimit: 2, completedIndexes: '0-2', condition: { type: 'Failed', reason: 'BackoffLimitExceeded' },
  createdAt: '2025-06-03T10:00:00Z',
  pods: [
    { index: 0, phase: 'Succeeded', minute: 0, summary: { copied: 5, bytes: 5 * MiB } },
    { index: 1, phase: 'Succeeded', minute: 0, summary: { copied: 5, bytes: 5 * MiB } },
    { index: 2, phase: 'Failed', minute: 0, summary: { copied: 4, failed: 1, bytes: 4 * MiB } },
    { index: 2, phase: 'Succeeded', minute: 3, summary: { copied: 1, unchanged: 4, bytes: MiB } },
    { index: 3, phase: 'Failed', minute: 0, summary: { copied: 3, failed: 2, bytes: 3 * MiB } },
    { index: 3, phase: 'Failed', minute: 3, summary: { unchanged: 3, failed: 2 } },
  ],
};

/**
 * Run 3, itself a rerun of shards 1,3,5: completion indexes 1 and 2 (shards 3 and 5) failed again. With
 * backoffLimitPerIndex 1 an index fails on its second failed pod, so each failed index has two.
 */
export const rerunRun: JobFixture = {
  run: 3, completions: 3, shardIndexes: '1,3,5', completedIndexes: '0', failedIndexes: '1,2', condition: { type: 'Failed', reason: 'FailedIndexes' },
  createdAt: '2025-06-01T11:00:00Z',
  pods: [
    { index: 0, phase: 'Succeeded', minute: 0, summary: { unchanged: 90, copied: 10, bytes: 10 * MiB } },
    { index: 1, phase: 'Failed', minute: 0, summary: { unchanged: 90, copied: 5, failed: 5, bytes: 5 * MiB } },
    { index: 1, phase: 'Failed', minute: 5, summary: { unchanged: 95, failed: 5 } },
    { index: 2, phase: 'Failed', minute: 0, summary: { copied: 97, failed: 3, bytes: 97 * MiB } },
    { index: 2, phase: 'Failed', minute: 5, summary: { copied: 98, failed: 2, bytes: 98 * MiB } },
  ],
};

export function objectsOf(...fixtures: JobFixture[]): { jobs: Json[]; pods: Json[] } {
  return { jobs: fixtures.map(job), pods: fixtures.flatMap(pods) };
}

/** What a client sends to create a Job like this one: the fixture without what the server sets or generates. */
export function sendable(job: Json): Json {
  const { metadata, spec, status: _status, ...rest } = structuredClone(job) as { metadata: Json; spec: Json & { template: { metadata?: { labels?: Record<string, string> } } }; status?: unknown };
  const { uid: _uid, resourceVersion: _rv, generation: _generation, creationTimestamp: _created, managedFields: _managed, ...kept } = metadata;
  const { selector: _selector, ...specKept } = spec;
  const labels = Object.fromEntries(Object.entries(spec.template.metadata?.labels ?? {}).filter(([key]) => !['controller-uid', 'job-name', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name'].includes(key)));
  return { ...rest, metadata: kept, spec: { ...specKept, template: { ...spec.template, metadata: { ...spec.template.metadata, labels } } } };
}

/** Run 8, a first install whose image is not published (or private): both pods wait to pull it, none ever runs. */
export const imagePullRun: JobFixture = {
  run: 8, completions: 2, completedIndexes: '', failedIndexes: '', createdAt: '2025-06-05T10:00:00Z',
  pods: [0, 1].map((index) => ({ index, phase: 'Pending' as const, minute: 0, waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${IMAGE}"` } })),
};

/** Run 9: existingSecret names a Secret that is not there (kubelet_pods.go makeEnvironmentVariables). */
export const missingSecretRun: JobFixture = {
  run: 9, completions: 2, completedIndexes: '', failedIndexes: '', createdAt: '2025-06-05T11:00:00Z',
  pods: [0, 1].map((index) => ({ index, phase: 'Pending' as const, minute: 0, waiting: { reason: 'CreateContainerConfigError', message: 'secret "cube-files-s3" not found' } })),
};

/** Run 10: the pods ask for more than any node has free. */
export const unschedulableRun: JobFixture = {
  run: 10, completions: 2, completedIndexes: '', failedIndexes: '', createdAt: '2025-06-05T12:00:00Z',
  pods: [0, 1].map((index) => ({ index, phase: 'Pending' as const, minute: 0, unschedulable: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.' })),
};

/** Run 11: parallelism 4 of 8 indexes under a quota that admits 2 pods: indexes 0 and 1 run, the create of index 2 is
 *  refused (again and again: count 5), and the controller's slow start tries no other index after a refusal. */
export const quotaRun: JobFixture = {
  run: 11, completions: 8, parallelism: 4, shardCount: 8, completedIndexes: '', failedIndexes: '', createdAt: '2025-06-05T13:00:00Z',
  pods: [0, 1].map((index) => ({ index, phase: 'Running' as const, minute: 0 })),
};
