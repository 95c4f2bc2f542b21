// The Indexed Job controller emulation against the strict fake API server, with pods whose ends are scripted:
// the failure policy's actions, per-index and legacy backoff, parallelism, the deletion of running siblings, the
// backoff delays, podReplacementPolicy, admission's refusals as FailedCreate events, and the status Kubernetes would write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeApi, type FakeApi } from '../kube/fake-api.ts';
import { call, createJob, formatIndexes, matchPodFailurePolicy, runIndexedJob, startIndexedJob, type Api, type PodIo, type RunPod } from './job-controller.ts';
import { limitRanger, resourceQuota } from './admission.ts';
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
    const at = new Date().toISOString();
    return Promise.resolve({ exitCode, podStatus: { phase: exitCode === 0 ? 'Succeeded' : 'Failed', ...extra(index), containerStatuses: [{ name: 'copier', image: 'copier:1', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: at, finishedAt: at } } }] } });
  };
  return { runPod, seen };
}

/** The controller's backoff after a failed pod, shortened from 10 s as Kubernetes' own controller tests do. */
const FAST = { podFailureBackoffMs: 20, resyncMs: 20 };

async function withApi(t: { after: (fn: () => Promise<void>) => void }): Promise<Api & { fake: FakeApi }> {
  const fake = await startFakeApi();
  t.after(() => fake.close());
  return { url: fake.url, namespace: 'cube', fake };
}

/** One pod's scripted life: when it started and ended, and whether the node told it to stop. */
interface Life { index: number; name: string; start: number; end?: number; terminatedWith?: number }

/**
 * A kubelet whose pods run until `plan` says: its answer is the exit code, after the given delay; `undefined` keeps
 * the pod running until it is deleted, when it exits 143 (SIGTERM) after `shutdownMs`, as the copier finishes in-flight work.
 */
function lasting(plan: (index: number, attempt: number) => { exitCode?: number; ms?: number }, shutdownMs = 0): { runPod: RunPod; lives: Life[]; most: () => number } {
  const lives: Life[] = [];
  let running = 0;
  let most = 0;
  const runPod: RunPod = async (pod, io: PodIo) => {
    const index = Number(pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index']);
    const attempt = lives.filter((life) => life.index === index).length;
    const life: Life = { index, name: pod.metadata.name ?? '', start: Date.now() };
    lives.push(life);
    most = Math.max(most, ++running);
    io.started(new Date().toISOString());
    const { exitCode, ms = 0 } = plan(index, attempt);
    let code: number;
    if (exitCode === undefined) {
      const grace = await new Promise<number>((resolve) => io.terminated.addEventListener('abort', () => resolve(Number(io.terminated.reason)), { once: true }));
      life.terminatedWith = grace;
      await new Promise((resolve) => setTimeout(resolve, shutdownMs));
      code = 143;
    } else {
      await new Promise((resolve) => setTimeout(resolve, ms));
      code = exitCode;
    }
    running--;
    life.end = Date.now();
    const at = new Date().toISOString();
    return { exitCode: code, podStatus: { phase: code === 0 ? 'Succeeded' : 'Failed', containerStatuses: [{ name: 'copier', image: 'copier:1', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: at, finishedAt: at } } }] } };
  };
  return { runPod, lives, most: () => most };
}

/** The Job statuses the controller wrote, in order. */
function writtenStatuses(fake: FakeApi, name: string): Json[] {
  return fake.requests.filter((request) => request.method === 'PUT' && request.path.endsWith(`/jobs/${name}/status`)).map((request) => request.body!['status'] as Json);
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
  const { job, pods } = await runIndexedJob(api, 'run-2', runPod, FAST);
  assert.deepEqual(seen, [0, 1, 2, 1], 'the retry waits behind the other indexes');
  const status = job['status'] as Json;
  assert.deepEqual([status['completedIndexes'], status['failedIndexes'], status['succeeded'], status['failed']], ['0,2', '1', 2, 2]);
  assert.deepEqual(conditionsOf(job), ['FailureTarget/FailedIndexes', 'Failed/FailedIndexes']);
  const ofIndex1 = pods.filter((pod) => (pod['metadata'] as { annotations: Record<string, string> }).annotations['batch.kubernetes.io/job-completion-index'] === '1');
  assert.deepEqual(ofIndex1.map((pod) => (pod['metadata'] as { annotations: Record<string, string> }).annotations['batch.kubernetes.io/job-index-failure-count']), ['0', '1']);
});

