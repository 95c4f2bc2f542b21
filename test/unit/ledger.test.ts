import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { LedgerError } from '../../src/errors.ts';
import type { Known } from '../../src/sync/known.ts';
import { Ledger, isLedgerName, ledgerName } from '../../src/sync/ledger.ts';
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

const scratch = mkdtempSync(join(tmpdir(), 'ledger-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;

/** The ledger's stored form: written to a file, as a run writes it before its PUT. */
async function stored(ledger: Ledger) {
  const path = join(scratch, `${files++}.ndjson.gz`);
  const written = await ledger.writeFile(path);
  return { ...written, body: readFileSync(path) };
}

/** Read back as from a GET's body, a chunk at a time. */
const readBack = (body: Buffer, as = identity) => Ledger.read(Readable.from([body.subarray(0, 7), body.subarray(7)]), as, counts());

test('a ledger written and read back knows the same objects', async () => {
  const ledger = new Ledger(identity, counts());
  ledger.learn('a/b.txt', known);
  ledger.learn('c', { etag: LATER_ETAG, md5: OTHER_MD5, size: 7 });
  ledger.learn('not a version', { etag: MD5, md5: MD5, size: 7 });
  const { body, entries } = await stored(ledger);
  assert.equal(entries, 2);
  const read = await readBack(body);
  assert.equal(read.settle(entry(), listed()), true);
  assert.equal(read.settle(entry({ name: 'c', bytes: 7, md5: OTHER_MD5 }), { name: 'c', size: 7, etag: LATER_ETAG }), true);
  assert.equal(read.settle(entry({ name: 'not a version', bytes: 7 }), { name: 'not a version', size: 7, etag: MD5 }), false);
});

test('a ledger that is not exactly ours for this container and shard is refused whole', async () => {
  const ledger = new Ledger(identity, counts());
  ledger.learn('a/b.txt', known);
  const { body } = await stored(ledger);
  const refused = async (bytes: Buffer, as = identity) => assert.rejects(readBack(bytes, as), LedgerError);
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
  const parsed = await readBack(gzipSync(`${header}\n["a/b.txt","${ETAG}","${MD5}",100]\n`));
  assert.equal(parsed.settle(entry(), listed()), true, 'the same ledger, well formed, is read');
});

test('a run through the whole listing keeps only the objects it met again; an interrupted run keeps the rest too', async () => {
  const start = async () => {
    const first = new Ledger(identity, counts());
    first.learn('a/b.txt', known);
    first.learn('gone', { ...known, etag: LATER_ETAG });
    return readBack((await stored(first)).body);
  };
  const complete = await start();
  assert.equal(complete.settle(entry(), listed()), true);
  assert.equal(complete.needsWriting, false, 'nothing learned yet');
  complete.listingDone();
  assert.equal(complete.needsWriting, true, '"gone" can be dropped');
  const written = await stored(complete);
  assert.equal(written.entries, 1);
  written.stored();
  assert.equal(complete.needsWriting, false);

  const interrupted = await start();
  assert.equal(interrupted.settle(entry(), listed()), true);
  assert.equal(interrupted.needsWriting, false, 'an unchanged resync writes nothing');
  interrupted.learn('new', known);
  assert.equal(interrupted.needsWriting, true);
  assert.equal((await stored(interrupted)).entries, 3);
});

test('what a run settles or learns while its ledger is being written waits for the next write, never written twice', async () => {
  const first = new Ledger(identity, counts());
  first.learn('a/b.txt', known);
  first.learn('gone', { ...known, etag: LATER_ETAG });
  const ledger = await readBack((await stored(first)).body);
  const writing = stored(ledger);
  assert.equal(ledger.settle(entry(), listed()), true, 'settled from the ledger while it is written');
  ledger.learn('new', known);
  const during = await writing;
  assert.equal(during.entries, 2, 'the write holds the ledger as it was when it began');
  assert.equal((await readBack(during.body)).settle(entry({ name: 'new' }), { ...listed(), name: 'new' }), false);
  during.stored();
  assert.equal(ledger.needsWriting, true, '"new" is still to be written');
  const next = await stored(ledger);
  assert.equal(next.entries, 3);
  const read = await readBack(next.body);
  for (const name of ['a/b.txt', 'new']) assert.equal(read.settle(entry({ name }), { ...listed(), name }), true, name);
});

test('a GET that breaks off is its own error, to be tried again; a stream that is not gzip is a refused ledger', async () => {
  const ledger = new Ledger(identity, counts());
  ledger.learn('a/b.txt', known);
  const { body } = await stored(ledger);
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  // eslint-disable-next-line @typescript-eslint/require-await -- a body double: its first bytes, then the connection's error
  async function* broken() { yield body.subarray(0, 10); throw reset; }
  await assert.rejects(Ledger.read(Readable.from(broken()), identity, counts()), (error) => error === reset);
  await assert.rejects(readBack(Buffer.concat([body.subarray(0, 10), Buffer.alloc(20, 1)])), LedgerError);
});

test('a ledger of a million entries is written and read back whole under a 256 MB heap', { timeout: 600_000 }, async (t) => {
  const script = fileURLToPath(new URL('../support/ledger-million.ts', import.meta.url));
  const child = spawn(process.execPath, ['--max-old-space-size=256', script, '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const [code] = await once(child, 'exit') as [number | null];
  assert.equal(code, 0, output);
  t.diagnostic(output.trim());
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
