// Every verdict of decide.ts, each beside an input one step away that must not give it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VERSION_ETAG } from '../../src/md5.ts';
import { compareEmptyListed, compareHead, compareKnown, compareListed, dloEtagOf, knownFromHead, knownFromListing, listsAsEmpty } from '../../src/sync/decide.ts';
import type { Known } from '../../src/sync/known.ts';
import type { SourceEntry } from '../../src/swift/source.ts';
import type { DestEntry, DestHead } from '../../src/s3/target.ts';

// printf 'hello\n' | md5sum; the same 6 bytes with one letter changed: printf 'hellO\n' | md5sum; printf '' | md5sum
const HELLO_MD5 = 'b1946ac92492d2347c6235b4d2611184';
const HELLO_CHANGED_MD5 = 'db2480e33cac4bf29fb0803af567ab19';
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
// rclone's md5chksum, the binary MD5 in base64: printf 'hello\n' | md5sum | xxd -r -p | base64 (and of 'hellO\n')
const HELLO_MD5CHKSUM = 'sZRqySSS0jR8YjW00mERhA==';
const HELLO_CHANGED_MD5CHKSUM = '2ySA4zysS/KfsIA69WerGQ==';

// A scan of two parts: p1 = head -c 5242880 /dev/zero | tr '\0' a, p2 = printf 'hello\n' (5,242,886 bytes in all).
const SCAN_BYTES = 5_242_886;
const SCAN_MD5 = '02bdd6530235ccb9bc6c7d7e617899ba'; // cat p1 p2 | md5sum
const SCAN_MD5CHKSUM = 'Ar3WUwI1zLm8bH1+YXiZug=='; // cat p1 p2 | md5sum | xxd -r -p | base64
// S3's ETag of p1, p2 uploaded as two parts: (md5sum < p1 | xxd -r -p; md5sum < p2 | xxd -r -p) | md5sum, then "-2".
const SCAN_MULTIPART_ETAG = 'efde1aae9995aaadb27d318ca3011819-2';
// Swift's ETag of an SLO or DLO of segments p1, p2: the MD5 of their hex ETags,
// printf 79b281060d337b9b2b84ccf390adcf74b1946ac92492d2347c6235b4d2611184 | md5sum
const SCAN_LARGE_ETAG = '1c92d26bbc5d82073dff925bcff48bb8';
// The same size, p2 changed to 'hellO\n': printf 79b281060d337b9b2b84ccf390adcf74db2480e33cac4bf29fb0803af567ab19 | md5sum
const CHANGED_LARGE_ETAG = 'd8dad0dcdd334fbda0ecdf360543f0c0';
// A DLO of p1 alone (5,242,880 bytes): printf 79b281060d337b9b2b84ccf390adcf74 | md5sum
const FIRST_SEGMENT_ETAG = 'eec7e9a82493e172265a3e8991c55ab1';
// The SLO's manifest itself, which an old Swift lists as the "hash": the 198 bytes
// [{"name": "/users_segments/scan.nii/1", "bytes": 5242880, "hash": "79b281060d337b9b2b84ccf390adcf74"}, {"name": "/users_segments/scan.nii/2", "bytes": 6, "hash": "b1946ac92492d2347c6235b4d2611184"}]
// | md5sum
const MANIFEST_MD5 = '26d391a721d486db2c91a9df6f8387a1';
// NooBaa NSFS's ETag as measured (../shared/noobaa/README.md), and another write's ETag of the same form.
const NOOBAA_ETAG = 'mtime-dn4ditjuiosg-ino-147qy';
const NOOBAA_LATER_ETAG = 'mtime-dn4i4f10ham8-ino-3nco6';

