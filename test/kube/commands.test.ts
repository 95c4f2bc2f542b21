// status and rerun end to end through @kubernetes/client-node against a fake API server on 127.0.0.1.
import { test } from 'node:test';
import { Writable } from 'node:stream';
import assert from 'node:assert/strict';
import { rerunCommand, statusCommand } from '../../src/kube/commands.ts';
import { createLog } from '../../src/log.ts';
import type { ProgressLine } from '../../src/report/progress.ts';
import { startFakeApi, kubeConfigFor, type FakeApi, type Json } from './fake-api.ts';
import {
  completeRun, failedCreateEvent, failedRun, imagePullRun, job, jobName, legacyRun, missingSecretRun, NAMESPACE, objectsOf, quotaRun, RELEASE, rerunRun, runningRun, uidOf, unschedulableRun,
} from './fixtures.ts';
import { run } from './command-run.ts';


async function withApi(objects: { jobs: Json[]; pods: Json[]; events?: Json[] }, body: (api: FakeApi) => Promise<void>): Promise<void> {
  const api = await startFakeApi(objects);
  try { await body(api); } finally { await api.close(); }
}

const posts = (api: FakeApi) => api.requests.filter((request) => request.method === 'POST');

test('status shows one row per index of the newest run, the totals and the failed indexes, and exits 1', () => withApi(objectsOf(completeRun, failedRun), async (api) => {
  const { code, out, err } = await run(statusCommand, api);
  assert.equal(code, 'failed');
  assert.deepEqual(err, []);
  assert.equal(out[0], `Job ${jobName(2)} (release ${RELEASE}, namespace ${NAMESPACE}, run 2, copy): Failed (FailedIndexes), 6 indexes for shards 0-5 of 6`);
  assert.deepEqual(out.slice(2, 9), [
    'INDEX  STATE      ATTEMPTS  COPIED  UNCHANGED  SKIPPED  FAILED  BYTES      SECONDS  NOTE',
    '0      succeeded  1         100     0          0        0       100.0 MiB  600',
    '1      failed     2         90      0          0        10      90.0 MiB   700',
    '2      succeeded  2         60      40         0        0       60.0 MiB   500',
    '3      failed     2         0       95         0        5       0 B        30',
    '4      succeeded  1         100     0          0        0       200.0 MiB  900',
    '5      succeeded  1         99      0          1        0       50.0 MiB   400',
  ]);
  assert.equal(out[10], 'indexes: 4 succeeded, 2 failed, 0 running, 0 pending of 6; objects: 449 copied, 135 unchanged, 1 skipped, 15 failed; 500.0 MiB copied');
  assert.equal(out[11], 'elapsed 30m00s, 0.28 MiB/s, ended');
  assert.match(out[12]!, /^failed indexes: 1,3; /);
  const get = api.requests.map((request) => `${request.method} ${request.path}?${request.query.toString()}`);
  assert.deepEqual(get, [
    `GET /apis/batch/v1/namespaces/cube/jobs?labelSelector=${encodeURIComponent('swift-to-s3.io/release=cube-files,app.kubernetes.io/component=copier')}`,
    `GET /api/v1/namespaces/cube/pods?labelSelector=${encodeURIComponent(`batch.kubernetes.io/controller-uid=${uidOf(2)}`)}`,
  ].map((line) => line.replaceAll('%20', '+')));
}));

test('status --run picks that run; a finished run with nothing failed exits 0', () => withApi(objectsOf(completeRun, failedRun), async (api) => {
  const { code, out } = await run(statusCommand, api, { run: '1' });
  assert.equal(code, 'ok');
  assert.match(out[0]!, new RegExp(`^Job ${jobName(1)} .*: Complete, 6 indexes`));
  assert.equal(out.some((line) => line.startsWith('failed indexes')), false);
  assert.match(out.find((line) => line.startsWith('indexes:'))!, /objects: 60 copied, 0 unchanged, 5 adopted, 2 segments of large objects, 0 skipped/);
}));