test('exit 2 fails the whole Job (FailJob) with Kubernetes\' message; no index starts after it', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-3', { parallelism: 1, backoffLimitPerIndex: 3, podFailurePolicy: POLICY }));
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

  await createJob(api, indexedJob('run-5', { parallelism: 1, backoffLimitPerIndex: 3, maxFailedIndexes: 0, podFailurePolicy: POLICY }));
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
  const { job, pods } = await runIndexedJob(api, 'run-6', runPod, FAST);
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
  const { job } = await runIndexedJob(api, 'run-8', runPod, FAST);
  const status = job['status'] as Json;
  assert.deepEqual([status['completedIndexes'], status['failedIndexes'] ?? '', status['failed']], ['0-2', '', 0]);
  assert.deepEqual(conditionsOf(job), ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
});

test('legacy backoffLimit: failures of all indexes together beyond it fail the Job (BackoffLimitExceeded)', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-7', { backoffLimit: 2, podFailurePolicy: { rules: [POLICY.rules[1]!, POLICY.rules[3]!] } }));
  const { runPod, seen } = scripted({ 0: [1, 1, 1] });
  const { job } = await runIndexedJob(api, 'run-7', runPod, FAST);
  assert.deepEqual(seen, [0, 1, 2, 0, 0]);
  const status = job['status'] as Json;
  assert.deepEqual([status['completedIndexes'], status['failed'], 'failedIndexes' in status], ['1,2', 3, false]);
  assert.deepEqual(conditionsOf(job), ['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded']);
});

test('parallelism 4 of 8 indexes: never more than 4 pods at once, the first pending indexes first, every index completes', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-p', { completions: 8, parallelism: 4, backoffLimitPerIndex: 1, podFailurePolicy: POLICY }));
  const { runPod, lives, most } = lasting(() => ({ exitCode: 0, ms: 300 }));
  const { job } = await runIndexedJob(api, 'run-p', runPod, FAST);
  assert.equal(most(), 4);
  assert.deepEqual(lives.slice(0, 4).map((life) => life.index), [0, 1, 2, 3], 'the first pending indexes first');
  assert.deepEqual([(job['status'] as Json)['completedIndexes'], (job['status'] as Json)['succeeded']], ['0-7', 8]);
  const creates = api.fake.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/pods'));
  assert.equal(creates.length, 8);
  assert.ok(writtenStatuses(api.fake, 'run-p').some((status) => status['active'] === 4 && status['ready'] === 4), 'the status counts 4 active, ready pods');
});