/** A row of Swift's listing as SwiftSource reads it: a 6-byte plain object by default. */
const listedInSwift = (overrides: Partial<SourceEntry> = {}): SourceEntry => ({
  container: 'users', name: 'notes.txt', bytes: 6, md5: HELLO_MD5, etag: HELLO_MD5, lastModified: '2024-05-02T10:00:00.000000', contentType: 'text/plain', ...overrides,
});
const hello = listedInSwift();
/** A DLO manifest, a symlink or a real empty object: Swift lists all three alike. */
const emptyListing = listedInSwift({ bytes: 0, md5: EMPTY_MD5, etag: EMPTY_MD5 });
const scan = listedInSwift({ name: 'scan.nii', bytes: SCAN_BYTES, md5: SCAN_MD5, etag: SCAN_MD5, contentType: 'application/octet-stream' });
/** An SLO as Swift 2.19+ lists it (slo_etag), and as an older one does (";swift_bytes=" in the type, no ETag). */
const slo = listedInSwift({ name: 'scan.nii', bytes: SCAN_BYTES, md5: undefined, etag: SCAN_LARGE_ETAG, contentType: 'application/octet-stream', largeObject: 'slo' });
const oldSlo = { ...slo, etag: '' };
/** An SLO listed as a plain object: no slo_etag, the manifest's MD5 as hash, the whole size as bytes. */
const sloListedPlain = listedInSwift({ name: 'scan.nii', bytes: SCAN_BYTES, md5: MANIFEST_MD5, etag: MANIFEST_MD5, contentType: 'application/octet-stream' });

const inBucket = (size: number, etag: string): DestEntry => ({ name: 'notes.txt', size, etag });
const headOf = (size: number, etag: string, metadata: Record<string, string> = {}): DestHead => ({ size, etag, metadata, missingMeta: 0, headers: {} });
/** The copy of a large object as the copier writes it: its Swift ETag and kind, and the MD5 it found while copying. */
const largeCopy = (kind: 'slo' | 'dlo', swiftEtag: string, size = SCAN_BYTES) =>
  headOf(size, SCAN_MULTIPART_ETAG, { 'swift-large-object': kind, 'swift-etag': swiftEtag, md5chksum: SCAN_MD5CHKSUM });

/** Swift's HEAD answers (header names lowercased, as SwiftSource returns them); large objects' ETags come quoted. */
const plainEmptyHeaders = { 'content-length': '0', etag: EMPTY_MD5, 'content-type': 'application/octet-stream' };
const dloHeaders = (size: number, etag: string) => ({ 'content-length': String(size), etag: `"${etag}"`, 'x-object-manifest': 'users_segments/scan.nii/' });
const symlinkHeaders = { 'content-location': '/v1/AUTH_test/users/data/notes.txt', 'content-length': '6', etag: HELLO_MD5, 'content-type': 'text/plain' };

test('an object listed with 0 bytes and the empty MD5 lists as empty; one byte more does not', () => {
  assert.equal(listsAsEmpty(emptyListing), true);
  assert.equal(listsAsEmpty(hello), false);
  assert.equal(listsAsEmpty(listedInSwift({ bytes: 0, md5: undefined, etag: SCAN_LARGE_ETAG, largeObject: 'slo' })), false, 'an SLO listed at 0 bytes has no MD5');
});

test('an empty listing always needs a HEAD, even facing an empty object or another size: an empty DLO may have segments now', () => {
  for (const mode of ['checksum', 'size'] as const) {
    assert.equal(compareListed(emptyListing, inBucket(0, EMPTY_MD5), mode), 'needs-head', mode);
    assert.equal(compareListed(emptyListing, inBucket(SCAN_BYTES, SCAN_MULTIPART_ETAG), mode), 'needs-head', `${mode}: not "differ"`);
  }
  assert.equal(compareListed(hello, inBucket(6, HELLO_MD5), 'checksum'), 'equal', 'the same pair, 6 bytes: settled');
});

test('another size differs in either mode; the same size does not', () => {
  for (const mode of ['checksum', 'size'] as const) {
    assert.equal(compareListed(hello, inBucket(7, HELLO_MD5), mode), 'differ', mode);
    assert.notEqual(compareListed(hello, inBucket(6, HELLO_CHANGED_MD5), mode), 'differ', mode);
  }
});

