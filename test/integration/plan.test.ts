import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli } from '../support/cli.ts';
import { putObject } from '../support/swift.ts';
import { shardOf } from '../../src/sync/shard.ts';

testOnEachTarget('plan lists both sides, writes nothing, and sizes the shards', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const names = Array.from({ length: 40 }, (_, i) => `home/chris/feeds/feed_${i}/data/f${i}.dcm`);
  for (const [i, name] of names.entries()) await putObject(account, container, name, Buffer.alloc(1000 * (i + 1), i));
  const env = copierEnv(container, bucket, { SHARD_COUNT: '4' }, { target });
  assert.equal((await runCli(['copy'], { ...env, JOB_COMPLETION_INDEX: '0' })).code, 0);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'stray.txt', Body: 'x' }));

  const result = await runCli(['plan', '--json', '--rate', '1MiB', '--hours', '0.001'], env);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  const total = names.reduce((sum, _, i) => sum + 1000 * (i + 1), 0);
  assert.equal(report.objects, 40);
  assert.equal(report.bytes, total);
  const inShard0 = names.filter((name) => shardOf(container, name, 4) === 0);
  // plan reads listings only: NooBaa's ETags are opaque, so what the copy wrote counts as to be checked with one HEAD.
  const settledByListing = target.name !== 'nsfs';
  assert.deepEqual({ unchanged: report.unchanged, toCheck: report.toCheck }, settledByListing ? { unchanged: inShard0.length, toCheck: 0 } : { unchanged: 0, toCheck: inShard0.length });
  assert.equal(report.copy.objects, 40 - inShard0.length);
  assert.equal(report.extraneous, 1);
  assert.deepEqual(report.shards.map((load: { objects: number }) => load.objects), [0, 1, 2, 3].map((shard) => names.filter((name) => shardOf(container, name, 4) === shard).length));
  assert.equal(report.largest[0].key, names[39]);
  assert.ok(report.skew >= 1);
  // 1 MiB/s per shard for 3.6 s: the bytes still to copy need this many shards.
  assert.equal(report.suggestedShardCount, Math.ceil(report.copy.bytes / (1048576 * 3.6)));

  const text = await runCli(['plan'], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^source: 40 objects/m);
  assert.match(text.stdout, /rate per shard: .* \(measured from a short sample\)/);
  assert.match(text.stdout, /for 3600 s use SHARD_COUNT=\d+/);
});

testOnEachTarget('plan before the bucket exists plans the Swift side, then exits 2 with the reason in one line', async (_t, target) => {
  const { account, container } = await freshContainer();
  await putObject(account, container, 'a', 'aaa');
  const result = await runCli(['plan', '--json', '--rate', '1MiB'], copierEnv(container, 'not-created-yet', {}, { target }));
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.split('\n').filter((line) => line.startsWith('swift-to-s3: '));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^swift-to-s3: planned the Swift side only, the bucket cannot be read: S3 bucket "not-created-yet" does not exist/);
  assert.equal(JSON.parse(result.stdout).copy.objects, 1);
});

testOnEachTarget('plan with a wrong S3 secret plans the Swift side, then exits 2 naming the refusal, never the secret', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  await putObject(account, container, 'a', 'aaa');
  const wrongSecret = 'wrong-secret-0123456789abcdefghij';
  const result = await runCli(['plan', '--rate', '1MiB'], copierEnv(container, bucket, { AWS_SECRET_ACCESS_KEY: wrongSecret }, { target }));
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stdout, /^source: 1 objects/m);
  const lines = result.stderr.split('\n').filter((line) => line.startsWith('swift-to-s3: '));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^swift-to-s3: planned the Swift side only, the bucket cannot be read: \S/);
  assert.ok(!result.stderr.includes(wrongSecret) && !result.stdout.includes(wrongSecret));
});
