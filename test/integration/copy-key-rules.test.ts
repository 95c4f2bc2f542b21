import assert from 'node:assert/strict';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { cubeDataset, contentOf } from '../support/dataset.ts';
import { listKeys, readAllS3 } from '../support/s3.ts';
import { putObject, readAll } from '../support/swift.ts';
import type { TestContext } from 'node:test';
import { testOnEachTarget, testOnNbdb, testOnNsfs, type Target } from '../support/targets.ts';
import type { FaultRule } from '../support/counting-proxy.ts';
import { ledgerName } from '../../src/sync/ledger.ts';

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
/** Names every S3 kind stores as named, and a data bucket's listing with a delimiter would trip on: "'" in a prefix
 *  (500), "$$" in a marker (500), and names that order differently in UTF-8 and UTF-16. */
const DATA_BUCKET_TRAPS = [
  "home/o'brien/uploads/scan.dcm", "home/o'brien/feeds/feed_1/x.txt", 'home/cash$$/uploads/a.txt', 'home/cash$$/uploads/b.txt',
  'home/jane/uploads/📷 scans/001.dcm', 'home/jane/uploads/📷 scans/002.dcm', 'home/jane/uploads/｡/003.dcm', 'home/jane/uploads/�/004.dcm',
];
const MiB = 1024 * 1024;
/** One object above the test's multipart threshold: its ETag is not its MD5, so a resync asks its HEAD. */
const MULTIPART = { name: 'SERVICES/PACS/big/series.tar', size: 6 * MiB };

async function seed() {
  const { account, container } = await freshContainer();
  const objects = cubeDataset(120, 10, 3000, 9);
  for (const object of objects) await putObject(account, container, object.name, contentOf(object));
  for (const name of [...Object.keys(REFUSED), TWIN, ...FILE_AND_DIR, ...DATA_BUCKET_TRAPS]) await putObject(account, container, name, `content of ${name}`);
  await putObject(account, container, MULTIPART.name, contentOf(MULTIPART));
  return { account, container, objects };
}

/** A proxy that takes the Server header off every S3 answer: how current NooBaa (ODF 4.20) and many proxies answer. */
const NO_SERVER_HEADER: FaultRule[] = [{ kinds: ['s3_*'], fault: { kind: 'answer-header', name: 'server' }, every: 1, limit: Infinity }];
const SMALL_MULTIPART = { MULTIPART_THRESHOLD: '5MiB', PART_SIZE: '5MiB' };

/** The seeded container, a new bucket on `target`, and the copier's environment through a proxy that takes the Server
 *  header off every S3 answer. */
async function seededBehindProxy(t: TestContext, target: Target) {
  const { account, container } = await seed();
  const { s3, bucket } = await freshBucket(target);
  const proxy = await proxyFor(target, NO_SERVER_HEADER);
  t.after(() => proxy.close());
  return { account, container, s3, bucket, proxy, env: copierEnv(container, bucket, SMALL_MULTIPART, { swift: proxy.url, s3: proxy.url, target }) };
}

