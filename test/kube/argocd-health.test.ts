// After a failed run and a successful rerun, the Argo CD application is Healthy again once rerun's advice is followed:
// the objects live in the strict fake API as Argo CD's sync leaves them (the chart rendered by Helm, its tracking on
// top), rerun's advice is run as printed (oc delete, oc annotate, through real kubectl), and the application's health
// is computed as each Argo CD version 2.10–3.3 computes it (argocd.ts).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rerunCommand, type KubeCommandOptions } from '../../src/kube/commands.ts';
import { helmBinary, helmVersions } from '../chart/helm.ts';
import { render, valuesArgs } from '../chart/render.ts';
import { startFakeApi, type FakeApi, type Json } from './fake-api.ts';
import { failedRun, job, NAMESPACE, RELEASE, type JobFixture } from './fixtures.ts';
import { CRONJOB, CRONJOB_UID, cronJobObjects, cronJobStatusAfter, failedResync } from './cronjob-fixtures.ts';
import { applied, ARGO_VERSIONS, viewOf, type Application, type ArgoVersion, type ApplicationView } from './argocd.ts';
import { kubectlShell } from './kubectl.ts';

const IMAGE = ['--set', 'image.repository=quay.io/example/swift-to-s3'];
/** Six shards, as the failed run of the fixtures has. */
const ONE_OFF = [...valuesArgs('noobaa-default.yaml'), ...IMAGE, '--set', 'shards.count=6'];

/** Each version with the tracking its installs default to (annotation from 3.0). */
function applicationOf(version: ArgoVersion): Application {
  return { name: RELEASE, namespace: NAMESPACE, version, tracking: version.startsWith('2.') ? 'label' : 'annotation' };
}

/** An object as Argo CD's sync leaves it, tracked both ways, so that one cluster serves every version's view. */
function synced(manifest: Json): Json {
  return applied(applicationOf('2.10'), applied(applicationOf('3.0'), manifest));
}

/** The application as every version shows it: version → health, and the sync status. */
function views(rendered: readonly Json[], live: readonly Json[]): Record<ArgoVersion, ApplicationView> {
  return Object.fromEntries(ARGO_VERSIONS.map((version) => [version, viewOf(applicationOf(version), rendered, live)])) as Record<ArgoVersion, ApplicationView>;
}

function healthByVersion(rendered: readonly Json[], live: readonly Json[]): Record<ArgoVersion, string> {
  return Object.fromEntries(Object.entries(views(rendered, live)).map(([version, view]) => [version, `${view.health} ${view.sync}`])) as Record<ArgoVersion, string>;
}

const every = (state: string): Record<ArgoVersion, string> => Object.fromEntries(ARGO_VERSIONS.map((version) => [version, state])) as Record<ArgoVersion, string>;
const from32 = (before: string, after: string): Record<ArgoVersion, string> => Object.fromEntries(ARGO_VERSIONS.map((version) => [version, ['3.2', '3.3'].includes(version) ? after : before])) as Record<ArgoVersion, string>;

