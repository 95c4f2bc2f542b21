// Catch-up mode (schedule set): status and rerun on the Jobs of the chart's CronJob, and the rerun NOTES show by hand,
// run with real kubectl against the strict fake API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rerunCommand, statusCommand } from '../../src/kube/commands.ts';
import { helmBinary, helmVersions } from '../chart/helm.ts';
import { renderNotes } from '../chart/notes.ts';
import { one, render, valuesArgs } from '../chart/render.ts';
import { startFakeApi, type FakeApi, type Json } from './fake-api.ts';
import { job, jobName, NAMESPACE, RELEASE, type JobFixture } from './fixtures.ts';
import { CHART_RUN, CRONJOB, CRONJOB_UID, cronJobJobName, cronJobObjects, cronJobObjectsOf, failedResync, laterResync } from './cronjob-fixtures.ts';
import { kubectlShell } from './kubectl.ts';
import { run } from './command-run.ts';


async function withApi(objects: { jobs: Json[]; pods: Json[] }, body: (api: FakeApi) => Promise<void>): Promise<void> {
  const api = await startFakeApi(objects);
  try { await body(api); } finally { await api.close(); }
}

const posted = (api: FakeApi) => api.requests.filter((request) => request.method === 'POST').map((request) => request.body as Json & { metadata: Json });

/** What rerun --apply of today's code made of the 06:00 resync's failure, at 08:00: Job <cronjob>-2, run 2, complete. */
const oldStyleRetry: JobFixture = {
  run: 2, completions: 2, shardIndexes: '1,3', completedIndexes: '0-1', failedIndexes: '', condition: { type: 'Complete' }, createdAt: '2025-06-01T08:00:00Z',
  pods: [0, 1].map((index) => ({ index, phase: 'Succeeded' as const, minute: 0, summary: { copied: 8 } })),
};

describe('the newest Job of the catch-up CronJob', () => {
  test('is the one created last: a later scheduled resync, not a retry whose run number is higher', () => withApi({
    jobs: [...cronJobObjectsOf(failedResync, laterResync).jobs, job(oldStyleRetry)],
    pods: cronJobObjectsOf(failedResync, laterResync).pods,
  }, async (api) => {
    const { code, out } = await run(statusCommand, api);
    assert.equal(code, 'ok', out.join('\n'));
    assert.match(out[0]!, new RegExp(`^Job ${cronJobJobName(laterResync)} \\(release ${RELEASE}, namespace ${NAMESPACE}, run ${CHART_RUN}, copy\\): Complete`));
    const retry = await run(statusCommand, api, { run: '2' });
    assert.match(retry.out[0]!, new RegExp(`^Job ${jobName(2)} `), '--run still picks a run by its label');
  }));

  test('of two scheduled Jobs sharing the run label, status shows the later one and says it is the CronJob\'s', () => withApi(cronJobObjectsOf(laterResync, failedResync), async (api) => {
    const later = await run(statusCommand, api, { run: CHART_RUN });
    assert.match(later.out[0]!, new RegExp(`^Job ${cronJobJobName(laterResync)} `));
    assert.equal(later.out[1], `catch-up: a Job of CronJob ${CRONJOB}, scheduled for ${laterResync.createdAt}; every scheduled resync goes over all shards again`);
  }));
});

