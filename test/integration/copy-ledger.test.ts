// The resync ledger on NooBaa: an unchanged resync settled from the listings alone (or, within TRUST_LEDGER_HOURS of
// a full listing, from Swift's listing and the ledger), and every way a changed object, a lost, corrupt or foreign
// ledger, a new shard count or a Swift name like the ledger's goes the safe way.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, startCli, summaryOf, waitForOutput, type CliResult } from '../support/cli.ts';
import { deleteKey, listKeys, readAllS3 } from '../support/s3.ts';
import { deleteObject, putObject, readAll, type SwiftAccount } from '../support/swift.ts';
import { testOnEachTarget, testOnNsfs, type Target } from '../support/targets.ts';
import { ledgerName } from '../../src/sync/ledger.ts';

const MiB = 1024 * 1024;
const COUNT = 40;
const nameOf = (i: number) => `home/chris/feeds/feed_${i % 5}/data/scan ${String(i).padStart(2, '0')}.dcm`;
const bodyOf = (i: number, version = 1) => Buffer.alloc(2000 + i * 37, `v${version} scan ${i} `);
const ledgerOf = (container: string, shard = 0, shardCount = 1) => ledgerName({ container, shard, shardCount });
const md5 = (body: Buffer) => createHash('md5').update(body).digest('hex');

interface LedgerSummary { known: number; settled: number; learned: number; written: number; trusted: number }
const ledgerCounts = (result: CliResult) => summaryOf(result).ledger as LedgerSummary | undefined;

/** A container of COUNT small objects (and one multipart-sized one when asked), copied once into a fresh bucket. */
async function copiedOnce(t: { after: (fn: () => Promise<void>) => void }, target: Target, overrides: Record<string, string> = {}, withLarge = false) {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (let i = 0; i < COUNT; i++) await putObject(account, container, nameOf(i), bodyOf(i));
  if (withLarge) await putObject(account, container, 'home/chris/big.nii', randomBytes(6 * MiB));
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, { MULTIPART_THRESHOLD: '5MiB', PART_SIZE: '5MiB', ...overrides }, { swift: proxy.url, s3: proxy.url, target });
  const first = await runCli(['copy'], env);
  assert.equal(first.code, 0, first.stderr + first.stdout.slice(-3000));
  proxy.reset();
  return { account, container, s3, bucket, proxy, env, objects: COUNT + (withLarge ? 1 : 0) };
}

/** Tests of what every target shares but for its listing run on both NooBaa kinds; s3api's ledger is the data
 *  bucket's (MD5 ETags), and the suite's time is kept under 30 minutes (docs/development.md, test time). */
const ONE_MD5_TARGET = 'the data bucket runs it for the targets whose ETags are MD5s';

/** The HEADs a resync that lists the bucket and has no ledger asks for `objects` unchanged small objects: one each on
 *  NSFS (its listed ETags name versions), none where the listed ETag is the MD5. */
const headsWithoutLedger = (target: Target, objects: number) => (target.name === 'nsfs' ? objects : 0);

async function resync(env: Record<string, string>): Promise<CliResult> {
  const result = await runCli(['copy'], env);
  assert.equal(result.code, 0, result.stderr + result.stdout.slice(-3000));
  return result;
}

async function sameAsSwift(account: SwiftAccount, container: string, s3: S3Client, bucket: string): Promise<void> {
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
}

testOnEachTarget('a resync of unchanged data moves no bytes, and the ledger settles it without a HEAD per object and without listing the bucket', async (t, target) => {
  const { account, container, s3, bucket, proxy, env, objects } = await copiedOnce(t, target, {}, true);
  const keys = await listKeys(s3, bucket, '', { ledgers: true });
  const again = await resync(env);
  assert.equal(summaryOf(again).unchanged, objects);
  assert.equal(summaryOf(again).copied, 0);
  for (const kind of ['swift_object_get', 's3_object_get', 's3_object_put', 's3_part_put']) assert.equal(proxy.count(kind), 0, kind);
  assert.ok(keys.includes(ledgerOf(container)), `the first copy wrote the ledger (${keys.filter((key) => key.startsWith('.')).join(', ')})`);
  assert.equal(proxy.count('s3_object_head'), 0, 'no HEAD: every listed ETag is the one the copier wrote (the multipart one too)');
  assert.equal(proxy.count('s3_ledger_get'), 2, 'one read of the ledger, and one asking for a failed verify\'s note (there is none)');
  assert.equal(proxy.countFor('s3_ledger_get', '/relist.json'), 1);
  assert.equal(proxy.count('s3_ledger_put'), 0, 'nothing new learned: the ledger is not written again');
  assert.equal(proxy.count('s3_list'), 1, 'only the check of the bucket at start (one key): the copy listed the bucket in full, so within TRUST_LEDGER_HOURS the ledger stands in for its listing');
  assert.deepEqual(ledgerCounts(again), { known: objects, settled: objects, learned: 0, written: 0, trusted: 1 });
  await sameAsSwift(account, container, s3, bucket);
});

