// The pure readings of Jobs and pods: rows per index, failed indexes, shard mapping, run choice, retry Job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
// client-node's own deserializer (not re-exported from the package root): Dates parsed, model classes, as from the API.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { failedIndexes, indexRows, parseSummary, pickJob, podSelector, shardMap } from '../../src/kube/jobs.ts';
import { buildStatusReport, formatDuration, formatStatus, statusOutcome } from '../../src/kube/status.ts';
import { buildRetryJob, cronJobRetry, isRefusal, nextJobName, nextRun, planRerun, type RerunPlan } from '../../src/kube/rerun.ts';
import { completeRun, failedRun, imagePullRun, job, jobName, legacyRun, NAMESPACE, pods, RELEASE, rerunRun, runningRun, uidOf, type JobFixture } from './fixtures.ts';

/** The objects as client-node hands them over (Dates parsed, model classes). */
function read(fixture: JobFixture): { job: V1Job; pods: V1Pod[] } {
  return {
    job: ObjectSerializer.deserialize(job(fixture), 'V1Job') as V1Job,
    pods: pods(fixture).map((pod) => ObjectSerializer.deserialize(pod, 'V1Pod') as V1Pod),
  };
}

const where = { release: RELEASE, namespace: NAMESPACE, chart: 'helm/swift-to-s3' };

test('each index of a failed per-index-backoff Job gets its state, attempts and the summary of the pod that counts', () => {
  const { job, pods } = read(failedRun);
  const rows = indexRows(job, pods);
  assert.deepEqual(rows.map(({ index, state, attempts }) => [index, state, attempts]), [
    [0, 'succeeded', 1], [1, 'failed', 2], [2, 'succeeded', 2], [3, 'failed', 2], [4, 'succeeded', 1], [5, 'succeeded', 1],
  ]);
  assert.equal(rows[2]!.summary?.copied, 60, 'the succeeded attempt, not the interrupted first one');
  assert.equal(rows[1]!.summary?.failed, 10, 'the newest attempt of a failed index');
  assert.equal(rows[3]!.summary?.unchanged, 95);
  assert.deepEqual(rows.map((row) => row.shard), [0, 1, 2, 3, 4, 5]);
});

test('a termination message that is not a summary shows as a note, first line only', () => {
  const fixture: JobFixture = { ...failedRun, pods: failedRun.pods.filter((pod) => !(pod.index === 1 && pod.minute === 12)) };
  const { job, pods } = read(fixture);
  const row = indexRows(job, pods)[1]!;
  assert.equal(row.summary, undefined);
  assert.equal(row.message, 'Error: connect ECONNREFUSED 10.0.0.7:8080');
  assert.equal(parseSummary('not json'), undefined);
  assert.equal(parseSummary('{"checked":3,"matched":3}'), undefined, 'a verify report is not a copy summary');
});

test('failed indexes come from .status.failedIndexes when backoffLimitPerIndex is in use', () => {
  const { job, pods } = read(failedRun);
  assert.deepEqual(failedIndexes(job, pods), [1, 3]);
});

test('without failedIndexes, failed indexes are those with a failed pod that never completed, once the Job ended', () => {
  const legacy = read(legacyRun);
  assert.deepEqual(failedIndexes(legacy.job, legacy.pods), [3], 'index 2 failed once but then succeeded');
  const running = read({ ...legacyRun, condition: undefined });
  assert.deepEqual(failedIndexes(running.job, running.pods), [], 'the controller may still retry while the Job runs');
  assert.deepEqual(indexRows(running.job, running.pods).map((row) => row.state), ['succeeded', 'succeeded', 'succeeded', 'pending']);
});

