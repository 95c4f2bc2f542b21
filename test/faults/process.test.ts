// Process-level faults: SIGTERM (pod eviction) and SIGKILL in the middle of a shard, then a rerun.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, startCli, summaryOf, waitForOutput } from '../support/cli.ts';
import { putObject, readAll } from '../support/swift.ts';
import { openUploadCount, readAllS3 } from '../support/s3.ts';

const MiB = 1024 * 1024;

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

testOnEachTarget('SIGTERM: no new objects, in-flight uploads finish within the grace period, summary written, exit 1; a rerun completes', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (let i = 0; i < 16; i++) await putObject(account, container, `obj-${String(i).padStart(2, '0')}`, randomBytes(512 * 1024));
  const env = copierEnv(container, bucket, { TRANSFERS: '2', BWLIMIT: '1MiB', LOG_LEVEL: 'debug', SHUTDOWN_GRACE_SECONDS: '10' }, { target });
  const { child, done } = startCli(['copy'], env);
  await waitForOutput(child, /"msg":"copied"/);
  const signalledAt = Date.now();
  child.kill('SIGTERM');
  const result = await done;
  assert.equal(result.code, 1, result.stderr);
  assert.ok(Date.now() - signalledAt < 10_000, 'stopped within the grace period');
  const summary = summaryOf(result);
  assert.equal(summary.interrupted, true);
  assert.ok(summary.copied >= 1 && summary.copied < 16, `copied ${summary.copied}`);
  const source = await readAll(account, container);
  const partial = await readAllS3(s3, bucket);
  assert.equal(partial.size, summary.copied, 'every object that started was finished, none half-written');
  for (const [key, object] of partial) assert.deepEqual(object, source.get(key));
  assert.equal(await openUploadCount(s3, bucket), 0);

  const rerun = await runCli(['copy'], { ...env, BWLIMIT: '0' });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(summaryOf(rerun).copied, 16 - summary.copied);
  assert.deepEqual(await readAllS3(s3, bucket), source);
});

testOnEachTarget('SIGTERM with a multipart upload still running at the end of the grace period: it is aborted, nothing left open', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'slow-big.bin', randomBytes(15 * MiB));
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, { MULTIPART_THRESHOLD: '5MiB', PART_SIZE: '5MiB', BWLIMIT: '2MiB', SHUTDOWN_GRACE_SECONDS: '1' }, { swift: proxy.url, s3: proxy.url, target });
  const { child, done } = startCli(['copy'], env);
  await until(() => proxy.count('s3_multipart_post') >= 1);
  child.kill('SIGTERM');
  const result = await done;
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /grace period over: aborting open multipart uploads/);
  assert.equal(await openUploadCount(s3, bucket), 0, 'the open upload was aborted');
  assert.equal((await readAllS3(s3, bucket)).size, 0, 'no partial object');
});

testOnEachTarget('SIGKILL in the middle of a multipart upload: the rerun aborts the stale upload and completes the shard', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'killed-big.bin', randomBytes(15 * MiB));
  for (let i = 0; i < 5; i++) await putObject(account, container, `small-${i}`, randomBytes(10_000));
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, { MULTIPART_THRESHOLD: '5MiB', PART_SIZE: '5MiB', BWLIMIT: '2MiB' }, { swift: proxy.url, s3: proxy.url, target });
  const { child, done } = startCli(['copy'], env);
  await until(() => proxy.count('s3_part_put') >= 1);
  child.kill('SIGKILL');
  const killed = await done;
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(await openUploadCount(s3, bucket), 1, 'the kill left an upload open');

  const rerun = await runCli(['copy'], { ...env, BWLIMIT: '0' });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, /aborting a multipart upload left open by an earlier run/);
  assert.equal(await openUploadCount(s3, bucket), 0);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});
