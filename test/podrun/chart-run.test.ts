// The chart, run: rendered by real Helm, its Job's pods built as the kubelet builds them and run against the bed
// (Swift on "the VM" behind TLS, reached by a name hostAliases pins; the bucket as an existing endpoint on s3api or
// as an ObjectBucketClaim on NooBaa), their ends served by the strict fake API to the real status and rerun
// commands. A value name, a key, a mount path or an exit-code rule wired wrong fails here.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chartDir, helmBinary, helmVersions, runHelm } from '../chart/helm.ts';
import { parseManifests } from '../chart/render.ts';
import { bed, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { targets, testOnEachTarget, type Target } from '../support/targets.ts';
import { runCli } from '../support/cli.ts';
import { putObject, readAll, type SwiftAccount } from '../support/swift.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { readAllS3 } from '../support/s3.ts';
import { contentOf, cubeDataset } from '../support/dataset.ts';
import type { CountingProxy, FaultRule } from '../support/counting-proxy.ts';
import { shardOf } from '../../src/sync/shard.ts';
import { apply, jobFromCronJob, kubeletOf, startCluster, type Cluster } from './cluster.ts';
import { createJob, runIndexedJob, startIndexedJob, type JobRun } from './job-controller.ts';
import { limitRanger, resourceQuota } from './admission.ts';
import { startSwiftFront, type SwiftFront } from './swift-front.ts';
import type { Json } from './objects.ts';

const RELEASE = 'cube-files';
const NAMESPACE = 'cube';
const SWIFT_HOST = 'swift.cube-vm.test';
const SHARDS = 3;
const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/** What one target's tests share: a Swift container with the data set, reached through a counting proxy behind the TLS front. */
interface World { target: Target; account: SwiftAccount; container: string; names: string[]; proxy: CountingProxy; failPut: FaultRule; holdPut: FaultRule; front: SwiftFront }

const worlds = new Map<string, Promise<World>>();
after(async () => {
  for (const world of worlds.values()) {
    const { proxy, front } = await world;
    await Promise.all([proxy.close(), front.close()]);
  }
});

function worldOf(target: Target): Promise<World> {
  let world = worlds.get(target.name);
  if (!world) {
    world = (async () => {
      const { account, container } = await freshContainer('cube');
      const objects = cubeDataset(24, 100, 3000);
      for (const object of objects) await putObject(account, container, object.name, contentOf(object));
      // The proxy reads its rules on every request: a test arms this one (a key and a limit) and lifts it again.
      const failPut: FaultRule = { kinds: ['s3_object_put'], pathIncludes: '', fault: { kind: 'status', status: 500 }, every: 1, limit: 0 };
      // A test slows or holds every object PUT with this one (its fault and limit set, then the limit lifted).
      const holdPut: FaultRule = { kinds: ['s3_object_put'], fault: { kind: 'delay', ms: 0 }, every: 1, limit: 0 };
      const proxy = await proxyFor(target, [failPut, holdPut]);
      const front = await startSwiftFront(SWIFT_HOST, proxy.port);
      return { target, account, container, names: objects.map((object) => object.name), proxy, failPut, holdPut, front };
    })();
    worlds.set(target.name, world);
  }
  return world;
}

/** The bed as the chart's values describe it: Swift by the VM's name and CA; the bucket existing (s3api) or claimed (NooBaa). */
function valuesFor(world: World, bucket: string, extra: Json = {}): Json {
  const b = bed();
  const accountPath = new URL(world.account.storageUrl).pathname;
  const swiftUrl = `https://${SWIFT_HOST}:${world.front.port}`;
  const bucketValues = world.target.name === 'nsfs'
    ? { claim: { bucketName: bucket } }
    : { existing: { endpoint: world.proxy.url, bucketName: bucket, secretName: 'cube-bucket-keys', region: '' } };
  return {
    run: 1,
    swift: {
      authUrl: `${swiftUrl}/auth/v1.0`,
      // tempauth builds the storage URL from the Host header as http: behind the TLS front it must be given.
      storageUrl: `${swiftUrl}${accountPath}`,
      user: b.swiftUser, key: b.swiftKey, containers: [world.container],
      ca: { configMapName: 'cube-vm-ca', key: 'ca.crt' },
      hostAliases: [{ ip: '127.0.0.1', hostnames: [SWIFT_HOST] }],
    },
    shards: { count: SHARDS },
    bucket: bucketValues,
    job: { backoffLimitPerIndex: 1 },
    copier: { maxRetries: 1, extraEnv: [{ name: 'RETRY_BASE_DELAY', value: '20' }, { name: 'CONNECT_WAIT', value: '2' }] },
    ...extra,
  };
}

/** Renders the chart with these values (Helm 4, as Argo CD 3.5 renders) and applies it to a new namespace. */
async function install(t: TestContext, world: World, values: Json): Promise<{ cluster: Cluster; jobs: string[]; cronJobs: Json[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'chart-values-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'values.json');
  await writeFile(file, JSON.stringify(values));
  const helm = await runHelm(await helmBinary(helmVersions[1]!), ['template', RELEASE, chartDir, '--namespace', NAMESPACE, '-f', file]);
  assert.equal(helm.code, 0, helm.stderr);
  const manifests = parseManifests(helm.stdout) as Json[];
  const cluster = await startCluster(NAMESPACE);
  t.after(() => cluster.close());
  const target = world.target;
  // What the user creates beside the release: the VM's CA, and for an existing bucket its keys.
  cluster.store.add({ kind: 'ConfigMap', metadata: { name: 'cube-vm-ca' }, data: { 'ca.crt': world.front.caPem } });
  cluster.store.add({ kind: 'Secret', metadata: { name: 'cube-bucket-keys' }, stringData: { AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey } });
  const { jobs, cronJobs } = await apply(cluster, manifests, {
    bucket: { host: '127.0.0.1', port: world.proxy.port, accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    serviceCaPem: world.front.caPem,
  });
  return { cluster, jobs, cronJobs };
}

/** A scenario whose outcome does not depend on the bucket's kind runs on one target only, to keep the file short:
 *  the last of the bed's (NooBaa's claim when the bed has it, the chart's default) or the one named. */
function testOnOneTarget(name: string, body: (t: TestContext, target: Target) => Promise<void>, options: { timeout: number; target?: 'first' | 'last' }): void {
  const all = targets();
  const target = options.target === 'first' ? all[0]! : all[all.length - 1]!;
  test(`${name} [${target.name}]`, { timeout: options.timeout }, (t) => body(t, target));
}

/** The bucket's objects, byte for byte, leaving out the copier's own bookkeeping under .swift-to-s3/ (its resync ledger). */
async function bucketObjects(destination: { s3: S3Client; bucket: string }): Promise<Map<string, { size: number; md5: string }>> {
  const objects = await readAllS3(destination.s3, destination.bucket);
  for (const key of objects.keys()) if (key.startsWith('.swift-to-s3/')) objects.delete(key);
  return objects;
}

function cli(cluster: Cluster, ...args: string[]) {
  return runCli(args, { KUBECONFIG: cluster.kubeconfig });
}

function podsOfIndex(run: JobRun, index: number): Json[] {
  return run.pods.filter((pod) => ((pod['metadata'] as Json)['annotations'] as Record<string, string>)[COMPLETION_INDEX] === String(index));
}

function exitCodes(pods: Json[]): number[] {
  return pods.map((pod) => ((pod['status'] as { containerStatuses: { state: { terminated: { exitCode: number } } }[] }).containerStatuses[0]!.state.terminated.exitCode));
}

function statusOf(run: JobRun): { completedIndexes?: string; failedIndexes?: string; conditions: { type: string; reason: string }[] } {
  return run.job['status'] as { completedIndexes?: string; failedIndexes?: string; conditions: { type: string; reason: string }[] };
}

testOnEachTarget('every index of the rendered Job copies its shard through the chart\'s wiring; status reads the pods; rerun finds nothing to do', async (t, target) => {
  const world = await worldOf(target);
  const destination = await freshBucket(target, 'chart');
  const { cluster, jobs } = await install(t, world, valuesFor(world, destination.bucket));
  assert.deepEqual(jobs, [`${RELEASE}-copy-1`]);

  const run = await runIndexedJob(cluster.api, jobs[0]!, kubeletOf(cluster));
  assert.deepEqual(cluster.runs.map(({ run: ran }) => ran.exitCode), [0, 0, 0], cluster.runs.map(({ run: ran }) => ran.stderr || ran.stdout.slice(-2000)).join('\n---\n'));
  assert.deepEqual(statusOf(run).conditions.map((c) => c.type), ['SuccessCriteriaMet', 'Complete']);
  assert.deepEqual(await bucketObjects(destination), await readAll(world.account, world.container), 'the bucket holds every object, byte for byte');

  // The pods of one Job run side by side (parallelism): each found by its completion index.
  assert.deepEqual(cluster.runs.map(({ pod }) => pod.metadata.annotations?.[COMPLETION_INDEX]).sort(), ['0', '1', '2']);
  for (const { pod, run: ran } of cluster.runs) {
    const index = Number(pod.metadata.annotations?.[COMPLETION_INDEX]);
    assert.equal(ran.env['JOB_COMPLETION_INDEX'], String(index));
    assert.equal(ran.env['SHARD_COUNT'], String(SHARDS));
    const summary = JSON.parse(ran.message ?? '{}') as { shard?: number; inShard?: number };
    assert.equal(summary.shard, index, `pod ${pod.metadata.name} copied its own shard (termination message ${ran.message})`);
    assert.equal(summary.inShard, world.names.filter((name) => shardOf(world.container, name, SHARDS) === index).length);
  }
  const env = cluster.runs[0]!.run.env;
  if (target.name === 'nsfs') {
    assert.deepEqual([env['BUCKET_HOST'], env['BUCKET_PORT'], env['BUCKET_NAME'], env['BUCKET_REGION'], env['BUCKET_SUBREGION']], ['127.0.0.1', String(world.proxy.port), destination.bucket, '', ''], 'the claim\'s ConfigMap reached the pod through envFrom');
    assert.ok(env['S3_CA_FILE']?.endsWith('/service-ca.crt'), 'the service CA is mounted where S3_CA_FILE points');
  } else {
    assert.equal(env['S3_ENDPOINT'], world.proxy.url);
  }

  const status = await cli(cluster, 'status', '--release', RELEASE, '-n', NAMESPACE);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`Job ${RELEASE}-copy-1 \\(release ${RELEASE}, namespace ${NAMESPACE}, run 1, copy\\): Complete, 3 indexes for shards 0-2 of ${SHARDS}`));
  for (const index of [0, 1, 2]) assert.match(status.stdout, new RegExp(`^${index}\\s+succeeded\\s+1\\s+${world.names.filter((name) => shardOf(world.container, name, SHARDS) === index).length}\\s`, 'm'));
  const rerun = await cli(cluster, 'rerun', '--release', RELEASE, '-n', NAMESPACE);
  assert.equal(rerun.code, 2, rerun.stdout);
  assert.match(rerun.stderr, /nothing failed in .*cube-files-copy-1.*: there is no shard to rerun/);
}, { timeout: 120_000 });

testOnEachTarget('an object that keeps failing fails its index after backoffLimitPerIndex; status names it; rerun --apply\'s Job copies it once the fault is gone', async (t, target) => {
  const world = await worldOf(target);
  const destination = await freshBucket(target, 'chart');
  const { cluster, jobs } = await install(t, world, valuesFor(world, destination.bucket));
  const victim = world.names[0]!;
  const shard = shardOf(world.container, victim, SHARDS);
  Object.assign(world.failPut, { pathIncludes: `/${victim}`, limit: Number.MAX_SAFE_INTEGER });
  t.after(() => { world.failPut.limit = 0; });

  const run = await runIndexedJob(cluster.api, jobs[0]!, kubeletOf(cluster));
  assert.deepEqual(exitCodes(podsOfIndex(run, shard)), [1, 1], 'exit 1 is counted: one retry (backoffLimitPerIndex 1), then the index fails');
  assert.deepEqual([statusOf(run).failedIndexes, statusOf(run).conditions.map((c) => `${c.type}/${c.reason}`)], [String(shard), ['FailureTarget/FailedIndexes', 'Failed/FailedIndexes']]);

  const status = await cli(cluster, 'status', '--release', RELEASE, '-n', NAMESPACE);
  assert.equal(status.code, 1, status.stderr);
  assert.match(status.stdout, /: Failed \(FailedIndexes\)/);
  assert.match(status.stdout, new RegExp(`^failed indexes: ${shard};`, 'm'));
  assert.match(status.stdout, new RegExp(`^${shard}\\s+failed\\s+2\\s.*${victim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: injected fault$`, 'm'), 'the failed index\'s row names the object and why (the S3 error\'s message)');

  world.failPut.limit = 0;
  const rerun = await cli(cluster, 'rerun', '--release', RELEASE, '-n', NAMESPACE, '--apply');
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, new RegExp(`created Job ${RELEASE}-copy-2 \\(run 2, 1 index, SHARD_INDEXES=${shard}\\)`));
  cluster.runs.length = 0;
  const retry = await runIndexedJob(cluster.api, `${RELEASE}-copy-2`, kubeletOf(cluster));
  assert.deepEqual(exitCodes(retry.pods), [0]);
  assert.equal(JSON.parse(cluster.runs[0]!.run.message ?? '{}').shard, shard, 'completion index 0 of the retry works on the failed shard');
  assert.deepEqual(await bucketObjects(destination), await readAll(world.account, world.container));

  const clean = await cli(cluster, 'status', '--release', RELEASE, '-n', NAMESPACE);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, new RegExp(`Job ${RELEASE}-copy-2 \\(release ${RELEASE}, namespace ${NAMESPACE}, run 2, copy\\): Complete, 1 indexes for shards ${shard} of ${SHARDS}`));
}, { timeout: 120_000 });