test('a running Job has running and pending indexes, and no ETA until an index finishes', () => {
  const { job, pods } = read(runningRun);
  const rows = indexRows(job, pods);
  assert.deepEqual(rows.map((row) => row.state), ['succeeded', 'running', 'succeeded', 'running', 'pending', 'pending']);
  assert.equal(rows[3]!.earlierAttempt, true, 'index 3 shows its failed first attempt while the second runs');
  assert.equal(rows[0]!.earlierAttempt, undefined);
  const report = buildStatusReport(job, pods, where, new Date('2025-06-02T10:20:00Z'));
  assert.equal(report.outcome, 'running');
  assert.equal(report.elapsedSeconds, 1200);
  assert.equal(report.etaSeconds, 2400, '2 of 6 finished in 20 minutes: 4 more take 40');
  assert.equal(statusOutcome(report), 'ok');
  const nothingDone = read({ ...runningRun, completedIndexes: '', pods: runningRun.pods.filter((pod) => pod.phase === 'Running') });
  assert.equal(buildStatusReport(nothingDone.job, nothingDone.pods, where).etaSeconds, undefined);
});

test('a rerun maps completion indexes to shards through SHARD_INDEXES', () => {
  const { job, pods } = read(rerunRun);
  const toShard = shardMap(job);
  assert.deepEqual([0, 1, 2].map(toShard), [1, 3, 5]);
  assert.deepEqual(indexRows(job, pods).map((row) => [row.index, row.shard, row.state]), [[0, 1, 'succeeded'], [1, 3, 'failed'], [2, 5, 'failed']]);
  const report = buildStatusReport(job, pods, where);
  assert.equal(report.failedIndexes, '1-2');
  assert.equal(report.failedShards, '3,5');
  const lines = formatStatus(report);
  assert.match(lines[0]!, /shards 1,3,5 of 6/);
  assert.match(lines[2]!, /^INDEX\s+SHARD\s+STATE/);
  assert.match(lines.at(-1)!, /^failed indexes: 1-2 \(shards 3,5\)/);
});

test('the newest run is the one created last, the requested one is chosen by its label', () => {
  const jobs = [completeRun, failedRun, rerunRun].map((fixture) => read(fixture).job);
  assert.equal(pickJob(jobs)?.metadata?.name, jobName(3));
  assert.equal(pickJob(jobs, '2')?.metadata?.name, jobName(2));
  assert.equal(pickJob(jobs, '9'), undefined);
});

test('pods are found by the Job controller\'s own selector', () => {
  assert.equal(podSelector(read(failedRun).job), `batch.kubernetes.io/controller-uid=${uidOf(2)}`);
});

test('status totals add up the summaries of the indexes that count, over the Job\'s whole time', () => {
  const { job, pods } = read(failedRun);
  const report = buildStatusReport(job, pods, where);
  assert.deepEqual(report.counts, { pending: 0, running: 0, succeeded: 4, failed: 2, unfinished: 0 });
  assert.deepEqual(report.totals, { copied: 449, unchanged: 135, adopted: 0, segments: 0, skipped: 1, deleted: 0, failed: 15, bytes: 500 * 1048576 });
  assert.equal(report.elapsedSeconds, 1800, 'until the Failed condition');
  assert.equal(report.mibPerSecond, 0.28);
  assert.equal(report.etaSeconds, undefined);
  assert.equal(statusOutcome(report), 'failed');
  assert.equal(formatDuration(1800), '30m00s');
});

test('a rerun plan names the failed shards, the next run and the helm upgrade that retries them', () => {
  const { job, pods } = read(failedRun);
  const plan = planRerun(job, pods, where) as RerunPlan;
  assert.equal(isRefusal(plan), false);
  assert.deepEqual(plan.shards, [1, 3]);
  assert.equal(plan.newRun, '3');
  assert.equal(plan.newJob, jobName(3));
  assert.equal(plan.helmCommand, "helm upgrade cube-files helm/swift-to-s3 -n cube --reset-then-reuse-values --set 'shards.only={1,3}' --set run=3");
});

