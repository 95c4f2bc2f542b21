// The Indexed Job controller emulation against the strict fake API server, with pods whose ends are scripted:
// the failure policy's actions, per-index and legacy backoff, and the status Kubernetes would write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeApi } from '../kube/fake-api.ts';
import { createJob, formatIndexes, matchPodFailurePolicy, runIndexedJob, type Api, type RunPod } from './job-controller.ts';
import type { Json } from './objects.ts';
import { helmBinary, helmVersions } from '../chart/helm.ts';
import { get, one, render, valuesArgs } from '../chart/render.ts';

test('index lists are written as the controller writes them: neighbours with a comma, three or more as a range', () => {
  assert.equal(formatIndexes([]), '');
  assert.equal(formatIndexes([0, 1]), '0,1');
  assert.equal(formatIndexes([2, 0, 1]), '0-2');
  assert.equal(formatIndexes([1, 3, 4, 5, 7]), '1,3-5,7');
  assert.equal(formatIndexes([0, 2, 3, 4, 6, 7]), '0,2-4,6,7');
});

// pod_failure_policy_test.go TestMatchPodFailurePolicy, with JobBackoffLimitPerIndex on.
test('matchPodFailurePolicy: the first matching rule decides, unknown actions and operators are skipped (Kubernetes\' cases)', () => {
  const pod = (statuses: Json[], conditions: Json[] = []) => ({ metadata: { namespace: 'default', name: 'mypod' }, status: { phase: 'Failed', containerStatuses: statuses, conditions } });
  const exited = (code: number, name = 'main-container') => ({ name, state: { terminated: { exitCode: code } } });
  const onExit = (action: string, values: number[], operator = 'In') => ({ action, onExitCodes: { operator, values } });
  const disruption = (action: string, status = 'True') => ({ action, onPodConditions: [{ type: 'DisruptionTarget', status }] });
  const disrupted = pod([], [{ type: 'DisruptionTarget', status: 'True' }]);
  assert.deepEqual(matchPodFailurePolicy({ rules: [onExit('UnknownAction', [1, 2]), onExit('FailJob', [2, 3])] }, pod([exited(2)])),
    { countFailed: true, action: 'FailJob', message: 'Container main-container for pod default/mypod failed with exit code 2 matching FailJob rule at index 1' });
  assert.deepEqual(matchPodFailurePolicy({ rules: [disruption('UnkonwnAction'), disruption('Ignore')] }, disrupted), { countFailed: false, action: 'Ignore' });
  assert.deepEqual(matchPodFailurePolicy({ rules: [onExit('Ignore', [1, 2], 'UnknownOperator'), onExit('FailJob', [2, 3])] }, pod([exited(2)])).action, 'FailJob');
  assert.deepEqual(matchPodFailurePolicy(undefined, pod([exited(2)])), { countFailed: true });
  assert.deepEqual(matchPodFailurePolicy({ rules: [onExit('Ignore', [1, 2, 3])] }, pod([exited(2)])), { countFailed: false, action: 'Ignore' });
  assert.deepEqual(matchPodFailurePolicy({ rules: [onExit('FailJob', [111], 'NotIn')] }, pod([exited(111), exited(0, 'suppport-container')])), { countFailed: true }, 'successful containers are skipped by the rules');
  assert.deepEqual(matchPodFailurePolicy({ rules: [onExit('FailIndex', [1, 2, 3])] }, pod([exited(2)])), { countFailed: true, action: 'FailIndex' });
  assert.equal(matchPodFailurePolicy({ rules: [onExit('FailJob', [0], 'NotIn')] }, pod([exited(1), exited(0, 'suppport-container')])).message, 'Container main-container for pod default/mypod failed with exit code 1 matching FailJob rule at index 0');
  assert.equal(matchPodFailurePolicy({ rules: [onExit('Count', [1, 2, 3]), onExit('FailJob', [4, 5, 6])] }, pod([exited(6)])).message, 'Container main-container for pod default/mypod failed with exit code 6 matching FailJob rule at index 1');
  assert.deepEqual(matchPodFailurePolicy({ rules: [onExit('Count', [1, 2, 3])] }, pod([{ name: 'foo' }, exited(2, 'bar')])), { countFailed: true, action: 'Count' });
  assert.deepEqual(matchPodFailurePolicy({ rules: [disruption('FailIndex')] }, disrupted), { countFailed: true, action: 'FailIndex' });
  assert.deepEqual(matchPodFailurePolicy({ rules: [disruption('Ignore', 'False')] }, disrupted), { countFailed: true }, 'the pattern\'s status must match');
});

