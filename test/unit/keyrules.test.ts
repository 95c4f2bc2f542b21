import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyProblem, nsfsKeyProblem, nsfsStoredForm, storedForm } from '../../src/s3/keyrules.ts';

test('nsfsStoredForm is the name a file-backed NooBaa bucket lists (measured: ../shared/noobaa/README.md)', () => {
  assert.equal(nsfsStoredForm('a//b'), 'a/b');
  assert.equal(nsfsStoredForm('/a'), 'a');
  assert.equal(nsfsStoredForm('d/a/.'), 'd/a');
  assert.equal(nsfsStoredForm('d/a/..'), 'd');
  assert.equal(nsfsStoredForm('dir/'), 'dir/', 'a trailing "/" key with a body is kept');
  assert.equal(nsfsStoredForm('home/chris/feeds/feed_1/data/x.dcm'), 'home/chris/feeds/feed_1/data/x.dcm');
});

test('nsfsKeyProblem says why a key cannot be stored as named, counting UTF-8 bytes per segment', () => {
  assert.equal(nsfsKeyProblem(`a/${'x'.repeat(255)}`), undefined, '255 bytes fit');
  assert.match(nsfsKeyProblem(`a/${'x'.repeat(256)}`)!, /path segment is 256 bytes; a file-backed NooBaa bucket allows 255/);
  assert.match(nsfsKeyProblem(`a/${'é'.repeat(128)}`)!, /256 bytes/, '128 characters of 2 bytes');
  for (const key of ['a/./b', './a', 'a/../b', 'a./b']) assert.match(nsfsKeyProblem(key)!, /contains "\.\/"/, key);
  assert.match(nsfsKeyProblem('a//b')!, /would store it as "a\/b"/);
  assert.match(nsfsKeyProblem('/a')!, /would store it as "a"/);
  assert.match(nsfsKeyProblem('d/a/.')!, /would store it as "d\/a"/);
  assert.match(nsfsKeyProblem('/')!, /only "\/" and "\." segments/);
  for (const key of ['a', 'a/b.c', 'a.b/c', 'dir/', 'SERVICES/PACS/1234-Anonymized/MR Brain/00001.dcm', 'x..y', '.hidden']) assert.equal(nsfsKeyProblem(key), undefined, key);
});

test('the s3 rules accept every key as it is', () => {
  assert.equal(keyProblem('s3', 'a//b'), undefined);
  assert.equal(storedForm('s3', 'a//b'), 'a//b');
  assert.equal(storedForm('nsfs', 'a//b'), 'a/b');
});

test('every NooBaa turns the first "_$folder$" into "/" (measured on both kinds): the noobaa rules name it, the nsfs rules too', () => {
  assert.equal(storedForm('noobaa', 'f_$folder$'), 'f/');
  assert.equal(storedForm('noobaa', 'a_$folder$b_$folder$c'), 'a/b_$folder$c', 'only the first');
  assert.equal(storedForm('noobaa', 'g/_$folder$'), 'g//', 'a data bucket keeps "//"');
  assert.equal(storedForm('nsfs', 'g/_$folder$'), 'g/', 'a file-backed one collapses it');
  assert.equal(storedForm('nsfs', 'h_$folder$/i'), 'h/i');
  assert.match(keyProblem('noobaa', 'home/x_$folder$')!, /NooBaa turns the first "_\$folder\$" in a key into "\/": it would store it as "home\/x\/"/);
  assert.match(keyProblem('nsfs', 'f_$folder$')!, /would store it as "f\/"/);
  assert.equal(keyProblem('s3', 'f_$folder$'), undefined);
  for (const key of ['a//b', './', `${'x'.repeat(300)}/y`, 'x', 'x/child', 'd/.folder', "q'/x", 'q$$/x']) assert.equal(keyProblem('noobaa', key), undefined, key);
});

test('a file-backed bucket keeps the body of "d/" in "d/.folder": that key is named, and lists as "d/"', () => {
  assert.equal(nsfsStoredForm('d/.folder'), 'd/');
  assert.equal(nsfsStoredForm('a/b/.folder'), 'a/b/');
  assert.equal(nsfsStoredForm('.folder'), '.folder', 'not below a directory');
  assert.match(nsfsKeyProblem('d/.folder')!, /keeps the body of the key "d\/" in the file "d\/\.folder": it would store it as "d\/"/);
  assert.equal(nsfsKeyProblem('d/.folders'), undefined);
  assert.equal(nsfsKeyProblem('d/.folder/x'), undefined);
});