test('run numbers count up; other run labels and names get a retry suffix', () => {
  assert.equal(nextRun('9'), '10');
  assert.equal(nextRun('nightly'), 'nightly-retry-1');
  assert.equal(nextRun('nightly-retry-1'), 'nightly-retry-2');
  const named = (name: string, run: string, owner?: string): V1Job => ({
    metadata: { name, labels: run ? { 'swift-to-s3/run': run } : {}, ...(owner ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: owner, uid: 'u' }] } : {}) },
  });
  assert.equal(nextJobName(named('cube-files-copy-9', '9'), '10'), 'cube-files-copy-10');
  assert.equal(nextJobName(named('handmade', '9'), '10'), 'handmade-retry-1');
  assert.equal(nextJobName(named('handmade-retry-1', ''), 'retry-1'), 'handmade-retry-2');
  const scheduled = named('cube-files-copy-29410560', '1', 'cube-files-copy');
  assert.deepEqual(cronJobRetry(scheduled, 'cube-files-copy', [scheduled]), { newRun: '1-retry-1', newJob: 'cube-files-copy-retry-1' },
    "a CronJob's Job: not cube-files-copy-2, the name of the chart's Job for run 2 (the cutover's next run)");
  assert.deepEqual(cronJobRetry(scheduled, 'cube-files-copy', [scheduled, named('cube-files-copy-retry-1', '1-retry-1', 'cube-files-copy')]), { newRun: '1-retry-2', newJob: 'cube-files-copy-retry-2' });
});

test('no rerun while the Job runs or when nothing failed', () => {
  const running = read(runningRun);
  const refusal = planRerun(running.job, running.pods, where);
  assert.ok(isRefusal(refusal));
  assert.match(refusal.refused, /still running/);
  const complete = read(completeRun);
  const nothing = planRerun(complete.job, complete.pods, where);
  assert.ok(isRefusal(nothing));
  assert.match(nothing.refused, /^nothing failed in run 1/);
});

test('the retry Job keeps the template, works on the failed shards only, and carries nothing the server owns', () => {
  const { job, pods } = read(failedRun);
  const retry = buildRetryJob(job, planRerun(job, pods, where) as RerunPlan);
  assert.equal(retry.metadata?.name, jobName(3));
  assert.equal(retry.metadata?.uid, undefined);
  assert.equal(retry.metadata?.resourceVersion, undefined);
  assert.equal(retry.metadata?.creationTimestamp, undefined);
  assert.equal(retry.metadata?.managedFields, undefined);
  assert.equal(retry.status, undefined);
  assert.equal(retry.spec?.selector, undefined);
  assert.equal(retry.spec?.completions, 2);
  assert.equal(retry.spec?.parallelism, 2);
  assert.equal(retry.metadata?.labels?.['swift-to-s3/run'], '3');
  assert.deepEqual(Object.keys(retry.spec?.template.metadata?.labels ?? {}).sort(), ['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name', 'swift-to-s3.io/release', 'swift-to-s3/mode', 'swift-to-s3/run']);
  assert.equal(retry.spec?.template.metadata?.labels?.['swift-to-s3/run'], '3');
  const env = retry.spec?.template.spec?.containers[0]?.env ?? [];
  assert.deepEqual(env.filter((variable) => variable.name.startsWith('SHARD_')).map(({ name, value }) => [name, value]), [['SHARD_COUNT', '6'], ['SHARD_INDEXES', '1,3']]);
  assert.equal(job.spec?.completions, 6, 'the last Job is left as it was');
});