const POLICY = { rules: [
  { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
  { action: 'FailJob', onExitCodes: { containerName: 'copier', operator: 'In', values: [2] } },
  { action: 'FailIndex', onExitCodes: { containerName: 'copier', operator: 'In', values: [3] } },
  { action: 'Count', onExitCodes: { containerName: 'copier', operator: 'In', values: [1] } },
] };

function indexedJob(name: string, spec: Json): Json {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, labels: { app: 'copier' } },
    spec: {
      completionMode: 'Indexed', completions: 3, parallelism: 3, ...spec,
      template: { metadata: { labels: { app: 'copier' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'copier', image: 'copier:1', args: ['copy'] }] } },
    },
  };
}

/** A kubelet whose pods end by script: exit codes per index, in order of attempts. */
function scripted(exits: Record<number, number[]>, extra: (index: number) => Json = () => ({})): { runPod: RunPod; seen: number[] } {
  const seen: number[] = [];
  const runPod: RunPod = (pod) => {
    const index = Number(pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index']);
    seen.push(index);
    const attempt = seen.filter((i) => i === index).length - 1;
    const exitCode = exits[index]?.[attempt] ?? 0;
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return Promise.resolve({ exitCode, podStatus: { phase: exitCode === 0 ? 'Succeeded' : 'Failed', ...extra(index), containerStatuses: [{ name: 'copier', image: 'copier:1', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: at, finishedAt: at } } }] } });
  };
  return { runPod, seen };
}

async function withApi(t: { after: (fn: () => Promise<void>) => void }): Promise<Api> {
  const fake = await startFakeApi();
  t.after(() => fake.close());
  return { url: fake.url, namespace: 'cube' };
}

function conditionsOf(job: Json): string[] {
  return (((job['status'] as Json)['conditions'] ?? []) as { type: string; reason?: string }[]).map((c) => `${c.type}/${c.reason ?? ''}`);
}

test('every index succeeds: the pods carry the controller\'s labels, annotations, hostname and owner; the Job is Complete', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-1', { backoffLimitPerIndex: 1, podFailurePolicy: POLICY }));
  const { runPod } = scripted({});
  const { job, pods } = await runIndexedJob(api, 'run-1', runPod);
  const status = job['status'] as Json;
  assert.deepEqual([status['completedIndexes'], status['failedIndexes'], status['succeeded'], status['failed'], status['active']], ['0-2', '', 3, 0, 0]);
  assert.deepEqual(conditionsOf(job), ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
  assert.ok(status['completionTime']);
  const uid = String((job['metadata'] as Json)['uid']);
  for (const [index, pod] of pods.entries()) {
    const metadata = pod['metadata'] as { name: string; labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: { uid: string; controller: boolean }[] };
    assert.match(metadata.name, new RegExp(`^run-1-${index}-[a-z0-9]{5}$`));
    assert.equal(metadata.labels['batch.kubernetes.io/job-completion-index'], String(index));
    assert.equal(metadata.labels['batch.kubernetes.io/controller-uid'], uid);
    assert.equal(metadata.labels['batch.kubernetes.io/job-name'], 'run-1');
    assert.equal(metadata.annotations['batch.kubernetes.io/job-index-failure-count'], '0');
    assert.deepEqual([metadata.ownerReferences[0]!.uid, metadata.ownerReferences[0]!.controller], [uid, true]);
    assert.equal((pod['spec'] as Json)['hostname'], `run-1-${index}`);
    assert.equal((pod['status'] as Json)['phase'], 'Succeeded');
  }
});

test('exit 1 is counted: an index that fails backoffLimitPerIndex + 1 times is a failed index, the others complete, the Job fails with FailedIndexes', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-2', { backoffLimitPerIndex: 1, podFailurePolicy: POLICY }));
  const { runPod, seen } = scripted({ 1: [1, 1] });
  const { job, pods } = await runIndexedJob(api, 'run-2', runPod);
  assert.deepEqual(seen, [0, 1, 2, 1], 'the retry waits behind the other indexes');
  const status = job['status'] as Json;
  assert.deepEqual([status['completedIndexes'], status['failedIndexes'], status['succeeded'], status['failed']], ['0,2', '1', 2, 2]);
  assert.deepEqual(conditionsOf(job), ['FailureTarget/FailedIndexes', 'Failed/FailedIndexes']);
  const ofIndex1 = pods.filter((pod) => (pod['metadata'] as { annotations: Record<string, string> }).annotations['batch.kubernetes.io/job-completion-index'] === '1');
  assert.deepEqual(ofIndex1.map((pod) => (pod['metadata'] as { annotations: Record<string, string> }).annotations['batch.kubernetes.io/job-index-failure-count']), ['0', '1']);
});