testOnEachTarget('where ETags are MD5s, a resync that lists the bucket teaches a ledger what the listing settled: no HEAD, and the next run trusts it', async (t, target) => {
  if (target.name === 'nsfs') return t.skip('NSFS lists version ETags: what its listing cannot settle gets a HEAD (the next test)');
  const { container, s3, bucket, proxy, env } = await copiedOnce(t, target);
  await deleteKey(s3, bucket, ledgerOf(container));
  const listed = await resync({ ...env, TRUST_LEDGER_HOURS: '24' });
  assert.equal(proxy.count('s3_object_head'), 0);
  assert.deepEqual(ledgerCounts(listed), { known: 0, settled: 0, learned: COUNT, written: 1, trusted: 0 }, 'a bucket filled by others (rclone) gets its ledger from one listing');
  proxy.reset();
  const trusted = await resync(env);
  assert.deepEqual(ledgerCounts(trusted), { known: COUNT, settled: COUNT, learned: 0, written: 0, trusted: 1 });
  assert.equal(proxy.count('s3_list'), 1);
});

testOnNsfs('an object written again behind the copier\'s back is examined with a HEAD, never settled by the ledger, when the bucket is listed', async (t, target) => {
  const { account, container, s3, bucket, proxy, env } = await copiedOnce(t, target, { TRUST_LEDGER_HOURS: '0' });
  // Through the S3 API, as CUBE or a person would: the same bytes, other bytes of the same size, the same bytes with
  // a right md5chksum, a metadata copy onto itself, and another key's bytes copied onto it.
  const same = nameOf(1);
  const other = nameOf(2);
  const withMd5 = nameOf(3);
  const selfCopy = nameOf(4);
  const copiedOver = nameOf(5);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: same, Body: bodyOf(1) }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: other, Body: Buffer.alloc(bodyOf(2).length, 'X') }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: withMd5, Body: bodyOf(3), Metadata: { md5chksum: Buffer.from(md5(bodyOf(3)), 'hex').toString('base64') } }));
  await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: selfCopy, CopySource: `${bucket}/${encodeURI(selfCopy)}`, MetadataDirective: 'REPLACE', Metadata: { note: 'touched' } }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere', Body: Buffer.alloc(bodyOf(5).length, 'Y') }));
  await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: copiedOver, CopySource: `${bucket}/elsewhere` }));
  await deleteKey(s3, bucket, 'elsewhere');

  const again = await resync(env);
  const summary = summaryOf(again);
  for (const key of [same, other, withMd5, selfCopy, copiedOver]) assert.equal(proxy.countFor('s3_object_head', `/${bucket}/${key}`), 1, `one HEAD of ${key}`);
  assert.equal(proxy.count('s3_object_head'), 5, 'the 35 others settled by the ledger');
  assert.equal(ledgerCounts(again)?.settled, COUNT - 5);
  assert.equal(summary.copied, 2, 'other bytes, and another key\'s bytes');
  assert.equal(summary.adopted, 2, 'the same bytes without md5chksum and the metadata copy: hashed from the bucket');
  assert.equal(summary.unchanged, COUNT - 5 + 1, 'the same bytes whose md5chksum says so');
  assert.equal(proxy.countFor('swift_object_get', `/${container}/${other}`), 1);
  await sameAsSwift(account, container, s3, bucket);

  proxy.reset();
  const settledAgain = await resync(env);
  assert.equal(proxy.count('s3_object_head'), 0, 'what the HEADs, copies and adoptions proved is in the ledger now');
  assert.equal(summaryOf(settledAgain).unchanged, COUNT);
});