testOnOneTarget('a pod that cannot reach Swift exits 3 and fails only its own index (FailIndex), without a retry', async (t, target) => {
  const world = await worldOf(target);
  const { bucket } = await freshBucket(target, 'chart');
  // One pod at a time: the Swift front goes down for the unlucky index's pod alone.
  const { cluster, jobs } = await install(t, world, valuesFor(world, bucket, { shards: { count: SHARDS, parallelism: 1 } }));
  const unlucky = 1;
  t.after(() => { world.front.down = false; });
  const run = await runIndexedJob(cluster.api, jobs[0]!, kubeletOf(cluster, (pod) => {
    world.front.down = pod.metadata.annotations?.[COMPLETION_INDEX] === String(unlucky);
  }));
  assert.deepEqual(exitCodes(podsOfIndex(run, unlucky)), [3]);
  assert.deepEqual([statusOf(run).completedIndexes, statusOf(run).failedIndexes], ['0,2', String(unlucky)]);
  assert.deepEqual(statusOf(run).conditions.map((c) => `${c.type}/${c.reason}`), ['FailureTarget/FailedIndexes', 'Failed/FailedIndexes']);
  const status = await cli(cluster, 'status', '--release', RELEASE, '-n', NAMESPACE);
  assert.equal(status.code, 1, status.stderr);
  assert.match(status.stdout, new RegExp(`^failed indexes: ${unlucky};`, 'm'));
  assert.match(status.stdout, new RegExp(`^${unlucky}\\s+failed\\s+1\\s.*${SWIFT_HOST}`, 'm'), 'the row says which endpoint could not be reached');
}, { timeout: 120_000, target: 'first' });