test('exit 2 fails the whole Job (FailJob) with Kubernetes\' message; no index starts after it', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-3', { backoffLimitPerIndex: 3, podFailurePolicy: POLICY }));
  const { runPod, seen } = scripted({ 1: [2] });
  const { job, pods } = await runIndexedJob(api, 'run-3', runPod);
  assert.deepEqual(seen, [0, 1]);
  const podName = String((pods[1]!['metadata'] as Json)['name']);
  const conditions = (job['status'] as Json)['conditions'] as { type: string; reason: string; message: string }[];
  assert.deepEqual(conditions.map((c) => [c.type, c.reason, c.message]), [
    ['FailureTarget', 'PodFailurePolicy', `Container copier for pod cube/${podName} failed with exit code 2 matching FailJob rule at index 1`],
    ['Failed', 'PodFailurePolicy', `Container copier for pod cube/${podName} failed with exit code 2 matching FailJob rule at index 1`],
  ]);
  assert.deepEqual([(job['status'] as Json)['completedIndexes'], (job['status'] as Json)['failedIndexes']], ['0', '']);
});

test('exit 3 fails only its index at once (FailIndex); maxFailedIndexes stops the Job when more fail', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-4', { backoffLimitPerIndex: 3, podFailurePolicy: POLICY }));
  const { runPod, seen } = scripted({ 2: [3] });
  const { job } = await runIndexedJob(api, 'run-4', runPod);
  assert.deepEqual(seen, [0, 1, 2], 'no retry of a FailIndex');
  assert.deepEqual([(job['status'] as Json)['completedIndexes'], (job['status'] as Json)['failedIndexes']], ['0,1', '2']);
  assert.deepEqual(conditionsOf(job), ['FailureTarget/FailedIndexes', 'Failed/FailedIndexes']);

  await createJob(api, indexedJob('run-5', { backoffLimitPerIndex: 3, maxFailedIndexes: 0, podFailurePolicy: POLICY }));
  const second = scripted({ 0: [3] });
  const stopped = await runIndexedJob(api, 'run-5', second.runPod);
  assert.deepEqual(second.seen, [0]);
  assert.deepEqual(conditionsOf(stopped.job), ['FailureTarget/MaxFailedIndexesExceeded', 'Failed/MaxFailedIndexesExceeded']);
});

test('a disrupted pod (Ignore) is not counted: retried with the ignored-failure-count annotation, failed stays 0', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-6', { backoffLimitPerIndex: 0, podFailurePolicy: POLICY }));
  let disrupted = false;
  const { runPod } = scripted({ 0: [137] }, (index) => {
    if (index !== 0 || disrupted) return {};
    disrupted = true;
    return { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }] };
  });
  const { job, pods } = await runIndexedJob(api, 'run-6', runPod);
  assert.deepEqual([(job['status'] as Json)['completedIndexes'], (job['status'] as Json)['failed']], ['0-2', 0]);
  const retry = pods.at(-1)!['metadata'] as { annotations: Record<string, string> };
  assert.deepEqual([retry.annotations['batch.kubernetes.io/job-completion-index'], retry.annotations['batch.kubernetes.io/job-index-ignored-failure-count'], retry.annotations['batch.kubernetes.io/job-index-failure-count']], ['0', '1', '0']);
});

test("an evicted pod that exits 3 under the chart's own rules is ignored and retried, not a failed index", async (t) => {
  const manifests = await render(await helmBinary(helmVersions[0]!), valuesArgs('noobaa-default.yaml'));
  const policy = get(one(manifests, 'Job'), 'spec', 'podFailurePolicy') as Json;
  const api = await withApi(t);
  await createJob(api, indexedJob('run-8', { backoffLimitPerIndex: 1, podFailurePolicy: policy }));
  let evicted = false;
  // Evicted, and its copier exits 3: were the exit-code rules first, FailIndex would match and fail index 0.
  const { runPod } = scripted({ 0: [3] }, (index) => {
    if (index !== 0 || evicted) return {};
    evicted = true;
    return { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }] };
  });
  const { job } = await runIndexedJob(api, 'run-8', runPod);
  const status = job['status'] as Json;
  assert.deepEqual([status['completedIndexes'], status['failedIndexes'] ?? '', status['failed']], ['0-2', '', 0]);
  assert.deepEqual(conditionsOf(job), ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
});

test('legacy backoffLimit: failures of all indexes together beyond it fail the Job (BackoffLimitExceeded)', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-7', { backoffLimit: 2, podFailurePolicy: { rules: [POLICY.rules[1]!, POLICY.rules[3]!] } }));
  const { runPod, seen } = scripted({ 0: [1, 1, 1] });
  const { job } = await runIndexedJob(api, 'run-7', runPod);
  assert.deepEqual(seen, [0, 1, 2, 0, 0]);
  const status = job['status'] as Json;
  assert.deepEqual([status['completedIndexes'], status['failed'], 'failedIndexes' in status], ['1,2', 3, false]);
  assert.deepEqual(conditionsOf(job), ['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded']);
});
