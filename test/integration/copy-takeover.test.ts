import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { rcloneCopy } from '../support/rclone.ts';
import { deleteKey, headObject, readAllS3 } from '../support/s3.ts';
import { putObject, readAll } from '../support/swift.ts';
import { testOnEachTarget } from '../support/targets.ts';

const names = Array.from({ length: 30 }, (_, i) => `home/chris/feeds/feed_${i % 4}/pl-dircopy_${i}/data/scan ${i}.dcm`);
const bodyOf = (i: number) => Buffer.alloc(3000 + i * 101, `scan ${i} `);

/** A container, and a bucket rclone filled; then 10 objects removed and 3 rewritten with other bytes of the same size. */
async function halfFilledByRclone(target: Parameters<typeof freshBucket>[0]) {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (const [i, name] of names.entries()) await putObject(account, container, name, bodyOf(i));
  await rcloneCopy(container, bucket, target!);
  for (const name of names.slice(0, 10)) await deleteKey(s3, bucket, name);
  for (const [i, name] of names.slice(10, 13).entries()) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: name, Body: Buffer.alloc(bodyOf(10 + i).length, 'X') }));
  return { account, container, s3, bucket };
}

testOnEachTarget('taking over a bucket rclone half filled reads from Swift only what is missing or wrong', async (t, target) => {
  const { account, container, s3, bucket } = await halfFilledByRclone(target);
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target });
  const takeover = await runCli(['copy'], env);
  assert.equal(takeover.code, 0, takeover.stderr);
  const summary = summaryOf(takeover);
  assert.equal(summary.copied, 13, '10 missing and 3 wrong');
  assert.equal(proxy.count('swift_object_get'), 13, 'no Swift GET for the 17 objects already right');
  if (target.name === 'nsfs') {
    // Opaque ETags and no md5chksum on rclone's single-part uploads: only the stored bytes can prove them.
    assert.equal(summary.adopted, 17);
    assert.equal(proxy.count('s3_object_get'), 20, 'the 17 right and 3 wrong objects hashed from the bucket');
    const adopted = await headObject(s3, bucket, names[20]!);
    assert.ok(adopted.Metadata?.md5chksum, 'an adopted object carries md5chksum');
  } else {
    // s3api's ETags are plain MD5s: the listing proves them.
    assert.equal(summary.unchanged, 17);
  }
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));

  proxy.reset();
  const rerun = await runCli(['copy'], env);
  assert.equal(summaryOf(rerun).unchanged, 30);
  assert.equal(proxy.count('swift_object_get') + proxy.count('s3_object_get') + proxy.count('s3_object_put'), 0, 'a rerun after the takeover moves no bytes');
});

testOnEachTarget('TAKEOVER=recopy reads every unproven object from Swift again instead of hashing the bucket', async (t, target) => {
  const { account, container, s3, bucket } = await halfFilledByRclone(target);
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, { TAKEOVER: 'recopy' }, { swift: proxy.url, s3: proxy.url, target }));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(summaryOf(result).adopted, 0);
  assert.equal(proxy.count('s3_object_get'), 0, 'nothing read from the bucket');
  assert.equal(proxy.count('swift_object_get'), target.name === 'nsfs' ? 30 : 13);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});
