// DELETE_EXTRANEOUS deletes only what is proven gone from Swift: not after a listing that came back short, not a name
// Swift still answers for, not what another copier of the same shard copied after this one listed.
import assert from 'node:assert/strict';
import { bed, copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { startListingProxy, swiftListing } from '../support/listing-proxy.ts';
import { listKeys, readAllS3 } from '../support/s3.ts';
import { deleteObject, putObject, readAll } from '../support/swift.ts';
import { testOnEachTarget, type Target } from '../support/targets.ts';

const NAMES = Array.from({ length: 40 }, (_, i) => `home/chris/uploads/file-${String(i).padStart(2, '0')}.txt`);

/** A container of 40 objects, copied whole into a new bucket on `target`. */
async function copied(target: Target) {
  const { account, container } = await freshContainer('deletions');
  for (const name of NAMES) await putObject(account, container, name, `content of ${name}`);
  const { s3, bucket } = await freshBucket(target, 'deletions');
  const first = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(first.code, 0, first.stderr);
  return { account, container, s3, bucket };
}

testOnEachTarget('a Swift listing that ends early deletes nothing: fewer names than the container counts refuses every deletion', async (t, target) => {
  const { account, container, s3, bucket } = await copied(target);
  await deleteObject(account, container, NAMES[0]!); // one object really gone: even it waits for a whole listing
  let pages = 0;
  const short = await startListingProxy(bed().proxyPort, swiftListing(container, (rows) => (pages++ === 0 ? rows.slice(0, 12) : [])));
  t.after(() => short.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, { DELETE_EXTRANEOUS: 'true' }, { swift: short.url, target }));
  assert.equal(result.code, 0, result.stderr);
  const summary = summaryOf(result);
  assert.equal(summary.deleted, 0);
  assert.match(result.stdout, /deletions refused: the listing of \\"deletions-[0-9a-f]+\\" gave 12 names, the container counts 39/);
  assert.match(JSON.stringify(summary.notes), /no deletion in container .*gave 12 names, but the container counts 39/);
  assert.equal((await listKeys(s3, bucket)).length, NAMES.length, 'every object still in the bucket');

  const whole = await runCli(['copy'], copierEnv(container, bucket, { DELETE_EXTRANEOUS: 'true' }, { target }));
  assert.equal(summaryOf(whole).deleted, 1, 'a whole listing deletes what is gone');
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});

testOnEachTarget('a name the listing missed but Swift still answers for is kept and counted, with one note', async (t, target) => {
  const { account, container, s3, bucket } = await copied(target);
  const missed = NAMES[7]!;
  const lagging = await startListingProxy(bed().proxyPort, swiftListing(container, (rows) => rows.filter((row) => row.name !== missed)));
  t.after(() => lagging.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, { DELETE_EXTRANEOUS: 'true' }, { swift: lagging.url, target }));
  assert.equal(result.code, 0, result.stderr);
  const summary = summaryOf(result);
  assert.equal(summary.deleted, 0);
  assert.equal(summary.stillInSwift, 1);
  assert.equal((summary.notes as { key: string }[]).filter((note) => note.key === missed).length, 1);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container), 'nothing deleted');
});

testOnEachTarget('two copiers of one shard with DELETE_EXTRANEOUS: the one that listed before an object was added does not delete the copy the other made', async (t, target) => {
  const { account, container, s3, bucket } = await copied(target);
  const late = 'home/chris/uploads/added-during-the-run.txt';
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let held!: () => void;
  const holding = new Promise<void>((resolve) => { held = resolve; });
  // The first copier's listing of the bucket waits (after connect()'s one-key listing) until the other is done. (On
  // NSFS the bucket is listed only with TRUST_LEDGER_HOURS=0: a run that trusts its ledger never sees the late
  // object at all, as neither its listing nor its ledger holds it.)
  const slow = await proxyFor(target, [{ kinds: ['s3_list'], every: 2, limit: 1, fault: { kind: 'hook', run: async () => { held(); await released; } } }]);
  t.after(() => slow.close());
  const env = { DELETE_EXTRANEOUS: 'true', TRUST_LEDGER_HOURS: '0' };
  const first = runCli(['copy'], copierEnv(container, bucket, env, { swift: slow.url, s3: slow.url, target }));
  await holding; // its Swift listing is read: the late object is not in it
  await putObject(account, container, late, 'written while the first copier was listing');
  const second = await runCli(['copy'], copierEnv(container, bucket, env, { target }));
  assert.equal(summaryOf(second).copied, 1, 'the second copier copied the late object');
  release();
  const result = await first;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(summaryOf(result).deleted, 0, 'the first did not delete it');
  assert.equal(slow.count('s3_object_delete'), 0);
  assert.equal(summaryOf(result).stillInSwift, 1);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});
