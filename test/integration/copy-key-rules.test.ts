import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { cubeDataset, contentOf } from '../support/dataset.ts';
import { readAllS3 } from '../support/s3.ts';
import { putObject, readAll } from '../support/swift.ts';
import { testOnEachTarget, testOnNoobaa } from '../support/targets.ts';

const LONG = `home/chris/uploads/${'n'.repeat(300)}.dcm`;
/** Names a file-backed NooBaa bucket refuses or stores under another name, with the words of their reason. */
const REFUSED: Record<string, RegExp> = {
  [LONG]: /path segment is 304 bytes; a file-backed NooBaa bucket allows 255/,
  'home/chris//double.txt': /would store it as "home\/chris\/double.txt"/,
  '/leading.txt': /would store it as "leading.txt"/,
  'home/chris/dot/.': /would store it as "home\/chris\/dot"/,
  'home/chris/up/..': /would store it as "home\/chris"/,
  'home/chris/x./y': /contains "\.\/"/,
  'home/chris/p/./q': /contains "\.\/"/,
  // Two Swift names, one NooBaa key: the one NooBaa would rename is refused, and its twin is named in the notes.
  'SHARED/twin//a.txt': /which is also the key of the Swift object "SHARED\/twin\/a.txt"/,
};
const TWIN = 'SHARED/twin/a.txt';
const FILE_AND_DIR = ['PIPELINES/chris/pipeline', 'PIPELINES/chris/pipeline/step.yml'];

async function seed() {
  const { account, container } = await freshContainer();
  const objects = cubeDataset(120, 10, 3000, 9);
  for (const object of objects) await putObject(account, container, object.name, contentOf(object));
  for (const name of [...Object.keys(REFUSED), TWIN, ...FILE_AND_DIR]) await putObject(account, container, name, `content of ${name}`);
  return { account, container, objects };
}

async function copyInFourShards(env: Record<string, string>) {
  const runs = await Promise.all([0, 1, 2, 3].map((index) => runCli(['copy'], { ...env, SHARD_COUNT: '4', JOB_COMPLETION_INDEX: String(index) })));
  const summaries = runs.map(summaryOf);
  return {
    codes: runs.map((run) => run.code),
    failures: summaries.flatMap((summary) => (summary.failures as { key: string; reason: string }[])),
    notes: summaries.flatMap((summary) => (summary.notes as { key: string; reason: string }[])),
    bytes: summaries.reduce((sum, summary) => sum + (summary.bytes as number), 0),
    copied: summaries.reduce((sum, summary) => sum + summary.copied, 0),
    stderr: runs.map((run) => run.stderr).join(''),
  };
}

testOnNoobaa('a 4-shard copy into NooBaa names exactly the keys it cannot store, each tried once, and copies the rest byte for byte', async (t, target) => {
  const { account, container } = await seed();
  const { s3, bucket } = await freshBucket(target);
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target });

  const first = await copyInFourShards(env);
  assert.ok(first.codes.every((code) => code === 0 || code === 1), `exit codes ${first.codes.join(',')} (${first.stderr})`);
  assert.ok(first.codes.includes(1));
  const failed = new Map(first.failures.map((failure) => [failure.key, failure.reason]));
  for (const [name, reason] of Object.entries(REFUSED)) {
    assert.match(failed.get(name) ?? 'not reported', reason, name);
    assert.equal(proxy.countFor('swift_object_get', `/${container}/${name}`), 0, `${name}: not read from Swift`);
    assert.equal(proxy.countFor('s3_object_put', `/${bucket}/${name}`), 0, `${name}: never sent to NooBaa`);
  }
  // Of an object and a "directory" of the same name, the one written second is refused by NooBaa and named.
  const pathFailures = first.failures.filter((failure) => FILE_AND_DIR.includes(failure.key));
  assert.equal(pathFailures.length, 1, JSON.stringify(first.failures));
  assert.match(pathFailures[0]!.reason, /cannot hold both "PIPELINES\/chris\/pipeline(\/step\.yml)?" and "PIPELINES\/chris\/pipeline(\/step\.yml)?"/);
  assert.equal(proxy.countFor('s3_object_put', `/${bucket}/${pathFailures[0]!.key}`), 1, 'tried once, not retried');
  assert.equal(first.failures.length, Object.keys(REFUSED).length + 1, 'nothing else failed');
  assert.ok(first.notes.some((note) => note.key === TWIN && note.reason.includes('SHARED/twin//a.txt')), 'the twin is named too');

  const source = await readAll(account, container);
  const stored = await readAllS3(s3, bucket);
  const expected = new Map([...source].filter(([name]) => !(name in REFUSED) && name !== pathFailures[0]!.key));
  assert.deepEqual(stored, expected, 'every other object byte-identical, nothing else in the bucket');

  // What earlier runs left: the stored forms of two refused names (NooBaa renamed them), a copy of an object since
  // deleted from Swift (it carries the copier's container marker), and one key another tool wrote (no marker).
  const ours = { 'swift-container': container };
  for (const key of ['home/chris/double.txt', 'leading.txt', 'stray.txt']) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key, Metadata: ours }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'foreign.txt', Body: 'not ours' }));
  proxy.reset();
  const rerun = await copyInFourShards({ ...env, DELETE_EXTRANEOUS: 'true' });
  assert.equal(rerun.bytes, 0, 'a rerun moves no bytes');
  assert.equal(rerun.copied, 0);
  assert.equal(proxy.count('s3_object_delete'), 1, 'only the stray key is deleted');
  assert.equal(proxy.countFor('s3_object_delete', `/${bucket}/stray.txt`), 1);
  assert.deepEqual(new Set(rerun.failures.map((failure) => failure.key)), new Set(failed.keys()));
  const after = await readAllS3(s3, bucket);
  assert.ok(after.has('home/chris/double.txt') && after.has('leading.txt'), 'the stored form of a source name is never deleted as extraneous');
  assert.ok(after.has('foreign.txt'), 'an object the copier did not write is never deleted');
  for (const key of ['home/chris/double.txt', 'leading.txt', 'foreign.txt']) after.delete(key);
  assert.deepEqual(after, expected);
});

testOnEachTarget('KEY_RULES picks the rules: auto follows the server, nsfs refuses the same names anywhere, s3 refuses none', async (_t, target) => {
  const { container } = await freshContainer();
  const { account } = await freshContainer();
  for (const name of ['ok.txt', 'home/chris//double.txt', LONG]) await putObject(account, container, name, name);
  for (const [rules, refusedOn] of [['auto', ['noobaa']], ['nsfs', ['noobaa', 's3api']], ['s3', []]] as const) {
    const { bucket } = await freshBucket(target);
    const result = await runCli(['copy'], copierEnv(container, bucket, { KEY_RULES: rules }, { target }));
    const summary = summaryOf(result);
    const refused = (summary.failures as { key: string; reason: string }[]).filter((failure) => /file-backed NooBaa/.test(failure.reason)).map((failure) => failure.key);
    if ((refusedOn as readonly string[]).includes(target.name)) {
      assert.deepEqual(refused.sort(), ['home/chris//double.txt', LONG].sort(), `${rules} on ${target.name}`);
      assert.equal(result.code, 1);
    } else {
      assert.deepEqual(refused, [], `${rules} on ${target.name}: no key refused by rule`);
    }
  }
});
