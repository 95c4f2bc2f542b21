import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stats } from '../../src/report/stats.ts';
import { fitTerminationMessage, summarize } from '../../src/report/summary.ts';
import { planHeaders, USER_METADATA_LIMIT } from '../../src/sync/metadata.ts';

test('the termination message stays within 4 KiB, cutting object lists first and saying how many were left out', () => {
  const stats = new Stats();
  for (let i = 0; i < 500; i++) stats.failures.push({ key: `home/chris/feeds/feed_${i}/${'x'.repeat(80)}.dcm`, reason: 'S3 answered 500 InternalError after 8 retries' });
  stats.failed = 500;
  const text = fitTerminationMessage(summarize(stats, { index: 3, count: 16 }, { dryRun: false, interrupted: false }));
  assert.ok(Buffer.byteLength(text) <= 4096);
  const parsed = JSON.parse(text);
  assert.equal(parsed.failed, 500);
  assert.equal(parsed.shard, 3);
  assert.ok(parsed.failures.length > 0 && parsed.failures.length < 500);
  assert.equal(parsed.more, 500 - parsed.failures.length);
});

test('metadata: non-ASCII values travel RFC 2047-encoded, our own names win, and the 2 KiB limit holds', () => {
  const { headers, dropped } = planHeaders({
    'content-type': 'text/plain', 'x-timestamp': '1700000000.12345', 'x-object-meta-title': 'Gehirn-Übersicht',
    'x-object-meta-mtime': 'spoofed', 'x-object-meta-big': 'z'.repeat(2100),
  }, { md5: '0cc175b9c0f1b6a831c399e269772661', etag: '0cc175b9c0f1b6a831c399e269772661' });
  assert.equal(headers.Metadata?.title, `=?UTF-8?B?${Buffer.from('Gehirn-Übersicht').toString('base64')}?=`);
  assert.equal(headers.Metadata?.mtime, '1700000000.12345');
  assert.equal(headers.Metadata?.md5chksum, 'DMF1ucDxtqgxw5niaXcmYQ==');
  assert.deepEqual(dropped.sort(), ['big', 'mtime']);
  const size = Object.entries(headers.Metadata ?? {}).reduce((sum, [name, value]) => sum + Buffer.byteLength(`x-amz-meta-${name}`) + Buffer.byteLength(value), 0);
  assert.ok(size <= USER_METADATA_LIMIT);
});
