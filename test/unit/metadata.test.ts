import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeaderValue } from '../../src/swift/source.ts';
import { META_CONTAINER, planHeaders, USER_METADATA_LIMIT } from '../../src/sync/metadata.ts';

/** A header value as undici hands it over: one Latin-1 character per byte. */
const asReceived = (bytes: Buffer) => bytes.toString('latin1');

test('Swift header bytes that are UTF-8 are read as UTF-8; other bytes and plain ASCII stay as they came', () => {
  assert.equal(decodeHeaderValue(asReceived(Buffer.from('Jürgen Müller 😀', 'utf8'))), 'Jürgen Müller 😀');
  assert.equal(decodeHeaderValue(asReceived(Buffer.from('Größe', 'latin1'))), 'Größe');
  assert.equal(decodeHeaderValue('max-age=60'), 'max-age=60');
});

test('Content-Language and Expires travel as headers; an Expires that is no date and X-Delete-At go to x-amz-meta-swift-*', () => {
  const dated = planHeaders({ 'content-language': 'de-DE', expires: 'Wed, 01 Jan 2031 00:00:00 GMT', 'x-delete-at': '1924992000' }, { etag: '' });
  assert.equal(dated.headers.ContentLanguage, 'de-DE');
  assert.equal(dated.headers.Expires?.toUTCString(), 'Wed, 01 Jan 2031 00:00:00 GMT');
  assert.equal(dated.deleteAt, 1924992000);
  assert.deepEqual(dated.headers.Metadata, { 'swift-delete-at': '1924992000' });
  const undated = planHeaders({ expires: '0' }, { etag: '' });
  assert.equal(undated.headers.Expires, undefined);
  assert.deepEqual(undated.headers.Metadata, { 'swift-expires': '0' });
});

test('headers the target drops are sent and also kept in metadata; a user key of the same name gives way', () => {
  const { headers, keptAsMetadata, dropped, clashed } = planHeaders({
    'content-disposition': 'attachment; filename="Übersicht.pdf"', 'cache-control': 'no-cache', 'x-object-meta-swift-cache-control': 'mine',
  }, { etag: '' }, ['ContentDisposition', 'CacheControl', 'ContentLanguage', 'Expires']);
  const encoded = `=?UTF-8?B?${Buffer.from('attachment; filename="Übersicht.pdf"').toString('base64')}?=`;
  assert.equal(headers.ContentDisposition, encoded);
  assert.deepEqual(headers.Metadata, { 'swift-content-disposition': encoded, 'swift-cache-control': 'no-cache' });
  assert.deepEqual(keptAsMetadata, ['ContentDisposition', 'CacheControl']);
  assert.deepEqual(dropped, []);
  assert.deepEqual(clashed, ['swift-cache-control'], 'reported as a clash with the copier\'s own name, not as over 2 KiB');
});

test('the metadata budget is NooBaa\'s measured one: 15 bytes + name + value per key, 2,048 in all', () => {
  assert.equal(USER_METADATA_LIMIT, 2048);
  // ../shared/noobaa/README.md: one key, a 2,032-byte value comes back, 2,033 does not.
  assert.deepEqual(planHeaders({ 'x-object-meta-a': 'v'.repeat(2032) }, { etag: '' }).dropped, []);
  assert.deepEqual(planHeaders({ 'x-object-meta-a': 'v'.repeat(2033) }, { etag: '' }).dropped, ['a']);
});

test('metadata: non-ASCII values travel RFC 2047-encoded, our own names win, and the 2 KiB limit holds', () => {
  const { headers, dropped, clashed } = planHeaders({
    'content-type': 'text/plain', 'x-timestamp': '1700000000.12345', 'x-object-meta-title': 'Gehirn-Übersicht',
    'x-object-meta-mtime': 'spoofed', 'x-object-meta-big': 'z'.repeat(2100),
  }, { md5: '0cc175b9c0f1b6a831c399e269772661', etag: '0cc175b9c0f1b6a831c399e269772661' });
  assert.equal(headers.Metadata?.title, `=?UTF-8?B?${Buffer.from('Gehirn-Übersicht').toString('base64')}?=`);
  assert.equal(headers.Metadata?.mtime, '1700000000.12345');
  assert.equal(headers.Metadata?.md5chksum, 'DMF1ucDxtqgxw5niaXcmYQ==');
  assert.deepEqual(dropped, ['big'], 'over the 2 KiB');
  assert.deepEqual(clashed, ['mtime'], 'a user mtime that is not a time clashes with the copier\'s own');
  const size = Object.entries(headers.Metadata ?? {}).reduce((sum, [name, value]) => sum + Buffer.byteLength(`x-amz-meta-${name}`) + Buffer.byteLength(value), 0);
  assert.ok(size <= USER_METADATA_LIMIT);
});

test('mtime as rclone reads it: X-Object-Meta-Mtime (the file\'s own time, which rclone writes into Swift) before X-Timestamp', () => {
  const rcloneWrote = planHeaders({ 'x-timestamp': '1700000000.12345', 'x-object-meta-mtime': '1600000000.123456789' }, { etag: '' });
  assert.equal(rcloneWrote.headers.Metadata?.mtime, '1600000000.123456789');
  assert.deepEqual([rcloneWrote.dropped, rcloneWrote.clashed], [[], []], 'carried, not reported');
  assert.equal(planHeaders({ 'x-timestamp': '1700000000.12345' }, { etag: '' }).headers.Metadata?.mtime, '1700000000.12345', 'without it, the upload time');
  const clash = planHeaders({ 'x-object-meta-swift-container': 'other', 'x-object-meta-md5chksum': 'x' }, { container: 'users', md5: '0cc175b9c0f1b6a831c399e269772661', etag: '' });
  assert.deepEqual(clash.clashed.sort(), ['md5chksum', 'swift-container']);
  assert.equal(clash.headers.Metadata?.[META_CONTAINER], 'users');
});