test('status --json prints the report for scripts', () => withApi(objectsOf(failedRun), async (api) => {
  const { code, out } = await run(statusCommand, api, { json: true });
  assert.equal(code, 'failed');
  assert.equal(out.length, 1);
  const report = JSON.parse(out[0]!);
  assert.equal(report.job, jobName(2));
  assert.equal(report.outcome, 'failed');
  assert.equal(report.reason, 'FailedIndexes');
  assert.equal(report.failedIndexes, '1,3');
  assert.deepEqual(report.counts, { pending: 0, running: 0, succeeded: 4, failed: 2, unfinished: 0 });
  assert.equal(report.totals.copied, 449);
  assert.equal(report.rows.length, 6);
  assert.deepEqual(report.rows[1], { index: 1, shard: 1, state: 'failed', attempts: 2, pod: report.rows[1].pod, summary: { copied: 90, unchanged: 0, adopted: 0, segments: 0, skipped: 0, deleted: 0, failed: 10, bytes: 90 * 1048576, seconds: 700, inShard: 100 } });
}));

test('status of a running Job exits 0 and shows running and pending indexes with an ETA', () => withApi(objectsOf(runningRun), async (api) => {
  const { code, out } = await run(statusCommand, api);
  assert.equal(code, 'ok');
  assert.match(out[0]!, /: Running, 6 indexes/);
  assert.deepEqual(out.slice(3, 9).map((line) => line.split(/\s+/).slice(0, 3).join(' ')), ['0 succeeded 1', '1 running 1', '2 succeeded 1', '3 running 2', '4 pending 0', '5 pending 0']);
  assert.match(out[6]!, /^3 +running +2 +1 .* earlier attempt$/);
  assert.match(out[11]!, /, ETA \d+/);
}));

test('status --watch refreshes until the Job ends', () => withApi(objectsOf(runningRun), async (api) => {
  let refreshes = 0;
  const out: string[] = [];
  const code = await statusCommand({
    release: RELEASE, namespace: NAMESPACE, watch: true, intervalSeconds: 0.05, apply: false, json: true, chart: 'helm/swift-to-s3', kubeConfig: api.kubeConfig(),
    print: (line) => {
      out.push(line);
      if (++refreshes === 2) api.jobs = [job({ ...runningRun, completedIndexes: '0-5', condition: { type: 'Complete' } })];
    },
    printError: (line) => assert.fail(line),
  });
  assert.equal(code, 'ok');
  assert.deepEqual(out.map((line) => JSON.parse(line).outcome), ['running', 'running', 'complete']);
}));

test('status without a Job of the release says so in one line and exits 2', () => withApi(objectsOf(failedRun), async (api) => {
  const { code, out, err } = await run(statusCommand, api, { release: 'other' });
  assert.equal(code, 'problem');
  assert.deepEqual(out, []);
  assert.deepEqual(err, ['no Job of release other in namespace cube']);
  const missingRun = await run(statusCommand, api, { run: '7' });
  assert.deepEqual(missingRun.err, [`no Job of release ${RELEASE} with run 7 in namespace cube (runs there: 2)`]);
}));

test('an unreachable API server is one line and exit 2', async () => {
  const api = await startFakeApi();
  const url = api.url;
  await api.close();
  const out: string[] = [];
  const err: string[] = [];
  const code = await statusCommand({ release: RELEASE, namespace: NAMESPACE, watch: false, intervalSeconds: 1, apply: false, json: false, chart: 'c', kubeConfig: kubeConfigFor(url), print: (line) => out.push(line), printError: (line) => err.push(line) });
  assert.equal(code, 'problem');
  assert.equal(err.length, 1);
  assert.equal(err[0], `cannot reach the Kubernetes API at ${url}: connect ECONNREFUSED ${url.replace('http://', '')}`);
});

test('the namespace defaults to the kubeconfig context\'s', () => withApi(objectsOf(failedRun), async (api) => {
  const { code } = await run(statusCommand, api, { namespace: '', kubeConfig: api.kubeConfig(NAMESPACE) });
  assert.equal(code, 'failed');
  assert.equal(api.requests[0]?.path, `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`);
}));

