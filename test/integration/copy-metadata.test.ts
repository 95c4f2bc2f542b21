// Metadata as the user wrote it: non-ASCII X-Object-Meta-* and content headers arrive as the same text, headers the
// target drops are kept in x-amz-meta-swift-*, and a Swift expiry (which S3 cannot keep) is reported.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putObject, type SwiftAccount } from '../support/swift.ts';
import { headObject } from '../support/s3.ts';
import { rclone } from '../support/rclone.ts';

/** undici writes a header value's characters as Latin-1 bytes: a string of the UTF-8 bytes puts UTF-8 on the wire,
 *  as python-swiftclient or curl would send it. */
function asUtf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** One header of a Swift object as the raw bytes Swift answers, read with node:http (not undici, not the copier). */
function swiftHeaderBytes(account: SwiftAccount, container: string, name: string, header: string): Promise<Buffer | undefined> {
  const url = new URL(`${account.storageUrl}/${encodeURIComponent(container)}/${encodeURIComponent(name)}`);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'HEAD', headers: { 'x-auth-token': account.token } }, (res) => {
      res.resume();
      const index = res.rawHeaders.findIndex((key, i) => i % 2 === 0 && key.toLowerCase() === header);
      // node:http reads header bytes as Latin-1, one character per byte: this gives the bytes back.
      resolve(index < 0 ? undefined : Buffer.from(res.rawHeaders[index + 1]!, 'latin1'));
    });
    req.on('error', reject);
    req.end();
  });
}

/** S3 user metadata and headers travel as ASCII; non-ASCII text is an RFC 2047 encoded word, as AWS S3 returns it. */
function decodeWord(value: string | undefined): string | undefined {
  const word = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/i.exec(value ?? '');
  return word ? Buffer.from(word[1]!, 'base64').toString('utf8') : value;
}

const OWNER = 'Jürgen Müller';
const DISPOSITION = 'attachment; filename="Übersicht – 2024.pdf"';
const EXPIRES = 'Wed, 01 Jan 2031 00:00:00 GMT';

testOnEachTarget('non-ASCII metadata and content headers arrive as the text written in Swift, Content-Language and Expires too', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'bericht.pdf', 'pdf bytes', {
    'content-type': 'application/pdf', 'x-object-meta-owner': asUtf8Bytes(OWNER), 'x-object-meta-plain': 'ascii stays',
    'content-disposition': asUtf8Bytes(DISPOSITION), 'content-language': 'de-DE', 'expires': EXPIRES, 'cache-control': 'max-age=60',
  });
  // Bytes that are not UTF-8 (an old client's Latin-1 "Größe") are kept as they are: read as Latin-1.
  // And an Expires that is no date ("0": already expired) cannot be an S3 Expires header: it is kept in metadata.
  await putObject(account, container, 'latin1.txt', 'x', { 'x-object-meta-title': 'Größe', 'content-language': 'fr', 'expires': '0' });
  const owner = await swiftHeaderBytes(account, container, 'bericht.pdf', 'x-object-meta-owner');
  assert.deepEqual(owner, Buffer.from(OWNER, 'utf8'), 'Swift holds the owner as UTF-8 bytes (the fixture is honest)');
  assert.deepEqual(await swiftHeaderBytes(account, container, 'latin1.txt', 'x-object-meta-title'), Buffer.from('Größe', 'latin1'));

  const result = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const summary = summaryOf(result);
  assert.equal(summary.copied, 2);

  const head = await headObject(s3, bucket, 'bericht.pdf');
  assert.equal(decodeWord(head.Metadata?.owner), OWNER);
  assert.equal(head.Metadata?.plain, 'ascii stays');
  assert.equal(head.ContentType, 'application/pdf');
  const latin1 = await headObject(s3, bucket, 'latin1.txt');
  assert.equal(decodeWord(latin1.Metadata?.title), 'Größe');
  assert.equal(latin1.Metadata?.['swift-expires'], '0');
  const notes = summary.notes as { key: string; reason: string }[];
  if (target.name === 's3api') {
    assert.equal(decodeWord(head.ContentDisposition), DISPOSITION);
    assert.equal(head.ContentLanguage, 'de-DE');
    assert.equal(head.ExpiresString ?? head.Expires?.toUTCString(), EXPIRES);
    assert.equal(head.CacheControl, 'max-age=60');
    assert.deepEqual(Object.keys(head.Metadata ?? {}).filter((name) => name.startsWith('swift-') && name !== 'swift-container'), [], 'headers the target keeps are not copied twice');
    assert.equal(latin1.ContentLanguage, 'fr');
    assert.deepEqual(notes, []);
  } else {
    // Both NooBaa kinds accept and drop them (../shared/noobaa): their values are in x-amz-meta-swift-*.
    assert.equal(decodeWord(head.Metadata?.['swift-content-disposition']), DISPOSITION);
    assert.equal(head.Metadata?.['swift-content-language'], 'de-DE');
    assert.equal(head.Metadata?.['swift-expires'], EXPIRES);
    assert.equal(head.Metadata?.['swift-cache-control'], 'max-age=60');
    assert.equal(latin1.Metadata?.['swift-content-language'], 'fr');
    // Two objects carry such headers: one note and one log line for the run, not one per object.
    const about = notes.filter((note) => note.reason.includes('x-amz-meta-swift-content-disposition'));
    assert.equal(about.length, 1, JSON.stringify(notes));
    assert.match(about[0]!.reason, /Content-Disposition.*Cache-Control.*Content-Language.*Expires/);
    assert.equal(result.stdout.split('\n').filter((line) => line.includes('x-amz-meta-swift-content-disposition')).length, 2, 'one log line, and the summary');
  }

  const again = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(summaryOf(again).unchanged, 2, 'the added metadata changes nothing in how a rerun compares');
});