async function ownStateLeft(s3: S3Client, bucket: string): Promise<string[]> {
  return (await listKeys(s3, bucket, '', { ledgers: true })).filter((key) => key.startsWith('.swift-to-s3/'));
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

testOnNsfs('a 4-shard copy into NooBaa NSFS without a Server header names exactly the keys it cannot store, each tried once, and copies the rest byte for byte', async (t, target) => {
  const { account, container, s3, bucket, proxy, env } = await seededBehindProxy(t, target);

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
  // Keys written into the bucket behind the copier's back are seen by a run that lists the bucket in full.
  const rerun = await copyInFourShards({ ...env, DELETE_EXTRANEOUS: 'true', TRUST_LEDGER_HOURS: '0' });
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

testOnNbdb('a 4-shard copy into a NooBaa data bucket without a Server header stores every key as named, and a rerun moves nothing', async (t, target) => {
  const { account, container, s3, bucket, proxy, env } = await seededBehindProxy(t, target);

  const first = await copyInFourShards(env);
  assert.deepEqual(first.codes, [0, 0, 0, 0], first.stderr + JSON.stringify(first.failures));
  assert.deepEqual(first.failures, []);
  assert.equal(proxy.count('s3_part_put'), 2, 'the large object went in two parts');
  assert.ok(proxy.seen.filter((request) => request.kind === 's3_part_put').every((request) => request.headers['content-md5']), 'each part with its Content-MD5: the data bucket checks it');
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container), 'every object byte-identical under its own key');
  const ledgers = [0, 1, 2, 3].map((index) => ledgerName({ container, shard: index, shardCount: 4 })).sort();
  assert.deepEqual((await ownStateLeft(s3, bucket)).sort(), ledgers, 'a ledger per shard, and the probe is gone');

  proxy.reset();
  const rerun = await copyInFourShards(env);
  assert.deepEqual(rerun.codes, [0, 0, 0, 0]);
  assert.equal(rerun.bytes, 0, 'a rerun moves no bytes');
  for (const kind of ['s3_object_get', 's3_object_put', 'swift_object_get', 's3_part_put', 's3_object_head']) assert.equal(proxy.count(kind), 0, kind);
  assert.equal(proxy.count('s3_list'), 4, 'the ledgers stand in for the bucket\'s listing (one key listed at each start)');
  assert.deepEqual((await ownStateLeft(s3, bucket)).sort(), ledgers);
});

testOnEachTarget('a key with "_$folder$" is named as not storable under its own name on both NooBaa kinds, and "d/.folder" beside "d/" on NSFS', async (t, target) => {
  const { account, container } = await freshContainer();
  const names = ['home/chris/ok.txt', 'home/chris/scans_$folder$', 'home/chris/d/', 'home/chris/d/.folder'];
  for (const name of names) await putObject(account, container, name, `content of ${name}`);
  const { s3, bucket } = await freshBucket(target);
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target }));
  const failures = new Map((summaryOf(result).failures as { key: string; reason: string }[]).map((failure) => [failure.key, failure.reason]));
  const refused = target.name === 's3api' ? [] : target.name === 'nbdb' ? ['home/chris/scans_$folder$'] : ['home/chris/d/.folder', 'home/chris/scans_$folder$'];
  assert.deepEqual([...failures.keys()].sort(), refused, result.stderr);
  assert.equal(result.code, refused.length > 0 ? 1 : 0);
  if (refused.length > 0) assert.match(failures.get('home/chris/scans_$folder$')!, /NooBaa turns the first "_\$folder\$" in a key into "\/": it would store it as "home\/chris\/scans\/"/);
  if (target.name === 'nsfs') assert.match(failures.get('home/chris/d/.folder')!, /keeps the body of the key "home\/chris\/d\/" in the file "home\/chris\/d\/\.folder".*also the key of the Swift object "home\/chris\/d\/"/);
  for (const key of refused) assert.equal(proxy.countFor('s3_object_put', `/${bucket}/${key}`), 0, `${key}: never sent`);
  const expected = new Map([...await readAll(account, container)].filter(([name]) => !refused.includes(name)));
  assert.deepEqual(await readAllS3(s3, bucket), expected, 'the rest arrived byte for byte, each under its own key');
});

testOnEachTarget('KEY_RULES picks the rules: auto follows what the bucket showed, nsfs refuses the same names anywhere, s3 refuses none', async (_t, target) => {
  const { container } = await freshContainer();
  const { account } = await freshContainer();
  for (const name of ['ok.txt', 'home/chris//double.txt', LONG]) await putObject(account, container, name, name);
  for (const [rules, refusedOn] of [['auto', ['nsfs']], ['nsfs', ['nsfs', 'nbdb', 's3api']], ['s3', []]] as const) {
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