test('FailJob (exit 2) deletes the running siblings: each gets its grace period, FailureTarget while they stop, Failed once none is left, no further index starts', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-f', { completions: 8, parallelism: 4, backoffLimitPerIndex: 1, podFailurePolicy: POLICY }));
  const { runPod, lives } = lasting((index) => (index === 1 ? { exitCode: 2, ms: 100 } : {}), 80);
  const { job, pods } = await runIndexedJob(api, 'run-f', runPod, FAST);
  assert.deepEqual(lives.map((life) => life.index).sort(), [0, 1, 2, 3], 'indexes 4-7 never get a pod');
  const siblings = lives.filter((life) => life.index !== 1);
  assert.deepEqual(siblings.map((life) => life.terminatedWith), [30, 30, 30], 'the kubelet was told to stop them with the pod\'s terminationGracePeriodSeconds');
  for (const pod of pods.filter((each) => (each['metadata'] as Json)['name'] !== lives.find((life) => life.index === 1)!.name)) {
    const metadata = pod['metadata'] as Json;
    assert.ok(metadata['deletionTimestamp'], 'the sibling was deleted through the API');
    assert.deepEqual([metadata['deletionGracePeriodSeconds'], (pod['status'] as Json)['phase']], [30, 'Failed']);
  }
  const statuses = writtenStatuses(api.fake, 'run-f');
  const types = (status: Json) => ((status['conditions'] ?? []) as { type: string }[]).map((c) => c.type).join(',');
  assert.ok(statuses.some((status) => types(status) === 'FailureTarget' && Number(status['terminating']) === 3), 'FailureTarget while 3 pods terminate');
  assert.deepEqual(conditionsOf(job), ['FailureTarget/PodFailurePolicy', 'Failed/PodFailurePolicy']);
  const status = job['status'] as Json;
  assert.deepEqual([status['active'], status['terminating'], status['failed'], status['completedIndexes']], [0, 0, 4, ''], 'the stopped siblings (exit 143, Count) are counted failed too');
});

test('maxFailedIndexes exceeded deletes the running siblings too', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-m', { completions: 6, parallelism: 3, backoffLimitPerIndex: 1, maxFailedIndexes: 0, podFailurePolicy: POLICY }));
  const { runPod, lives } = lasting((index) => (index === 0 ? { exitCode: 3, ms: 50 } : {}));
  const { job } = await runIndexedJob(api, 'run-m', runPod, FAST);
  assert.deepEqual(conditionsOf(job), ['FailureTarget/MaxFailedIndexesExceeded', 'Failed/MaxFailedIndexesExceeded']);
  assert.deepEqual(lives.filter((life) => life.index !== 0).map((life) => [life.index, life.terminatedWith]), [[1, 30], [2, 30]]);
});

test('per-index backoff: an index\'s next pod waits the base delay doubled per failure since its last failure; other indexes do not wait', async (t) => {
  const api = await withApi(t);
  await createJob(api, indexedJob('run-b', { completions: 3, parallelism: 3, backoffLimitPerIndex: 2, podFailurePolicy: POLICY }));
  const { runPod, lives } = lasting((index, attempt) => ({ exitCode: index === 0 && attempt < 2 ? 1 : 0, ms: index === 0 ? 0 : 10 }));
  const { job } = await runIndexedJob(api, 'run-b', runPod, { ...FAST, podFailureBackoffMs: 300 });
  const zero = lives.filter((life) => life.index === 0);
  assert.equal(zero.length, 3);
  const [first, second] = [zero[1]!.start - zero[0]!.end!, zero[2]!.start - zero[1]!.end!];
  assert.ok(first >= 290 && first < 900, `the first retry waited ${first} ms, about 300`);
  assert.ok(second >= 590 && second < 1200, `the second retry waited ${second} ms, about 600`);
  assert.ok(lives.filter((life) => life.index !== 0).every((life) => life.start - zero[0]!.start < 200), 'indexes 1 and 2 started at once');
  assert.deepEqual([(job['status'] as Json)['completedIndexes'], (job['status'] as Json)['failed']], ['0-2', 2]);
});