testOnEachTarget('within TRUST_LEDGER_HOURS a resync lists only Swift: new objects get a HEAD, gone ones are extraneous, and the bucket\'s own changes wait for a full listing or a failed verify\'s note', async (t, target) => {
  const { account, container, s3, bucket, proxy, env } = await copiedOnce(t, target);
  await putObject(account, container, 'home/chris/new.txt', 'new since the copy');
  await deleteObject(account, container, nameOf(3));
  // Behind the copier's back, in the bucket alone: one object deleted, one written over with other bytes of its size.
  await deleteKey(s3, bucket, nameOf(5));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: nameOf(6), Body: Buffer.alloc(bodyOf(6).length, 'X') }));
  const trusted = await resync(env);
  const summary = summaryOf(trusted);
  assert.equal(proxy.count('s3_list'), 1, 'the bucket is not listed (but for the check of one key at start)');
  assert.equal(ledgerCounts(trusted)?.trusted, 1);
  assert.equal(proxy.countFor('s3_object_head', `/${bucket}/home/chris/new.txt`), 1, 'a name the ledger does not know: its HEAD first');
  assert.equal(summary.copied, 1);
  assert.equal(summary.extraneous, 1, 'the object deleted in Swift, from the ledger\'s entry');
  assert.equal(summary.unchanged, COUNT - 1, 'the two changed in the bucket are not seen: the ledger is trusted');
  assert.equal(proxy.count('s3_object_head'), 1, 'the new object\'s');

  const verified = await runCli(['verify', '--all'], env);
  assert.notEqual(verified.code, 0, 'verify lists the bucket and reads what is there: it finds both');
  assert.match(verified.stdout + verified.stderr, new RegExp(nameOf(5).replaceAll('.', '\\.')));

  proxy.reset();
  const listed = await resync(env);
  assert.equal(ledgerCounts(listed)?.trusted, 0, 'the failed verify\'s note: the bucket is listed');
  assert.ok(proxy.count('s3_list') >= 2, 'the bucket is listed');
  assert.equal(summaryOf(listed).copied, 2, 'the full listing finds both, and copies them again');
  assert.equal(ledgerCounts(await resync(env))?.trusted, 1, 'listed after the note: trusted again');

  proxy.reset();
  const deleting = await resync({ ...env, DELETE_EXTRANEOUS: 'true' });
  assert.equal(ledgerCounts(deleting)?.trusted, 0, 'deleting needs to see what the bucket holds: it is listed');
  assert.ok(proxy.count('s3_list') >= 2);
  assert.equal(summaryOf(deleting).deleted, 1, 'the object deleted in Swift');
});

testOnEachTarget('a Swift object changed since the ledger (same size, other MD5) is copied', async (t, target) => {
  const { account, container, s3, bucket, proxy, env } = await copiedOnce(t, target);
  const changed = nameOf(7);
  await putObject(account, container, changed, bodyOf(7, 2));
  assert.equal(bodyOf(7, 2).length, bodyOf(7).length);
  const again = await resync(env);
  assert.equal(summaryOf(again).copied, 1);
  assert.equal(proxy.countFor('swift_object_get', `/${container}/${changed}`), 1);
  assert.equal(proxy.count('s3_object_put'), 1);
  assert.equal(ledgerCounts(again)?.settled, COUNT - 1);
  await sameAsSwift(account, container, s3, bucket);
  proxy.reset();
  await resync(env);
  assert.equal(proxy.count('s3_object_head') + proxy.count('s3_object_put'), 0, 'the new copy is in the ledger');
});

