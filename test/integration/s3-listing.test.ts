// The destination's listing: on NooBaa, whose listing is a resync's time, the tree is listed as several subtrees at
// once; whichever way, every key comes once and in the order one listing gives.
import assert from 'node:assert/strict';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { S3Target } from '../../src/s3/target.ts';
import { Stats } from '../../src/report/stats.ts';
import { compareUtf8 } from '../../src/order.ts';
import { inUtf8Order } from '../../src/order.ts';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { cubeDataset, eachLimit } from '../support/dataset.ts';
import { listKeys } from '../support/s3.ts';
import { putObject } from '../support/swift.ts';
import { testOnEachTarget, type Target } from '../support/targets.ts';

const PREFIX = 'users/';
// NooBaa's paging bug (p/1 skipped among p!, p-1, p.1, p0), astral characters against U+E000-U+FFFF, characters
// url-encoding touches, a deep chain, a level of more than a page; NooBaa cannot hold "x" beside "x/child".
const TRICKY = [
  'p!', 'p-1', 'p.1', 'p/1', 'p0', 'a😀z', 'a😀/x', 'a｡z', 'a｡/y', 'b𝄞/c', 'b\uFFFD/c', 'sp ace/f', 'pl+us/f', 'pc%41/f',
  'q/r!', 'q/r/s', 'deep/1/2/3/4/5/leaf', ...Array.from({ length: 12 }, (_, i) => `flat/f${String(i).padStart(2, '0')}`),
];
// A level wider than 32 subtrees, read from its own prefix: listed as runs of neighbouring sub-prefixes. (No
// "wide/u20.txt": where such a level is listed whole in small pages, NooBaa's paging skips "wide/u20/k" beside it.)
const WIDE = Array.from({ length: 45 }, (_, i) => `wide/u${String(i).padStart(2, '0')}/k`);
const NAMES = [...new Set([...TRICKY, ...WIDE, ...cubeDataset(150, 0, 0, 7).map((object) => object.name)])];

/** A target for the bucket that has learned what the bucket is (its listing order among it), as the copier's has. */
async function targetFor(target: Target, bucket: string, pageSize: number, stats = new Stats()): Promise<S3Target> {
  const s3Target = new S3Target({
    s3: { endpoint: target.endpoint, bucket, region: 'us-east-1', accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey, prefix: '', insecureSkipTlsVerify: false },
    connections: 10, requestTimeoutMs: 60_000, connectWaitMs: 5_000, retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50 }, stats, pageSize,
  });
  await s3Target.learnProfile('auto', { write: true, prefix: 'probe/' });
  stats.requests.clear();
  return s3Target;
}

async function names(listing: AsyncIterable<{ name: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of listing) out.push(entry.name);
  return out;
}

testOnEachTarget('a tree listed as subtrees at once gives every key once, in the order one listing gives', async (_t, target) => {
  const { s3, bucket } = await freshBucket(target, 'listing');
  await eachLimit([...NAMES.map((name) => PREFIX + name), 'users-x/a', 'usersz'], 8, async (key) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  });
  const expected = NAMES.toSorted(compareUtf8);
  // Small pages: subtrees are paged too (the level a split reads is always one answer of up to 1,000).
  for (const pageSize of [1000, 3]) {
    const stats = new Stats();
    const listing = await targetFor(target, bucket, pageSize, stats);
    const subtrees = await names(inUtf8Order(listing.list(PREFIX, 'subtrees')));
    assert.deepEqual(subtrees, expected, `pages of ${pageSize}: every key under the prefix once, nothing beside it`);
    const requests = stats.requests.get('s3_list') ?? 0;
    assert.ok(requests > 1 + Math.ceil(NAMES.length / pageSize), `pages of ${pageSize}: the tree was split (${requests} requests)`);
  }
  const wide = await targetFor(target, bucket, 1000);
  const underWide = expected.filter((name) => name.startsWith('wide/')).map((name) => name.slice('wide/'.length));
  assert.deepEqual(await names(inUtf8Order(wide.list(`${PREFIX}wide/`, 'subtrees'))), underWide, 'a wide level, listed in runs');
  // One unpaged answer is the server's own order, without NooBaa's paging bug: the subtrees come in that order.
  const unpaged = await targetFor(target, bucket, 1000);
  assert.deepEqual(await names(unpaged.list(PREFIX, 'subtrees')), await names(unpaged.list(PREFIX, 'pages')));
});