testOnOneTarget('with schedule, the CronJob\'s jobTemplate makes the same Indexed Job: its run copies everything and status finds it', async (t, target) => {
  const world = await worldOf(target);
  const destination = await freshBucket(target, 'chart');
  const { cluster, jobs, cronJobs } = await install(t, world, valuesFor(world, destination.bucket, { schedule: '*/30 * * * *' }));
  assert.deepEqual([jobs, cronJobs.length], [[], 1], 'schedule renders a CronJob instead of a Job');
  const scheduled = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const created = await createJob(cluster.api, jobFromCronJob(cronJobs[0]!, scheduled, '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d'));
  const name = String((created['metadata'] as Json)['name']);
  const run = await runIndexedJob(cluster.api, name, kubeletOf(cluster));
  assert.deepEqual(statusOf(run).conditions.map((c) => c.type), ['SuccessCriteriaMet', 'Complete']);
  assert.deepEqual(await bucketObjects(destination), await readAll(world.account, world.container));
  const status = await cli(cluster, 'status', '--release', RELEASE, '-n', NAMESPACE);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`Job ${name} \\(release ${RELEASE}, namespace ${NAMESPACE}, run 1, copy\\): Complete, 3 indexes`));
}, { timeout: 120_000 });

testOnOneTarget('parallelism 4 of 8 indexes, one exits 2 (FailJob): its running siblings get SIGTERM and stop, the Job fails by PodFailurePolicy, status names the cause', async (t, target) => {
  const world = await worldOf(target);
  const { bucket } = await freshBucket(target, 'chart');
  const values = valuesFor(world, bucket, { shards: { count: 8, parallelism: 4 } });
  const { cluster, jobs } = await install(t, world, values);
  const unlucky = 1;
  // Every shard lists the container (a shard may hold no object to PUT): each listing takes 8 s, and the unlucky pod
  // starts only once its three siblings are in theirs, so they are still at work when it fails at Swift's auth.
  Object.assign(world.holdPut, { kinds: ['swift_container_get'], fault: { kind: 'delay', ms: 8000 }, limit: Number.MAX_SAFE_INTEGER });
  const lift = () => Object.assign(world.holdPut, { kinds: ['s3_object_put'], limit: 0 });
  t.after(lift);
  const listingsBefore = world.proxy.count('swift_container_get');
  const run = await runIndexedJob(cluster.api, jobs[0]!, kubeletOf(cluster, {
    before: async (pod) => {
      if (pod.metadata.annotations?.[COMPLETION_INDEX] === String(unlucky)) await until(() => world.proxy.count('swift_container_get') - listingsBefore >= 3, 60_000);
    },
    // A wrong key in this one pod's environment, as a mistyped Secret would give every pod.
    overrideEnv: (pod) => (pod.metadata.annotations?.[COMPLETION_INDEX] === String(unlucky) ? { SWIFT_KEY: 'not-the-key' } : undefined),
  }));
  lift();
  const byIndex = new Map(cluster.runs.map(({ pod, run: ran }) => [Number(pod.metadata.annotations?.[COMPLETION_INDEX]), ran]));
  assert.deepEqual([...byIndex.keys()].sort(), [0, 1, 2, 3], 'indexes 4-7 never got a pod');
  assert.equal(byIndex.get(unlucky)!.exitCode, 2, byIndex.get(unlucky)!.stderr.slice(-2000));
  for (const index of [0, 2, 3]) {
    const ran = byIndex.get(index)!;
    assert.match(ran.stdout + ran.stderr, /"signal":"SIGTERM"/, `index ${index}'s copier was told to stop`);
    assert.equal(JSON.parse(ran.message ?? '{}').interrupted, true, `index ${index}'s summary says it was interrupted`);
  }
  const conditions = statusOf(run).conditions as { type: string; reason: string; message?: string }[];
  assert.deepEqual(conditions.map((c) => `${c.type}/${c.reason}`), ['FailureTarget/PodFailurePolicy', 'Failed/PodFailurePolicy']);
  assert.match(conditions[1]!.message ?? '', /Container copier for pod cube\/cube-files-copy-1-1-\w+ failed with exit code 2 matching FailJob rule at index 1/);
  const siblings = run.pods.filter((pod) => ((pod['metadata'] as Json)['annotations'] as Record<string, string>)[COMPLETION_INDEX] !== String(unlucky));
  assert.ok(siblings.every((pod) => (pod['metadata'] as Json)['deletionTimestamp'] && (pod['status'] as Json)['phase'] === 'Failed'), 'the siblings were deleted and ended Failed');

  const status = await cli(cluster, 'status', '--release', RELEASE, '-n', NAMESPACE);
  assert.equal(status.code, 1, status.stderr);
  assert.match(status.stdout, /: Failed \(PodFailurePolicy\), 8 indexes/);
  // As the Job controller does, the index of a FailJob pod is not among failedIndexes (isIndexFailed counts it only
  // past backoffLimitPerIndex): it never finished, and its row names the cause.
  assert.match(status.stdout, new RegExp(`^${unlucky}\\s+unfinished\\s+1\\s.*Swift rejected user .*check SWIFT_USER and SWIFT_KEY`, 'm'));
  for (const index of [0, 2, 3]) assert.match(status.stdout, new RegExp(`^${index}\\s+\\w+\\s+1\\s.*interrupted`, 'm'), `index ${index}'s row says its pod was interrupted`);
  t.diagnostic(status.stdout);
}, { timeout: 180_000, target: 'first' });