testOnEachTarget('a lost, cut, corrupt or foreign ledger is read as empty: the bucket is listed, every object gets its HEAD where the listing cannot settle it, and the ledger is written anew', async (t, target) => {
  if (target.name === 's3api') return t.skip(ONE_MD5_TARGET);
  const { account, container, s3, bucket, proxy, env } = await copiedOnce(t, target);
  const key = ledgerOf(container);
  const stored = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
  const foreign = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
  // Another container's ledger under this one's key: well formed, but not this container's.
  const { gunzipSync, gzipSync } = await import('node:zlib');
  const renamed = gzipSync(gunzipSync(foreign).toString('utf8').replace(`"container":"${container}"`, '"container":"archive"'));
  const corrupt = Buffer.from(stored);
  corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
  const damage: [string, () => Promise<unknown>][] = [
    ['lost', () => deleteKey(s3, bucket, key)],
    ['cut short', () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: stored.subarray(0, stored.length - 20) }))],
    ['corrupt', () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: corrupt }))],
    ['foreign', () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: renamed }))],
    ['not a ledger', () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'hello' }))],
  ];
  for (const [what, harm] of damage) {
    await harm();
    proxy.reset();
    const fallback = await resync(env);
    assert.equal(proxy.count('s3_object_head'), headsWithoutLedger(target, COUNT), `${what}: the HEADs without a ledger`);
    assert.ok(proxy.count('s3_list') >= 2, `${what}: the bucket is listed`);
    assert.equal(summaryOf(fallback).unchanged, COUNT, what);
    assert.equal(proxy.count('s3_ledger_put'), 1, `${what}: written anew`);
    proxy.reset();
    await resync(env);
    assert.equal(proxy.count('s3_object_head'), 0, `${what}: the new ledger settles the next resync`);
  }
  await sameAsSwift(account, container, s3, bucket);
});

testOnEachTarget('a changed SHARD_COUNT finds no ledger of its own and falls back to a listing (HEADs on NSFS), then keeps one per new shard', async (t, target) => {
  const { container, s3, bucket, proxy, env } = await copiedOnce(t, target);
  const inShards = async () => {
    let unchanged = 0;
    for (const index of [0, 1]) unchanged += summaryOf(await resync({ ...env, SHARD_COUNT: '2', JOB_COMPLETION_INDEX: String(index) })).unchanged;
    return unchanged;
  };
  assert.equal(await inShards(), COUNT);
  assert.equal(proxy.count('s3_object_head'), headsWithoutLedger(target, COUNT), 'the one-shard ledger is not the two-shard run\'s');
  const keys = await listKeys(s3, bucket, '', { ledgers: true });
  for (const index of [0, 1]) assert.ok(keys.includes(ledgerOf(container, index, 2)), `ledger of shard ${index} of 2`);
  proxy.reset();
  assert.equal(await inShards(), COUNT);
  assert.equal(proxy.count('s3_object_head'), 0);
  assert.equal(proxy.count('s3_list'), 2, 'each shard trusts its ledger: only the check of one key at start');
});

testOnEachTarget('DELETE_EXTRANEOUS never deletes a ledger; verify and plan do not count one as extraneous or foreign', async (t, target) => {
  if (target.name === 's3api') return t.skip(ONE_MD5_TARGET);
  const { account, container, s3, bucket, env } = await copiedOnce(t, target, { SHARD_COUNT: '3' });
  const shards = ['0', '1', '2'];
  for (const index of shards) await resync({ ...env, SHARD_COUNT: '3', JOB_COMPLETION_INDEX: index });
  await deleteObject(account, container, nameOf(9));
  let deleted = 0;
  let extraneous = 0;
  for (const index of shards) {
    const summary = summaryOf(await resync({ ...env, SHARD_COUNT: '3', JOB_COMPLETION_INDEX: index, DELETE_EXTRANEOUS: 'true' }));
    deleted += summary.deleted;
    extraneous += summary.extraneous as number;
  }
  assert.equal(deleted, 1, 'only the object deleted in Swift');
  assert.equal(extraneous, 0, 'the three ledgers are not extraneous');
  const keys = await listKeys(s3, bucket, '', { ledgers: true });
  for (const index of shards) assert.ok(keys.includes(ledgerOf(container, Number(index), 3)), `ledger of shard ${index} kept`);
  const verified = await runCli(['verify', '--all', '--json'], { ...env, SHARD_COUNT: '3' });
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  const report = JSON.parse(verified.stdout) as { foreign: number; extraneous: number; checked: number };
  assert.deepEqual([report.foreign, report.extraneous, report.checked], [0, 0, COUNT - 1]);
  const plan = await runCli(['plan', '--rate', '1000000', '--json'], { ...env, SHARD_COUNT: '3' });
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.equal((JSON.parse(plan.stdout) as { extraneous: number }).extraneous, 0);
  await sameAsSwift(account, container, s3, bucket);
});

