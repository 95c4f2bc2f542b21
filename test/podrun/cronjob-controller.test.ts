// The CronJob controller emulation against the strict fake API server, its Jobs run by the Job controller emulation
// with pods whose exit codes are scripted: history limits, suspend, Forbid, Jobs made from the CronJob by hand, and
// the chart's CronJob deleted (helm uninstall, a cleared schedule) taking its Jobs and their pods with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeApi, type FakeApi } from '../kube/fake-api.ts';
import { call, createJob, runIndexedJob, startIndexedJob, type Api, type RunPod } from './job-controller.ts';
import { byJobStartTime, reconcileCronJob, scheduleOnce } from './cronjob-controller.ts';
import { rfc3339In } from './cluster.ts';
import type { Json } from './objects.ts';
import { helmBinary, helmVersions } from '../chart/helm.ts';
import { one, render, valuesArgs } from '../chart/render.ts';

const FAST = { podFailureBackoffMs: 20, resyncMs: 20 };
const CRONJOBS = '/apis/batch/v1/namespaces/cube/cronjobs';

async function withApi(t: { after: (fn: () => Promise<void>) => void }): Promise<Api & { fake: FakeApi }> {
  const fake = await startFakeApi();
  t.after(() => fake.close());
  return { url: fake.url, namespace: 'cube', fake };
}

function cronJob(name: string, spec: Json): Json {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
    spec: {
      schedule: '0 */6 * * *', ...spec,
      jobTemplate: {
        metadata: { labels: { app: 'copier', 'swift-to-s3/run': '1' } },
        spec: {
          completionMode: 'Indexed', completions: 1, parallelism: 1, backoffLimit: 0,
          template: { metadata: { labels: { app: 'copier' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'copier', image: 'copier:1', args: ['copy'] }] } },
        },
      },
    },
  };
}

/** A kubelet whose every pod exits with `exitCode` at once. */
function exiting(exitCode: number): RunPod {
  return () => {
    const at = new Date().toISOString();
    const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: at, finishedAt: at };
    return Promise.resolve({ exitCode, podStatus: { phase: exitCode === 0 ? 'Succeeded' : 'Failed', containerStatuses: [{ name: 'copier', image: 'copier:1', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated } }] } });
  };
}

/** A kubelet whose pods run until the test calls release(), then exit 0. */
function held(): { runPod: RunPod; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => { release = resolve; });
  return { runPod: async (pod, io) => { await gate; return exiting(0)(pod, io); }, release };
}

/** The scheduled time of the i-th six-hourly run from 2025-06-01T00:00Z. */
const tick = (i: number) => new Date(Date.UTC(2025, 5, 1, 6 * i));
const jobNameAt = (cronJobName: string, i: number) => `${cronJobName}-${tick(i).getTime() / 60_000}`;

/** A tick, its Job run to the end with pods exiting `exitCode`, and the sync the Job's end triggers. */
async function runTick(api: Api, name: string, i: number, exitCode: number): Promise<{ job: string; deleted: string[]; cronJob: Json }> {
  const scheduled = await scheduleOnce(api, name, tick(i));
  assert.ok(scheduled?.created, `tick ${i} made a Job`);
  await runIndexedJob(api, scheduled.created, exiting(exitCode), FAST);
  const after = await reconcileCronJob(api, name);
  return { job: scheduled.created, deleted: after!.deleted, cronJob: after!.cronJob };
}

async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}

