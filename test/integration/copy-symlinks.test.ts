import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { readAllS3 } from '../support/s3.ts';
import { createHash } from 'node:crypto';
import { putObject, putSlo } from '../support/swift.ts';

const described = (body: Buffer) => ({ size: body.length, md5: createHash('md5').update(body).digest('hex') });
import { testOnEachTarget } from '../support/targets.ts';

// The bed's Swift runs the symlink middleware. A symlink lists as an empty object; a GET follows it.
testOnEachTarget('a Swift symlink is copied once as its target\'s content, unchanged after; a broken one fails by name', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'data/scan.dcm', Buffer.alloc(4000, 7));
  await putObject(account, container, 'SHARED/link.dcm', '', { 'x-symlink-target': `${container}/data/scan.dcm` });
  await putObject(account, container, 'SHARED/broken.dcm', '', { 'x-symlink-target': `${container}/data/missing.dcm` });
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target });

  const first = await runCli(['copy'], env);
  assert.equal(first.code, 1, 'a broken symlink is a failure');
  const failures = summaryOf(first).failures as { key: string; reason: string }[];
  assert.deepEqual(failures.map((failure) => failure.key), ['SHARED/broken.dcm']);
  assert.match(failures[0]!.reason, /symlink whose target .*data\/missing\.dcm does not exist/);
  assert.equal(summaryOf(first).skipped, 0, 'not counted as deleted since the listing');
  const stored = await readAllS3(s3, bucket);
  assert.deepEqual(stored.get('SHARED/link.dcm'), described(Buffer.alloc(4000, 7)), 'the target\'s bytes');

  proxy.reset();
  const rerun = await runCli(['copy'], env);
  assert.equal(summaryOf(rerun).copied, 0, 'the symlink is not copied again');
  assert.equal(summaryOf(rerun).unchanged, 2);
  assert.equal(proxy.countFor('swift_object_get', '/SHARED/link.dcm'), 0);

  await putObject(account, container, 'data/scan.dcm', Buffer.alloc(4000, 8));
  const changed = await runCli(['copy'], env);
  assert.equal(summaryOf(changed).copied, 2, 'a new target content reaches the symlink\'s copy too');
  assert.deepEqual((await readAllS3(s3, bucket)).get('SHARED/link.dcm'), described(Buffer.alloc(4000, 8)));
});

// An SLO's ETag is MD5-shaped (the MD5 of its segments' ETags) yet not its content's MD5: the copy records it as such.
testOnEachTarget('a Swift symlink to an SLO is copied once as the SLO\'s content, and again when the SLO changes', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const segments = (fill: number) => [Buffer.alloc(6000, fill), Buffer.alloc(1000, fill + 1)];
  await putSlo(account, container, 'data/volume.nii', segments(1));
  await putObject(account, container, 'SHARED/volume.nii', '', { 'x-symlink-target': `${container}/data/volume.nii` });
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target });

  const first = await runCli(['copy'], env);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual((await readAllS3(s3, bucket)).get('SHARED/volume.nii'), described(Buffer.concat(segments(1))), 'the SLO\'s bytes');

  proxy.reset();
  const rerun = await runCli(['copy'], env);
  assert.equal(summaryOf(rerun).copied, 0, 'the symlink is not copied again');
  assert.equal(summaryOf(rerun).unchanged, 2);
  assert.equal(proxy.countFor('swift_object_get', '/SHARED/volume.nii'), 0);

  await putSlo(account, container, 'data/volume.nii', segments(3));
  const changed = await runCli(['copy'], env);
  assert.equal(summaryOf(changed).copied, 2, 'the SLO\'s new content (of the same size) reaches the symlink\'s copy too');
  assert.deepEqual((await readAllS3(s3, bucket)).get('SHARED/volume.nii'), described(Buffer.concat(segments(3))));
});
