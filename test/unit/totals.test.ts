import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShardTotals } from '../../src/report/totals.ts';
import { RateWindow, progressLine, sampleTime } from '../../src/report/progress.ts';
import { Stats } from '../../src/report/stats.ts';
import { shardOf } from '../../src/sync/shard.ts';
import { cubeDataset } from '../support/dataset.ts';

const SHARDS = 4;
const SHARD = 1;

/** A CUBE-like container (sorted, as Swift lists it) and this shard's exact part of it. */
function container(name: string, count: number) {
  const objects = cubeDataset(count, 10_000, 90_000, count).sort((a, b) => (a.name < b.name ? -1 : 1));
  const mine = objects.filter((object) => shardOf(name, object.name, SHARDS) === SHARD);
  return {
    name, objects,
    whole: { objects: objects.length, bytes: objects.reduce((sum, object) => sum + object.size, 0) },
    exact: { objects: mine.length, bytes: mine.reduce((sum, object) => sum + object.size, 0) },
  };
}

const within = (actual: number, expected: number, fraction: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= expected * fraction, `${what}: ${actual} is not within ${fraction * 100} % of ${expected}`);

test('before anything is listed, the shard expects its share of the HEAD counts; the estimate narrows as the listing advances and is exact at its end', () => {
  const users = container('users', 4000);
  const totals = new ShardTotals();
  totals.expect('users', users.whole, SHARDS);
  const first = totals.snapshot();
  assert.equal(first.exact, false);
  assert.deepEqual(first.total, { objects: users.whole.objects / SHARDS, bytes: Math.round(users.whole.bytes / SHARDS) });
  assert.deepEqual(first.expected, first.total);
  within(first.total.objects, users.exact.objects, 0.1, 'objects before the listing');
  within(first.total.bytes, users.exact.bytes, 0.1, 'bytes before the listing');
  let worst = 0;
  for (const [index, object] of users.objects.entries()) {
    totals.listed('users', object.size, shardOf('users', object.name, SHARDS) === SHARD);
    const { total } = totals.snapshot();
    worst = Math.max(worst, Math.abs(total.bytes - users.exact.bytes) / users.exact.bytes);
    if (index === users.objects.length / 2) within(total.objects, users.exact.objects, 0.05, 'objects half way');
  }
  assert.ok(worst < 0.1, `the bytes estimate strayed ${Math.round(worst * 100)} % from the exact total`);
  assert.equal(totals.snapshot().exact, false, 'exact only once the listing says it ended');
  totals.listingDone('users');
  const last = totals.snapshot();
  assert.equal(last.exact, true);
  assert.deepEqual(last.total, users.exact);
});

test('a container not listed yet counts with its expected share from the first line on', () => {
  const users = container('users', 800);
  const archive = container('archive', 400);
  const totals = new ShardTotals();
  totals.expect('users', users.whole, SHARDS);
  totals.expect('archive', archive.whole, SHARDS);
  for (const object of users.objects) totals.listed('users', object.size, shardOf('users', object.name, SHARDS) === SHARD);
  totals.listingDone('users');
  const between = totals.snapshot();
  assert.equal(between.exact, false);
  assert.equal(between.total.objects, users.exact.objects + archive.whole.objects / SHARDS);
  assert.deepEqual(between.expected, { objects: (800 + 400) / SHARDS, bytes: Math.round((users.whole.bytes + archive.whole.bytes) / SHARDS) });
});

test('objects in place count as done, a DLO listed as 0 bytes adds its copied size, and done never exceeds the total', () => {
  const totals = new ShardTotals();
  totals.expect('users', { objects: 4, bytes: 300 }, 1);
  totals.listed('users', 100, true);
  totals.settled(100); // unchanged: done at no cost
  totals.listed('users', 0, true);
  totals.read(700);
  assert.deepEqual(totals.snapshot().done, { objects: 1, bytes: 800 }, 'bytes read of an object in flight are done');
  assert.equal(totals.snapshot().total.bytes, 800, 'never less than done, even before the DLO settles');
  totals.readEnded(700);
  totals.settled(0, 700); // the DLO, copied with its segments' 700 bytes
  totals.listed('users', 200, true);
  totals.settled(200);
  totals.listingDone('users');
  const end = totals.snapshot();
  assert.deepEqual(end, { exact: true, total: { objects: 3, bytes: 1000 }, done: { objects: 3, bytes: 1000 }, expected: { objects: 4, bytes: 300 } });
});

