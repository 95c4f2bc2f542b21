// How the bytes of each object are proven, and that each proof is made once: by the server's ETag where it answers
// with the Content-MD5 it was sent (s3api), by hashing in the copier where it does not (NooBaa's file-backed
// buckets), and a part's Content-MD5 only where the server checks it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf, type CliResult } from '../support/cli.ts';
import { putObject, readAll } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';

const retryErrors = (result: CliResult) => result.stdout.split('\n').filter((line) => line.includes('"retrying object"')).map((line) => String((JSON.parse(line) as { err?: string }).err));

async function containerOf(count: number, size: number) {
  const { account, container } = await freshContainer('proof');
  for (let i = 0; i < count; i++) await putObject(account, container, `home/chris/uploads/file-${i}.dcm`, randomBytes(size));
  return { account, container, source: await readAll(account, container) };
}

testOnEachTarget('a byte changed on the way from Swift is caught once: by the server\'s Content-MD5 check on s3api, by the copier\'s MD5 on NooBaa', async (t, target) => {
  const { container, source } = await containerOf(6, 200 * 1024);
  const { s3, bucket } = await freshBucket(target, 'proof');
  const proxy = await proxyFor(target, [{ kinds: ['swift_object_get'], fault: { kind: 'corrupt-body' }, every: 2, limit: 2 }]);
  t.after(() => proxy.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, { LOG_LEVEL: 'info' }, { swift: proxy.url, s3: proxy.url, target }));
  assert.equal(result.stderr.includes('non-retryable'), false, 'the SDK prints nothing of its own on stderr');
  assert.equal(result.code, 0, `${result.stderr}\n${result.stdout.split('\n').filter((line) => /warn|error/.test(line)).slice(0, 8).join('\n')}`);
  assert.deepEqual(await readAllS3(s3, bucket), source, 'every object arrived whole');
  const errors = retryErrors(result);
  assert.equal(errors.length, 2, `two objects were sent again: ${errors.join(' | ')}`);
  for (const error of errors) {
    // Where the server proves the bytes, the copier does not hash them: had it, its own check would have come first.
    if (target.name !== 'nsfs') assert.match(error, /BadDigest|Content-MD5/, 's3api refused the body');
    else assert.match(error, /MD5 of the bytes read .* is not Swift's ETag/, 'the copier refused the body before NooBaa had all of it');
  }
});

testOnEachTarget('a bucket named s3 that does not echo Content-MD5 as its ETag: unproven writes are sent again, hashed, and nothing is lost', async (t, target) => {
  const { container, source } = await containerOf(12, 64 * 1024);
  const { s3, bucket } = await freshBucket(target, 'proof');
  // BUCKET_KIND=s3 skips the probe: the copier first expects every bucket's ETags to be MD5s, and learns otherwise.
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, { TRANSFERS: '4', LOG_LEVEL: 'info', BUCKET_KIND: 's3' }, { swift: proxy.url, s3: proxy.url, target }));
  assert.equal(result.code, 0, `${result.stderr}\n${result.stdout.split('\n').filter((line) => /warn|error/.test(line)).slice(0, 8).join('\n')}`);
  assert.deepEqual(await readAllS3(s3, bucket), source, 'every object arrived whole');
  const errors = retryErrors(result);
  if (target.name !== 'nsfs') {
    assert.deepEqual(errors, [], 's3api and a data bucket answer each PUT with its MD5: nothing to send again');
  } else {
    assert.ok(errors.length >= 1 && errors.length <= 4, `only the writes in flight before the first opaque ETag were sent again (${errors.length})`);
    for (const error of errors) assert.match(error, /not the MD5 it was sent/);
    assert.equal(summaryOf(result).copied, source.size);
  }
});

testOnEachTarget('parts go UNSIGNED-PAYLOAD (no SHA-256 of every byte), with a Content-MD5 only where the server checks it', async (t, target) => {
  const { container, source } = await containerOf(1, 12 * 1024 * 1024);
  const { s3, bucket } = await freshBucket(target, 'proof');
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, { MULTIPART_THRESHOLD: '5MiB', PART_SIZE: '5MiB' }, { swift: proxy.url, s3: proxy.url, target }));
  assert.equal(result.code, 0, `${result.stderr}\n${result.stdout.split('\n').filter((line) => /warn|error/.test(line)).slice(0, 8).join('\n')}`);
  assert.deepEqual(await readAllS3(s3, bucket), source, 'the object arrived whole');
  const parts = proxy.seen.filter((request) => request.kind === 's3_part_put');
  assert.equal(parts.length, 3);
  for (const part of parts) {
    assert.equal(part.headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    // NooBaa's file-backed buckets store a part whose Content-MD5 is wrong (../shared/noobaa): there it proves nothing.
    assert.equal(part.headers['content-md5'] !== undefined, target.name !== 'nsfs', `Content-MD5 on ${target.name}`);
  }
});
