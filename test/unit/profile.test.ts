import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DROPPABLE_HEADERS, KINDS, PROBE_BODY, profileFrom, profileFromListing, type ProbeAnswers } from '../../src/s3/profile.ts';

const BODY_MD5 = createHash('md5').update(PROBE_BODY).digest('hex');
const ALL = ['a/b', 'c\u{1F600}/y', 'c\uFF61/y', 'digest', 'etag', 'f/', 'o\u{1F600}', 'o\uFF61', 'q$$/x'];

/** The answers each kind gave to the probe on the bed (listings as each server ordered them). */
const ANSWERS: Record<string, ProbeAnswers> = {
  s3api: {
    etag: BODY_MD5, bodyMd5: BODY_MD5, refusedBadDigest: true, keptHeaders: DROPPABLE_HEADERS,
    listed: ['a//b', 'c\uFF61/y', 'c\u{1F600}/y', 'etag', 'f_$folder$', 'o\uFF61', 'o\u{1F600}', 'q$$/x'],
    delimited: ['a/', 'c\uFF61/', 'c\u{1F600}/', 'etag', 'f_$folder$', 'o\uFF61', 'o\u{1F600}', 'q$$/'],
  },
  nbdb: {
    etag: BODY_MD5, bodyMd5: BODY_MD5, refusedBadDigest: true, keptHeaders: [],
    listed: ['a//b', 'c\uFF61/y', 'c\u{1F600}/y', 'etag', 'f/', 'o\uFF61', 'o\u{1F600}', 'q$$/x'],
    delimited: undefined, // a 500 paging past "q$$/"
  },
  nsfs: {
    etag: 'mtime-dne703kamh34-ino-1car6', bodyMd5: BODY_MD5, refusedBadDigest: false, keptHeaders: [],
    listed: ALL.slice(0, 1).concat(['c\u{1F600}/y', 'c\uFF61/y', 'digest', 'etag', 'f/', 'o\u{1F600}', 'o\uFF61', 'q$$/x']),
    delimited: ['a/', 'c\u{1F600}/', 'c\uFF61/', 'digest', 'etag', 'f/', 'o\u{1F600}', 'o\uFF61', 'q$$/'],
  },
};

test('the probe\'s answers of each kind give that kind\'s profile', () => {
  assert.deepEqual(profileFrom(ANSWERS.s3api!), KINDS.s3);
  assert.deepEqual(profileFrom(ANSWERS.nbdb!), KINDS['noobaa-data']);
  assert.deepEqual(profileFrom(ANSWERS.nsfs!), KINDS['noobaa-nsfs']);
});

test('each answer decides its own field', () => {
  const nsfs = ANSWERS.nsfs!;
  assert.equal(profileFrom({ ...nsfs, etag: BODY_MD5 }).md5Etags, true, 'an NSFS bucket that forces MD5 ETags');
  assert.equal(profileFrom({ ...nsfs, etag: BODY_MD5 }).etagsNameVersions, false);
  assert.equal(profileFrom({ ...nsfs, etag: BODY_MD5 }).checksContentMd5, false, 'still not refusing a wrong Content-MD5: hashed here');
  assert.equal(profileFrom({ ...ANSWERS.s3api!, etag: `${BODY_MD5}-1` }).etagsNameVersions, false, 'a multipart ETag names content');
  assert.equal(profileFrom({ ...nsfs, delimited: ['a/', 'c\uFF61/', 'digest'] }).listing, 'pages', 'a delimiter listing that skips entries is not used');
  assert.equal(profileFrom({ ...nsfs, delimited: [...nsfs.delimited!, 'q$$/'] }).delimiterListing, false, 'nor one that repeats them');
  assert.equal(profileFrom({ ...ANSWERS.s3api!, keptHeaders: ['CacheControl'] }).droppedHeaders.includes('CacheControl'), false);
  assert.deepEqual(profileFrom({ ...ANSWERS.s3api!, keptHeaders: ['CacheControl'] }).droppedHeaders, ['ContentDisposition', 'ContentLanguage', 'Expires']);
  assert.equal(profileFrom(ANSWERS.s3api!).listing, 'pages', 'a whole delimiter listing alone does not make subtrees pay');
});

test('read-only, listed ETags that name versions show a file-backed bucket; anything else lists by pages with the order repaired', () => {
  assert.equal(profileFromListing(['mtime-dne703kamh34-ino-1car6', BODY_MD5]).kind, 'noobaa-nsfs');
  assert.equal(profileFromListing([BODY_MD5]).order, 'unknown');
  assert.equal(profileFromListing([]).listing, 'pages');
});