test('COMPARE=size settles a same-size object from the listings, whatever the MD5s; COMPARE=checksum asks a HEAD', () => {
  assert.equal(compareListed(hello, inBucket(6, HELLO_CHANGED_MD5), 'size'), 'equal');
  assert.equal(compareListed(hello, inBucket(6, HELLO_CHANGED_MD5), 'checksum'), 'needs-head');
  assert.equal(compareListed(slo, inBucket(SCAN_BYTES, SCAN_MULTIPART_ETAG), 'size'), 'equal', 'a large object too');
});

test('COMPARE=checksum settles from the listings only a plain-MD5 ETag equal to Swift\'s MD5', () => {
  assert.equal(compareListed(scan, inBucket(SCAN_BYTES, SCAN_MD5), 'checksum'), 'equal');
  assert.equal(compareListed(scan, inBucket(SCAN_BYTES, SCAN_MULTIPART_ETAG), 'checksum'), 'needs-head', 'a multipart ETag is no MD5 of the bytes');
  assert.equal(compareListed(scan, inBucket(SCAN_BYTES, NOOBAA_ETAG), 'checksum'), 'needs-head', 'NooBaa\'s ETag names a write, not content');
  // Different MD5s at the same size are not "differ": the listed MD5 may be an SLO manifest's own.
  assert.equal(compareListed(sloListedPlain, inBucket(SCAN_BYTES, SCAN_MD5), 'checksum'), 'needs-head');
});

test('a large object never settles from the listings under COMPARE=checksum, even when its Swift ETag is the listed ETag', () => {
  assert.equal(compareListed(slo, inBucket(SCAN_BYTES, SCAN_LARGE_ETAG), 'checksum'), 'needs-head');
  assert.equal(compareListed(oldSlo, inBucket(SCAN_BYTES, SCAN_MULTIPART_ETAG), 'checksum'), 'needs-head', 'an old Swift\'s SLO, listed without ETag');
  assert.equal(compareListed(slo, inBucket(SCAN_BYTES - 1, SCAN_MULTIPART_ETAG), 'checksum'), 'differ', 'its size still differs');
});

test('a plain object is in place when the HEAD shows Swift\'s MD5: a plain-MD5 ETag, else the md5chksum the copier stored', () => {
  assert.equal(compareHead(hello, headOf(6, HELLO_MD5), 'checksum'), true);
  assert.equal(compareHead(hello, headOf(6, HELLO_CHANGED_MD5), 'checksum'), false);
  assert.equal(compareHead(scan, headOf(SCAN_BYTES, SCAN_MULTIPART_ETAG, { md5chksum: SCAN_MD5CHKSUM }), 'checksum'), true, 'multipart');
  assert.equal(compareHead(scan, headOf(SCAN_BYTES, SCAN_MULTIPART_ETAG), 'checksum'), false, 'multipart, no md5chksum: nothing proves the bytes');
  assert.equal(compareHead(hello, headOf(6, NOOBAA_ETAG, { md5chksum: HELLO_MD5CHKSUM }), 'checksum'), true, 'NooBaa');
  assert.equal(compareHead(hello, headOf(6, NOOBAA_ETAG, { md5chksum: HELLO_CHANGED_MD5CHKSUM }), 'checksum'), false, 'NooBaa, another MD5 stored');
  assert.equal(compareHead(hello, headOf(6, NOOBAA_ETAG, { md5chksum: HELLO_MD5 }), 'checksum'), false, 'hex where base64 belongs is not 16 bytes: no proof');
  assert.equal(compareHead(listedInSwift({ md5: undefined, etag: '' }), headOf(6, NOOBAA_ETAG, { md5chksum: HELLO_MD5CHKSUM }), 'checksum'), false, 'no MD5 listed: nothing to hold');
});

test('a plain-MD5 ETag outranks md5chksum: the server hashed the stored bytes, the metadata is only what someone wrote', () => {
  assert.equal(compareHead(hello, headOf(6, HELLO_CHANGED_MD5, { md5chksum: HELLO_MD5CHKSUM }), 'checksum'), false);
  assert.equal(compareHead(hello, headOf(6, HELLO_MD5, { md5chksum: HELLO_CHANGED_MD5CHKSUM }), 'checksum'), true);
});

