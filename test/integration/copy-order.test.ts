import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { readAllS3 } from '../support/s3.ts';
import { putObject, readAll } from '../support/swift.ts';
import { testOnEachTarget } from '../support/targets.ts';

// Astral characters (UTF-16 surrogate pairs) against U+E000–U+FFFF: UTF-8 and UTF-16 order disagree on these, and
// NooBaa lists in UTF-16 order. Small pages make the disagreement cross page boundaries too.
const NAMES = ['a😀', 'a｡', 'a😀x/y', 'a\uE000', 'b𝄞b', 'b\uFFFDb', 'b', 'c/😀', 'c/\uFF61', 'c/z', 'plain.txt'];

testOnEachTarget('a destination listed in another order than UTF-8 loses, duplicates and stops nothing', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  for (const name of NAMES) await putObject(account, container, name, `body of ${name}`);
  // TRUST_LEDGER_HOURS=0: on NSFS the rerun lists the bucket (in its order), instead of marching Swift against the ledger.
  const env = copierEnv(container, bucket, { LIST_PAGE_SIZE: '3', DELETE_EXTRANEOUS: 'true', TRUST_LEDGER_HOURS: '0' }, { target });
  const first = await runCli(['copy'], env);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(summaryOf(first).copied, NAMES.length);
  const rerun = await runCli(['copy'], env);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(summaryOf(rerun).unchanged, NAMES.length);
  assert.equal(summaryOf(rerun).copied + summaryOf(rerun).deleted, 0);
  for (const shards of ['1', '3']) {
    const verified = await runCli(['verify', '--all'], { ...env, SHARD_COUNT: shards });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  }
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});
