import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { choosePartSize, multipartEtag } from '../../src/sync/transfer.ts';

const MiB = 1024 * 1024;

test('the part size stays as configured while 10,000 parts suffice, and grows in whole MiB beyond', () => {
  assert.equal(choosePartSize(100 * MiB, 8 * MiB), 8 * MiB);
  assert.equal(choosePartSize(8 * MiB * 10_000, 8 * MiB), 8 * MiB);
  const huge = 5 * 1024 * 1024 * MiB; // 5 TiB, S3's largest object
  const size = choosePartSize(huge, 8 * MiB);
  assert.equal(size % MiB, 0);
  assert.ok(Math.ceil(huge / size) <= 10_000);
});

test('the expected multipart ETag is the MD5 of the parts\' binary MD5s, a dash and the count', () => {
  const parts = [Buffer.from('0cc175b9c0f1b6a831c399e269772661', 'hex'), Buffer.from('92eb5ffee6ae2fec3ad71c777531578f', 'hex')]; // MD5 of "a", of "b"
  // Computed outside this code: (printf a | md5sum | xxd -r -p; printf b | md5sum | xxd -r -p) | md5sum
  assert.equal(multipartEtag(parts), '96e024ba2074fe77e8e965ba43a704be-2');
  assert.equal(multipartEtag([createHash('md5').update('a').digest()]), `${createHash('md5').update(parts[0]!).digest('hex')}-1`, 'one part: the MD5 of its MD5');
});