test('after a HEAD another size is never in place; under COMPARE=size the same size always is', () => {
  assert.equal(compareHead(hello, headOf(7, HELLO_MD5), 'checksum'), false);
  assert.equal(compareHead(hello, headOf(7, HELLO_MD5), 'size'), false);
  assert.equal(compareHead(hello, headOf(6, HELLO_CHANGED_MD5), 'size'), true);
  assert.equal(compareHead(slo, largeCopy('slo', CHANGED_LARGE_ETAG), 'size'), true, 'an SLO too');
});

test('an SLO is in place when its copy recorded the Swift ETag it has now (its md5chksum does not decide)', () => {
  assert.equal(compareHead(slo, largeCopy('slo', SCAN_LARGE_ETAG), 'checksum'), true);
  assert.equal(compareHead(slo, largeCopy('slo', CHANGED_LARGE_ETAG), 'checksum'), false, 'rewritten since, same size');
  assert.equal(compareHead(slo, headOf(SCAN_BYTES, SCAN_MD5, { md5chksum: SCAN_MD5CHKSUM }), 'checksum'), false, 'the right bytes, but no Swift ETag recorded');
  // An old Swift's listing has no ETag: isInPlace fills it in from the source's HEAD first; unfilled, nothing matches it.
  assert.equal(compareHead(oldSlo, largeCopy('slo', SCAN_LARGE_ETAG), 'checksum'), false);
  assert.equal(compareHead(oldSlo, largeCopy('slo', ''), 'checksum'), false, 'not even an empty recorded ETag');
  assert.equal(compareHead({ ...oldSlo, etag: SCAN_LARGE_ETAG }, largeCopy('slo', SCAN_LARGE_ETAG), 'checksum'), true, 'filled in');
});

test('an SLO listed as a plain object is not in place by compareHead alone: its "MD5" is the manifest\'s (isInPlace asks the source)', () => {
  assert.equal(compareHead(sloListedPlain, largeCopy('slo', SCAN_LARGE_ETAG), 'checksum'), false);
  assert.equal(compareHead(sloListedPlain, largeCopy('slo', SCAN_LARGE_ETAG), 'size'), true);
});

test('a DLO\'s copy is in place when the source is still a DLO with the recorded ETag, in either mode', () => {
  // A DLO's listing tells nothing (0 bytes, the empty MD5): only the ETag its source HEAD gives counts.
  assert.equal(compareHead(emptyListing, largeCopy('dlo', SCAN_LARGE_ETAG), 'checksum', SCAN_LARGE_ETAG), true);
  assert.equal(compareHead(emptyListing, largeCopy('dlo', SCAN_LARGE_ETAG), 'checksum', CHANGED_LARGE_ETAG), false);
  assert.equal(compareHead(emptyListing, largeCopy('dlo', SCAN_LARGE_ETAG), 'checksum'), false, 'no longer a DLO of that size');
  assert.equal(compareHead(emptyListing, headOf(SCAN_BYTES, SCAN_MULTIPART_ETAG, { 'swift-large-object': 'dlo' }), 'checksum'), false, 'a marker without a recorded ETag, nor a DLO now');
  assert.equal(compareHead(emptyListing, largeCopy('dlo', SCAN_LARGE_ETAG), 'size', CHANGED_LARGE_ETAG), false, 'COMPARE=size does not skip it: the listed 0 bytes prove nothing');
});

