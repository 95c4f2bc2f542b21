import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putObject, readAll } from '../support/swift.ts';
import { listKeys, readAllS3 } from '../support/s3.ts';
import { shardOf } from '../../src/sync/shard.ts';

const OBJECTS = 90;

testOnEachTarget('N processes with shard indexes 0..N-1 produce exactly what one process does, writing no object twice', async (t, target) => {
  const { account, container } = await freshContainer();
  for (let i = 0; i < OBJECTS; i++) await putObject(account, container, `home/u${i % 5}/feeds/feed_${i}/pl-dircopy_${i}/data/f${i}.dat`, `payload ${i}`);
  const sharded = await freshBucket(target, 'sharded');
  const whole = await freshBucket(target, 'whole');
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());

  const runs = await Promise.all([0, 1, 2].map((index) => runCli(['copy'], copierEnv(container, sharded.bucket, { SHARD_COUNT: '3', JOB_COMPLETION_INDEX: String(index) }, { swift: proxy.url, s3: proxy.url, target }))));
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const summaries = runs.map(summaryOf);
  assert.deepEqual(summaries.map((summary) => summary.listed), [OBJECTS, OBJECTS, OBJECTS]);
  assert.equal(summaries.reduce((sum, summary) => sum + summary.inShard, 0), OBJECTS);
  assert.ok(summaries.every((summary) => summary.inShard > 10), 'every shard got a fair part');
  assert.equal(proxy.count('s3_object_put'), OBJECTS, 'each object written exactly once');
  assert.equal(proxy.count('swift_object_get'), OBJECTS, 'each object read exactly once');

  const single = await runCli(['copy'], copierEnv(container, whole.bucket, {}, { target }));
  assert.equal(single.code, 0, single.stderr);
  const source = await readAll(account, container);
  assert.deepEqual(await readAllS3(sharded.s3, sharded.bucket), source);
  assert.deepEqual(await readAllS3(whole.s3, whole.bucket), source);
});

testOnEachTarget('SHARD_INDEXES maps completion index i to the i-th listed shard, for reruns of failed shards', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const names = Array.from({ length: 30 }, (_, i) => `obj-${i}`);
  for (const name of names) await putObject(account, container, name, name);
  const result = await runCli(['copy'], copierEnv(container, bucket, { SHARD_COUNT: '4', SHARD_INDEXES: '1,3', JOB_COMPLETION_INDEX: '1' }, { target }));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(summaryOf(result).shard, 3);
  const expected = names.filter((name) => shardOf(container, name, 4) === 3).sort();
  assert.deepEqual((await listKeys(s3, bucket)).sort(), expected);
});

testOnEachTarget('DELETE_EXTRANEOUS removes only the extras of its own shard', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (let i = 0; i < 10; i++) await putObject(account, container, `keep-${i}`, `k${i}`);
  // Keys put into the bucket behind the copier's back are seen by a run that lists the bucket (on NSFS, within
  // TRUST_LEDGER_HOURS of a full listing, a resync marches Swift against its ledger instead).
  const env = copierEnv(container, bucket, { SHARD_COUNT: '2', TRUST_LEDGER_HOURS: '0' }, { target });
  for (const index of ['0', '1']) assert.equal((await runCli(['copy'], { ...env, JOB_COMPLETION_INDEX: index })).code, 0);
  const extras = Array.from({ length: 12 }, (_, i) => `extra-${i}`);
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  // Copies of objects since deleted from Swift: they carry the copier's container marker (what it writes).
  for (const key of extras) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key, Metadata: { 'swift-container': container } }));

  const result = await runCli(['copy'], { ...env, JOB_COMPLETION_INDEX: '0', DELETE_EXTRANEOUS: 'true' });
  assert.equal(result.code, 0, result.stderr);
  const ofShard0 = extras.filter((key) => shardOf(container, key, 2) === 0);
  assert.ok(ofShard0.length > 0 && ofShard0.length < extras.length, 'the fixture has extras in both shards');
  assert.equal(summaryOf(result).deleted, ofShard0.length);
  const left = new Set(await listKeys(s3, bucket));
  for (const key of extras) assert.equal(left.has(key), !ofShard0.includes(key), key);
  for (let i = 0; i < 10; i++) assert.ok(left.has(`keep-${i}`));
  const withoutFlag = await runCli(['copy'], { ...env, JOB_COMPLETION_INDEX: '1' });
  assert.equal(summaryOf(withoutFlag).deleted, 0, 'nothing is deleted without DELETE_EXTRANEOUS');
});
