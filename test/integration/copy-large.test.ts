import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putDlo, putObject, putSlo, readAll } from '../support/swift.ts';
import { headObject, openUploadCount, readAllS3 } from '../support/s3.ts';

const MiB = 1024 * 1024;

testOnEachTarget('multipart uploads, SLO and DLO arrive as their assembled content, and a rerun copies none of them', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const big = randomBytes(12 * MiB + 12345);
  await putObject(account, container, 'big/multipart.bin', big);
  await putSlo(account, container, 'large/slo.bin', [randomBytes(MiB), randomBytes(MiB), randomBytes(300_000)]);
  await putDlo(account, container, 'large/dlo.bin', [randomBytes(200_000), randomBytes(100_000)]);
  await putSlo(account, container, 'large/slo-big.bin', [randomBytes(3 * MiB), randomBytes(3 * MiB)]);
  await putObject(account, container, 'small.txt', 'small');
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, { MULTIPART_THRESHOLD: '5MiB', PART_SIZE: '5MiB', PART_CONCURRENCY: '2' }, { swift: proxy.url, s3: proxy.url, target });

  const first = await runCli(['copy'], env);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.equal(summaryOf(first).copied, 5);
  assert.ok(proxy.count('s3_part_put') >= 3 + 2, 'the 12 MiB object and the 6 MiB SLO went up in parts');
  const source = await readAll(account, container);
  assert.equal(source.get('large/dlo.bin')?.size, 300_000, 'the fixture DLO assembles');
  assert.deepEqual(await readAllS3(s3, bucket), source);
  assert.equal(await openUploadCount(s3, bucket), 0, 'no multipart upload left open');

  const head = await headObject(s3, bucket, 'big/multipart.bin');
  assert.equal(head.Metadata?.md5chksum, createHash('md5').update(big).digest('base64'), 'rclone-compatible md5chksum stored');
  assert.equal(proxy.countFor('s3_part_put', '/big/multipart.bin'), 3, 'three parts of 5 MiB');
  // NooBaa's ETag is opaque (mtime and inode), not the MD5 of the part MD5s with "-<parts>".
  if (target.name !== 'nsfs') assert.match(head.ETag ?? '', /-3"$/, 'the ETag of three parts');
  const slo = await headObject(s3, bucket, 'large/slo.bin');
  assert.equal(Buffer.from(slo.Metadata?.md5chksum ?? '', 'base64').toString('hex'), source.get('large/slo.bin')?.md5);

  proxy.reset();
  const second = await runCli(['copy'], env);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(summaryOf(second).copied, 0);
  assert.equal(proxy.count('swift_object_get'), 0);
  assert.equal(proxy.count('s3_object_put') + proxy.count('s3_part_put'), 0);
  // On s3api only the four large objects lack a plain-MD5 ETag; on NooBaa no ETag is one, so all five may need a HEAD.
  const opaqueEtags = target.name !== 'nsfs' ? 4 : 5;
  assert.ok(proxy.count('s3_object_head') <= opaqueEtags, `at most one HEAD for each object whose ETag is not a plain MD5 (${proxy.count('s3_object_head')})`);
});

testOnEachTarget('content type, content headers, custom metadata and the mtime travel with the object', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'report.pdf', 'pdf bytes', {
    'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="r.pdf"', 'cache-control': 'max-age=60',
    'content-encoding': 'identity', 'x-object-meta-color': 'blue', 'x-object-meta-owner': 'chris',
  });
  await putObject(account, container, 'heavy-meta.bin', 'x', { 'x-object-meta-big1': 'a'.repeat(250), ...Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`x-object-meta-filler${i}`, 'b'.repeat(250)])) });
  const result = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(result.code, 0, result.stderr);
  const head = await headObject(s3, bucket, 'report.pdf');
  assert.equal(head.ContentType, 'application/pdf');
  assert.equal(head.ContentEncoding, 'identity');
  // Both NooBaa kinds drop Content-Disposition and Cache-Control (they keep Content-Type and Content-Encoding).
  if (target.name === 's3api') {
    assert.equal(head.ContentDisposition, 'attachment; filename="r.pdf"');
    assert.equal(head.CacheControl, 'max-age=60');
  }
  assert.equal(head.Metadata?.color, 'blue');
  assert.equal(head.Metadata?.owner, 'chris');
  assert.match(head.Metadata?.mtime ?? '', /^\d{10}(\.\d+)?$/);
  assert.ok(Math.abs(Number(head.Metadata?.mtime) - Date.now() / 1000) < 600, 'mtime is the source time in seconds');
  const heavy = await headObject(s3, bucket, 'heavy-meta.bin');
  const kept = Object.keys(heavy.Metadata ?? {}).filter((name) => name.startsWith('filler') || name === 'big1');
  assert.ok(kept.length >= 6 && kept.length < 10, `metadata cut to fit 2 KiB (kept ${kept.length})`);
  const summary = summaryOf(result);
  assert.equal(summary.copied, 2);
  assert.match(JSON.stringify(summary.notes), /heavy-meta\.bin.*metadata not copied/);
});

testOnEachTarget('several containers go under their own prefixes and S3_PREFIX is prepended', async (_t, target) => {
  const first = await freshContainer('alpha');
  const second = await freshContainer('beta');
  const { s3, bucket } = await freshBucket(target);
  await putObject(first.account, first.container, 'x/1.txt', 'one');
  await putObject(second.account, second.container, 'y/2.txt', 'two');
  const result = await runCli(['copy'], copierEnv(`${first.container}=${first.container}/,${second.container}=${second.container}`, bucket, { S3_PREFIX: 'migrated' }, { target }));
  assert.equal(result.code, 0, result.stderr);
  const keys = [...(await readAllS3(s3, bucket)).keys()].sort();
  assert.deepEqual(keys, [`migrated/${first.container}/x/1.txt`, `migrated/${second.container}/y/2.txt`]);
});

testOnEachTarget('a <name>_segments container copied with <name>: its SLO arrives assembled, the segments not again', async (_t, target) => {
  const { account, container } = await freshContainer('seg');
  const { s3, bucket } = await freshBucket(target);
  await putSlo(account, container, 'volume.nii', [randomBytes(MiB), randomBytes(1000)]);
  await putObject(account, container, 'plain.txt', 'plain');
  const result = await runCli(['copy'], copierEnv(`${container}=${container}/,${container}_segments=${container}_segments/`, bucket, { PROGRESS_INTERVAL: '0.2', BWLIMIT: '512KiB' }, { target }));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(summaryOf(result).segments, 2, 'both segments accounted for as parts of the SLO');
  // ~1 MiB at 512 KiB/s takes about two seconds: several 0.2 s progress ticks.
  assert.match(result.stdout, /"msg":"progress"/, 'progress lines every PROGRESS_INTERVAL');
  const keys = [...(await readAllS3(s3, bucket)).keys()].sort();
  assert.deepEqual(keys, [`${container}/plain.txt`, `${container}/volume.nii`]);
});