test('a DLO\'s current ETag counts only while the source is still a DLO of the size that was copied', () => {
  assert.equal(dloEtagOf(dloHeaders(SCAN_BYTES, SCAN_LARGE_ETAG), SCAN_BYTES), SCAN_LARGE_ETAG, 'unquoted, as the copy stored it');
  assert.equal(dloEtagOf(dloHeaders(5_242_880, FIRST_SEGMENT_ETAG), SCAN_BYTES), undefined, 'a segment fewer');
  assert.equal(dloEtagOf({ 'content-length': String(SCAN_BYTES), etag: SCAN_MD5 }, SCAN_BYTES), undefined, 'replaced by a plain object of that size');
  assert.equal(dloEtagOf({ 'content-length': String(SCAN_BYTES), 'x-object-manifest': 'users_segments/scan.nii/' }, SCAN_BYTES), undefined, 'no ETag');
  assert.equal(dloEtagOf(undefined, SCAN_BYTES), undefined, 'gone from Swift');
});

test('a plain empty object is in place when the copy is an empty object not written from a DLO', () => {
  assert.equal(compareEmptyListed(plainEmptyHeaders, headOf(0, EMPTY_MD5)), true);
  assert.equal(compareEmptyListed(plainEmptyHeaders, headOf(0, NOOBAA_ETAG)), true, 'NooBaa\'s ETag of an empty file');
  assert.equal(compareEmptyListed(plainEmptyHeaders, headOf(6, HELLO_MD5)), false);
  assert.equal(compareEmptyListed(plainEmptyHeaders, headOf(0, EMPTY_MD5, { 'swift-large-object': 'dlo', 'swift-etag': EMPTY_MD5 })), false, 'the copy of what was a DLO');
});

test('a DLO is in place when its copy has the DLO\'s assembled size and the ETag Swift gives it now', () => {
  assert.equal(compareEmptyListed(dloHeaders(SCAN_BYTES, SCAN_LARGE_ETAG), largeCopy('dlo', SCAN_LARGE_ETAG)), true);
  assert.equal(compareEmptyListed(dloHeaders(SCAN_BYTES, CHANGED_LARGE_ETAG), largeCopy('dlo', SCAN_LARGE_ETAG)), false, 'a segment rewritten, same size');
  assert.equal(compareEmptyListed(dloHeaders(SCAN_BYTES, SCAN_LARGE_ETAG), headOf(SCAN_BYTES, SCAN_MULTIPART_ETAG, { md5chksum: SCAN_MD5CHKSUM })), false, 'the right bytes, but not written from a DLO');
  // An SLO of the same segments has the same ETag; its copy is not taken for the DLO's (written again, as a DLO's).
  assert.equal(compareEmptyListed(dloHeaders(SCAN_BYTES, SCAN_LARGE_ETAG), largeCopy('slo', SCAN_LARGE_ETAG)), false);
  // Copied while it had no segments (Swift's ETag of no segments is the MD5 of nothing), then segments came.
  const copiedEmpty = headOf(0, EMPTY_MD5, { 'swift-large-object': 'dlo', 'swift-etag': EMPTY_MD5 });
  assert.equal(compareEmptyListed(dloHeaders(0, EMPTY_MD5), copiedEmpty), true);
  assert.equal(compareEmptyListed(dloHeaders(5_242_880, FIRST_SEGMENT_ETAG), copiedEmpty), false);
});

test('a symlink is in place when the copy holds its target\'s size and MD5, a plain-MD5 ETag outranking md5chksum', () => {
  assert.equal(compareEmptyListed(symlinkHeaders, headOf(6, HELLO_MD5)), true);
  assert.equal(compareEmptyListed(symlinkHeaders, headOf(6, NOOBAA_ETAG, { md5chksum: HELLO_MD5CHKSUM })), true);
  assert.equal(compareEmptyListed(symlinkHeaders, headOf(6, NOOBAA_ETAG)), false, 'no md5chksum');
  assert.equal(compareEmptyListed(symlinkHeaders, headOf(6, HELLO_CHANGED_MD5, { md5chksum: HELLO_MD5CHKSUM })), false, 'the ETag says other bytes');
  assert.equal(compareEmptyListed({ ...symlinkHeaders, 'content-length': '7' }, headOf(6, HELLO_MD5)), false, 'the target changed size');
  assert.equal(compareEmptyListed(symlinkHeaders, headOf(0, EMPTY_MD5)), false, 'the rule of a plain empty object does not apply');
});

