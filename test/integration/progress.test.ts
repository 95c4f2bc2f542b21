// The progress line on a first copy: totals known from the first line, rate and ETA right from the start. Paced by
// BWLIMIT; every figure is read from the copier's own log lines and their timestamps, none from the test's clock.
import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putObject, type SwiftAccount } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';
import { contentOf, cubeDataset, eachLimit } from '../support/dataset.ts';
import { shardOf } from '../../src/sync/shard.ts';

const SHARD_COUNT = 2;
const SHARD = 1;
/** A uniform data set: 300 objects of 32–96 KiB, about 150 and 9.4 MiB per shard, read at 512 KiB/s: a copy of about
 *  19 s, paced by the limit (8 objects a second, well below what even a loaded bed sustains: about 20; a full run in
 *  CI once held the data bucket's copy under 10 a second for a moment). */
const DATASET = cubeDataset(300, 32 * 1024, 96 * 1024, 7);
const BWLIMIT = 512 * 1024;
const TOLERANCE = 0.2;

interface Line { time: string; progress?: Progress; summary?: { totals?: { objects: number; bytes: number; exact: boolean }; inShard: number } }
interface Progress {
  totals: 'estimated' | 'exact';
  objects: { done: number; total: number };
  bytes: { done: number; total: number };
  mibPerSecond: number | null;
  etaSeconds: number | null;
}

/** One container for both targets: seeded once, and only used once Swift's HEAD counts every object. */
let seeded: Promise<{ account: SwiftAccount; container: string }> | undefined;
function uniformContainer(): Promise<{ account: SwiftAccount; container: string }> {
  seeded ??= (async () => {
    const { account, container } = await freshContainer('progress');
    await eachLimit(DATASET, 8, (object) => putObject(account, container, object.name, contentOf(object)));
    await untilCounted(account, container, DATASET.length, DATASET.reduce((sum, object) => sum + object.size, 0));
    return { account, container };
  })();
  return seeded;
}

/** Swift updates a container's counts asynchronously; the estimate starts from them, so wait until they are in. */
async function untilCounted(account: SwiftAccount, container: string, objects: number, bytes: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${account.storageUrl}/${encodeURIComponent(container)}`, { method: 'HEAD', headers: { 'x-auth-token': account.token } });
    if (Number(response.headers.get('x-container-object-count')) === objects && Number(response.headers.get('x-container-bytes-used')) === bytes) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Swift's HEAD of ${container} never counted ${objects} objects and ${bytes} bytes`);
}

const off = (actual: number, expected: number) => Math.abs(actual - expected) / expected;

testOnEachTarget('a first copy knows its shard\'s totals from the first progress line, and its ETA predicts the end', async (t, target) => {
  const { container } = await uniformContainer();
  const { s3, bucket } = await freshBucket(target);
  const mine = DATASET.filter((object) => shardOf(container, object.name, SHARD_COUNT) === SHARD);
  const exact = { objects: mine.length, bytes: mine.reduce((sum, object) => sum + object.size, 0) };
  const result = await runCli(['copy'], copierEnv(container, bucket, {
    SHARD_COUNT: String(SHARD_COUNT), JOB_COMPLETION_INDEX: String(SHARD), BWLIMIT: String(BWLIMIT), PROGRESS_INTERVAL: '1', TRANSFERS: '16',
  }, { target }));
  assert.equal(result.code, 0, result.stderr);
  const copied = await readAllS3(s3, bucket);
  assert.deepEqual(mine.filter((object) => copied.get(object.name)?.size !== object.size), [], 'every object of the shard is in the bucket');

  const lines = result.stdout.split('\n').filter((text) => text.startsWith('{')).map((text) => JSON.parse(text) as Line);
  const progress = lines.filter((line) => line.progress).map((line) => ({ time: Date.parse(line.time), ...line.progress! }));
  const end = { time: Date.parse(lines.find((line) => line.summary)!.time) };
  assert.deepEqual(summaryOf(result).totals, { ...exact, exact: true }, 'the summary carries the shard\'s exact totals');
  assert.ok(progress.length >= 8, `only ${progress.length} progress lines: the copy was not paced by BWLIMIT`);

  const [first] = progress;
  assert.equal(first!.totals, 'estimated');
  t.diagnostic(`first line: ${first!.objects.total} objects (exact ${exact.objects}, ${(off(first!.objects.total, exact.objects) * 100).toFixed(1)} % off), ${first!.bytes.total} bytes (exact ${exact.bytes}, ${(off(first!.bytes.total, exact.bytes) * 100).toFixed(1)} % off)`);
  assert.ok(off(first!.objects.total, exact.objects) <= TOLERANCE, `first line's objects: ${first!.objects.total}, exact ${exact.objects}`);
  assert.ok(off(first!.bytes.total, exact.bytes) <= TOLERANCE, `first line's bytes: ${first!.bytes.total}, exact ${exact.bytes}`);
  for (const line of progress) {
    assert.ok(line.objects.done <= line.objects.total && line.bytes.done <= line.bytes.total, `done exceeds total: ${JSON.stringify(line)}`);
  }

  // Once the copy has run a second (the first or second line with bytes moving), each line of the first half has an
  // ETA that predicts the end (the summary line) within 20 % of the time then left.
  const moving = progress.filter((line) => line.bytes.done > 0 && line.bytes.done < line.bytes.total / 2);
  assert.ok(progress.indexOf(moving[0]!) <= 1, 'bytes move by the second line');
  const early = moving.slice(moving[0]!.etaSeconds === null ? 1 : 0);
  assert.ok(early.length >= 3, `only ${early.length} lines in the first half`);
  assert.deepEqual(early.filter((line) => line.etaSeconds === null), [], 'every line a second into the copy has an ETA');
  const predictions = early.map((line) => ({ line, left: (end.time - line.time) / 1000 }));
  for (const { line, left } of predictions) {
    t.diagnostic(`at ${((line.time - first!.time) / 1000).toFixed(1)} s: ${line.mibPerSecond} MiB/s, ETA ${line.etaSeconds} s, actually ${left.toFixed(1)} s`);
  }
  // Within 20 %, or, when little is left, within what the log can tell: the ETA is whole seconds and the lines come
  // a second apart (a full run's machine load moved the end by 2 s at 9 s left).
  for (const { line, left } of predictions) {
    assert.ok(Math.abs(line.etaSeconds! - left) <= Math.max(TOLERANCE * left, 2), `ETA ${line.etaSeconds} s, the copy ended ${left.toFixed(1)} s later`);
  }
}, { timeout: 180_000 });