testOnOneTarget('a quota that admits 2 pods: status shows the other indexes as "not created: quota" while the two copy; the Job completes as the quota frees', async (t, target) => {
  const world = await worldOf(target);
  const destination = await freshBucket(target, 'chart');
  // No resources in the values: NERC's LimitRange gives each pod cpu 1 of limits, and the quota has 2.
  const values = valuesFor(world, destination.bucket, { shards: { count: 8, parallelism: 4 }, job: { backoffLimitPerIndex: 1, resources: null } });
  const { cluster, jobs } = await install(t, world, values);
  cluster.fake.admission.push(
    limitRanger({ default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '100m', memory: '256Mi' } }),
    resourceQuota({ name: 'cube-quota', hard: { 'limits.cpu': '2', 'limits.memory': '8Gi', pods: '20' } }),
  );
  let release = () => undefined as void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  Object.assign(world.holdPut, { fault: { kind: 'hook', run: () => gate }, limit: Number.MAX_SAFE_INTEGER });
  t.after(() => { world.holdPut.limit = 0; release(); });
  const running = startIndexedJob(cluster.api, jobs[0]!, kubeletOf(cluster), { createRetryMs: 500 });

  const runningPods = () => cluster.fake.pods.filter((pod) => (pod['status'] as Json)['phase'] === 'Running').length;
  await until(() => runningPods() === 2 && cluster.fake.events.some((event) => event['reason'] === 'FailedCreate'), 60_000);
  const status = await cli(cluster, 'status', '--release', RELEASE, '-n', NAMESPACE);
  t.diagnostic(status.stdout);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /: Running, 8 indexes/);
  for (const index of [2, 3, 4, 5, 6, 7]) {
    assert.match(status.stdout, new RegExp(`^${index}\\s+pending\\s+0\\s.*not created: quota cube-quota, requested: limits.cpu=1, used: limits.cpu=2, limited: limits.cpu=2`, 'm'));
  }
  assert.match(status.stdout, /^no pod for indexes 2-7$/m);

  world.holdPut.limit = 0;
  release();
  const run = await running.done;
  assert.deepEqual(statusOf(run).conditions.map((c) => c.type), ['SuccessCriteriaMet', 'Complete']);
  assert.ok(run.pods.every((pod) => ((pod['metadata'] as Json)['annotations'] as Record<string, string>)['kubernetes.io/limit-ranger']), 'every pod got the LimitRange\'s defaults');
  assert.deepEqual(await bucketObjects(destination), await readAll(world.account, world.container));
}, { timeout: 180_000, target: 'first' });

async function until(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
