import assert from 'node:assert/strict';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putDlo, putObject, putSlo, readAll } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';
import { testOnEachTarget } from '../support/targets.ts';

// Every check that finds a difference copies inside the slot it holds: at TRANSFERS=1 a pool that made a check
// wait for a second slot of its own pool could never move again (exit 13, no summary).
for (const transfers of ['1', '2']) {
  testOnEachTarget(`at TRANSFERS=${transfers} a rerun over same-size rewrites ends with a summary and copies each of them`, async (t, target) => {
    const { account, container } = await freshContainer();
    const { s3, bucket } = await freshBucket(target);
    for (let i = 0; i < 12; i++) await putObject(account, container, `home/chris/feeds/feed_1/data/f${i}.dcm`, `first ${String(i).padStart(3, '0')}`);
    // Multipart ETags everywhere, so every same-size object needs a HEAD on s3api too.
    const env = copierEnv(container, bucket, { TRANSFERS: transfers, TAKEOVER: 'recopy' }, { target });
    assert.equal((await runCli(['copy'], env)).code, 0);
    for (let i = 0; i < 12; i += 2) await putObject(account, container, `home/chris/feeds/feed_1/data/f${i}.dcm`, `later ${String(i).padStart(3, '0')}`);
    const proxy = await proxyFor(target);
    t.after(() => proxy.close());
    const rerun = await runCli(['copy'], { ...env, S3_ENDPOINT: proxy.url, SWIFT_AUTH_URL: `${proxy.url}/auth/v1.0` }, 60_000);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(summaryOf(rerun).copied, 6);
    assert.equal(proxy.count('swift_object_get'), 6, 'only the rewritten objects are read again');
    assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  });

  testOnEachTarget(`at TRANSFERS=${transfers} a bucket of multipart objects another client wrote is settled, wrong ones recopied`, async (_t, target) => {
    const { account, container } = await freshContainer();
    const { s3, bucket } = await freshBucket(target);
    const names = Array.from({ length: 8 }, (_, i) => `SERVICES/PACS/mr_${i}.dcm`);
    for (const [i, name] of names.entries()) {
      const body = Buffer.alloc(5 * 1024 * 1024 + 100, i);
      await putObject(account, container, name, body);
      // Another tool's multipart upload: an ETag "<md5>-1", no md5chksum; odd ones hold other bytes of the same size.
      const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: name }));
      const stored = i % 2 === 0 ? body : Buffer.alloc(body.length, 200 + i);
      const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: name, UploadId: upload.UploadId, PartNumber: 1, Body: stored }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: name, UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    }
    for (const takeover of ['recopy', 'hash']) {
      const result = await runCli(['copy'], copierEnv(container, bucket, { TRANSFERS: transfers, TAKEOVER: takeover }, { target }), 60_000);
      assert.equal(result.code, 0, result.stderr);
      const summary = summaryOf(result);
      if (takeover === 'recopy') assert.equal(summary.copied, 8, 'recopy: nothing carries an MD5 the copier can read');
      else assert.equal(summary.unchanged, 8, 'after the recopy every object carries md5chksum');
    }
    assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  });

  testOnEachTarget(`at TRANSFERS=${transfers} changed SLOs and DLOs are copied again, unchanged ones are not`, async (_t, target) => {
    const { account, container } = await freshContainer();
    const { s3, bucket } = await freshBucket(target);
    const segment = (fill: number) => Buffer.alloc(1024 * 1024 + 7, fill);
    await putSlo(account, container, 'big/slo-a', [segment(1), segment(2)]);
    await putSlo(account, container, 'big/slo-b', [segment(3), segment(4)]);
    await putDlo(account, container, 'big/dlo-a', [segment(5), segment(6)]);
    await putDlo(account, container, 'big/dlo-b', [segment(7), segment(8)]);
    await putObject(account, container, 'small', 'x');
    const env = copierEnv(container, bucket, { TRANSFERS: transfers }, { target });
    assert.equal((await runCli(['copy'], env)).code, 0);
    // Same sizes, other bytes.
    await putSlo(account, container, 'big/slo-a', [segment(9), segment(2)]);
    await putDlo(account, container, 'big/dlo-a', [segment(10), segment(6)]);
    const rerun = await runCli(['copy'], env, 60_000);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(summaryOf(rerun).copied, 2);
    assert.equal(summaryOf(rerun).unchanged, 3);
    const source = await readAll(account, container);
    const copied = await readAllS3(s3, bucket);
    for (const name of ['big/slo-a', 'big/slo-b', 'big/dlo-a', 'big/dlo-b', 'small']) assert.deepEqual(copied.get(name), source.get(name), name);
  });
}