/** A proxy rule that holds each S3 listing 40 ms and notes how many were in flight at once, and with which query. */
function listingWitness() {
  let inFlight = 0;
  const seen = { most: 0, delimited: 0, total: 0 };
  const rule = {
    kinds: ['s3_list'], every: 1, limit: Infinity,
    fault: {
      kind: 'hook' as const,
      run: async ({ path }: { path: string }) => {
        seen.total++;
        if (new URLSearchParams(path.split('?')[1] ?? '').get('delimiter') === '/') seen.delimited++;
        seen.most = Math.max(seen.most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 40));
        inFlight--;
      },
    },
  };
  return { rule, seen };
}

testOnEachTarget('the copier lists NooBaa as subtrees at once and s3api as one listing, and a resync still copies nothing', async (t, target) => {
  const { account, container } = await freshContainer('listing');
  const { bucket } = await freshBucket(target, 'listing');
  const objects = cubeDataset(80, 1, 64, 11);
  await eachLimit(objects, 8, (object) => putObject(account, container, object.name, `body of ${object.name}`));
  const first = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(first.code, 0, first.stderr);
  const witness = listingWitness();
  const proxy = await proxyFor(target, [witness.rule]);
  t.after(() => proxy.close());
  // TRUST_LEDGER_HOURS=0: on NSFS the resync lists the bucket, instead of its ledger standing in for the listing.
  const again = await runCli(['copy'], copierEnv(container, bucket, { TRUST_LEDGER_HOURS: '0' }, { swift: proxy.url, s3: proxy.url, target }));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(summaryOf(again).unchanged, objects.length);
  assert.equal(summaryOf(again).copied, 0);
  if (target.name === 'nsfs') {
    assert.ok(witness.seen.delimited >= 1, 'the tree was split by its levels');
    assert.ok(witness.seen.most >= 2, `subtrees were listed at once (at most ${witness.seen.most} in flight)`);
  } else {
    assert.equal(witness.seen.delimited, 0, 's3api lists its keys in one listing');
  }
});

testOnEachTarget('a subtree listing that fails is retried; one that keeps failing fails the run, and nothing is deleted', async (t, target) => {
  const { account, container } = await freshContainer('listing');
  const { s3, bucket } = await freshBucket(target, 'listing');
  const objects = cubeDataset(40, 1, 64, 13);
  await eachLimit(objects, 8, (object) => putObject(account, container, object.name, `body of ${object.name}`));
  const env = { DELETE_EXTRANEOUS: 'true', MAX_RETRIES: '2', TRUST_LEDGER_HOURS: '0' };
  assert.equal((await runCli(['copy'], copierEnv(container, bucket, env, { target }))).code, 0);

  // The listings of keys, not connect()'s probe (which waits CONNECT_WAIT for a server it cannot reach).
  const keyListing = { kinds: ['s3_list'], pathIncludes: 'encoding-type=url', fault: { kind: 'status' as const, status: 500, code: 'InternalError' } };
  const once = await proxyFor(target, [{ ...keyListing, every: 1, limit: 1 }]);
  t.after(() => once.close());
  const retried = await runCli(['copy'], copierEnv(container, bucket, env, { swift: once.url, s3: once.url, target }));
  assert.equal(retried.code, 0, retried.stderr);
  assert.equal(once.injectedTotal(), 1, 'one listing failed');
  assert.equal(summaryOf(retried).unchanged, objects.length);
  assert.equal(summaryOf(retried).deleted + summaryOf(retried).copied, 0);

  const always = await proxyFor(target, [{ ...keyListing, every: 1, limit: Infinity }]);
  t.after(() => always.close());
  const failed = await runCli(['copy'], copierEnv(container, bucket, env, { swift: always.url, s3: always.url, target }));
  assert.notEqual(failed.code, 0, 'a listing that cannot be read fails the run');
  assert.equal(always.count('s3_object_delete'), 0, 'nothing deleted on a listing it could not read');
  assert.equal((await listKeys(s3, bucket)).length, objects.length, 'every object still there');
});
