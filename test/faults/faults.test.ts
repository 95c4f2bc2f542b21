// The fault suite: every fault kind injected between the copier and the real Swift and S3, then an independent
// comparison of both sides. Prints a table: fault kind, faults injected, retries made, objects verified, lost.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { testOnEachTarget, type Target } from '../support/targets.ts';
import { runCli, summaryOf, whyNotZero } from '../support/cli.ts';
import type { FaultRule } from '../support/counting-proxy.ts';
import { putObject, readAll, type SwiftAccount } from '../support/swift.ts';
import { openUploadCount, readAllS3 } from '../support/s3.ts';
import { contentOf, cubeDataset, eachLimit } from '../support/dataset.ts';

const MiB = 1024 * 1024;
const rows: string[][] = [];
let account: SwiftAccount;
let container: string;
let source: Map<string, { size: number; md5: string }>;

before(async () => {
  ({ account, container } = await freshContainer('faults'));
  const objects = cubeDataset(40, 0, 64 * 1024, 7);
  await eachLimit(objects, 8, (object) => putObject(account, container, object.name, contentOf(object)));
  await putObject(account, container, 'home/chris/uploads/big-1.nii', randomBytes(11 * MiB), { 'X-Object-Meta-Mtime': '1700000000.25', 'X-Object-Meta-Patient': 'Zoë Ångström' });
  await putObject(account, container, 'home/chris/uploads/big-2.nii', randomBytes(7 * MiB));
  source = await readAll(account, container);
});

