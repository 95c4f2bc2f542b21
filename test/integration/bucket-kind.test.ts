// What the copier knows of a bucket comes from the bucket's answers to a probe, never from its Server header: the
// same kind with the header as the server sends it, without it, and with a false one; the probe is gone afterwards.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { startNoobaa } from '../bed/noobaa.ts';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import type { FaultRule } from '../support/counting-proxy.ts';
import { listKeys, readAllS3 } from '../support/s3.ts';
import { putObject, readAll } from '../support/swift.ts';
import { nsfs, testOnEachTarget, type Target, type TargetName } from '../support/targets.ts';

const KIND: Record<TargetName, string> = { s3api: 's3', nbdb: 'noobaa-data', nsfs: 'noobaa-nsfs' };
const serverHeader = (value?: string): FaultRule[] => [{ kinds: ['s3_*'], fault: { kind: 'answer-header', name: 'server', ...(value ? { value } : {}) }, every: 1, limit: Infinity }];
const HEADERS: Record<string, FaultRule[]> = {
  'as the server sends it': [],
  'taken off': serverHeader(),
  'NooBaa\'s, added': serverHeader('NooBaa/5.23.0'),
  'AWS\'s, added': serverHeader('AmazonS3'),
};

/** The profile the copier logged, in one line. */
function profileLogged(result: CliResult): { kind: string; from: string; keyRules: string; listing: string } {
  const lines = result.stdout.split('\n').filter((line) => line.includes('"the bucket is '));
  assert.equal(lines.length, 1, `one line says what the bucket is:\n${result.stdout}${result.stderr}`);
  return JSON.parse(lines[0]!).bucket;
}

async function copyOnce(target: Target, rules: FaultRule[], overrides: Record<string, string> = {}) {
  const { account, container } = await freshContainer();
  for (const name of ['a.txt', 'home/chris/b.txt']) await putObject(account, container, name, `content of ${name}`);
  const { s3, bucket } = await freshBucket(target);
  const proxy = await proxyFor(target, rules);
  try {
    const result = await runCli(['copy'], copierEnv(container, bucket, overrides, { swift: proxy.url, s3: proxy.url, target }));
    return { result, s3, bucket, account, container, probePuts: proxy.count('s3_probe_put'), probeDeletes: proxy.count('s3_probe_delete') };
  } finally {
    await proxy.close();
  }
}

testOnEachTarget('the bucket\'s kind is learned from its answers, whatever its Server header says, and the probe leaves nothing', async (_t, target) => {
  for (const [how, rules] of Object.entries(HEADERS)) {
    const { result, s3, bucket, account, container, probePuts, probeDeletes } = await copyOnce(target, rules);
    assert.equal(result.code, 0, `${how}: ${result.stderr}`);
    const profile = profileLogged(result);
    assert.equal(profile.kind, KIND[target.name], `Server header ${how}`);
    assert.equal(profile.from, 'probe');
    assert.ok(probePuts >= 9 && probeDeletes >= probePuts, `${how}: the probe wrote ${probePuts} objects and deleted ${probeDeletes}`);
    const left = (await listKeys(s3, bucket, '', { ledgers: true })).filter((key) => key.startsWith('.swift-to-s3/probe/'));
    assert.deepEqual(left, [], `${how}: nothing of the probe is left`);
    assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  }
});

testOnEachTarget('BUCKET_KIND names the kind without a probe; a dry run probes nothing and writes nothing', async (_t, target) => {
  const named = await copyOnce(target, [], { BUCKET_KIND: 'noobaa-nsfs' });
  assert.equal(named.probePuts, 0);
  const { kind, from, keyRules, listing } = profileLogged(named.result);
  assert.deepEqual({ kind, from, keyRules, listing }, { kind: 'noobaa-nsfs', from: 'BUCKET_KIND', keyRules: 'nsfs', listing: 'subtrees' });
  const dry = await copyOnce(target, [], { DRY_RUN: 'true' });
  assert.equal(dry.result.code, 0, dry.result.stderr);
  assert.equal(dry.probePuts, 0);
  assert.equal(profileLogged(dry.result).from, 'listing');
  assert.deepEqual(await listKeys(dry.s3, dry.bucket, '', { ledgers: true }), []);
});

test('a NooBaa NSFS started with its Server header switched off (as ODF 4.20 runs it) is still known as NSFS', { skip: nsfs() ? false : 'no NooBaa NSFS in this bed' }, async (t) => {
  const dir = resolve(process.env.BED_DIR ?? '.bed/swift', '..', `kind-nsfs-${process.pid}`);
  const started = await startNoobaa('nsfs', dir, { CONFIG_JS_NOOBAA_VERSION_AUTH_ENABLED: 'true' });
  assert.ok(!('absent' in started), 'the nsfs script is there');
  t.after(async () => { await started.stop(); rmSync(dir, { recursive: true, force: true }); });
  const target: Target = { name: 'nsfs', endpoint: started.endpoint, accessKeyId: started.accessKeyId, secretAccessKey: started.secretAccessKey, port: Number(new URL(started.endpoint).port) };
  const answer = await fetch(started.endpoint);
  assert.equal(answer.headers.get('server'), null, 'the switch took the header off');
  const { result } = await copyOnce(target, []);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(profileLogged(result).kind, 'noobaa-nsfs');
});

testOnEachTarget('a probe request that fails for want of an answer (503, a reset) is tried again, and the kind still comes out right', async (_t, target) => {
  const rules: FaultRule[] = [
    { kinds: ['s3_probe_put'], pathIncludes: '/digest', fault: { kind: 'status', status: 503, code: 'SlowDown' }, every: 1, limit: 1 },
    { kinds: ['s3_probe_put'], pathIncludes: '/etag', fault: { kind: 'reset-before-response' }, every: 1, limit: 1 },
  ];
  const { result } = await copyOnce(target, rules);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(profileLogged(result).kind, KIND[target.name]);
});