describe('a failed resync of the catch-up CronJob', () => {
  test('status names the CronJob and says the next resync retries the failed shards, rerun --apply now; no helm upgrade', () => withApi(cronJobObjectsOf(failedResync), async (api) => {
    const { code, out } = await run(statusCommand, api);
    assert.equal(code, 'failed');
    assert.equal(out[1], `catch-up: a Job of CronJob ${CRONJOB}, scheduled for ${failedResync.createdAt}; every scheduled resync goes over all shards again`);
    assert.equal(out.at(-1), 'failed indexes: 1,3; the next scheduled resync retries them; swift-to-s3 rerun --apply retries them now, in a Job of the CronJob');
    assert.ok(!out.some((line) => line.includes('helm upgrade')), out.join('\n'));
  }));

  test('rerun proposes rerun --apply, never a helm upgrade that would rewrite the CronJob', () => withApi(cronJobObjectsOf(failedResync), async (api) => {
    const { code, out } = await run(rerunCommand, api);
    assert.equal(code, 'ok');
    assert.deepEqual(out, [
      `run ${CHART_RUN} (Job ${cronJobJobName(failedResync)} of CronJob ${CRONJOB}) failed on shards 1,3.`,
      `The next scheduled resync copies every shard again, these included. To retry them now, in a Job of CronJob ${CRONJOB} for these shards only (its schedule stays as it is):`,
      `  swift-to-s3 rerun --release ${RELEASE} --namespace ${NAMESPACE} --apply`,
      'Not helm upgrade with shards.only: the CronJob would copy only these shards on every schedule from then on, and nothing would run now.',
    ]);
    const json = JSON.parse((await run(rerunCommand, api, { json: true })).out.join('\n')) as Record<string, unknown>;
    assert.equal(json.helmCommand, undefined);
    assert.equal(json.cronJob, CRONJOB);
    assert.equal(json.renderedJob, undefined, 'nothing renders a CronJob\'s Job: nothing to delete for Argo CD');
    assert.deepEqual(posted(api), []);
  }));

  test('rerun --apply makes a Job of the CronJob for the failed shards only, which the strict API takes and status then shows', () => withApi(cronJobObjectsOf(failedResync), async (api) => {
    const { code, out, err } = await run(rerunCommand, api, { apply: true });
    assert.equal(code, 'ok', err.join('\n'));
    const [sent] = posted(api);
    assert.ok(sent);
    const metadata = sent.metadata as { name: string; labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: Json[] };
    assert.equal(metadata.name, `${CRONJOB}-retry-1`, 'no name the chart gives a run (cube-files-copy-<run>): the cutover\'s run stays free');
    assert.equal(metadata.labels['swift-to-s3/run'], `${CHART_RUN}-retry-1`);
    assert.equal(metadata.labels['app.kubernetes.io/managed-by'], 'swift-to-s3');
    assert.deepEqual(metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: CRONJOB, uid: CRONJOB_UID, controller: true }]);
    assert.deepEqual(metadata.annotations, { 'swift-to-s3/rerun-of': cronJobJobName(failedResync) }, 'not the scheduled-timestamp: the CronJob did not schedule it');
    const spec = sent.spec as { completions: number; template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    assert.equal(spec.completions, 2);
    assert.equal(spec.template.spec.containers[0]!.env.find((variable) => variable.name === 'SHARD_INDEXES')?.value, '1,3');
    assert.equal(api.jobs.length, 2, 'created');
    assert.equal(out[1], `created Job ${CRONJOB}-retry-1 (run ${CHART_RUN}-retry-1, 2 indexes, SHARD_INDEXES=1,3), a Job of CronJob ${CRONJOB} as its scheduled ones are: `
      + 'its history limits keep it, and clearing schedule deletes it with them.');
    assert.ok(!out.some((line) => /helm upgrade|must set run=/.test(line)), 'it takes no run number of the chart\'s');
    const status = await run(statusCommand, api);
    assert.match(status.out[0]!, new RegExp(`^Job ${CRONJOB}-retry-1 \\(release ${RELEASE}, namespace ${NAMESPACE}, run ${CHART_RUN}-retry-1, copy\\): Running, 2 indexes for shards 1,3 of 6`));
    assert.equal(status.out[1], `catch-up: a Job of CronJob ${CRONJOB}, a retry made by swift-to-s3 rerun; every scheduled resync goes over all shards again`);
  }));

  test('a retry of a retry of the CronJob takes the next free name and run', () => withApi((() => {
    const first = cronJobObjects({ ...failedResync, made: { by: 'hand', name: `${CRONJOB}-retry-1` }, createdAt: '2025-06-01T07:00:00Z', run: 23 });
    return { jobs: [...cronJobObjects(failedResync).jobs, ...first.jobs], pods: [...cronJobObjects(failedResync).pods, ...first.pods] };
  })(), async (api) => {
    const { code, out } = await run(rerunCommand, api, { apply: true, json: true });
    assert.equal(code, 'ok');
    const plan = JSON.parse(out.join('\n')) as { lastJob: string; newJob: string; newRun: string };
    assert.deepEqual([plan.lastJob, plan.newJob, plan.newRun], [`${CRONJOB}-retry-1`, `${CRONJOB}-retry-2`, `${CHART_RUN}-retry-2`]);
  }));
});