after(() => {
  const header = ['fault kind', 'target', 'injected', 'retries', 'verified', 'lost'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  process.stdout.write(`\n${[line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')}\n\n`);
});

const ENV = { MULTIPART_THRESHOLD: '5MiB', PART_SIZE: '5MiB', PART_CONCURRENCY: '2', TRANSFERS: '4', REQUEST_TIMEOUT: '2', MAX_RETRIES: '10', RETRY_BASE_DELAY: '20' };

async function survives(target: Target, name: string, rules: FaultRule[]): Promise<void> {
  const { s3, bucket } = await freshBucket(target, 'faults');
  const proxy = await proxyFor(target, rules, 240_000);
  try {
    const result = await runCli(['copy'], copierEnv(container, bucket, ENV, { swift: proxy.url, s3: proxy.url, target }), 240_000);
    const destination = await readAllS3(s3, bucket);
    const lost = [...source.keys()].filter((key) => destination.get(key)?.md5 !== source.get(key)!.md5);
    const summary = result.code === 2 ? undefined : summaryOf(result);
    rows.push([name, target.name, String(proxy.injectedTotal()), String(summary?.retries ?? '-'), String(source.size - lost.length), String(lost.length)]);
    assert.equal(result.code, 0, `${name}: ${whyNotZero(result)}`);
    assert.ok(proxy.injectedTotal() > 0, 'the fault was injected');
    assert.deepEqual(destination, source, 'every object arrived whole, nothing extra');
    assert.equal(await openUploadCount(s3, bucket), 0, 'no multipart upload left open');
    assert.equal(summary!.copied, source.size);
    assert.equal(summary!.failed, 0);
    assert.ok(Number(summary!.retries) >= 1, "the copier retried");
  } finally {
    await proxy.close();
  }
}

const S3_WRITES = ['s3_object_put', 's3_part_put'];
const SWIFT_GET = ['swift_object_get'];

testOnEachTarget('S3 500 InternalError (NooBaa catch-all) on writes', (_t, target) => survives(target, 's3 500 InternalError', [{ kinds: S3_WRITES, fault: { kind: 'status', status: 500 }, every: 3, limit: 10 }]));
testOnEachTarget('S3 503 SlowDown on every kind of request', (_t, target) => survives(target, 's3 503 SlowDown', [{ kinds: [...S3_WRITES, 's3_list', 's3_multipart_post'], fault: { kind: 'status', status: 503 }, every: 4, limit: 10 }]));
testOnEachTarget('S3 429 Too Many Requests', (_t, target) => survives(target, 's3 429', [{ kinds: S3_WRITES, fault: { kind: 'status', status: 429 }, every: 3, limit: 6 }]));
testOnEachTarget('Swift 500 and 503 on object reads and listings', (_t, target) => survives(target, 'swift 500/503', [
  { kinds: SWIFT_GET, fault: { kind: 'status', status: 500 }, every: 3, limit: 6 },
  { kinds: ['swift_container_get'], fault: { kind: 'status', status: 503 }, every: 1, limit: 1 },
]));
testOnEachTarget('Swift 401: the token expired, authenticate again', (_t, target) => survives(target, 'swift 401 expired token', [{ kinds: SWIFT_GET, fault: { kind: 'status', status: 401 }, every: 5, limit: 4 }]));
testOnEachTarget('connection reset before the response', (_t, target) => survives(target, 'reset before response', [{ kinds: [...S3_WRITES, ...SWIFT_GET], fault: { kind: 'reset-before-response' }, every: 4, limit: 8 }]));
testOnEachTarget('connection reset in the middle of a GET body', (_t, target) => survives(target, 'reset mid GET body', [{ kinds: SWIFT_GET, fault: { kind: 'reset-mid-response' }, every: 3, limit: 6 }]));
testOnEachTarget('connection reset in the middle of a PUT or UploadPart body', (_t, target) => survives(target, 'reset mid PUT body', [{ kinds: S3_WRITES, fault: { kind: 'reset-mid-request' }, every: 3, limit: 6 }]));
testOnEachTarget('a Swift response stalled past the client timeout', (_t, target) => survives(target, 'stall swift GET', [{ kinds: SWIFT_GET, fault: { kind: 'stall', ms: 8000 }, every: 5, limit: 2 }]));
testOnEachTarget('an S3 write stalled past the client timeout', (_t, target) => survives(target, 'stall s3 PUT', [{ kinds: S3_WRITES, fault: { kind: 'stall', ms: 8000 }, every: 5, limit: 2 }]));
testOnEachTarget('a Swift GET body truncated while Content-Length is kept', (_t, target) => survives(target, 'truncated GET body', [{ kinds: SWIFT_GET, fault: { kind: 'truncate-keep-length' }, every: 3, limit: 6 }]));
testOnEachTarget('a Swift GET body corrupted (same length, one byte flipped): caught by the MD5', (_t, target) => survives(target, 'corrupted GET body', [{ kinds: SWIFT_GET, fault: { kind: 'corrupt-body' }, every: 4, limit: 5 }]));

const COMPLETE = { kinds: ['s3_multipart_post'], pathIncludes: 'uploadId=' };
testOnEachTarget('the answers to writes lost after the server did them (PUT, UploadPart, CompleteMultipartUpload)', (_t, target) => survives(target, 'write answer lost', [
  { ...COMPLETE, fault: { kind: 'answer-lost' }, every: 1, limit: 2 },
  { kinds: S3_WRITES, fault: { kind: 'answer-lost' }, every: 4, limit: 6 },
]));
testOnEachTarget('a CompleteMultipartUpload that finds no upload (404 NoSuchUpload) sends the object again', (_t, target) => survives(target, 'upload gone (404)', [{ ...COMPLETE, fault: { kind: 'status', status: 404, code: 'NoSuchUpload' }, every: 1, limit: 1 }]));

testOnEachTarget('a CompleteMultipartUpload whose answer is lost leaves the object it made in place: no part is sent again', async (_t, target) => {
  const { s3, bucket } = await freshBucket(target, 'faults');
  const lostOnce = (name: string): FaultRule => ({ kinds: COMPLETE.kinds, pathIncludes: `${name}?uploadId=`, fault: { kind: 'answer-lost' }, every: 1, limit: 1 });
  const proxy = await proxyFor(target, [lostOnce('big-1.nii'), lostOnce('big-2.nii')], 120_000);
  try {
    const result = await runCli(['copy'], copierEnv(container, bucket, ENV, { swift: proxy.url, s3: proxy.url, target }), 120_000);
    assert.equal(result.code, 0, whyNotZero(result));
    assert.equal(proxy.injectedTotal(), 2, 'the first answer to each completion was lost');
    assert.equal(proxy.count('s3_part_put'), 3 + 2, 'the 11 MiB and 7 MiB objects sent their parts once');
    assert.deepEqual(await readAllS3(s3, bucket), source);
    assert.equal(await openUploadCount(s3, bucket), 0);
    // Swift's s3api completes an upload twice; both NooBaas answer the second time that there is none.
    if (target.name !== 's3api') assert.equal(result.stdout.match(/the multipart upload had completed, its answer lost/g)?.length, 2, result.stdout);
  } finally {
    await proxy.close();
  }
});

testOnEachTarget('a Swift listing that keeps failing ends the shard in one line (exit 1, not an internal error), with its summary and termination message', async (t, target) => {
  const { bucket } = await freshBucket(target, 'faults');
  const proxy = await proxyFor(target, [{ kinds: ['swift_container_get'], fault: { kind: 'status', status: 500 }, every: 1, limit: 1000 }], 120_000);
  const termination = join(tmpdir(), `swift-to-s3-termination-${randomBytes(4).toString('hex')}`);
  t.after(() => rmSync(termination, { force: true }));
  try {
    const result = await runCli(['copy'], copierEnv(container, bucket, { ...ENV, MAX_RETRIES: '2', TERMINATION_MESSAGE_PATH: termination }, { swift: proxy.url, s3: proxy.url, target }), 120_000);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr, `swift-to-s3: Swift listing of "${container}" answered 500, and still after its retries (MAX_RETRIES): the index can be run again\n`);
    assert.equal(proxy.count('swift_container_get'), 3, 'the first try and MAX_RETRIES more');
    const summary = summaryOf(result);
    assert.match(JSON.stringify(summary.failures), /answered 500, and still after its retries/);
    assert.match(readFileSync(termination, 'utf8'), /answered 500, and still after its retries/);
  } finally {
    await proxy.close();
  }
});

testOnEachTarget('an object that keeps failing is reported by name, exits 1, and never stops the rest of the shard', async (_t, target) => {
  const { s3, bucket } = await freshBucket(target, 'faults');
  const proxy = await proxyFor(target, [{ kinds: ['s3_object_put'], pathIncludes: 'big-2.nii', fault: { kind: 'status', status: 500 }, every: 1, limit: 1000 }], 240_000);
  try {
    const result = await runCli(['copy'], copierEnv(container, bucket, { ...ENV, MULTIPART_THRESHOLD: '64MiB', MAX_RETRIES: '3' }, { swift: proxy.url, s3: proxy.url, target }), 240_000);
    assert.equal(result.code, 1, result.stderr);
    const summary = summaryOf(result);
    assert.equal(summary.failed, 1);
    assert.equal(summary.copied, source.size - 1);
    assert.match(JSON.stringify(summary.failures), /big-2\.nii/);
    assert.match(result.stdout, /"key":"home\/chris\/uploads\/big-2.nii".*"object failed"/);
    const destination = await readAllS3(s3, bucket);
    assert.equal(destination.has('home/chris/uploads/big-2.nii'), false, 'no partial object');
    rows.push(['persistent 500 on one key', target.name, String(proxy.injectedTotal()), String(summary.retries), String(destination.size), `0 (1 reported)`]);
  } finally {
    await proxy.close();
  }
});