test('a symlink to a DLO is settled as that DLO', () => {
  const toDlo = { ...dloHeaders(SCAN_BYTES, SCAN_LARGE_ETAG), 'content-location': '/v1/AUTH_test/users/scan.nii' };
  assert.equal(compareEmptyListed(toDlo, largeCopy('dlo', SCAN_LARGE_ETAG)), true);
  assert.equal(compareEmptyListed(toDlo, headOf(SCAN_BYTES, SCAN_MD5)), false, 'the bytes, but no DLO marker');
});

// Swift's HEAD of a symlink to an SLO, as the bed's Swift answers it: the SLO's quoted ETag, MD5-shaped, not its MD5.
test('a symlink to an SLO is settled by the SLO\'s ETag the copy recorded, not by its content\'s MD5', () => {
  const toSlo = (etag: string) => ({ 'content-location': '/v1/AUTH_test/users/scan.nii', 'content-length': String(SCAN_BYTES), etag: `"${etag}"`, 'x-static-large-object': 'True' });
  assert.equal(compareEmptyListed(toSlo(SCAN_LARGE_ETAG), largeCopy('slo', SCAN_LARGE_ETAG)), true);
  const singlePut = headOf(SCAN_BYTES, SCAN_MD5, { 'swift-large-object': 'slo', 'swift-etag': SCAN_LARGE_ETAG, md5chksum: SCAN_MD5CHKSUM });
  assert.equal(compareEmptyListed(toSlo(SCAN_LARGE_ETAG), singlePut), true, 'a plain-MD5 ETag of the content is no reason to copy again');
  assert.equal(compareEmptyListed(toSlo(CHANGED_LARGE_ETAG), largeCopy('slo', SCAN_LARGE_ETAG)), false, 'the SLO changed, at the same size');
  assert.equal(compareEmptyListed(toSlo(SCAN_LARGE_ETAG), headOf(SCAN_BYTES, SCAN_MD5)), false, 'the bytes, but no Swift ETag recorded');
});

test('only NooBaa\'s mtime-…-ino-… ETag names a version of a key', () => {
  assert.equal(VERSION_ETAG.test(NOOBAA_ETAG), true);
  for (const etag of [HELLO_MD5, SCAN_MULTIPART_ETAG, `"${NOOBAA_ETAG}"`, '']) assert.equal(VERSION_ETAG.test(etag), false, etag);
});

const known: Known = { etag: NOOBAA_ETAG, md5: HELLO_MD5, size: 6 };

test('the ledger settles an object without a HEAD only when the listed ETag, Swift\'s MD5 and both sizes are what it knows', () => {
  assert.equal(compareKnown(hello, inBucket(6, NOOBAA_ETAG), known), true);
  assert.equal(compareKnown(hello, inBucket(6, NOOBAA_LATER_ETAG), known), false, 'written again since (same bytes or not)');
  assert.equal(compareKnown(listedInSwift({ md5: HELLO_CHANGED_MD5, etag: HELLO_CHANGED_MD5 }), inBucket(6, NOOBAA_ETAG), known), false, 'Swift changed, same size');
  assert.equal(compareKnown(listedInSwift({ bytes: 7 }), inBucket(6, NOOBAA_ETAG), known), false, 'Swift changed size');
  assert.equal(compareKnown(hello, inBucket(7, NOOBAA_ETAG), known), false, 'the listed size is not the known one');
  assert.equal(compareKnown(hello, inBucket(6, NOOBAA_ETAG), undefined), false, 'nothing known');
});

