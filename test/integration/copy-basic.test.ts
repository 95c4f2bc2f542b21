import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putObject, readAll } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';

const TRICKY_NAMES = [
  'plain.txt', 'with space.txt', 'plus+percent%question?hash#amp&equals=.bin', 'é/ü/naïve.txt', '日本/語.txt',
  'a/b/c', 'dir-marker/', 'dir-with-data/', `${'n'.repeat(990)}/long.bin`, 'zero-bytes', 'emoji-😀.txt', '\uE000-private-use',
];

test('one run copies every object with its exact name, size and MD5', async () => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket();
  for (const [index, name] of TRICKY_NAMES.entries()) {
    await putObject(account, container, name, name === 'zero-bytes' || name === 'dir-marker/' ? '' : `content of ${name} #${index}`);
  }
  const result = await runCli(['copy'], copierEnv(container, bucket));
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const source = await readAll(account, container);
  const destination = await readAllS3(s3, bucket);
  assert.equal(source.size, TRICKY_NAMES.length);
  assert.deepEqual(destination, source);
  assert.equal(summaryOf(result).copied, TRICKY_NAMES.length);
});