testOnEachTarget('Swift objects named like the ledger are copied as any other, and that container keeps no ledger', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const taken = ledgerOf(container);
  await putObject(account, container, taken, 'a user\'s file that happens to have the ledger\'s name');
  await putObject(account, container, '.swift-to-s3/notes.txt', 'another file in the reserved folder');
  for (let i = 0; i < 10; i++) await putObject(account, container, nameOf(i), bodyOf(i));
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target });
  const first = await resync(env);
  assert.equal(summaryOf(first).copied, 12);
  assert.deepEqual(ledgerCounts(first), { known: 0, settled: 0, learned: 0, written: 0, trusted: 0 }, 'no ledger read or written');
  assert.equal(proxy.count('s3_ledger_get'), 0, 'the ledger\'s key is the user\'s object (copied to it, by the proxy\'s count an s3_ledger_put)');
  const stored = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: taken }))).Body!.transformToString();
  assert.equal(stored, 'a user\'s file that happens to have the ledger\'s name');
  proxy.reset();
  const again = await resync(env);
  assert.equal(summaryOf(again).unchanged, 12);
  assert.equal(proxy.count('s3_object_head') + proxy.count('s3_ledger_head'), headsWithoutLedger(target, 12), 'no ledger: what the listing cannot settle gets a HEAD (the proxy names the one of the ledger-named key s3_ledger_head)');
  const verified = await runCli(['verify', '--all'], env);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.deepEqual(await readAllS3(s3, bucket), new Map([...await readAll(account, container)].filter(([name]) => name !== taken)), 'the listing helper leaves ledger names out');
  const keys = await listKeys(s3, bucket, '', { ledgers: true });
  assert.ok(keys.includes(taken) && keys.includes('.swift-to-s3/notes.txt'));
});

testOnEachTarget('RESYNC_LEDGER=off keeps no ledger: the bucket listed every run, a HEAD where its listing cannot settle an object', async (t, target) => {
  const { s3, bucket, proxy, env } = await copiedOnce(t, target, { RESYNC_LEDGER: 'off' });
  assert.equal((await listKeys(s3, bucket, '', { ledgers: true })).length, COUNT);
  const again = await resync({ ...env, RESYNC_LEDGER: 'off' });
  assert.equal(proxy.count('s3_object_head'), headsWithoutLedger(target, COUNT));
  assert.ok(proxy.count('s3_list') >= 2, 'the bucket is listed');
  assert.equal(proxy.count('s3_ledger_get'), 0);
  assert.equal(ledgerCounts(again), undefined);
});

testOnEachTarget('SIGTERM: what the copies learned before the stop is written, so the rerun settles those without a HEAD', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (let i = 0; i < 16; i++) await putObject(account, container, `obj-${String(i).padStart(2, '0')}`, randomBytes(256 * 1024));
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, { TRANSFERS: '2', BWLIMIT: '1MiB', LOG_LEVEL: 'debug', SHUTDOWN_GRACE_SECONDS: '10' }, { swift: proxy.url, s3: proxy.url, target });
  const { child, done } = startCli(['copy'], env);
  await waitForOutput(child, /"msg":"copied"/);
  child.kill('SIGTERM');
  const stopped = await done;
  assert.equal(stopped.code, 1, stopped.stderr);
  const copied = summaryOf(stopped).copied;
  assert.ok(copied >= 1 && copied < 16, `copied ${copied}`);
  assert.equal(proxy.count('s3_ledger_put'), 1, 'the ledger was written on the way out');
  proxy.reset();
  const rerun = await resync({ ...env, BWLIMIT: '0' });
  assert.equal(summaryOf(rerun).copied, 16 - copied);
  assert.equal(proxy.count('s3_object_head'), 0, 'the objects copied before the stop are settled by the ledger');
  assert.equal(summaryOf(rerun).unchanged, copied);
  // The interrupted run's ledger is not complete, so the bucket is listed: on NSFS the ledger settles what it lists,
  // where ETags are MD5s the listing itself does.
  assert.equal(ledgerCounts(rerun)?.settled, target.name === 'nsfs' ? copied : 0);
  await sameAsSwift(account, container, s3, bucket);
});
