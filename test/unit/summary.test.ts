import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stats } from '../../src/report/stats.ts';
import { summarize, SUMMARY_LISTS } from '../../src/report/summary.ts';
import { fitTermination, TERMINATION_LIMIT } from '../../src/report/termination.ts';

test('the termination message stays within 4 KiB, cutting object lists first and saying how many were left out', () => {
  const stats = new Stats();
  for (let i = 0; i < 500; i++) stats.failures.push({ key: `home/chris/feeds/feed_${i}/${'x'.repeat(80)}.dcm`, reason: 'S3 answered 500 InternalError after 8 retries' });
  stats.failed = 500;
  const text = fitTermination(summarize(stats, { index: 3, count: 16 }, { dryRun: false, interrupted: false }), SUMMARY_LISTS);
  assert.ok(Buffer.byteLength(text) <= 4096);
  const parsed = JSON.parse(text);
  assert.equal(parsed.failed, 500);
  assert.equal(parsed.shard, 3);
  assert.ok(parsed.failures.length > 0 && parsed.failures.length < 500);
  assert.equal(parsed.more, 500 - parsed.failures.length);
});

test('a verify report is cut the same way: differences last-first, with the count of what was left out', () => {
  const differences = Array.from({ length: 300 }, (_, i) => ({ key: `home/chris/${i}/${'y'.repeat(300)}`, problem: 'missing' }));
  const text = fitTermination({ ok: false, checked: 300, differences }, ['differences']);
  assert.ok(Buffer.byteLength(text) <= TERMINATION_LIMIT);
  const parsed = JSON.parse(text) as { checked: number; differences: { key: string }[]; more: number };
  assert.equal(parsed.checked, 300);
  assert.equal(parsed.differences[0]!.key, differences[0]!.key.slice(0, 200), 'the first ones stay, shortened');
  assert.equal(parsed.more, 300 - parsed.differences.length);
  assert.equal(fitTermination({ ok: true, differences: [] }, ['differences']), '{"ok":true,"differences":[]}', 'a small document is left as it is');
});
