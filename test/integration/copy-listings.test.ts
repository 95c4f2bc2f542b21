import assert from 'node:assert/strict';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { bed, copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { s3IgnoringEncodingType, startListingProxy, swiftListing, type SwiftListingRow } from '../support/listing-proxy.ts';
import { readAllS3, testS3 } from '../support/s3.ts';
import { putObject, putSlo, readAll, type SwiftAccount } from '../support/swift.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { isLedgerName } from '../../src/sync/ledger.ts';

/** The size of an SLO's manifest itself, as Swift keeps it. */
async function manifestBytes(account: SwiftAccount, container: string, name: string): Promise<number> {
  const answer = await fetch(`${account.storageUrl}/${encodeURIComponent(container)}/${encodeURIComponent(name)}?multipart-manifest=get`, { method: 'HEAD', headers: { 'x-auth-token': account.token } });
  assert.equal(answer.status, 200);
  return Number(answer.headers.get('content-length'));
}

/** A Swift 2.30 row of an SLO as a Swift before 2.19 lists it: no slo_etag, ";swift_bytes=<whole size>" in the
 *  content type, bytes (and hash, already) of the manifest. */
function asOldSwiftListsIt(row: SwiftListingRow, manifestSize: number): SwiftListingRow {
  const { slo_etag: _dropped, ...old } = row;
  return { ...old, bytes: manifestSize, content_type: `${row.content_type};swift_bytes=${row.bytes}` };
}

testOnEachTarget('an SLO an old Swift lists (swift_bytes in its content type, no slo_etag) is copied once, then unchanged until it changes', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putSlo(account, container, 'old-slo', [Buffer.alloc(1024 * 1024, 'a'), Buffer.alloc(1000, 'b')]);
  await putObject(account, container, 'plain.txt', 'a plain object beside it');
  const manifestSize = await manifestBytes(account, container, 'old-slo');
  const proxy = await startListingProxy(bed().proxyPort, swiftListing(container, (rows) => rows.map((row) => (row.name === 'old-slo' ? asOldSwiftListsIt(row, manifestSize) : row))));
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, {}, { swift: proxy.url, target });

  const first = await runCli(['copy'], env);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(summaryOf(first).copied, 2);
  assert.ok(proxy.rewritten >= 1, 'the copier saw the old form of the listing');
  const rerun = await runCli(['copy'], env);
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.equal(summaryOf(rerun).copied, 0, 'the old SLO is not copied again');
  assert.equal(summaryOf(rerun).unchanged, 2);
  const verified = await runCli(['verify', '--all'], env);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));

  // Same size, other bytes: its ETag (from a HEAD, as the listing has none) tells it changed.
  await putSlo(account, container, 'old-slo', [Buffer.alloc(1024 * 1024, 'c'), Buffer.alloc(1000, 'd')]);
  const changed = await runCli(['copy'], env);
  assert.equal(changed.code, 0, changed.stdout + changed.stderr);
  assert.equal(summaryOf(changed).copied, 1);
  assert.equal(summaryOf(changed).unchanged, 1);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});

const KEYS = ['a+b', 'a b', 'a%20b', '100%', 'ä+ö', 'plain'];

testOnEachTarget('keys with "+", " " and "%" round-trip whether the S3 server url-encodes its listing or ignores EncodingType', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (const name of KEYS) await putObject(account, container, name, `body of ${name}`);
  const env = copierEnv(container, bucket, { DELETE_EXTRANEOUS: 'true' }, { target });
  const first = await runCli(['copy'], env);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(summaryOf(first).copied, KEYS.length);

  // The bed's servers (s3api and NooBaa) encode keys when asked and say so; the proxy plays one that does not.
  const encoded = await s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url' }));
  assert.equal(encoded.EncodingType, 'url');
  assert.ok(encoded.Contents?.some((item) => item.Key === 'a%2Bb'), `encoded keys: ${encoded.Contents?.map((item) => item.Key).join(' ')}`);
  const ignoring = await startListingProxy(target.port, s3IgnoringEncodingType);
  t.after(() => ignoring.close());
  const raw = await testS3(ignoring.url, target.accessKeyId, target.secretAccessKey).send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url' }));
  assert.equal(raw.EncodingType, undefined);
  // (On NooBaa the copier's resync ledger is listed too: its bookkeeping, not a key of the container.)
  assert.deepEqual(raw.Contents?.map((item) => item.Key!).filter((key) => !isLedgerName(key)).sort(), [...KEYS].sort());

  for (const [how, s3Endpoint] of [['encoding', target.endpoint], ['ignoring EncodingType', ignoring.url]] as const) {
    const rerun = await runCli(['copy'], copierEnv(container, bucket, { DELETE_EXTRANEOUS: 'true', TRUST_LEDGER_HOURS: '0' }, { s3: s3Endpoint, target }));
    assert.equal(rerun.code, 0, `${how}: ${rerun.stdout}${rerun.stderr}`);
    const summary = summaryOf(rerun);
    assert.deepEqual({ unchanged: summary.unchanged, copied: summary.copied, deleted: summary.deleted, extraneous: summary.extraneous },
      { unchanged: KEYS.length, copied: 0, deleted: 0, extraneous: 0 }, how);
  }
  assert.ok(ignoring.rewritten >= 2);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});

testOnEachTarget('a Swift that returns fewer rows per page than asked, silently, still has every object copied and none deleted', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const names = Array.from({ length: 25 }, (_, index) => `object-${String(index).padStart(2, '0')}`);
  for (const name of names) await putObject(account, container, name, `body of ${name}`);
  const proxy = await startListingProxy(bed().proxyPort, swiftListing(container, (rows) => rows.slice(0, 7)));
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, { LIST_PAGE_SIZE: '10' }, { swift: proxy.url, target });

  const first = await runCli(['copy'], env);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(summaryOf(first).listed, names.length);
  assert.equal(summaryOf(first).copied, names.length);
  assert.ok(proxy.rewritten >= 4, `pages were capped (${proxy.rewritten})`);
  const rerun = await runCli(['copy'], { ...env, DELETE_EXTRANEOUS: 'true' });
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.deepEqual({ unchanged: summaryOf(rerun).unchanged, deleted: summaryOf(rerun).deleted }, { unchanged: names.length, deleted: 0 });
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});

testOnEachTarget('an SLO listed as a plain object (no slo_etag, the manifest\'s MD5 as hash) is copied once, then unchanged', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putSlo(account, container, 'older-slo', [Buffer.alloc(1024 * 1024, 'e'), Buffer.alloc(999, 'f')]);
  const proxy = await startListingProxy(bed().proxyPort, swiftListing(container, (rows) => rows.map(({ slo_etag: _dropped, ...row }) => row)));
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, {}, { swift: proxy.url, target });
  assert.equal(summaryOf(await runCli(['copy'], env)).copied, 1);
  const rerun = await runCli(['copy'], env);
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.equal(summaryOf(rerun).copied, 0, 'not copied again on every run');
  assert.equal(summaryOf(rerun).unchanged, 1);
  await putSlo(account, container, 'older-slo', [Buffer.alloc(1024 * 1024, 'g'), Buffer.alloc(999, 'h')]);
  assert.equal(summaryOf(await runCli(['copy'], env)).copied, 1, 'a changed one is copied');
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});
