import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putObject, readAll } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';

/** One 990-byte path segment: S3 takes it, a file-backed NooBaa bucket cannot (a file name is at most 255 bytes). */
const LONG_SEGMENT = `${'n'.repeat(990)}/long.bin`;
const TRICKY_NAMES = [
  'plain.txt', 'with space.txt', 'plus+percent%question?hash#amp&equals=.bin', 'é/ü/naïve.txt', '日本/語.txt',
  'a/b/c', 'dir-marker/', 'dir-with-data/', LONG_SEGMENT, `${`${'s'.repeat(245)}/`.repeat(4)}long.bin`, 'zero-bytes',
  'emoji-😀.txt', '\uE000-private-use',
];

testOnEachTarget('one run copies every object with its exact name, size and MD5', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (const [index, name] of TRICKY_NAMES.entries()) {
    await putObject(account, container, name, name === 'zero-bytes' || name === 'dir-marker/' ? '' : `content of ${name} #${index}`);
  }
  const result = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  const source = await readAll(account, container);
  const destination = await readAllS3(s3, bucket);
  assert.equal(source.size, TRICKY_NAMES.length);
  if (target.name !== 'nsfs') {
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(destination, source);
    assert.equal(summaryOf(result).copied, TRICKY_NAMES.length);
  } else {
    // NooBaa NSFS cannot store a path segment over 255 bytes: that one object fails by name, every other arrives.
    assert.equal(result.code, 1, result.stderr + result.stdout);
    assert.deepEqual((summaryOf(result).failures as { key: string }[]).map((failure) => failure.key), [LONG_SEGMENT]);
    source.delete(LONG_SEGMENT);
    assert.deepEqual(destination, source);
    assert.equal(summaryOf(result).copied, TRICKY_NAMES.length - 1);
  }
});
