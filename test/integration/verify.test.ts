import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putObject } from '../support/swift.ts';
import { deleteKey, listKeys } from '../support/s3.ts';
import { rclone } from '../support/rclone.ts';

testOnEachTarget('verify passes after a copy, and catches a deleted, a truncated, a modified and an extra object', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (let i = 0; i < 20; i++) await putObject(account, container, `data/file-${i}.txt`, `the content of file ${i}`);
  const env = copierEnv(container, bucket, {}, { target });
  assert.equal((await runCli(['copy'], env)).code, 0);

  const clean = await runCli(['verify', '--json'], env);
  assert.equal(clean.code, 0, clean.stderr);
  const cleanReport = JSON.parse(clean.stdout);
  assert.equal(cleanReport.matched, 20);
  assert.equal(cleanReport.ok, true);

  await deleteKey(s3, bucket, 'data/file-1.txt');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/file-2.txt', Body: 'the content of fi' }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/file-3.txt', Body: 'THE content of file 3' }));
  // A copy of an object since deleted from Swift (it carries the copier's container marker), and another tool's key.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/extra.txt', Body: 'not from swift', Metadata: { 'swift-container': container } }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/foreign.txt', Body: 'another tool wrote it' }));

  const broken = await runCli(['verify', '--json'], env);
  assert.equal(broken.code, 1);
  const report = JSON.parse(broken.stdout);
  assert.equal(report.missing, 1);
  assert.equal(report.different, 2);
  assert.equal(report.extraneous, 1);
  assert.equal(report.foreign, 1, 'reported, not held against the proof');
  assert.equal(report.matched, 17);
  const problems = Object.fromEntries(report.differences.map((entry: { key: string; problem: string }) => [entry.key, entry.problem]));
  assert.match(problems['data/file-1.txt'], /missing/);
  assert.match(problems['data/file-2.txt'], /size 17, source 21/);
  assert.match(problems['data/file-3.txt'], /content differs/);
  assert.match(problems['data/extra.txt'], /extraneous/);

  const downloaded = await runCli(['verify', '--json', '--download'], env);
  assert.equal(downloaded.code, 1);
  const byBytes = JSON.parse(downloaded.stdout);
  assert.equal(byBytes.downloaded, 19);
  assert.equal(byBytes.different, 2);

  // A resync within TRUST_LEDGER_HOURS of a full listing trusts its ledger and would not see what was changed behind
  // its back: the failed verify leaves a note that makes the next copy list the bucket.
  assert.match(broken.stderr, /"the next copy of this container lists the bucket in full/, broken.stderr.slice(-1500));
  const repaired = await runCli(['copy'], env);
  assert.equal(repaired.code, 0, 'a rerun repairs the destination');
  assert.match(repaired.stdout, /a verify found differences after the last full listing: this run lists the bucket/);
  assert.equal((summaryOf(repaired).ledger as { trusted: number }).trusted, 0);
  assert.equal((await runCli(['copy'], { ...env, DELETE_EXTRANEOUS: 'true' })).code, 0);
  assert.equal((await runCli(['verify', '--download'], env)).code, 0);
});

testOnEachTarget('verify of one shard checks only that shard; --all checks every object', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  for (let i = 0; i < 24; i++) await putObject(account, container, `k${i}`, `v${i}`);
  const env = copierEnv(container, bucket, { SHARD_COUNT: '3' }, { target });
  for (const index of ['0', '1']) assert.equal((await runCli(['copy'], { ...env, JOB_COMPLETION_INDEX: index })).code, 0);
  assert.equal((await runCli(['verify'], { ...env, JOB_COMPLETION_INDEX: '0' })).code, 0);
  const shard2 = await runCli(['verify', '--json'], { ...env, JOB_COMPLETION_INDEX: '2' });
  assert.equal(shard2.code, 1);
  const all = JSON.parse((await runCli(['verify', '--json', '--all'], env)).stdout);
  assert.equal(all.checked, 24);
  assert.equal(all.missing, JSON.parse(shard2.stdout).missing);
});

testOnEachTarget('verify --all --finish removes the copier\'s own state once every object is proven, so rclone check agrees; never after a failed verify', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (let i = 0; i < 12; i++) await putObject(account, container, `data/file-${i}.txt`, `the content of file ${i}`);
  const env = copierEnv(container, bucket, { SHARD_COUNT: '2' }, { target });
  for (const index of ['0', '1']) assert.equal((await runCli(['copy'], { ...env, JOB_COMPLETION_INDEX: index })).code, 0);
  // Such state as a killed pod's probe leaves, on every target; on NSFS the resync ledgers besides.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: '.swift-to-s3/probe/0123456789ab/etag', Body: 'left by a killed pod' }));
  const ownState = async () => (await listKeys(s3, bucket, '.swift-to-s3/', { ledgers: true })).length;
  assert.ok(await ownState() >= (target.name === 'nsfs' ? 3 : 1));

  const notAll = await runCli(['verify', '--finish'], env);
  assert.equal(notAll.code, 2);
  assert.match(notAll.stderr, /^swift-to-s3: --finish needs --all/m);

  await deleteKey(s3, bucket, 'data/file-4.txt');
  const failed = await runCli(['verify', '--all', '--finish'], env);
  assert.equal(failed.code, 1);
  assert.ok(await ownState() >= 1, 'a failed verify removes nothing');
  assert.equal((await runCli(['copy'], { ...env, JOB_COMPLETION_INDEX: '0' })).code + (await runCli(['copy'], { ...env, JOB_COMPLETION_INDEX: '1' })).code, 0);

  const finished = await runCli(['verify', '--all', '--finish'], env);
  assert.equal(finished.code, 0, finished.stderr);
  assert.equal(await ownState(), 0, 'nothing of the copier\'s is left');
  await rclone(['check', `src:${container}`, `dst:${bucket}`], target); // exits non-zero on any difference
});