test('where ETags are MD5s the ledger knows content: the MD5 itself, or a multipart ETag; never another MD5', () => {
  const multipart = `${HELLO_CHANGED_MD5}-2`;
  assert.equal(compareKnown(hello, inBucket(6, HELLO_MD5), { ...known, etag: HELLO_MD5 }), true, 'the listed ETag is the content\'s MD5');
  assert.equal(compareKnown(hello, inBucket(6, multipart), { ...known, etag: multipart }), true, 'the MD5s of the same parts');
  assert.equal(compareKnown(hello, inBucket(6, `${HELLO_CHANGED_MD5}-3`), { ...known, etag: multipart }), false, 'other parts');
  assert.equal(compareKnown(hello, inBucket(6, HELLO_CHANGED_MD5), { ...known, etag: HELLO_CHANGED_MD5 }), false, 'an MD5 ETag that is not the known MD5 names nothing');
});

test('an object the listings settled teaches the ledger its content: only a listed ETag that is Swift\'s MD5, at Swift\'s size', () => {
  assert.deepEqual(knownFromListing(hello, inBucket(6, HELLO_MD5)), { etag: HELLO_MD5, md5: HELLO_MD5, size: 6 });
  assert.equal(knownFromListing(hello, inBucket(6, HELLO_CHANGED_MD5)), undefined);
  assert.equal(knownFromListing(hello, inBucket(7, HELLO_MD5)), undefined);
  assert.equal(knownFromListing(hello, inBucket(6, NOOBAA_ETAG)), undefined, 'a version ETag says nothing of the content');
  assert.equal(knownFromListing(listedInSwift({ largeObject: 'slo' }), inBucket(6, HELLO_MD5)), undefined, 'a large object\'s listed ETag is its manifest\'s');
  assert.equal(knownFromListing(emptyListing, inBucket(0, EMPTY_MD5)), undefined, 'an empty listing: maybe a DLO');
});

test('empty listings, large objects and objects listed without an MD5 are never settled by the ledger', () => {
  assert.equal(compareKnown(emptyListing, inBucket(0, NOOBAA_ETAG), { etag: NOOBAA_ETAG, md5: EMPTY_MD5, size: 0 }), false, 'a DLO or symlink lists as empty');
  assert.equal(compareKnown(listedInSwift({ largeObject: 'slo' }), inBucket(6, NOOBAA_ETAG), known), false);
  assert.equal(compareKnown(listedInSwift({ md5: undefined }), inBucket(6, NOOBAA_ETAG), known), false);
});

test('a HEAD teaches the ledger only what md5chksum proves of that version', () => {
  assert.deepEqual(knownFromHead(hello, headOf(6, NOOBAA_ETAG, { md5chksum: HELLO_MD5CHKSUM })), known);
  assert.equal(knownFromHead(hello, headOf(6, NOOBAA_ETAG)), undefined, 'no md5chksum: only a size');
  assert.equal(knownFromHead(hello, headOf(6, NOOBAA_ETAG, { md5chksum: HELLO_CHANGED_MD5CHKSUM })), undefined);
  assert.deepEqual(knownFromHead(hello, headOf(6, HELLO_MD5, { md5chksum: HELLO_MD5CHKSUM })), { ...known, etag: HELLO_MD5 }, 'an MD5 ETag that is the content\'s');
  assert.deepEqual(knownFromHead(hello, headOf(6, `${HELLO_CHANGED_MD5}-2`, { md5chksum: HELLO_MD5CHKSUM })), { ...known, etag: `${HELLO_CHANGED_MD5}-2` }, 'a multipart ETag');
  assert.equal(knownFromHead(hello, headOf(6, HELLO_CHANGED_MD5, { md5chksum: HELLO_MD5CHKSUM })), undefined, 'an MD5 ETag that is not the md5chksum: names nothing');
  assert.equal(knownFromHead(hello, headOf(6, NOOBAA_ETAG, { md5chksum: HELLO_MD5CHKSUM, 'swift-large-object': 'slo' })), undefined);
  assert.equal(knownFromHead(hello, headOf(7, NOOBAA_ETAG, { md5chksum: HELLO_MD5CHKSUM })), undefined);
  assert.equal(knownFromHead(emptyListing, headOf(0, NOOBAA_ETAG, { md5chksum: '1B2M2Y8AsgTpgAmY7PhCfg==' })), undefined, 'an empty listing: maybe a DLO');
});