testOnEachTarget('an object Swift will delete (X-Delete-At, X-Delete-After) is copied, reported once with its expiry, and keeps the time', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const deleteAt = Math.floor(Date.now() / 1000) + 30 * 86_400;
  await putObject(account, container, 'expiring.txt', 'soon gone', { 'x-delete-at': String(deleteAt) });
  await putObject(account, container, 'later.txt', 'later gone', { 'x-delete-after': '86400' });
  await putObject(account, container, 'kept.txt', 'stays');

  const result = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const summary = summaryOf(result);
  assert.equal(summary.copied, 3);
  const notes = (summary.notes as { key: string; reason: string }[]).filter((note) => note.reason.includes('X-Delete-At'));
  assert.deepEqual(notes.map((note) => note.key).sort(), ['expiring.txt', 'later.txt']);
  assert.match(notes.find((note) => note.key === 'expiring.txt')!.reason, new RegExp(new Date(deleteAt * 1000).toISOString().slice(0, 19)));
  assert.equal((await headObject(s3, bucket, 'expiring.txt')).Metadata?.['swift-delete-at'], String(deleteAt));
  const later = Number((await headObject(s3, bucket, 'later.txt')).Metadata?.['swift-delete-at']);
  assert.ok(Math.abs(later - (Date.now() / 1000 + 86_400)) < 600, `X-Delete-After became the time it ends (${later})`);
  assert.equal((await headObject(s3, bucket, 'kept.txt')).Metadata?.['swift-delete-at'], undefined);

  const again = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(summaryOf(again).unchanged, 3);
  assert.deepEqual(summaryOf(again).notes, [], 'reported once: a rerun that copies nothing says nothing again');
});

testOnEachTarget('mtime as rclone reads it: rclone lsl shows the same times on both sides, for a file rclone put into Swift and for one it did not', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  // What rclone leaves in Swift: the file's own modification time in X-Object-Meta-Mtime (seconds.nanoseconds).
  const dir = mkdtempSync(join(tmpdir(), 'rclone-mtime-'));
  const file = join(dir, 'scan.dcm');
  writeFileSync(file, 'a file with an old modification time');
  utimesSync(file, new Date('2021-03-04T05:06:07.891Z'), new Date('2021-03-04T05:06:07.891Z'));
  await rclone(['copyto', file, `src:${container}/home/chris/uploads/scan.dcm`], target);
  rmSync(dir, { recursive: true, force: true });
  await putObject(account, container, 'home/chris/uploads/plain.txt', 'put by another client, no mtime of its own');
  const result = await runCli(['copy'], copierEnv(container, bucket, {}, { target }));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(summaryOf(result).notes, [], 'rclone\'s mtime is carried, not reported as dropped');
  const lsl = async (remote: string) => (await rclone(['lsl', remote], target)).trim().split('\n').map((line) => line.trim()).sort();
  const swift = await lsl(`src:${container}`);
  const s3 = await lsl(`dst:${bucket}`);
  assert.match(swift.find((line) => line.endsWith('scan.dcm')) ?? '', / 2021-03-04 05:06:07\.891/);
  assert.equal(s3.find((line) => line.endsWith('scan.dcm')), swift.find((line) => line.endsWith('scan.dcm')), 'rclone\'s own time, to the nanosecond');
  // Without one, rclone reads Swift's Last-Modified, X-Timestamp rounded up to the second; the copy keeps X-Timestamp.
  const timeOf = (lines: string[]) => Date.parse(`${/ (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?) /.exec(lines.find((line) => line.endsWith('plain.txt'))!)![1]!.replace(' ', 'T').slice(0, 23)}Z`);
  const early = timeOf(swift) - timeOf(s3);
  assert.ok(early >= 0 && early < 1000, `the copy's time is the upload's, within the second Swift rounds up to (${early} ms)`);
});
