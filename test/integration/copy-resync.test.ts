import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putObject, readAll } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';

testOnEachTarget('a rerun of an unchanged container costs only the two listings; an overwritten object is copied again', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (let i = 0; i < 40; i++) await putObject(account, container, `home/chris/uploads/file-${i}.txt`, `version 1 of ${i}`.repeat(i + 1));
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const env = copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target });

  const first = await runCli(['copy'], env);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(proxy.count('swift_object_get'), 40);
  assert.equal(proxy.count('s3_object_put'), 40);

  proxy.reset();
  const second = await runCli(['copy'], env);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(summaryOf(second).copied, 0);
  assert.equal(summaryOf(second).unchanged, 40);
  assert.equal(proxy.count('swift_object_get'), 0, 'no object read from Swift');
  assert.equal(proxy.count('swift_object_head'), 0, 'no per-object HEAD on Swift');
  assert.equal(proxy.count('s3_object_put'), 0, 'no object written to S3');
  // s3api lists MD5 ETags; NooBaa's are opaque, but each names the version the copier wrote, which its resync ledger
  // (one s3_ledger_get) pairs with the MD5 it copied.
  assert.equal(proxy.count('s3_object_head'), 0, 'no per-object HEAD on S3');
  assert.ok(proxy.count('swift_container_get') >= 1 && proxy.count('s3_list') >= 1, 'both sides listed');

  await putObject(account, container, 'home/chris/uploads/file-7.txt', 'version 2, a different length');
  proxy.reset();
  const third = await runCli(['copy'], env);
  assert.equal(third.code, 0, third.stderr);
  assert.equal(summaryOf(third).copied, 1);
  assert.equal(proxy.count('swift_object_get'), 1);
  assert.equal(proxy.count('s3_object_put'), 1);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});

testOnEachTarget('a same-size overwrite is caught by the MD5, not only by the size', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'same-size.txt', 'AAAA');
  const env = copierEnv(container, bucket, {}, { target });
  assert.equal((await runCli(['copy'], env)).code, 0);
  await putObject(account, container, 'same-size.txt', 'BBBB');
  const rerun = await runCli(['copy'], env);
  assert.equal(summaryOf(rerun).copied, 1);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  const sizeOnly = await runCli(['copy'], { ...env, COMPARE: 'size' });
  assert.equal(summaryOf(sizeOnly).copied, 0, 'COMPARE=size trusts equal sizes');
});

testOnEachTarget('DRY_RUN lists what would be copied and writes nothing', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (const name of ['a', 'b', 'c']) await putObject(account, container, name, name);
  const result = await runCli(['copy', '--dry-run'], copierEnv(container, bucket, {}, { target }));
  assert.equal(result.code, 0, result.stderr);
  assert.equal((result.stdout.match(/"would copy"/g) ?? []).length, 3);
  assert.equal((await readAllS3(s3, bucket)).size, 0);
});

testOnEachTarget('listings page with markers on both sides: small pages give the same result and a resync still copies nothing', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const names = Array.from({ length: 53 }, (_, i) => `p/${String(i).padStart(3, '0')}${i % 7 === 0 ? ' é/x' : ''}`);
  for (const name of names) await putObject(account, container, name, name);
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  // TRUST_LEDGER_HOURS=0: on NSFS the resync lists the bucket too, instead of its ledger standing in for it.
  const env = copierEnv(container, bucket, { LIST_PAGE_SIZE: '10', TRUST_LEDGER_HOURS: '0' }, { swift: proxy.url, s3: proxy.url, target });
  assert.equal((await runCli(['copy'], env)).code, 0);
  assert.ok(proxy.count('swift_container_get') >= 6, `Swift listed in pages of 10 (${proxy.count('swift_container_get')} pages)`);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  proxy.reset();
  const again = await runCli(['copy'], env);
  assert.equal(summaryOf(again).unchanged, 53);
  assert.equal(summaryOf(again).copied, 0);
  assert.ok(proxy.count('s3_list') >= 6, `S3 listed in pages of 10 (${proxy.count('s3_list')} pages)`);
});