async function call(api: FakeApi, method: string, path: string, body: unknown): Promise<Json> {
  const response = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json() as Json;
  assert.ok(response.ok, `${method} ${path}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Argo CD applies a rendered Job: a create through the API, which defaults and validates it. */
async function createJob(api: FakeApi, manifest: Json): Promise<string> {
  const made = await call(api, 'POST', `/apis/batch/v1/namespaces/${NAMESPACE}/jobs`, synced(manifest));
  return String((made.metadata as Json).name);
}

/** The Job controller's status for an end, as fixtures.ts writes it for the fixture given (a status update the API checks). */
async function endJob(api: FakeApi, name: string, fixture: JobFixture): Promise<void> {
  await call(api, 'PUT', `/apis/batch/v1/namespaces/${NAMESPACE}/jobs/${name}/status`, { metadata: { name }, status: job(fixture).status });
}

const retrySucceeded = (completions: number, createdAt: string): JobFixture => ({
  run: 90, completions, completedIndexes: completions === 1 ? '0' : `0-${completions - 1}`, failedIndexes: '', condition: { type: 'Complete' }, createdAt, pods: [],
});

/** The objects other than Jobs, live as Argo CD applied them (the bucket claim Bound). */
function otherLive(rendered: readonly Json[]): Json[] {
  return rendered.filter((object) => object.kind !== 'Job' && object.kind !== 'CronJob').map((object) => ({ ...synced(object), ...(object.kind === 'ObjectBucketClaim' ? { status: { phase: 'Bound' } } : {}) }));
}

async function rerun(api: FakeApi, apply: boolean): Promise<string[]> {
  const out: string[] = [];
  const options: KubeCommandOptions = {
    release: RELEASE, namespace: NAMESPACE, watch: false, intervalSeconds: 5, apply, json: false, chart: 'helm/swift-to-s3',
    kubeConfig: api.kubeConfig(), print: (line) => out.push(line), printError: (line) => out.push(`error: ${line}`),
  };
  assert.equal(await rerunCommand(options), 'ok', out.join('\n'));
  return out;
}

/** The oc command a line of rerun's output shows, as printed. */
function printed(lines: readonly string[], verb: 'delete' | 'annotate'): string {
  const found = lines.map((line) => new RegExp(`(oc ${verb} job \\S+ -n \\S+(?: argocd\\.argoproj\\.io/ignore-healthcheck=true)?)`).exec(line)?.[1]).find(Boolean);
  assert.ok(found, `rerun shows no oc ${verb}:\n${lines.join('\n')}`);
  return found;
}

async function sh(api: FakeApi, command: string, cronJobs: readonly Json[] = []): Promise<void> {
  const shell = await kubectlShell(api, cronJobs);
  try {
    const result = await shell.run(command);
    assert.equal(result.code, 0, `${command}\n${result.stderr}`);
  } finally {
    await shell.close();
  }
}

describe('Argo CD health after a failed run of the chart', () => {
  let helm = '';
  let run2: Json[] = [];
  before(async () => {
    helm = await helmBinary(helmVersions[0]!);
    run2 = await render(helm, [...ONE_OFF, '--set', 'run=2']);
  });

  /** Run 2 as Argo CD synced it, failed on shards 1 and 3 (FailedIndexes). */
  async function failedRun2(): Promise<FakeApi> {
    const api = await startFakeApi();
    const name = await createJob(api, run2.find((object) => object.kind === 'Job')!);
    await endJob(api, name, failedRun);
    return api;
  }

  test('a rerun from Git leaves the failed Job Degraded under every version; the delete rerun prints makes the application Healthy', async () => {
    const api = await failedRun2();
    try {
      assert.deepEqual(healthByVersion(run2, [...api.jobs, ...otherLive(run2)]), every('Degraded Synced'), 'the failed run itself');
      const advice = await rerun(api, false);
      assert.ok(advice.some((line) => line.includes("--set 'shards.only={1,3}' --set run=3")), advice.join('\n'));
      // The commit: run 3 of shards 1 and 3. Argo CD creates its Job and keeps run 2's (Prune=false), which IgnoreExtraneous hides from the sync status only.
      const run3 = await render(helm, [...ONE_OFF, '--set', 'run=3', '--set', 'shards.only={1,3}']) as Json[];
      const name = await createJob(api, run3.find((object) => object.kind === 'Job')!);
      await endJob(api, name, retrySucceeded(2, '2025-06-01T11:00:00Z'));
      assert.deepEqual(healthByVersion(run3, [...api.jobs, ...otherLive(run3)]), every('Degraded Synced'), 'run 3 succeeded, and still Degraded: run 2 is kept and counted');
      assert.deepEqual(views(run3, [...api.jobs, ...otherLive(run3)])['3.0'].causes, ['Job/cube-files-copy-2']);

      await sh(api, printed(advice, 'annotate'));
      assert.deepEqual(healthByVersion(run3, [...api.jobs, ...otherLive(run3)]), from32('Degraded Synced', 'Healthy Synced'),
        'the annotation on the live Job counts from 3.2 only (2.14–3.1 read it from Git, which no longer has run 2)');
      await sh(api, printed(advice, 'delete'));
      assert.deepEqual(api.jobs.map((object) => (object.metadata as Json).name), [name]);
      assert.deepEqual(healthByVersion(run3, [...api.jobs, ...otherLive(run3)]), every('Healthy Synced'));
    } finally {
      await api.close();
    }
  });

  test('after rerun --apply, the failed Job is still rendered: deleting it would make it come back; the annotation rerun prints clears it from 3.2', async () => {
    const api = await failedRun2();
    try {
      const advice = await rerun(api, true);
      const retry = api.jobs.at(-1)!;
      assert.deepEqual((retry.metadata as Json).name, 'cube-files-copy-3');
      await endJob(api, 'cube-files-copy-3', retrySucceeded(2, '2025-06-01T11:00:00Z'));
      assert.deepEqual(healthByVersion(run2, [...api.jobs, ...otherLive(run2)]), every('Degraded Synced'), 'the retry is no application\'s: the rendered run 2 still fails it');
      assert.ok(advice.some((line) => line.startsWith('keep Job cube-files-copy-2:')), advice.join('\n'));
      assert.ok(!advice.some((line) => /oc delete job cube-files-copy-2\b/.test(line)), 'no delete of a Job Git still renders');

      await sh(api, printed(advice, 'annotate'));
      assert.deepEqual(healthByVersion(run2, [...api.jobs, ...otherLive(run2)]), from32('Degraded Synced', 'Healthy Synced'));

      const withoutRun2 = api.jobs.filter((object) => (object.metadata as Json).name !== 'cube-files-copy-2');
      const view = views(run2, [...withoutRun2, ...otherLive(run2)])['3.3'];
      assert.deepEqual([view.sync, view.missing], ['OutOfSync', ['Job/cube-files-copy-2']], 'deleted, it is Missing: the next automated sync creates it again, a full run');
    } finally {
      await api.close();
    }
  });
});

describe('Argo CD health after a failed resync of the catch-up CronJob', () => {
  let helm = '';
  let rendered: Json[] = [];
  before(async () => {
    helm = await helmBinary(helmVersions[0]!);
    rendered = await render(helm, [...valuesArgs('catch-up.yaml'), ...IMAGE, '--set', 'shards.count=6']);
  });

  /** The CronJob as Argo CD applied it, its controller's status after the failed 06:00 resync (the 00:00 one succeeded). */
  function liveCronJob(): Json {
    const cronJob = synced(rendered.find((object) => object.kind === 'CronJob')!);
    Object.assign(cronJob.metadata as Json, { uid: CRONJOB_UID, creationTimestamp: '2025-05-31T00:00:00Z' });
    cronJob.status = { lastScheduleTime: failedResync.createdAt, lastSuccessfulTime: '2025-06-01T00:31:00Z', active: [] };
    return cronJob;
  }

  test('the CronJob is Degraded from 3.2 until its retry by rerun --apply succeeds, and there is nothing to delete', async () => {
    const api = await startFakeApi(cronJobObjects(failedResync));
    try {
      const cronJob = liveCronJob();
      assert.equal((cronJob.metadata as Json).name, CRONJOB);
      const live = () => [cronJob, ...api.jobs, ...otherLive(rendered)];
      assert.deepEqual(healthByVersion(rendered, live()), from32('Healthy Synced', 'Degraded Synced'),
        'before 3.2 a CronJob has no health check, and its Jobs (owned by it) are not the application\'s');
      assert.deepEqual(views(rendered, live())['3.2'].causes, [`CronJob/${CRONJOB}`]);

      const advice = await rerun(api, true);
      assert.ok(!advice.some((line) => /oc (delete|annotate)/.test(line)), advice.join('\n'));
      const retry = api.jobs.at(-1)!;
      const name = String((retry.metadata as Json).name);
      await endJob(api, name, retrySucceeded(2, '2025-06-01T07:00:00Z'));
      cronJob.status = cronJobStatusAfter(cronJob, api.jobs);
      assert.deepEqual(healthByVersion(rendered, live()), every('Healthy Synced'), 'the retry is the CronJob\'s: its success is the CronJob\'s last');
    } finally {
      await api.close();
    }
  });

  test('the Job NOTES show by hand is the CronJob\'s too: its success makes the CronJob Healthy as well', async () => {
    const api = await startFakeApi(cronJobObjects(failedResync));
    try {
      const cronJob = liveCronJob();
      await sh(api, `oc create job ${CRONJOB}-retry-1 --from=cronjob/${CRONJOB} -n ${NAMESPACE} --dry-run=client -o yaml | oc set env --local -f - -c copier SHARD_INDEXES=1,3 -o yaml | oc patch --local -f - --type merge -p '{"spec":{"completions":2,"parallelism":2}}' -o yaml | oc create -f -`, [cronJob]);
      await endJob(api, `${CRONJOB}-retry-1`, retrySucceeded(2, '2025-06-01T07:00:00Z'));
      cronJob.status = cronJobStatusAfter(cronJob, api.jobs);
      assert.deepEqual(healthByVersion(rendered, [cronJob, ...api.jobs, ...otherLive(rendered)]), every('Healthy Synced'));
    } finally {
      await api.close();
    }
  });
});