test('the retry Job belongs to no Helm release or Argo CD application, and says swift-to-s3 manages it; one of a CronJob\'s Job is the CronJob\'s', () => {
  const { job, pods } = read(failedRun);
  job.metadata = {
    ...job.metadata,
    labels: { ...job.metadata?.labels, 'app.kubernetes.io/instance': 'cube-migration', 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'swift-to-s3-0.1.0' },
    annotations: {
      ...job.metadata?.annotations,
      'meta.helm.sh/release-name': RELEASE, 'meta.helm.sh/release-namespace': NAMESPACE, 'helm.sh/resource-policy': 'keep',
      'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"batch/v1"}',
      'argocd.argoproj.io/tracking-id': 'cube-migration:batch/Job:cube/cube-files-copy-2', 'argocd.argoproj.io/sync-options': 'Prune=false',
      'argocd.argoproj.io/sync-wave': '0', 'team.example.org/owner': 'fnndsc',
    },
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cube-files-copy', uid: 'u', controller: true }],
  };
  const retry = buildRetryJob(job, planRerun(job, pods, where) as RerunPlan);
  const labels = retry.metadata?.labels ?? {};
  const annotations = retry.metadata?.annotations ?? {};
  assert.equal(labels['app.kubernetes.io/managed-by'], 'swift-to-s3');
  assert.equal(labels['app.kubernetes.io/instance'], undefined, 'label tracking would prune it');
  assert.equal(labels['helm.sh/chart'], undefined);
  assert.equal(labels['swift-to-s3.io/release'], RELEASE, 'status and rerun still find it');
  assert.deepEqual(Object.keys(annotations).sort(), ['argocd.argoproj.io/sync-options', 'swift-to-s3/rerun-of'], 'no Helm or Argo CD tracking, no foreign annotation');
  assert.equal(annotations['argocd.argoproj.io/sync-options'], 'Prune=false', 'the chart\'s own prune protection stays');
  assert.deepEqual(retry.metadata?.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cube-files-copy', uid: 'u', controller: true }],
    'the CronJob\'s: its history limits keep it, deleting the CronJob deletes it, and its success is the CronJob\'s last');
  assert.equal(retry.metadata?.name, 'cube-files-copy-retry-1');
  const oneOff = read(failedRun);
  assert.equal(buildRetryJob(oneOff.job, planRerun(oneOff.job, oneOff.pods, where) as RerunPlan).metadata?.ownerReferences, undefined, 'a one-off run\'s retry is nobody\'s');
  assert.equal(retry.spec?.template.metadata?.labels?.['app.kubernetes.io/instance'], RELEASE, 'pods keep the selector labels the NetworkPolicy matches');
});

test("the retry Job keeps only the chart's own labels and annotations: another Argo CD instanceLabelKey or any foreign label is not copied", () => {
  const { job, pods } = read(failedRun);
  job.metadata = {
    ...job.metadata,
    // A site whose Argo CD tracks by argocd.argoproj.io/instance, or by a label of its own choosing: a retry Job
    // carrying it would be the application's, and pruned as not in Git while it runs.
    labels: { ...job.metadata?.labels, 'argocd.argoproj.io/instance': 'cube-migration', 'gitops.example.org/app': 'cube-migration', team: 'fnndsc' },
    annotations: {
      ...job.metadata?.annotations,
      'argocd.argoproj.io/sync-options': 'Prune=false', 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
      'argocd.argoproj.io/tracking-id': 'cube-migration:batch/Job:cube/cube-files-copy-2', 'gitops.example.org/owner': 'cube-migration',
      'swift-to-s3/rerun-of': 'cube-files-copy-1',
    },
  };
  const retry = buildRetryJob(job, planRerun(job, pods, where) as RerunPlan);
  assert.deepEqual(retry.metadata?.labels, {
    'app.kubernetes.io/name': 'swift-to-s3', 'app.kubernetes.io/version': '0.1.0', 'app.kubernetes.io/part-of': 'swift-to-s3',
    'app.kubernetes.io/component': 'copier', 'app.kubernetes.io/managed-by': 'swift-to-s3',
    'swift-to-s3.io/release': RELEASE, 'swift-to-s3/run': '3', 'swift-to-s3/mode': 'copy',
  });
  assert.deepEqual(retry.metadata?.annotations, {
    'argocd.argoproj.io/sync-options': 'Prune=false', 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
    'swift-to-s3/rerun-of': jobName(2),
  });
});

test("the next run is above the highest run of all the release's Jobs, not just the picked one", () => {
  const { job, pods } = read(failedRun);
  const later = read({ ...completeRun, run: 7 }).job;
  const plan = planRerun(job, pods, where, [job, later]) as RerunPlan;
  assert.equal(plan.newRun, '8');
  assert.equal(plan.newJob, jobName(8));
  assert.match(plan.helmCommand ?? '', /--set run=8$/);
});

