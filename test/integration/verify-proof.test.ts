import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { readAllS3 } from '../support/s3.ts';
import { putDlo, putObject, readAll } from '../support/swift.ts';
import { s3api, testOnEachTarget } from '../support/targets.ts';

const md5 = (body: Buffer | string) => createHash('md5').update(body).digest();

/** Writes `body` under `key` as another client would, claiming `claimed`'s MD5 in md5chksum; multipart on request. */
async function plant(s3: S3Client, bucket: string, key: string, body: Buffer, claimed: Buffer, multipart: boolean): Promise<void> {
  const Metadata = { md5chksum: md5(claimed).toString('base64') };
  if (!multipart) { await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata })); return; }
  const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata }));
  const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId, PartNumber: 1, Body: body }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
}

function reportOf(stdout: string) {
  return JSON.parse(stdout) as { ok: boolean; different: number; matched: number; proven: { etag: number; bytes: number; metadata: number; download: number } };
}

testOnEachTarget('verify proves the stored bytes: a wrong object with a right-looking md5chksum fails it unless --trust-metadata', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (let i = 0; i < 6; i++) await putObject(account, container, `home/chris/f${i}.txt`, `content ${i}`);
  const right = Buffer.from('hello'.repeat(1000));
  await putObject(account, container, 'home/chris/planted.dcm', right);
  const env = copierEnv(container, bucket, {}, { target });
  assert.equal((await runCli(['copy'], env)).code, 0);
  // Same size, other bytes, and the md5chksum of the right ones; multipart, so no ETag can give it away.
  await plant(s3, bucket, 'home/chris/planted.dcm', Buffer.from('HELLO'.repeat(1000)), right, true);

  const proved = await runCli(['verify', '--json'], env);
  assert.equal(proved.code, 1, proved.stdout);
  const report = reportOf(proved.stdout);
  assert.equal(report.different, 1);
  assert.equal(report.matched, 6);
  if (target.name === 'nsfs') assert.equal(report.proven.bytes, 6, 'opaque ETags: every object proven by its stored bytes');
  else assert.equal(report.proven.etag, 6, 's3api: plain-MD5 ETags prove single-part objects');

  const trusting = await runCli(['verify', '--json', '--trust-metadata'], env);
  assert.equal(trusting.code, 0, 'with --trust-metadata the planted md5chksum is believed (that is what the option means)');
  assert.ok(reportOf(trusting.stdout).proven.metadata >= 1);
  assert.equal((await runCli(['verify', '--download'], env)).code, 1);
});

testOnEachTarget('verify ignores COMPARE=size: a same-size wrong object fails it', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'a.txt', 'AAAA');
  const env = copierEnv(container, bucket, { COMPARE: 'size' }, { target });
  assert.equal((await runCli(['copy'], env)).code, 0);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a.txt', Body: 'BBBB' }));
  const result = await runCli(['verify'], env);
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stdout, /COMPARE=size is ignored/);
});

testOnEachTarget('an empty DLO copied while empty is copied again once it has segments; verify notices in between', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putDlo(account, container, 'uploads/growing.nii', []);
  await putObject(account, container, 'empty.txt', '');
  const env = copierEnv(container, bucket, {}, { target });
  assert.equal((await runCli(['copy'], env)).code, 0);
  assert.equal((await runCli(['verify'], env)).code, 0);
  await putDlo(account, container, 'uploads/growing.nii', [Buffer.alloc(2000, 1), Buffer.alloc(3000, 2)]);
  const stale = await runCli(['verify'], env);
  assert.equal(stale.code, 1, 'verify sees the DLO has content now');
  const rerun = await runCli(['copy'], env);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(summaryOf(rerun).copied, 1);
  assert.equal(summaryOf(rerun).unchanged, 1, 'the plain empty object stays');
  const source = await readAll(account, container);
  assert.deepEqual((await readAllS3(s3, bucket)).get('uploads/growing.nii'), source.get('uploads/growing.nii'));
  const settled = await runCli(['copy'], env);
  assert.equal(summaryOf(settled).unchanged, 2, 'and is unchanged afterwards');
  assert.equal((await runCli(['verify'], env)).code, 0);
});

// s3api stores a single PUT with the body's MD5 as ETag: that outranks a disagreeing md5chksum. (On NooBaa's default
// buckets the ETag is opaque, so metadata is all the copier can read without the bytes; verify proves those above.)
test('a plain-MD5 ETag that disagrees with md5chksum means different, in copy and verify [s3api]', async () => {
  const target = s3api();
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const right = Buffer.from('hello');
  await putObject(account, container, 'x.txt', right);
  await plant(s3, bucket, 'x.txt', Buffer.from('HELLO'), right, false);
  const env = copierEnv(container, bucket, {}, { target });
  assert.equal((await runCli(['verify', '--trust-metadata'], env)).code, 1, 'even trusting metadata, the ETag outranks it');
  const copied = await runCli(['copy'], env);
  assert.equal(summaryOf(copied).copied, 1);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});