const jobNames = (fake: FakeApi) => fake.jobs.map((job) => String((job['metadata'] as Json)['name'])).sort();
const statusOf = (cronJob: Json) => (cronJob['status'] ?? {}) as { active?: { name: string }[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
const reasons = (fake: FakeApi) => fake.events.filter((event) => (event['involvedObject'] as Json)['kind'] === 'CronJob').map((event) => String(event['reason']));

test('each tick makes the Job getJobFromTemplate2 makes: <cronjob>-<minutes>, the template\'s labels, the scheduled time, owned by the CronJob; the status lists it active', async (t) => {
  const api = await withApi(t);
  const stored = await call(api, 'POST', CRONJOBS, { ...cronJob('nightly', {}), spec: { ...cronJob('nightly', {})['spec'] as Json, timeZone: 'America/New_York' } });
  const uid = String((stored['metadata'] as Json)['uid']);
  assert.deepEqual(Object.fromEntries(['concurrencyPolicy', 'suspend', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'].map((key) => [key, (stored['spec'] as Json)[key]])),
    { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 }, 'SetDefaults_CronJob');
  const sync = await scheduleOnce(api, 'nightly', tick(1));
  assert.equal(sync?.created, `nightly-${29_145_960}`);
  const job = await call(api, 'GET', `/apis/batch/v1/namespaces/cube/jobs/${sync.created}`);
  const metadata = job['metadata'] as { labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: Json[] };
  assert.equal(metadata.labels['swift-to-s3/run'], '1');
  assert.equal(metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2025-06-01T02:00:00-04:00', 'RFC 3339 in the CronJob\'s timeZone');
  assert.deepEqual(metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid, controller: true, blockOwnerDeletion: true }]);
  const status = statusOf(sync.cronJob);
  assert.deepEqual([status.active?.map((ref) => ref.name), status.lastScheduleTime], [[sync.created], '2025-06-01T06:00:00Z']);
  assert.equal((await scheduleOnce(api, 'nightly', tick(1)))?.created, undefined, 'the same scheduled time again makes nothing');
  assert.deepEqual(reasons(api.fake), ['SuccessfulCreate']);
  await call(api, 'DELETE', `${CRONJOBS}/nightly`);
  assert.deepEqual([api.fake.cronJobs, api.fake.jobs], [[], []], 'batch/v1 deletes a CronJob\'s dependents unless told to orphan them');
});

test('three successful ticks with successfulJobsHistoryLimit 2: the oldest Job is deleted with its pods; two failed ones with failedJobsHistoryLimit 1: the older failed one goes', async (t) => {
  const api = await withApi(t);
  await call(api, 'POST', CRONJOBS, cronJob('nightly', { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }));
  const first = await runTick(api, 'nightly', 0, 0);
  const second = await runTick(api, 'nightly', 1, 0);
  assert.deepEqual([first.deleted, second.deleted], [[], []], 'two successful Jobs are within the limit');
  const firstUid = String((api.fake.jobs.find((job) => (job['metadata'] as Json)['name'] === first.job)!['metadata'] as Json)['uid']);
  assert.equal(api.fake.pods.filter((pod) => (pod['metadata'] as { labels: Record<string, string> }).labels['batch.kubernetes.io/controller-uid'] === firstUid).length, 1);
  const third = await runTick(api, 'nightly', 2, 0);
  assert.deepEqual(third.deleted, [jobNameAt('nightly', 0)]);
  assert.deepEqual(jobNames(api.fake), [jobNameAt('nightly', 1), jobNameAt('nightly', 2)]);
  assert.equal(api.fake.pods.filter((pod) => (pod['metadata'] as { labels: Record<string, string> }).labels['batch.kubernetes.io/controller-uid'] === firstUid).length, 0, 'deleted in the background: its pods went with it');
  const thirdJob = api.fake.jobs.find((job) => (job['metadata'] as Json)['name'] === third.job)!;
  assert.deepEqual(statusOf(third.cronJob), { active: [], lastScheduleTime: '2025-06-01T12:00:00Z', lastSuccessfulTime: (thirdJob['status'] as Json)['completionTime'] });

  const fourth = await runTick(api, 'nightly', 3, 1);
  const fifth = await runTick(api, 'nightly', 4, 1);
  assert.deepEqual([fourth.deleted, fifth.deleted], [[], [jobNameAt('nightly', 3)]]);
  assert.deepEqual(jobNames(api.fake), [jobNameAt('nightly', 1), jobNameAt('nightly', 2), jobNameAt('nightly', 4)], 'the successful ones are trimmed apart from the failed ones');
  assert.equal(statusOf(fifth.cronJob).lastSuccessfulTime, (thirdJob['status'] as Json)['completionTime'], 'a failed Job is no success');
  assert.deepEqual(reasons(api.fake).filter((reason) => reason === 'SuccessfulDelete').length, 2);
});

test('suspend: a tick makes no Job and leaves the status alone', async (t) => {
  const api = await withApi(t);
  await call(api, 'POST', CRONJOBS, cronJob('nightly', { suspend: true }));
  const sync = await scheduleOnce(api, 'nightly', tick(0));
  assert.equal(sync?.created, undefined);
  assert.deepEqual([api.fake.jobs.length, statusOf(sync!.cronJob)], [0, {}]);
});

test('Forbid: a tick while the last Job runs makes none (JobAlreadyActive); once it ended the next tick does; Allow would have made one', async (t) => {
  for (const policy of ['Forbid', 'Allow']) {
    const api = await withApi(t);
    await call(api, 'POST', CRONJOBS, cronJob('nightly', { concurrencyPolicy: policy }));
    const first = await scheduleOnce(api, 'nightly', tick(0));
    const kubelet = held();
    const running = startIndexedJob(api, first!.created!, kubelet.runPod, FAST);
    const during = await scheduleOnce(api, 'nightly', tick(1));
    kubelet.release();
    await running.done;
    if (policy === 'Allow') {
      assert.equal(during?.created, jobNameAt('nightly', 1));
      continue;
    }
    assert.equal(during?.created, undefined);
    assert.deepEqual(jobNames(api.fake), [jobNameAt('nightly', 0)]);
    assert.ok(reasons(api.fake).includes('JobAlreadyActive'));
    assert.deepEqual(statusOf((await reconcileCronJob(api, 'nightly'))!.cronJob).active, [], 'the finished Job leaves the active list');
    assert.equal((await scheduleOnce(api, 'nightly', tick(2)))?.created, jobNameAt('nightly', 2));
  }
});

test('a Job made from the CronJob by hand (kubectl create job --from: controller, no blockOwnerDeletion) counts toward the history, not for Forbid; an owner that is not the controller does not count', async (t) => {
  const api = await withApi(t);
  const stored = await call(api, 'POST', CRONJOBS, cronJob('nightly', { concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1 }));
  const uid = String((stored['metadata'] as Json)['uid']);
  const template = ((stored['spec'] as Json)['jobTemplate'] as Json);
  const fromCronJob = (name: string, controller: boolean) => ({
    apiVersion: 'batch/v1', kind: 'Job', spec: structuredClone(template['spec']),
    metadata: { name, labels: (template['metadata'] as Json)['labels'], annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid, ...(controller ? { controller: true } : {}) }] },
  });
  await runTick(api, 'nightly', 0, 0);
  await createJob(api, fromCronJob('nightly-retry-1', true));
  await createJob(api, fromCronJob('nightly-owned-only', false));
  await runIndexedJob(api, 'nightly-owned-only', exiting(0), FAST);
  const scheduled = await scheduleOnce(api, 'nightly', tick(1));
  assert.equal(scheduled?.created, jobNameAt('nightly', 1), 'the by-hand Job is not in the active list, so Forbid does not hold the schedule back');
  assert.ok(reasons(api.fake).includes('UnexpectedJob'));
  await runIndexedJob(api, 'nightly-retry-1', exiting(0), FAST);
  // startTime has whole seconds: a second later, the start times, not the names (which sort the other way), decide.
  await nextSecond();
  await runIndexedJob(api, scheduled.created, exiting(0), FAST);
  const after = await reconcileCronJob(api, 'nightly');
  assert.deepEqual(after?.deleted, [jobNameAt('nightly', 0), 'nightly-retry-1'], 'the oldest by start time, the by-hand one among them');
  assert.deepEqual(jobNames(api.fake), [jobNameAt('nightly', 1), 'nightly-owned-only']);
});