test('a retried attempt gives back the bytes it had read; what moved still counts towards the rate', () => {
  const totals = new ShardTotals();
  totals.expect('users', { objects: 1, bytes: 1000 }, 1);
  totals.listed('users', 1000, true);
  totals.read(600);
  totals.readEnded(600);
  totals.read(1000);
  totals.readEnded(1000);
  totals.settled(1000);
  assert.equal(totals.snapshot().done.bytes, 1000);
  assert.equal(totals.transferred, 1600);
});

test('a container whose HEAD gave no counts is totalled as listed so far, never exact before its end', () => {
  const totals = new ShardTotals();
  totals.expect('users', undefined, 2);
  totals.listed('users', 10, true);
  totals.listed('users', 10, false);
  assert.deepEqual(totals.snapshot().total, { objects: 1, bytes: 10 });
  assert.equal(totals.snapshot().exact, false);
  assert.equal(totals.snapshot().expected, undefined);
});

test('the rate is measured over the last minute and the ETA covers only the bytes not yet done', () => {
  const rate = new RateWindow();
  rate.add(0, 0);
  assert.equal(rate.bytesPerSecond, undefined);
  rate.add(500, 2 * 1048576);
  assert.equal(rate.bytesPerSecond, undefined, 'half a second measures the start, not the pace');
  rate.add(1_000, 4 * 1048576);
  assert.equal(rate.bytesPerSecond, 4 * 1048576);
  for (let second = 2; second <= 100; second++) rate.add(second * 1000, 4 * 1048576 + (second - 1) * 1048576);
  assert.equal(rate.bytesPerSecond, 1048576, 'the first second\'s pace is out of the window');

  const stats = new Stats();
  const totals = new ShardTotals();
  totals.expect('users', { objects: 100, bytes: 100 * 1048576 }, 1);
  totals.listed('users', 40 * 1048576, true);
  totals.settled(40 * 1048576); // 40 MiB in place
  totals.read(10 * 1048576);
  const line = progressLine(stats, totals.snapshot(), 1048576);
  assert.equal(line.totals, 'estimated');
  assert.deepEqual(line.bytes, { done: 50 * 1048576, total: 100 * 1048576, copied: 0 });
  assert.equal(line.etaSeconds, 50, '50 MiB left at 1 MiB/s');
  assert.equal(progressLine(stats, totals.snapshot(), 0).etaSeconds, null, 'no ETA while nothing moves');
  assert.deepEqual([progressLine(stats, totals.snapshot(), undefined).mibPerSecond, progressLine(stats, totals.snapshot(), undefined).etaSeconds], [null, null]);
});

test('a line samples the bytes when the last chunk passed, but once the copy has run a second it always has a rate', () => {
  const totals = new ShardTotals();
  assert.equal(sampleTime(totals, undefined, 500), 500, 'nothing copied yet: now');
  totals.copyStarted(1_000);
  totals.read(65_536, 1_200);
  assert.equal(sampleTime(totals, undefined, 1_900), 1_900, 'within the first second either way: no rate yet');
  totals.read(65_536, 1_800);
  assert.equal(sampleTime(totals, 65_536, 2_300), 2_300, 'the last chunk passed in the first second, the line comes after it');
  const rate = new RateWindow();
  rate.add(1_000, 0);
  rate.add(sampleTime(totals, 65_536, 2_300), totals.transferred);
  assert.equal(rate.bytesPerSecond, (131_072 / 1_300) * 1000, 'a second and more into the copy: the bytes by now over the time since its start');
  totals.read(65_536, 2_600);
  assert.equal(sampleTime(totals, 131_072, 3_300), 2_600, 'past the first second: when the last chunk passed');
  assert.equal(sampleTime(totals, 196_608, 4_300), 4_300, 'nothing passed since the last line: now');
});
