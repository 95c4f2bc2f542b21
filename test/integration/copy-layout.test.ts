import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { listKeys } from '../support/s3.ts';
import { deleteObject, putObject } from '../support/swift.ts';
import { testOnEachTarget } from '../support/targets.ts';

testOnEachTarget('a container keeps its keys when it is copied alone: DELETE_EXTRANEOUS never touches another container\'s', async (_t, target) => {
  const a = await freshContainer('alpha');
  const b = await freshContainer('beta');
  const { s3, bucket } = await freshBucket(target);
  for (const name of ['x/1.txt', 'x/2.txt']) await putObject(a.account, a.container, name, name);
  for (const name of ['y/1.txt', 'y/2.txt']) await putObject(b.account, b.container, name, name);
  const both = `${a.container}=${a.container}/,${b.container}=${b.container}/`;
  assert.equal((await runCli(['copy'], copierEnv(both, bucket, { S3_PREFIX: 'migrated' }, { target }))).code, 0);
  const everything = (await listKeys(s3, bucket)).sort();
  assert.deepEqual(everything, [`migrated/${a.container}/x/1.txt`, `migrated/${a.container}/x/2.txt`, `migrated/${b.container}/y/1.txt`, `migrated/${b.container}/y/2.txt`]);

  const alone = await runCli(['copy'], copierEnv(`${a.container}=${a.container}/`, bucket, { S3_PREFIX: 'migrated', DELETE_EXTRANEOUS: 'true' }, { target }));
  assert.equal(alone.code, 0, alone.stderr);
  assert.equal(summaryOf(alone).unchanged, 2, 'the same keys as in the two-container run');
  assert.equal(summaryOf(alone).deleted, 0);
  assert.deepEqual((await listKeys(s3, bucket)).sort(), everything);
});

testOnEachTarget('one bare container is the bucket root (CUBE\'s layout); two that would share it are refused at start', async (_t, target) => {
  const a = await freshContainer('users');
  const b = await freshContainer('other');
  const { s3, bucket } = await freshBucket(target);
  await putObject(a.account, a.container, 'home/chris/a.txt', 'a');
  assert.equal((await runCli(['copy'], copierEnv(a.container, bucket, {}, { target }))).code, 0);
  assert.deepEqual(await listKeys(s3, bucket), ['home/chris/a.txt']);
  const refused = await runCli(['copy'], copierEnv(`${a.container},${b.container}`, bucket, { DELETE_EXTRANEOUS: 'true' }, { target }));
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /SWIFT_CONTAINERS maps .* which overlap/);
  assert.deepEqual(await listKeys(s3, bucket), ['home/chris/a.txt'], 'nothing written or deleted');
});

testOnEachTarget('two releases sharing a bucket never delete each other\'s objects; a copy of an object gone from Swift is deleted', async (_t, target) => {
  const users = await freshContainer('users');
  const archive = await freshContainer('archive');
  const { s3, bucket } = await freshBucket(target);
  for (const name of ['home/a.txt', 'home/b.txt']) await putObject(users.account, users.container, name, name);
  await putObject(archive.account, archive.container, 'old.txt', 'old');
  const releaseA = copierEnv(users.container, bucket, { DELETE_EXTRANEOUS: 'true' }, { target });
  const releaseB = copierEnv(`${archive.container}=archive/`, bucket, { DELETE_EXTRANEOUS: 'true' }, { target });
  assert.equal((await runCli(['copy'], releaseA)).code, 0);
  assert.equal((await runCli(['copy'], releaseB)).code, 0);
  await deleteObject(users.account, users.container, 'home/b.txt');
  const again = await runCli(['copy'], releaseA);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(summaryOf(again).deleted, 1, 'its own copy of the deleted object');
  assert.equal(summaryOf(again).extraneous, 1, 'release B\'s object is extraneous to A, and kept');
  assert.deepEqual((await listKeys(s3, bucket)).sort(), ['archive/old.txt', 'home/a.txt']);
});