test('byJobStartTime: by status.startTime, Jobs without one last, the name breaking ties', () => {
  const job = (name: string, startTime?: string) => ({ metadata: { name, namespace: 'cube', uid: name, resourceVersion: '1' }, status: startTime ? { startTime } : {} });
  const sorted = [job('c'), job('b', '2025-06-01T06:00:00Z'), job('a'), job('d', '2025-06-01T00:00:00Z'), job('a2', '2025-06-01T06:00:00Z')].sort(byJobStartTime);
  assert.deepEqual(sorted.map((each) => each.metadata.name), ['d', 'a2', 'b', 'a', 'c']);
});

test('the scheduled-timestamp annotation is written as Go writes RFC 3339 in the zone: "Z" at offset 0, else ±hh:mm', () => {
  assert.equal(rfc3339In(new Date('2025-06-01T06:00:00.750Z')), '2025-06-01T06:00:00Z');
  assert.equal(rfc3339In(new Date('2025-01-15T06:00:00Z'), 'Europe/London'), '2025-01-15T06:00:00Z');
  assert.equal(rfc3339In(new Date('2025-01-15T06:00:00Z'), 'America/New_York'), '2025-01-15T01:00:00-05:00');
  assert.equal(rfc3339In(new Date('2025-01-15T06:00:00Z'), 'Asia/Kolkata'), '2025-01-15T11:30:00+05:30');
});