test('rerun prints the helm upgrade for the failed shards and creates nothing', () => withApi(objectsOf(completeRun, failedRun), async (api) => {
  const { code, out, err } = await run(rerunCommand, api);
  assert.equal(code, 'ok');
  assert.deepEqual(err, []);
  assert.equal(out[0], `run 2 (Job ${jobName(2)}) failed on shards 1,3.`);
  assert.deepEqual(out.slice(1), [
    'Retry them with Helm (GitOps: put the same in the values in Git):',
    "  helm upgrade cube-files helm/swift-to-s3 -n cube --reset-then-reuse-values --set 'shards.only={1,3}' --set run=3",
    '  (values: shards.only: "1,3" and run: 3; the next full run needs shards.only: "" again)',
    `  once run 3 has succeeded, delete Job ${jobName(2)}: oc delete job ${jobName(2)} -n ${NAMESPACE}`,
    '  (Argo CD keeps old runs, Prune=false, and counts them in the application\'s health whatever IgnoreExtraneous says: a failed one keeps it Degraded;',
    `  to keep it for the record instead, Argo CD ≥ 3.2 leaves it out after: oc annotate job ${jobName(2)} -n ${NAMESPACE} argocd.argoproj.io/ignore-healthcheck=true)`,
    `or create the retry Job directly, outside Helm and Argo CD: swift-to-s3 rerun --release ${RELEASE} --namespace ${NAMESPACE} --apply`,
  ]);
  assert.deepEqual(posts(api), []);
}));

