import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shardOf } from '../../src/sync/shard.ts';
import { formatIndexList, parseIndexList } from '../../src/indexes.ts';

test('shard vectors are fixed forever (SHA-256 of "<container>/<name>", first 8 bytes big-endian, mod count)', () => {
  // Computed independently with Python's hashlib; a change here moves the objects of running migrations.
  assert.equal(shardOf('users', 'home/chris/uploads/a.txt', 16), 8);
  assert.equal(shardOf('users', 'SHARED/x.chrislink', 16), 5);
  assert.equal(shardOf('users', '日本/語.txt', 7), 2);
  assert.equal(shardOf('other', '', 3), 0);
  assert.equal(shardOf('users', 'a', 1000), 968);
  assert.equal(shardOf('users', 'anything', 1), 0);
});

test('shards are well mixed: 20,000 CUBE-like names spread evenly over 16 shards', () => {
  const counts = new Array<number>(16).fill(0);
  for (let i = 0; i < 20_000; i++) counts[shardOf('users', `home/user${i % 37}/feeds/feed_${i}/pl-dircopy_${i}/data/file${i}.dcm`, 16)]!++;
  const mean = 20_000 / 16;
  for (const count of counts) assert.ok(Math.abs(count - mean) < mean * 0.1, `shard holds ${count}, mean ${mean}`);
});

test('index lists parse ranges, sort and drop duplicates', () => {
  assert.deepEqual(parseIndexList('3,7,12-14'), [3, 7, 12, 13, 14]);
  assert.deepEqual(parseIndexList(' 5 , 1-2,2 '), [1, 2, 5]);
  assert.deepEqual(parseIndexList('0'), [0]);
});

test('malformed index lists are rejected with the reason', () => {
  assert.throws(() => parseIndexList(''), /empty/);
  assert.throws(() => parseIndexList('1,,2'), /empty/);
  assert.throws(() => parseIndexList('a'), /"a" is not an index/);
  assert.throws(() => parseIndexList('5-3'), /backwards/);
  assert.throws(() => parseIndexList('-1'), /not an index/);
});

test('index lists format the way Kubernetes writes failedIndexes and round-trip', () => {
  assert.equal(formatIndexList([1, 3, 4, 5, 7]), '1,3-5,7');
  assert.equal(formatIndexList([4, 3]), '3-4');
  assert.equal(formatIndexList([]), '');
  for (const text of ['0', '1,3-5,7', '0-15', '2,9-10,12']) assert.equal(formatIndexList(parseIndexList(text)), text);
});
