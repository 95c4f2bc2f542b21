import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { LedgerError } from '../../src/errors.ts';
import { Ledger, isLedgerName, ledgerName, type Known } from '../../src/sync/ledger.ts';
import type { SourceEntry } from '../../src/swift/source.ts';
import type { LedgerCounts } from '../../src/report/stats.ts';

const MD5 = '0123456789abcdef0123456789abcdef';
const OTHER_MD5 = 'fedcba9876543210fedcba9876543210';
const ETAG = 'mtime-dn4i4ezydjwg-ino-3nco6';
const LATER_ETAG = 'mtime-dn4i4f10ham8-ino-3nco6';

const entry = (overrides: Partial<SourceEntry> = {}): SourceEntry => ({ container: 'users', name: 'a/b.txt', bytes: 100, md5: MD5, etag: MD5, lastModified: '', contentType: 'text/plain', ...overrides });
const listed = (etag = ETAG, size = 100) => ({ name: 'a/b.txt', size, etag });
const known: Known = { etag: ETAG, md5: MD5, size: 100 };
const counts = (): LedgerCounts => ({ known: 0, settled: 0, learned: 0, written: 0 });
const identity = { container: 'users', shard: 2, shardCount: 4 };

test('a ledger written and read back knows the same objects', async () => {
  const ledger = new Ledger(identity, counts());
  ledger.learn('a/b.txt', known);
  ledger.learn('c', { etag: LATER_ETAG, md5: OTHER_MD5, size: 7 });
  ledger.learn('not a version', { etag: MD5, md5: MD5, size: 7 });
  const { body, entries } = await ledger.serialize();
  assert.equal(entries, 2);
  const read = await Ledger.parse(body, identity, counts());
  assert.equal(read.settle(entry(), listed()), true);
  assert.equal(read.settle(entry({ name: 'c', bytes: 7, md5: OTHER_MD5 }), { name: 'c', size: 7, etag: LATER_ETAG }), true);
  assert.equal(read.settle(entry({ name: 'not a version', bytes: 7 }), { name: 'not a version', size: 7, etag: MD5 }), false);
});

test('a ledger that is not exactly ours for this container and shard is refused whole', async () => {
  const ledger = new Ledger(identity, counts());
  ledger.learn('a/b.txt', known);
  const { body } = await ledger.serialize();
  const refused = async (bytes: Buffer, as = identity) => assert.rejects(Ledger.parse(bytes, as, counts()), LedgerError);
  await refused(Buffer.from('not gzip at all'));
  await refused(body.subarray(0, body.length - 9), identity);
  await refused(body, { ...identity, shardCount: 8 });
  await refused(body, { ...identity, shard: 1 });
  await refused(body, { ...identity, container: 'archive' });
  const header = JSON.stringify({ format: 'swift-to-s3 resync ledger', version: 1, ...identity, entries: 1 });
  await refused(gzipSync(`${header}\n["a/b.txt","${ETAG}","${MD5}",100]\n["x","${ETAG}","${MD5}",1]\n`), identity);
  await refused(gzipSync(`${header}\n["a/b.txt","${ETAG}","not an md5",100]\n`), identity);
  await refused(gzipSync(`${header}\n["a/b.txt","${ETAG}","${MD5}",-1]\n`), identity);
  await refused(gzipSync(`${header}\n["a/b.txt","${ETAG}","${MD5}",100]`), identity);
  const twice = JSON.stringify({ format: 'swift-to-s3 resync ledger', version: 1, ...identity, entries: 2 });
  await refused(gzipSync(`${twice}\n["a/b.txt","${ETAG}","${MD5}",100]\n["a/b.txt","${ETAG}","${MD5}",100]\n`), identity);
  const parsed = await Ledger.parse(gzipSync(`${header}\n["a/b.txt","${ETAG}","${MD5}",100]\n`), identity, counts());
  assert.equal(parsed.settle(entry(), listed()), true, 'the same ledger, well formed, is read');
});

test('a run through the whole listing keeps only the objects it met again; an interrupted run keeps the rest too', async () => {
  const start = async () => {
    const first = new Ledger(identity, counts());
    first.learn('a/b.txt', known);
    first.learn('gone', { ...known, etag: LATER_ETAG });
    return Ledger.parse((await first.serialize()).body, identity, counts());
  };
  const complete = await start();
  assert.equal(complete.settle(entry(), listed()), true);
  assert.equal(complete.needsWriting, false, 'nothing learned yet');
  complete.listingDone();
  assert.equal(complete.needsWriting, true, '"gone" can be dropped');
  const written = await complete.serialize();
  assert.equal(written.entries, 1);
  written.stored();
  assert.equal(complete.needsWriting, false);

  const interrupted = await start();
  assert.equal(interrupted.settle(entry(), listed()), true);
  assert.equal(interrupted.needsWriting, false, 'an unchanged resync writes nothing');
  interrupted.learn('new', known);
  assert.equal(interrupted.needsWriting, true);
  assert.equal((await interrupted.serialize()).entries, 3);
});

test('ledger keys are named per container, shard and shard count, and only they are recognised as ledgers', () => {
  const name = ledgerName(identity);
  assert.equal(name, '.swift-to-s3/ledger/users/shard-2-of-4.ndjson.gz');
  assert.equal(isLedgerName(name), true);
  assert.equal(isLedgerName(ledgerName({ container: 'a b/c', shard: 0, shardCount: 1 })), true);
  assert.equal(isLedgerName(`archive/${name}`), true, 'the ledger of a container copied below this one\'s prefix');
  for (const other of ['.swift-to-s3/ledger/users/notes.txt', '.swift-to-s3/other', 'home/x.swift-to-s3/ledger/users/shard-0-of-1.ndjson.gz', '.swift-to-s3/ledger/shard-0-of-1.ndjson.gz', `${name}.bak`]) {
    assert.equal(isLedgerName(other), false, other);
  }
});
