// The source changing under the copier: overwritten or deleted between the listing and the GET.
import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { deleteObject, putObject, readAll } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';

testOnEachTarget('an object overwritten between listing and GET arrives whole in its new version, never a mix', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'changing.txt', 'version one, listed');
  await putObject(account, container, 'steady.txt', 'steady');
  const proxy = await proxyFor(target, [{
    kinds: ['swift_object_get'], pathIncludes: 'changing.txt', every: 1, limit: 1,
    fault: { kind: 'hook', run: () => putObject(account, container, 'changing.txt', 'version two: written after the listing, longer') },
  }]);
  t.after(() => proxy.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target }));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /source changed since the listing; copying the current version/);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  const again = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(summaryOf(again).copied, 0, 'the new version is recognised as in place');
});

testOnEachTarget('an object deleted between listing and GET is skipped with its reason, not failed', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'vanishing.txt', 'here at listing time');
  await putObject(account, container, 'staying.txt', 'stays');
  const proxy = await proxyFor(target, [{
    kinds: ['swift_object_get'], pathIncludes: 'vanishing.txt', every: 1, limit: 1,
    fault: { kind: 'hook', run: () => deleteObject(account, container, 'vanishing.txt') },
  }]);
  t.after(() => proxy.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, {}, { swift: proxy.url, s3: proxy.url, target }));
  assert.equal(result.code, 0, result.stderr);
  const summary = summaryOf(result);
  assert.equal(summary.skipped, 1);
  assert.equal(summary.failed, 0);
  assert.match(JSON.stringify(summary.skips), /vanishing\.txt.*deleted from Swift after the listing/);
  assert.deepEqual([...(await readAllS3(s3, bucket)).keys()], ['staying.txt']);
});