// Issue 22, item 1: the CronJob must not outlive helm uninstall, a cleared schedule or Argo CD's prune.
test('the chart\'s CronJob carries no keep or prune protection: deleted as helm uninstall deletes it, it takes its Jobs and their pods, and no tick resyncs after', async (t) => {
  const helm = await helmBinary(helmVersions[0]!);
  const manifests = await render(helm, valuesArgs('catch-up.yaml'));
  const rendered = one(manifests, 'CronJob');
  const annotations = ((rendered['metadata'] as Json)['annotations'] ?? {}) as Record<string, string>;
  assert.equal(annotations['helm.sh/resource-policy'], undefined);
  assert.doesNotMatch(annotations['argocd.argoproj.io/sync-options'] ?? '', /Prune=false|Delete=false/);
  assert.doesNotMatch(annotations['argocd.argoproj.io/compare-options'] ?? '', /IgnoreExtraneous/);
  const oneOff = one(await render(helm, valuesArgs('noobaa-default.yaml')), 'Job');
  assert.equal((((oneOff['metadata'] as Json)['annotations'] ?? {}) as Record<string, string>)['helm.sh/resource-policy'], 'keep', 'a run\'s Job is kept (the contrast: the check sees the annotation where it is)');

  const api = await withApi(t);
  const name = String((rendered['metadata'] as Json)['name']);
  await call(api, 'POST', CRONJOBS, rendered);
  await runTick(api, name, 0, 0);
  const running = await scheduleOnce(api, name, tick(1));
  assert.ok(running?.created, 'a second resync, still running');
  await createJob(api, { ...oneOff, metadata: { ...(oneOff['metadata'] as Json), name: 'cube-files-verify-2' } });
  assert.ok(api.fake.pods.length > 0, 'the first resync\'s pods are there');

  // helm uninstall (and a cleared schedule's upgrade) deletes with propagationPolicy Background.
  await call(api, 'DELETE', `${CRONJOBS}/${name}?propagationPolicy=Background`);
  assert.deepEqual(api.fake.cronJobs, []);
  assert.deepEqual(jobNames(api.fake), ['cube-files-verify-2'], 'only the Job the CronJob does not own is left');
  assert.deepEqual(api.fake.pods, [], 'the deleted Jobs\' pods went with them');
  assert.equal(await scheduleOnce(api, name, tick(2)), undefined, 'a later tick finds no CronJob');
  assert.deepEqual(jobNames(api.fake), ['cube-files-verify-2']);
});