test('rerun --apply creates exactly the retry Job: new name and run, completions 2, SHARD_INDEXES 1,3, nothing server-managed', () => withApi(objectsOf(completeRun, failedRun), async (api) => {
  const { code, out } = await run(rerunCommand, api, { apply: true });
  assert.equal(code, 'ok');
  assert.equal(posts(api).length, 1);
  const { path, body } = posts(api)[0]!;
  assert.equal(path, '/apis/batch/v1/namespaces/cube/jobs');
  const sent = body as { metadata: Json; spec: Json & { template: { metadata: { labels: Record<string, string> }; spec: { containers: { name: string; env: { name: string; value?: string }[] }[] } } }; status?: unknown };
  const last = job(failedRun) as typeof sent;
  const lastMetadata = last.metadata as { labels: Record<string, string>; annotations: Record<string, string> };
  const { 'app.kubernetes.io/instance': _instance, 'helm.sh/chart': _chart, ...ownLabels } = lastMetadata.labels;
  const ownAnnotations = Object.fromEntries(Object.entries(lastMetadata.annotations).filter(([key]) => !/^(meta\.helm\.sh|helm\.sh|argocd\.argoproj\.io)\//.test(key)));
  assert.deepEqual(sent.metadata, {
    name: jobName(3),
    namespace: NAMESPACE,
    labels: { ...ownLabels, 'app.kubernetes.io/managed-by': 'swift-to-s3', 'swift-to-s3/run': '3' },
    annotations: { ...ownAnnotations, 'swift-to-s3/rerun-of': jobName(2) },
  });
  assert.equal('status' in sent, false);
  assert.equal('selector' in sent.spec, false);
  assert.equal(sent.spec.completions, 2);
  assert.equal(sent.spec.parallelism, 2);
  assert.equal(sent.spec.completionMode, 'Indexed');
  assert.equal(sent.spec.backoffLimitPerIndex, 1);
  assert.deepEqual(sent.spec.template.metadata.labels, { 'app.kubernetes.io/name': 'swift-to-s3', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'copier', 'swift-to-s3.io/release': RELEASE, 'swift-to-s3/run': '3', 'swift-to-s3/mode': 'copy' });
  const copier = sent.spec.template.spec.containers.find((container) => container.name === 'copier')!;
  assert.deepEqual(copier.env.map((variable) => variable.name), ['SWIFT_CONTAINERS', 'SWIFT_AUTH_URL', 'SWIFT_USER', 'SHARD_COUNT', 'SHARD_INDEXES', 'TERMINATION_MESSAGE_PATH']);
  assert.equal(copier.env.find((variable) => variable.name === 'SHARD_INDEXES')?.value, '1,3');
  assert.deepEqual(sent.spec.template.spec, { ...(last.spec.template.spec), containers: [{ ...last.spec.template.spec.containers[0], env: copier.env }] });
  assert.deepEqual(out, [
    `run 2 (Job ${jobName(2)}) failed on shards 1,3.`,
    `created Job ${jobName(3)} (run 3, 2 indexes, SHARD_INDEXES=1,3), managed by swift-to-s3, not by Helm or Argo CD.`,
    `follow it: swift-to-s3 status --release ${RELEASE} --namespace ${NAMESPACE} --run 3 --watch`,
    'the next helm upgrade (or run in Git) must set run=4 or higher: run 3 is taken by this Job.',
    `keep Job ${jobName(2)}: it is still the run Helm or Argo CD renders, and deleted, the next sync (or an upgrade with the same run) creates it again and copies every shard.`,
    `once the retry has succeeded, Argo CD ≥ 3.2 leaves Job ${jobName(2)} out of the application's health after: oc annotate job ${jobName(2)} -n ${NAMESPACE} argocd.argoproj.io/ignore-healthcheck=true`
      + ' (older versions count it until a new run in Git leaves it behind: delete it then)',
  ], 'one next step, no helm upgrade with the run the new Job just took, and the failed Job kept');

  const again = await run(rerunCommand, api, { apply: true });
  assert.equal(again.code, 'problem', 'the new run is running now');
  assert.match(again.err[0]!, new RegExp(`^run 3 \\(Job ${jobName(3)}\\) is still running`));
}));

test('a rerun of a rerun maps completion indexes back to shard numbers through SHARD_INDEXES', () => withApi(objectsOf(failedRun, rerunRun), async (api) => {
  const { code, out } = await run(rerunCommand, api, { apply: true, json: true });
  assert.equal(code, 'ok');
  const plan = JSON.parse(out.join('\n'));
  assert.deepEqual(plan, {
    release: RELEASE, namespace: NAMESPACE, lastJob: jobName(3), lastRun: '3', reason: 'FailedIndexes',
    failedIndexes: [1, 2], unfinishedIndexes: [], failedShards: [3, 5], unfinishedShards: [], shards: [3, 5], newRun: '4', newJob: jobName(4),
    helmCommand: "helm upgrade cube-files helm/swift-to-s3 -n cube --reset-then-reuse-values --set 'shards.only={3,5}' --set run=4",
    renderedJob: jobName(3), applied: true, created: jobName(4),
  });
  const sent = posts(api)[0]!.body as { spec: { completions: number; template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
  assert.equal(sent.spec.completions, 2);
  assert.equal(sent.spec.template.spec.containers[0]!.env.find((variable) => variable.name === 'SHARD_INDEXES')?.value, '3,5');
}));

test('rerun of a legacy Job reads the failed indexes from its failed pods', () => withApi(objectsOf(legacyRun), async (api) => {
  const { code, out } = await run(rerunCommand, api);
  assert.equal(code, 'ok');
  assert.equal(out[0], `run 5 (Job ${jobName(5)}) failed on shards 3.`);
  assert.ok(out.includes("  helm upgrade cube-files helm/swift-to-s3 -n cube --reset-then-reuse-values --set 'shards.only={3}' --set run=6"));
}));

test('rerun refuses in one line with exit 2 when nothing failed', () => withApi(objectsOf(completeRun), async (api) => {
  const { code, out, err } = await run(rerunCommand, api, { apply: true });
  assert.equal(code, 'problem');
  assert.deepEqual(out, []);
  assert.deepEqual(err, [`nothing failed in run 1 (Job ${jobName(1)}): there is no shard to rerun`]);
  assert.deepEqual(posts(api), []);
}));

test('rerun refuses in one line with exit 2 while the last Job is still running', () => withApi(objectsOf(failedRun, runningRun), async (api) => {
  const { code, err } = await run(rerunCommand, api, { apply: true });
  assert.equal(code, 'problem');
  assert.deepEqual(err, [`run 4 (Job ${jobName(4)}) is still running: wait until it ends (swift-to-s3 status --watch), then rerun its failed shards`]);
  assert.deepEqual(posts(api), []);
}));

test('rerun --apply reports the API\'s refusal in one line with exit 2', () => withApi(objectsOf(failedRun), async (api) => {
  api.jobs.push({ ...job(completeRun), metadata: { name: jobName(3), namespace: NAMESPACE, labels: { unrelated: 'yes' } } });
  const { code, err } = await run(rerunCommand, api, { apply: true });
  assert.equal(code, 'problem');
  assert.deepEqual(err, [`Kubernetes API answered 409: jobs.batch "${jobName(3)}" already exists`]);
}));

test('a Job that stopped early (maxFailedIndexes) reruns its failed and its never-finished shards', () => withApi(objectsOf({ ...failedRun, maxFailedIndexes: 1, condition: { type: 'Failed', reason: 'MaxFailedIndexesExceeded' }, completedIndexes: '0,2', pods: failedRun.pods.filter((pod) => pod.index < 4) }), async (api) => {
  const status = await run(statusCommand, api);
  assert.equal(status.code, 'failed');
  assert.ok(status.out.includes('never finished: indexes 4-5: the Job stopped before them; a rerun includes them'), status.out.join('\n'));
  const { code, out } = await run(rerunCommand, api);
  assert.equal(code, 'ok');
  assert.deepEqual(out.slice(0, 2), [
    `run 2 (Job ${jobName(2)}) failed on shards 1,3.`,
    `run 2 (Job ${jobName(2)}) stopped (MaxFailedIndexesExceeded) before finishing shards 4-5: the rerun copies them too.`,
  ]);
  assert.ok(out.includes("  helm upgrade cube-files helm/swift-to-s3 -n cube --reset-then-reuse-values --set 'shards.only={1,3-5}' --set run=3"), out.join('\n'));
}));

test('an API refusal such as 403 is one line with a hint, exit 2', () => withApi(objectsOf(failedRun), async (api) => {
  api.refuse = { code: 403, reason: 'Forbidden', message: 'jobs.batch is forbidden: User "system:serviceaccount:cube:default" cannot list resource "jobs" in API group "batch" in the namespace "cube"' };
  const { code, err } = await run(statusCommand, api);
  assert.equal(code, 'problem');
  assert.deepEqual(err, ['Kubernetes API answered 403: jobs.batch is forbidden: User "system:serviceaccount:cube:default" cannot list resource "jobs" in API group "batch" in the namespace "cube" (the account may not list Jobs and Pods or create Jobs in namespace cube)']);
}));

/** A copier's log as pino writes it: a start line, progress lines, a warning, and a line cut short. */
function copierLog(lines: ProgressLine[]): string {
  const chunks: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(chunk.toString('utf8')); done(); } });
  const log = createLog('info', sink);
  log.info({ shard: 0 }, 'starting');
  for (const line of lines) log.info({ progress: line }, 'progress');
  log.warn({ key: 'home/chris/a.dcm' }, 'retrying object');
  log.flush();
  return `${chunks.join('')}{"level":30,"progress":{"objects":{"do`;
}

function progressOf(done: number, total: number, mibPerSecond: number | null, etaSeconds: number | null): ProgressLine {
  return {
    listed: total * 3, inShard: total, totals: 'estimated', inFlight: 4, retries: 0,
    objects: { done, total, copied: done, failed: 0 }, bytes: { done: done * MiB, total: total * MiB, copied: done * MiB }, mibPerSecond, etaSeconds,
  };
}

const MiB = 1048576;
const allRunning = { run: 7, completions: 3, createdAt: '2025-06-04T10:00:00Z', pods: [0, 1, 2].map((index) => ({ index, phase: 'Running' as const, minute: 0 })) };
const podOfIndex = (api: FakeApi, index: number) => String((api.pods.find((pod) => (pod['metadata'] as { annotations: Record<string, string> }).annotations['batch.kubernetes.io/job-completion-index'] === String(index))!['metadata'] as { name: string }).name);

test('status reads each running pod\'s latest progress line from its log: share done, rate, ETA, before any index ended', () => withApi(objectsOf(allRunning), async (api) => {
  const before = await run(statusCommand, api);
  assert.match(before.out.at(-1)!, /ETA unknown until an index finishes or reports its progress$/, 'no log yet, no ETA');
  api.logs.set(podOfIndex(api, 0), copierLog([progressOf(10, 100, 1, 200), progressOf(40, 100, 2, 30)]));
  api.logs.set(podOfIndex(api, 1), copierLog([progressOf(30, 100, 2, 60)]));
  const { code, out } = await run(statusCommand, api);
  assert.equal(code, 'ok');
  assert.match(out[3]!, /^0 +running +1 .* 40% of 100 objects, 100\.0 MiB \(estimated\), 2 MiB\/s, ETA 30s$/, 'the latest line, not an earlier one or the cut one');
  assert.match(out[4]!, /^1 +running +1 .* 30% of 100 objects, 100\.0 MiB \(estimated\), 2 MiB\/s, ETA 1m00s$/);
  assert.match(out[5]!, /^2 +running +1 +(- +)+-$/, 'a pod with nothing in its log yet');
  assert.ok(out.includes('running: 2 of 3 indexes report 70 of 200 objects, 70.0 MiB of 200.0 MiB done, 4 MiB/s'), out.join('\n'));
  assert.ok(out.includes('run totals: 300 objects, 300.0 MiB (3 of 3 indexes expected from Swift\'s container counts)'), out.join('\n'));
  // Index 1 needs the longest (60 s); index 2, at the reporting pods' pace, has used up its share's time already.
  assert.match(out.at(-1)!, /, ETA 1m00s$/);
  const logRequests = api.requests.filter((request) => request.path.endsWith('/log'));
  assert.equal(logRequests.length, 6, 'one log read per running pod and status');
  assert.deepEqual(Object.fromEntries(logRequests[0]!.query), { container: 'copier', tailLines: '200', limitBytes: '262144' });
  const json = JSON.parse((await run(statusCommand, api, { json: true })).out.join('\n')) as { rows: { progress?: { objects: { done: number } } }[] };
  assert.deepEqual(json.rows.map((row) => row.progress?.objects.done), [40, 30, undefined]);
}));

test('status without permission to read pods/log says so in one line and reports the rest', () => withApi(objectsOf(runningRun), async (api) => {
  api.forbidden.add('pods/log');
  const { code, out, err } = await run(statusCommand, api);
  assert.equal(code, 'ok');
  assert.deepEqual(err, []);
  assert.ok(out.some((line) => /^progress of running pods not read: pods ".+" is forbidden: User "tester" cannot get resource "pods\/log" in API group "" in the namespace "cube"$/.test(line)), out.join('\n'));
  assert.match(out.find((line) => line.startsWith('elapsed'))!, /, ETA \d+/, 'the ETA from the indexes that ended, as before');
}));

/** The NOTE column of each index's row. */
const notes = (out: string[]) => out.filter((line) => /^\d+ /.test(line)).map((line) => line.split(/ {2,}/).slice(9).join('  '));

test('status of a Job whose image cannot be pulled names ImagePullBackOff per index and is stuck (exit 2), not running', () => withApi(objectsOf(imagePullRun), async (api) => {
  const { code, out, err } = await run(statusCommand, api);
  assert.equal(code, 'stuck');
  assert.deepEqual(err, []);
  assert.match(out[0]!, /: Running but stuck, 2 indexes/);
  assert.deepEqual(out.slice(3, 5).map((line) => line.split(/\s+/).slice(0, 3).join(' ')), ['0 pending 1', '1 pending 1'], 'a Pending pod does not run');
  assert.deepEqual(notes(out), [0, 1].map(() => 'ImagePullBackOff: Back-off pulling image "ghcr.io/fnndsc/swift-to-s3:0.1.0"'));
  assert.ok(out.includes('stuck: nothing can progress: ImagePullBackOff (indexes 0-1); fix that (see NOTE) and the Job goes on by itself'), out.join('\n'));
  assert.match(out.find((line) => line.startsWith('elapsed'))!, /no ETA while nothing can progress$/);
  assert.equal(api.requests.some((request) => request.path.endsWith('/events')), false, 'every index has a pod: no events needed');
  const report = JSON.parse((await run(statusCommand, api, { json: true })).out.join('\n'));
  assert.deepEqual(report.rows[0].waiting, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "ghcr.io/fnndsc/swift-to-s3:0.1.0"', blocked: true });
  assert.equal(report.stuck, 'ImagePullBackOff (indexes 0-1)');
  assert.equal(report.etaSeconds, undefined);
}));

test('status of a Job whose Secret is missing names CreateContainerConfigError and the Secret, and is stuck', () => withApi(objectsOf(missingSecretRun), async (api) => {
  const { code, out } = await run(statusCommand, api);
  assert.equal(code, 'stuck');
  assert.deepEqual(notes(out), [0, 1].map(() => 'CreateContainerConfigError: secret "cube-files-s3" not found'));
  assert.ok(out.some((line) => line.startsWith('stuck: nothing can progress: CreateContainerConfigError (indexes 0-1)')), out.join('\n'));
}));

test('status of a Job no node can take shows the scheduler\'s Unschedulable message and is stuck', () => withApi(objectsOf(unschedulableRun), async (api) => {
  const { code, out } = await run(statusCommand, api);
  assert.equal(code, 'stuck');
  assert.deepEqual(notes(out), [0, 1].map(() => 'Unschedulable: 0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.'));
  assert.ok(out.some((line) => line.startsWith('stuck: nothing can progress: Unschedulable (indexes 0-1)')), out.join('\n'));
}));

test('one index waiting on its image while another runs is shown, but the Job is not stuck', () => withApi(objectsOf({ ...imagePullRun, pods: [{ index: 0, phase: 'Running', minute: 0 }, imagePullRun.pods[1]!] }), async (api) => {
  const { code, out } = await run(statusCommand, api);
  assert.equal(code, 'ok');
  assert.deepEqual(notes(out), ['', 'ImagePullBackOff: Back-off pulling image "ghcr.io/fnndsc/swift-to-s3:0.1.0"']);
  assert.equal(out.some((line) => line.startsWith('stuck')), false);
}));

test('a quota that admits 2 pods: the others are "not created: quota" from the Job\'s FailedCreate events, and 2 still run', () => withApi({ ...objectsOf(quotaRun), events: [failedCreateEvent(quotaRun, 2, { count: 5 })] }, async (api) => {
  const { code, out, err } = await run(statusCommand, api);
  assert.equal(code, 'ok');
  assert.deepEqual(err, []);
  assert.deepEqual(out.slice(3, 11).map((line) => line.split(/\s+/).slice(0, 3).join(' ')), ['0 running 1', '1 running 1', ...[2, 3, 4, 5, 6, 7].map((index) => `${index} pending 0`)]);
  assert.deepEqual(notes(out).slice(2), [2, 3, 4, 5, 6, 7].map(() => 'not created: quota cube-quota, requested: limits.cpu=1, used: limits.cpu=2, limited: limits.cpu=2'));
  assert.ok(out.includes('no pod for indexes 2-7'), out.join('\n'));
  const events = api.requests.filter((request) => request.path === `/api/v1/namespaces/${NAMESPACE}/events`);
  assert.deepEqual(events.map((request) => Object.fromEntries(request.query)), [{ fieldSelector: `involvedObject.kind=Job,involvedObject.name=${jobName(11)}` }]);
}));

test('a quota that admits no pod at all: every index is not created, and the Job is stuck', () => withApi({ ...objectsOf({ ...quotaRun, pods: [] }), events: [failedCreateEvent(quotaRun, 0, { count: 3 })] }, async (api) => {
  const { code, out } = await run(statusCommand, api);
  assert.equal(code, 'stuck');
  assert.ok(notes(out).every((note) => note.startsWith('not created: quota cube-quota')), out.join('\n'));
  assert.ok(out.includes('stuck: nothing can progress: not created: quota (indexes 0-7); fix that (see NOTE) and the Job goes on by itself'), out.join('\n'));
}));

test('FailedCreate events of an older Job of the same name, or from before the newest pod was created, explain nothing', () => withApi({ ...objectsOf({ ...quotaRun, pods: [0, 1].map((index) => ({ index, phase: 'Running' as const, minute: 10 })) }), events: [
  failedCreateEvent(quotaRun, 2, { minute: 0, count: 3 }),
  { ...failedCreateEvent(quotaRun, 3, { minute: 20 }), involvedObject: { ...failedCreateEvent(quotaRun, 3).involvedObject as Json, uid: '99999999-0000-4000-8000-000000000000' } },
] }, async (api) => {
  const { code, out } = await run(statusCommand, api);
  assert.equal(code, 'ok');
  assert.deepEqual(notes(out).slice(2), [2, 3, 4, 5, 6, 7].map(() => 'no pod'));
}));

test('status without permission to list events says so in one line and reports the rest as before', () => withApi({ ...objectsOf(quotaRun), events: [failedCreateEvent(quotaRun, 2)] }, async (api) => {
  api.forbidden.add('events');
  const { code, out, err } = await run(statusCommand, api);
  assert.equal(code, 'ok');
  assert.deepEqual(err, []);
  assert.deepEqual(out.filter((line) => line.includes('events not read')), [
    'the Job\'s events not read (why pods were not created): events is forbidden: User "tester" cannot list resource "events" in API group "" in the namespace "cube"',
  ]);
  assert.deepEqual(notes(out).slice(2), [2, 3, 4, 5, 6, 7].map(() => 'no pod'), 'the indexes without a pod are still flagged');
  assert.ok(out.includes('no pod for indexes 2-7'));
}));
