// Jobs and Pods as the Kubernetes API returns them for the chart's copier, for the kube tests.
import type { Summary } from '../../src/report/summary.ts';
import type { Json } from './fake-api.ts';

export const RELEASE = 'cube-files';
export const NAMESPACE = 'cube';
const IMAGE = 'ghcr.io/fnndsc/swift-to-s3:0.1.0';

export type IndexedPod = { index: number; phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed'; summary?: Partial<Summary>; message?: string; minute: number };

export interface JobFixture {
  run: number;
  completions: number;
  shardCount?: number;
  shardIndexes?: string;
  /** backoffLimitPerIndex in use (the chart's default); false: legacy backoffLimit. */
  perIndex?: boolean;
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
    'swift-to-s3/run': String(run),
    'swift-to-s3/mode': 'copy',
  };
}

/** Labels the API server adds to the pod template and to every pod of the Job. */
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

export function job(fixture: JobFixture): Json {
  const perIndex = fixture.perIndex ?? true;
  const created = fixture.createdAt;
  const conditions = fixture.condition ? [
    ...(fixture.condition.type === 'Failed' ? [{ type: 'FailureTarget', status: 'True', reason: fixture.condition.reason, message: 'Job has failed indexes', lastProbeTime: at(created, 30), lastTransitionTime: at(created, 30) }] : [{ type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: at(created, 30), lastTransitionTime: at(created, 30) }]),
    { type: fixture.condition.type, status: 'True', ...(fixture.condition.reason ? { reason: fixture.condition.reason } : {}), message: fixture.condition.type === 'Failed' ? 'Job has failed indexes' : 'Reached expected number of succeeded pods', lastProbeTime: at(created, 30), lastTransitionTime: at(created, 30) },
  ] : [];
  const count = (phase: string) => fixture.pods.filter((pod) => pod.phase === phase).length;
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
      parallelism: fixture.completions,
      completions: fixture.completions,
      completionMode: 'Indexed',
      ...(perIndex ? { backoffLimit: 2147483647, backoffLimitPerIndex: 1 } : { backoffLimit: 6 }),
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uidOf(fixture.run) } },
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'copier', operator: 'In', values: [2] }, onPodConditions: [] }] },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'swift-to-s3', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'copier', 'swift-to-s3/run': String(fixture.run), 'swift-to-s3/mode': 'copy', ...controllerLabels(fixture.run) } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 40,
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
    status: {
      startTime: at(created, 0),
      ...(fixture.condition?.type === 'Complete' ? { completionTime: at(created, 30) } : {}),
      active: count('Running') + count('Pending'),
      succeeded: count('Succeeded'),
      failed: count('Failed'),
      ...(fixture.completedIndexes !== undefined ? { completedIndexes: fixture.completedIndexes } : {}),
      ...(perIndex ? { failedIndexes: fixture.failedIndexes ?? '' } : {}),
      terminating: 0,
      uncountedTerminatedPods: {},
      ready: count('Running'),
      conditions,
    },
  };
}

export function pods(fixture: JobFixture): Json[] {
  return fixture.pods.map((pod, number) => {
    const name = `${jobName(fixture.run)}-${pod.index}-${String.fromCharCode(97 + number)}x${pod.index}q`;
    const message = pod.message ?? (pod.summary ? JSON.stringify(summary(pod.index, pod.summary)) : undefined);
    const started = at(fixture.createdAt, pod.minute);
    const state = pod.phase === 'Running' ? { running: { startedAt: started } }
      : pod.phase === 'Pending' ? { waiting: { reason: 'ContainerCreating' } }
        : { terminated: { exitCode: pod.phase === 'Succeeded' ? 0 : 1, reason: pod.phase === 'Succeeded' ? 'Completed' : 'Error', ...(message ? { message } : {}), startedAt: started, finishedAt: at(started, 1), containerID: `cri-o://${'ab'.repeat(32)}` } };
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${jobName(fixture.run)}-${pod.index}-`,
        namespace: NAMESPACE,
        uid: `10000000-0000-4000-8000-${String(fixture.run * 100 + number).padStart(12, '0')}`,
        resourceVersion: String(5000 + number),
        creationTimestamp: started,
        labels: { 'app.kubernetes.io/name': 'swift-to-s3', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'copier', 'swift-to-s3/run': String(fixture.run), ...controllerLabels(fixture.run), 'batch.kubernetes.io/job-completion-index': String(pod.index) },
        annotations: { 'batch.kubernetes.io/job-completion-index': String(pod.index), 'openshift.io/scc': 'restricted-v2' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName(fixture.run), uid: uidOf(fixture.run), controller: true, blockOwnerDeletion: true }],
      },
      spec: { restartPolicy: 'Never', containers: [{ name: 'copier', image: IMAGE }], hostname: `${jobName(fixture.run)}-${pod.index}` },
      status: {
        phase: pod.phase,
        startTime: started,
        containerStatuses: [{ name: 'copier', image: IMAGE, imageID: `${IMAGE}@sha256:${'cd'.repeat(32)}`, ready: pod.phase === 'Running', restartCount: 0, started: pod.phase === 'Running', state }],
      },
    };
  });
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

/** Run 5 on a cluster without backoffLimitPerIndex: no failedIndexes, index 3's pods failed until backoffLimit. */
export const legacyRun: JobFixture = {
  run: 5, completions: 4, perIndex: false, completedIndexes: '0-2', condition: { type: 'Failed', reason: 'BackoffLimitExceeded' },
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

/** Run 3, itself a rerun of shards 1,3,5: completion indexes 1 and 2 (shards 3 and 5) failed again. */
export const rerunRun: JobFixture = {
  run: 3, completions: 3, shardIndexes: '1,3,5', completedIndexes: '0', failedIndexes: '1,2', condition: { type: 'Failed', reason: 'FailedIndexes' },
  createdAt: '2025-06-01T11:00:00Z',
  pods: [
    { index: 0, phase: 'Succeeded', minute: 0, summary: { unchanged: 90, copied: 10, bytes: 10 * MiB } },
    { index: 1, phase: 'Failed', minute: 0, summary: { unchanged: 95, failed: 5 } },
    { index: 2, phase: 'Failed', minute: 0, summary: { copied: 98, failed: 2, bytes: 98 * MiB } },
  ],
};

export function objectsOf(...fixtures: JobFixture[]): { jobs: Json[]; pods: Json[] } {
  return { jobs: fixtures.map(job), pods: fixtures.flatMap(pods) };
}