test('FailureTarget already means failed; indexes a stopped Job never ran are unfinished, not pending; a fatal reason shows', () => {
  const { job, pods } = read({ ...failedRun, completedIndexes: '0,2', pods: failedRun.pods.filter((pod) => pod.index < 4) });
  job.status!.conditions = [{ type: 'FailureTarget', status: 'True', reason: 'PodFailurePolicy', message: 'Container copier for pod cube/x failed with exit code 2 matching FailJob rule at index 1', lastTransitionTime: new Date('2025-06-01T10:30:00Z') }];
  const fatal = pods.filter((pod) => pod.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] === '3').at(-1)!;
  const summary = JSON.parse(fatal.status!.containerStatuses![0]!.state!.terminated!.message!);
  fatal.status!.containerStatuses![0]!.state!.terminated!.message = JSON.stringify({ ...summary, failures: [{ key: '', reason: 'Swift rejected the credentials (401): check SWIFT_USER and SWIFT_KEY' }] });
  const report = buildStatusReport(job, pods, where);
  assert.equal(report.outcome, 'failed');
  assert.equal(report.reason, 'PodFailurePolicy');
  assert.deepEqual(report.rows.map((row) => row.state), ['succeeded', 'failed', 'succeeded', 'failed', 'unfinished', 'unfinished']);
  const lines = formatStatus(report);
  assert.ok(lines.some((line) => line.startsWith('3 ') && line.includes('Swift rejected the credentials (401)')), lines.join('\n'));
  assert.ok(lines.some((line) => line.includes('2 never finished of 6')), lines.join('\n'));
  assert.equal(report.elapsedSeconds, 1800, 'it ended when FailureTarget was set');
  assert.ok(isRefusal(planRerun(job, pods, where)) === false, 'a decided failure can be rerun');
});

test('an index whose pod waited out outages says which side was away, how often and how long', () => {
  const outages = { swift: { count: 0, seconds: 0 }, s3: { count: 2, seconds: 95.4 } };
  const fixture: JobFixture = { ...completeRun, pods: completeRun.pods.map((pod) => (pod.index === 4 ? { ...pod, summary: { ...pod.summary, outages } } : pod)) };
  const { job, pods } = read(fixture);
  assert.deepEqual(indexRows(job, pods)[4]!.summary?.outages, outages);
  assert.equal(indexRows(job, pods)[3]!.summary?.outages, undefined);
  const row = formatStatus(buildStatusReport(job, pods, where)).find((line) => /^4\s/.test(line));
  assert.match(row ?? '', /S3 away 2× 95 s$/);
});

test('a Pending pod is pending, not running; an index with no pod is flagged', () => {
  const { job, pods } = read({ ...imagePullRun, completions: 3 });
  const rows = indexRows(job, pods);
  assert.deepEqual(rows.map((row) => [row.state, row.noPod ?? false]), [['pending', false], ['pending', false], ['pending', true]]);
});

test('pods blocked on their image that hold every slot of the parallelism leave the indexes without a pod nothing to do: stuck', () => {
  const blocked = read({ ...imagePullRun, completions: 6, parallelism: 2 });
  const report = buildStatusReport(blocked.job, blocked.pods, where);
  assert.equal(statusOutcome(report), 'stuck');
  assert.equal(report.stuck, 'ImagePullBackOff (indexes 0-1)');
  assert.equal(report.noPodIndexes, '2-5');
  const moreSlots = read({ ...imagePullRun, completions: 6, parallelism: 3 });
  assert.equal(statusOutcome(buildStatusReport(moreSlots.job, moreSlots.pods, where)), 'ok', 'a free slot: the controller may still create a pod that starts');
});

test('a pod on its way (ContainerCreating) is progress, not a problem', () => {
  const creating = read({ ...imagePullRun, pods: [{ index: 0, phase: 'Pending', minute: 0 }, imagePullRun.pods[1]!] });
  const report = buildStatusReport(creating.job, creating.pods, where);
  assert.deepEqual(report.rows[0]!.waiting, { reason: 'ContainerCreating', blocked: false });
  assert.equal(report.stuck, undefined);
  assert.equal(statusOutcome(report), 'ok');
});

test('a Job that ended is never stuck, whatever its pods said', () => {
  const ended = read({ ...imagePullRun, condition: { type: 'Failed', reason: 'DeadlineExceeded' }, pods: [] });
  assert.equal(statusOutcome(buildStatusReport(ended.job, ended.pods, where)), 'failed');
});