describe('NOTES in catch-up mode, rerun by hand', () => {
  let helm = '';
  before(async () => { helm = await helmBinary(helmVersions[0]!); });

  const install = [...valuesArgs('catch-up.yaml'), '--set', 'image.repository=quay.io/example/swift-to-s3'];

  test('suggest no helm upgrade that keeps schedule and sets shards.only: the CronJob would copy only those shards from then on', async () => {
    const notes = await renderNotes(helm, install);
    const upgrades = notes.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('helm upgrade '));
    assert.ok(upgrades.length > 0, notes);
    for (const line of upgrades) assert.ok(!/shards\.only/.test(line) || /--set schedule= /.test(line), `keeps schedule and sets shards.only: ${line}`);
    assert.match(notes, /swift-to-s3 rerun --release cube-files -n cube --apply/);
  });

  describe('the Job from the CronJob they show, run as written with oc (kubectl 1.31)', () => {
    let api: FakeApi;
    let cronJob: Json;
    before(async () => {
      cronJob = one(await render(helm, install), 'CronJob');
      Object.assign(cronJob.metadata as Json, { namespace: NAMESPACE, uid: CRONJOB_UID, creationTimestamp: '2025-05-31T00:00:00Z', resourceVersion: '4100', generation: 1 });
      api = await startFakeApi(cronJobObjectsOf(failedResync));
    });
    after(() => api.close());

    test('creates a Job of the CronJob with only the listed shards, which status then reads as one made by hand', async () => {
      const notes = await renderNotes(helm, install);
      const byHand = notes.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('oc create job '));
      assert.equal(byHand.length, 1, notes);
      const shell = await kubectlShell(api, [cronJob]);
      try {
        const result = await shell.run(byHand[0]!);
        assert.equal(result.code, 0, `${byHand[0]}\n${result.stderr}`);
      } finally {
        await shell.close();
      }
      const made = api.jobs.at(-1) as Json & { metadata: { name: string; ownerReferences: Json[]; annotations: Record<string, string> }; spec: { completions: number; parallelism: number; template: { spec: { containers: { name: string; env: { name: string; value?: string }[] }[] } } } };
      assert.equal(made.metadata.name, `${CRONJOB}-retry-1`);
      assert.deepEqual(made.metadata.ownerReferences.map((owner) => [owner.kind, owner.name, owner.uid]), [['CronJob', CRONJOB, CRONJOB_UID]]);
      assert.equal(made.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
      const copier = made.spec.template.spec.containers.find((container) => container.name === 'copier')!;
      const shardIndexes = copier.env.find((variable) => variable.name === 'SHARD_INDEXES')?.value;
      assert.equal(shardIndexes, '0,15');
      assert.equal(copier.env.find((variable) => variable.name === 'SHARD_COUNT')?.value, '16');
      assert.deepEqual([made.spec.completions, made.spec.parallelism], [2, 2], 'one completion per listed shard: index i copies the i-th, and no index past the list');

      const status = await run(statusCommand, api);
      assert.match(status.out[0]!, new RegExp(`^Job ${CRONJOB}-retry-1 .*: Running, 2 indexes for shards 0,15 of 16`), status.out.join('\n'));
      assert.equal(status.out[1], `catch-up: a Job of CronJob ${CRONJOB}, made by hand (create job --from=cronjob); every scheduled resync goes over all shards again`);
    });
  });
});
