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
  const parts = [Buffer.from('a'), Buffer.from('b')].map((part) => createHash('md5').update(part).digest());
  const expected = createHash('md5').update(Buffer.concat(parts)).digest('hex');
  assert.equal(multipartEtag(parts), `${expected}-2`);
});