test('podReplacementPolicy Failed: a pod deleted by someone is replaced only once it is terminal; TerminatingOrFailed replaces it at once', async (t) => {
  for (const policy of ['Failed', 'TerminatingOrFailed']) {
    const api = await withApi(t);
    const name = `run-r-${policy.toLowerCase()}`;
    await createJob(api, indexedJob(name, { completions: 1, parallelism: 1, backoffLimitPerIndex: 1, podReplacementPolicy: policy }));
    const { runPod, lives } = lasting((_index, attempt) => (attempt === 0 ? {} : { exitCode: 0 }), 400);
    const run = startIndexedJob(api, name, runPod, FAST);
    await until(() => lives.length === 1);
    await call(api, 'DELETE', `/api/v1/namespaces/cube/pods/${lives[0]!.name}`);
    const { job } = await run.done;
    assert.equal(lives.length, 2);
    const [old, replacement] = lives as [Life, Life];
    if (policy === 'Failed') assert.ok(replacement.start >= old.end!, 'the replacement waited for the old pod to be Failed');
    else assert.ok(replacement.start < old.end!, 'the replacement started while the old pod was terminating');
    assert.deepEqual(conditionsOf(job), ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached']);
  }
});

test('admission: the LimitRange fills in the limits, the quota refuses pods beyond it (FailedCreate on the Job, the API\'s message), pods are made as the quota frees', async (t) => {
  const api = await withApi(t);
  api.fake.admission.push(limitRanger({ default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '100m', memory: '256Mi' } }), resourceQuota({ name: 'cube-quota', hard: { 'limits.cpu': '2', pods: '10' } }));
  await createJob(api, indexedJob('run-q', { completions: 6, parallelism: 4, backoffLimitPerIndex: 1, podFailurePolicy: POLICY }));
  const { runPod, most } = lasting(() => ({ exitCode: 0, ms: 150 }));
  const { job, pods } = await runIndexedJob(api, 'run-q', runPod, { ...FAST, createRetryMs: 50 });
  assert.equal(most(), 2, 'the quota of 2 CPUs of limits admits 2 pods at once');
  assert.deepEqual([(job['status'] as Json)['completedIndexes'], conditionsOf(job).at(-1)], ['0-5', 'Complete/CompletionsReached']);
  const annotations = (pods[0]!['metadata'] as Json)['annotations'] as Record<string, string>;
  assert.equal(annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container copier; cpu, memory limit for container copier');
  const resources = (((pods[0]!['spec'] as Json)['containers'] as Json[])[0]!)['resources'];
  assert.deepEqual(resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m', memory: '256Mi' } });
  const refusals = api.fake.events.filter((event) => event['reason'] === 'FailedCreate');
  assert.ok(refusals.length > 0);
  assert.deepEqual(Object.keys(refusals[0]!).filter((key) => ['involvedObject', 'source', 'type', 'count'].includes(key)).length, 4);
  assert.equal(refusals[0]!['message'], 'Error creating: pods "run-q-2-" is forbidden: exceeded quota: cube-quota, requested: limits.cpu=1, used: limits.cpu=2, limited: limits.cpu=2');
  assert.deepEqual([(refusals[0]!['involvedObject'] as Json)['name'], refusals[0]!['type']], ['run-q', 'Warning']);
});

test('admission: a quota on limits refuses a pod that states none ("must specify"), and a LimitRange maximum refuses a larger limit', () => {
  const pod = (resources: Json) => ({ metadata: { generateName: 'run-3-' }, spec: { containers: [{ name: 'copier', resources }] } });
  assert.equal(resourceQuota({ name: 'q', hard: { 'limits.cpu': '2' } })(pod({}), []), 'failed quota: q: must specify limits.cpu for: copier');
  assert.equal(limitRanger({ max: { cpu: '2' } })(pod({ limits: { cpu: '4' } }), []), 'maximum cpu usage per Container is 2, but limit is 4');
  const running = { ...pod({ limits: { cpu: '500m', memory: '512Mi' } }), status: { phase: 'Running' } };
  const done = { ...pod({ limits: { cpu: '1', memory: '1Gi' } }), status: { phase: 'Succeeded' } };
  assert.equal(resourceQuota({ name: 'q', hard: { 'limits.memory': '1Gi' } })(pod({ limits: { cpu: '1', memory: '1Gi' } }), [running, done]),
    'exceeded quota: q, requested: limits.memory=1Gi, used: limits.memory=512Mi, limited: limits.memory=1Gi', 'a terminal pod uses nothing');
});

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
