import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LedgerError } from '../../src/errors.ts';
import { createLog } from '../../src/log.ts';
import type { LedgerCounts } from '../../src/report/stats.ts';
import type { SourceEntry } from '../../src/swift/source.ts';
import { isLedgerKnown, packKnown, unpackKnown, type Known } from '../../src/sync/known.ts';
import { checkStored } from '../../src/sync/ledger-format.ts';
import { isLedgerName, ledgerName, relistName, type Ledger } from '../../src/sync/ledger.ts';
import { RunLedgers } from '../../src/sync/run-ledgers.ts';
import { MemoryBucket } from '../support/memory-bucket.ts';

const MD5 = '0123456789abcdef0123456789abcdef';
const OTHER_MD5 = 'fedcba9876543210fedcba9876543210';
const ETAG = 'mtime-dn4i4ezydjwg-ino-3nco6';
const LATER_ETAG = 'mtime-dn4i4f10ham8-ino-3nco6';
const HOUR = 3_600_000;

const entry = (name: string, overrides: Partial<SourceEntry> = {}): SourceEntry => ({ container: 'users', name, bytes: 100, md5: MD5, etag: MD5, lastModified: '', contentType: 'text/plain', ...overrides });
const listed = (name: string, etag = ETAG, size = 100) => ({ name, size, etag });
const known: Known = { etag: ETAG, md5: MD5, size: 100 };
const counts = (): LedgerCounts => ({ known: 0, settled: 0, learned: 0, written: 0, trusted: 0 });
const identity = { container: 'users', shard: 2, shardCount: 4 };
const KEY = ledgerName(identity);

const scratch = mkdtempSync(join(tmpdir(), 'ledger-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** One run's ledgers over `bucket`, its scratch files in this test's directory. */
function runOn(bucket: MemoryBucket, options: { trustHours?: number; dryRun?: boolean } = {}) {
  const runCounts = counts();
  const ledgers = new RunLedgers({
    target: bucket, source: { head: () => Promise.resolve(undefined) }, log: createLog('silent'), counts: runCounts, keyRules: 'nsfs',
    shard: { index: identity.shard, count: identity.shardCount }, dryRun: options.dryRun ?? false, trustHours: options.trustHours ?? 0, scratch,
  });
  return { ledgers, counts: runCounts, open: async () => (await ledgers.open('users', ''))! };
}

/** Names learned in order by one run that goes through its whole listing. */
async function firstRun(bucket: MemoryBucket, learned: [string, Known][], options: { trustHours?: number } = {}) {
  const run = runOn(bucket, options);
  const ledger = await run.open();
  for (const [name, value] of learned) {
    const slot = ledger.slot(name);
    slot.learn(value);
    slot.done();
  }
  ledger.listingDone();
  await run.ledgers.close();
  return run.counts;
}

/** The stored ledger's lines, parsed. */
const storedLines = (bucket: MemoryBucket) => gunzipSync(bucket.objects.get(KEY)!).toString().trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);

test('a ledger written and read back settles the objects it knows, in the listing\'s order', async () => {
  const bucket = new MemoryBucket();
  const multipart = `${OTHER_MD5}-3`;
  const first = await firstRun(bucket, [
    ['a/b.txt', known], ['c', { etag: LATER_ETAG, md5: OTHER_MD5, size: 7 }], ['d', { etag: MD5, md5: MD5, size: 7 }],
    ['e', { etag: OTHER_MD5, md5: MD5, size: 7 }], ['f', { etag: multipart, md5: MD5, size: 7 }],
  ]);
  assert.deepEqual(first, { known: 0, settled: 0, learned: 4, written: 1, trusted: 0 }, 'an MD5 ETag other than the content\'s MD5 names nothing: not learned');
  const lines = storedLines(bucket);
  assert.deepEqual(lines.slice(1), [['a/b.txt', ETAG, MD5, 100], ['c', LATER_ETAG, OTHER_MD5, 7], ['d', MD5, MD5, 7], ['f', multipart, MD5, 7], { entries: 4 }]);

  const run = runOn(bucket);
  const ledger = await run.open();
  assert.equal(run.counts.known, 4);
  assert.equal(await ledger.settle(entry('a/b.txt'), listed('a/b.txt')), true);
  assert.equal(await ledger.settle(entry('b', { bytes: 7 }), listed('b', ETAG, 7)), false, 'not in the ledger');
  assert.equal(await ledger.settle(entry('c', { bytes: 7, md5: OTHER_MD5 }), listed('c', ETAG, 7)), false, 'another version than the ledger\'s');
  assert.equal(await ledger.settle(entry('d', { bytes: 7 }), listed('d', MD5, 7)), true, 'its content\'s MD5 as its ETag');
  assert.equal(await ledger.settle(entry('e', { bytes: 7 }), listed('e', OTHER_MD5, 7)), false, 'not in the ledger');
  assert.equal(await ledger.settle(entry('f', { bytes: 7 }), listed('f', multipart, 7)), true, 'its multipart ETag');
  await run.ledgers.close();
  assert.equal(run.counts.settled, 3);
});

test('an object the listings settled keeps its entry: learned when new or changed, and settled by the ledger when the ledger stood in for the listing', async () => {
  const bucket = new MemoryBucket();
  const listing = runOn(bucket, { trustHours: 24 });
  const first = await listing.open();
  await first.keep(entry('a'), listed('a', MD5));
  await first.keep(entry('b', { md5: OTHER_MD5 }), listed('b', MD5));
  first.listingDone();
  await listing.ledgers.close();
  assert.deepEqual(listing.counts, { known: 0, settled: 0, learned: 1, written: 1, trusted: 0 }, '"b" was not equal: nothing to keep');
  assert.deepEqual(storedLines(bucket).slice(1), [['a', MD5, MD5, 100], { entries: 1 }]);

  const again = runOn(bucket, { trustHours: 0 });
  const second = await again.open();
  await second.keep(entry('a'), listed('a', MD5));
  await second.keep(entry('c', { bytes: 5 }), listed('c', MD5, 5));
  second.listingDone();
  await again.ledgers.close();
  assert.equal(again.counts.learned, 1, '"a" was known as it is; "c" is new');

  const trusting = runOn(bucket, { trustHours: 24 });
  const third = await trusting.open();
  for await (const item of third.asListing()) await third.keep(entry(item.name), item);
  await trusting.ledgers.close();
  assert.equal(trusting.counts.settled, 2, '"a" and "c"');
});

test('a known object packs into one string and back, whatever its ETag names: a version, the MD5, the MD5s of parts', () => {
  for (const value of [known, { etag: MD5, md5: MD5, size: 0 }, { etag: `${OTHER_MD5}-10000`, md5: MD5, size: 5 * 2 ** 40 }]) {
    assert.equal(isLedgerKnown(value), true);
    assert.deepEqual(unpackKnown(packKnown(value)), value);
  }
  assert.notEqual(packKnown({ etag: MD5, md5: MD5, size: 12 }), packKnown({ etag: `${MD5}-1`, md5: MD5, size: 12 }));
  for (const etag of [OTHER_MD5, `${OTHER_MD5}-0`, '"quoted"', '']) {
    assert.equal(isLedgerKnown({ etag, md5: MD5, size: 1 }), false, etag);
    assert.throws(() => packKnown({ etag, md5: MD5, size: 1 }), /not an ETag a ledger keeps/, etag);
  }
});

test('a stored ledger that is not exactly one of ours for this container and shard is refused whole', async () => {
  const header = (extra: Record<string, unknown> = {}) => JSON.stringify({ format: 'swift-to-s3 resync ledger', version: 2, ...identity, complete: true, ...extra });
  const line = (name: string) => JSON.stringify([name, ETAG, MD5, 100]);
  const file = (text: string | Buffer) => {
    const path = join(scratch, `stored-${Math.random()}.gz`);
    writeFileSync(path, typeof text === 'string' ? gzipSync(text) : text);
    return path;
  };
  const good = `${header()}\n${line('a')}\n${line('b')}\n{"entries":2}\n`;
  assert.deepEqual(await checkStored(file(good), identity), { complete: true, entries: 2 }, 'the well-formed one is read');
  const refused: [string, string | Buffer, typeof identity?][] = [
    ['not gzip', Buffer.from('not gzip at all')],
    ['cut gzip', gzipSync(good).subarray(0, 30)],
    ['another shard count', good, { ...identity, shardCount: 8 }],
    ['another shard', good, { ...identity, shard: 1 }],
    ['another container', good, { ...identity, container: 'archive' }],
    ['format version 1', `${header({ version: 1 })}\n${line('a')}\n{"entries":1}\n`],
    ['no "complete"', `${JSON.stringify({ format: 'swift-to-s3 resync ledger', version: 2, ...identity })}\n{"entries":0}\n`],
    ['unsorted', `${header()}\n${line('b')}\n${line('a')}\n{"entries":2}\n`],
    ['a name twice', `${header()}\n${line('a')}\n${line('a')}\n{"entries":2}\n`],
    ['UTF-16 order, not UTF-8', `${header()}\n${line('😀')}\n${line('｡')}\n{"entries":2}\n`],
    ['no trailer', `${header()}\n${line('a')}\n`],
    ['a wrong count', `${header()}\n${line('a')}\n{"entries":2}\n`],
    ['lines after the trailer', `${header()}\n{"entries":0}\n${line('a')}\n`],
    ['not an MD5', `${header()}\n${JSON.stringify(['a', ETAG, 'not an md5', 1])}\n{"entries":1}\n`],
    ['an MD5 ETag that is not the MD5', `${header()}\n${JSON.stringify(['a', OTHER_MD5, MD5, 1])}\n{"entries":1}\n`],
    ['a multipart ETag of no parts', `${header()}\n${JSON.stringify(['a', `${OTHER_MD5}-0`, MD5, 1])}\n{"entries":1}\n`],
    ['a negative size', `${header()}\n${JSON.stringify(['a', ETAG, MD5, -1])}\n{"entries":1}\n`],
    ['no final newline', `${header()}\n{"entries":0}`],
  ];
  for (const [what, text, as] of refused) await assert.rejects(checkStored(file(text), as ?? identity), LedgerError, what);
});

test('a refused ledger is read as empty: its objects get HEADs, and the run writes it anew', async () => {
  const bucket = new MemoryBucket();
  bucket.objects.set(KEY, gzipSync('{"format":"swift-to-s3 resync ledger","version":1}\n'));
  const run = runOn(bucket);
  const ledger = await run.open();
  assert.equal(run.counts.known, 0);
  assert.equal(await ledger.settle(entry('a'), listed('a')), false);
  const slot = ledger.slot('a');
  slot.learn(known);
  slot.done();
  ledger.listingDone();
  await run.ledgers.close();
  assert.equal(run.counts.written, 1);
  assert.equal(storedLines(bucket).length, 3);
});

test('a run through the whole listing keeps only what it met again; an interrupted one keeps the entries it did not reach', async () => {
  const start = async () => {
    const bucket = new MemoryBucket();
    await firstRun(bucket, [['a/b.txt', known], ['gone', { ...known, etag: LATER_ETAG }], ['z', known]]);
    return bucket;
  };
  const complete = await start();
  const run = runOn(complete);
  const ledger = await run.open();
  assert.equal(await ledger.settle(entry('a/b.txt'), listed('a/b.txt')), true);
  assert.equal(await ledger.settle(entry('z'), listed('z')), true, '"gone" is passed: Swift did not list it');
  assert.equal(ledger.needsWriting, false, 'nothing learned yet');
  ledger.listingDone();
  assert.equal(ledger.needsWriting, true, '"gone" can be dropped');
  await run.ledgers.close();
  assert.deepEqual(storedLines(complete).slice(1).map((line) => (line as string[])[0] ?? line), ['a/b.txt', 'z', { entries: 2 }]);

  const unchanged = await start();
  const quiet = runOn(unchanged);
  const same = await quiet.open();
  for (const name of ['a/b.txt', 'gone', 'z']) assert.equal(await same.settle(entry(name), listed(name, name === 'gone' ? LATER_ETAG : ETAG)), true);
  same.listingDone();
  await quiet.ledgers.close();
  assert.equal(quiet.counts.written, 0, 'an unchanged resync writes nothing (TRUST_LEDGER_HOURS=0)');

  const interrupted = await start();
  const cut = runOn(interrupted);
  const partial = await cut.open();
  assert.equal(await partial.settle(entry('a/b.txt'), listed('a/b.txt')), true);
  const slot = partial.slot('b');
  slot.learn(known);
  slot.done();
  await cut.ledgers.close();
  assert.deepEqual(storedLines(interrupted).slice(1).map((line) => (line as string[])[0] ?? line), ['a/b.txt', 'b', 'gone', 'z', { entries: 4 }]);
  assert.equal((storedLines(interrupted)[0] as { complete: boolean }).complete, true, 'the rest carried from a complete ledger keeps it complete');
});

test('entries are written in the listing\'s order whatever order the objects end in; a checkpoint in between carries the stored rest', async () => {
  const bucket = new MemoryBucket();
  await firstRun(bucket, [['b', { ...known, etag: LATER_ETAG }], ['d', known]]);
  const run = runOn(bucket);
  const ledger = await run.open();
  const [a, b, c] = ['a', 'b', 'c'].map((name) => ({ name, slot: ledger.slot(name) }));
  c!.slot.learn(known);
  c!.slot.done();
  a!.slot.learn(known);
  a!.slot.done();
  // A checkpoint now: "a" is written, "b" still runs; "c" ended but waits behind it; "b" and "d" come from the rest.
  const checkpoint = join(scratch, 'checkpoint.gz');
  const written = await ledger.writeFile(checkpoint);
  assert.equal(written.entries, 3);
  assert.deepEqual(gunzipSync(readFileSync(checkpoint)).toString().trimEnd().split('\n').slice(1).map((line) => (JSON.parse(line) as string[])[0] ?? line),
    ['a', 'b', 'd', '{"entries":3}']);
  b!.slot.done();
  ledger.listingDone();
  await run.ledgers.close();
  assert.deepEqual(storedLines(bucket).slice(1).map((line) => (line as string[])[0] ?? line), ['a', 'c', { entries: 2 }], '"b" learned nothing this time; "d" is gone');
  assert.throws(() => ledger.slot('a'), /listing's order/);
  assert.deepEqual(readdirSync(scratch).filter((name) => name.startsWith('swift-to-s3-ledger-')), [], 'the run\'s scratch files are gone');
});

test('within TRUST_LEDGER_HOURS of a full listing, the ledger stands in for the bucket\'s listing; past them, or incomplete, it does not', async () => {
  const bucket = new MemoryBucket();
  await firstRun(bucket, [['a', known], ['b', { etag: LATER_ETAG, md5: OTHER_MD5, size: 7 }]], { trustHours: 24 });
  const header = storedLines(bucket)[0] as { complete: boolean; listedAt: string };
  assert.equal(header.complete, true);
  assert.ok(Math.abs(Date.parse(header.listedAt) - Date.now()) < 60_000, 'the run listed the bucket: listedAt is its start');

  const trusting = runOn(bucket, { trustHours: 24 });
  const ledger = await trusting.open();
  assert.equal(ledger.canStandForBucket, true);
  const asListed = [];
  for await (const item of ledger.asListing()) asListed.push(item);
  assert.deepEqual(asListed.map(({ name, etag, size }) => ({ name, etag, size })), [{ name: 'a', etag: ETAG, size: 100 }, { name: 'b', etag: LATER_ETAG, size: 7 }]);
  assert.equal(await ledger.settle(entry('a'), asListed[0]!), true);
  assert.equal(await ledger.settle(entry('b', { bytes: 7 }), asListed[1]!), false, 'Swift\'s MD5 is not the ledger\'s');
  ledger.listingDone();
  await trusting.ledgers.close();
  assert.equal(trusting.counts.written, 1, '"b" dropped');
  assert.equal((storedLines(bucket)[0] as { listedAt: string }).listedAt, header.listedAt, 'a run that did not list the bucket keeps the last full listing\'s time');

  const canStand = async (trustHours: number, listedAt: string | undefined, complete = true) => {
    const stored = new MemoryBucket();
    const promise = { format: 'swift-to-s3 resync ledger', version: 2, ...identity, complete, ...(listedAt ? { listedAt } : {}) };
    stored.objects.set(KEY, gzipSync(`${JSON.stringify(promise)}\n{"entries":0}\n`));
    const run = runOn(stored, { trustHours });
    const opened: Ledger = await run.open();
    const answer = opened.canStandForBucket;
    await run.ledgers.close();
    return answer;
  };
  const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
  assert.equal(await canStand(24, ago(23)), true);
  assert.equal(await canStand(24, ago(25)), false, 'past the hours');
  assert.equal(await canStand(0, ago(0)), false, 'TRUST_LEDGER_HOURS=0');
  assert.equal(await canStand(24, ago(1), false), false, 'an interrupted run\'s ledger');
  assert.equal(await canStand(24, undefined), false, 'never listed in full');
  assert.equal(await canStand(24, ago(-2)), false, 'a time to come');
});

test('a failed verify\'s note after the last full listing keeps the ledger from standing in for the bucket; a listing after it does not', async () => {
  const canStand = async (listedHoursAgo: number, note: string | undefined) => {
    const stored = new MemoryBucket();
    const promise = { format: 'swift-to-s3 resync ledger', version: 2, ...identity, complete: true, listedAt: new Date(Date.now() - listedHoursAgo * HOUR).toISOString() };
    stored.objects.set(KEY, gzipSync(`${JSON.stringify(promise)}\n{"entries":0}\n`));
    if (note !== undefined) stored.objects.set(relistName('users'), Buffer.from(note));
    const run = runOn(stored, { trustHours: 24 });
    const answer = (await run.open()).canStandForBucket;
    await run.ledgers.close();
    return answer;
  };
  const noteAt = (hoursAgo: number) => JSON.stringify({ verifyFailedAt: new Date(Date.now() - hoursAgo * HOUR).toISOString() });
  assert.equal(await canStand(3, undefined), true, 'no note');
  assert.equal(await canStand(3, noteAt(2)), false, 'verify failed after the listing');
  assert.equal(await canStand(3, noteAt(4)), true, 'the listing came after the failed verify');
  assert.equal(await canStand(3, '{"verifyFailedAt":'), false, 'an unreadable note: list the bucket');
  const notesRead = async (listedHoursAgo: number | undefined, trustHours: number, complete = true) => {
    const stored = new MemoryBucket();
    const promise = { format: 'swift-to-s3 resync ledger', version: 2, ...identity, complete, ...(listedHoursAgo === undefined ? {} : { listedAt: new Date(Date.now() - listedHoursAgo * HOUR).toISOString() }) };
    stored.objects.set(KEY, gzipSync(`${JSON.stringify(promise)}\n{"entries":0}\n`));
    stored.objects.set(relistName('users'), Buffer.from(noteAt(1)));
    const run = runOn(stored, { trustHours });
    await run.open();
    await run.ledgers.close();
    return stored.reads.filter((key) => key === relistName('users')).length;
  };
  assert.equal(await notesRead(3, 24), 1, 'a ledger that could stand in asks for the note');
  assert.equal(await notesRead(30, 24), 0, 'past TRUST_LEDGER_HOURS the bucket is listed anyway: the note is not read');
  assert.equal(await notesRead(3, 0), 0, 'TRUST_LEDGER_HOURS=0');
  assert.equal(await notesRead(3, 24, false), 0, 'an interrupted run\'s ledger');
  assert.equal(await notesRead(undefined, 24), 0, 'never listed in full');
  assert.equal(isLedgerName(`archive/${relistName('users')}`), true, 'the note is the copier\'s own state: never copied, extraneous or deleted');
});

test('a dry run reads the ledger and writes nothing', async () => {
  const bucket = new MemoryBucket();
  await firstRun(bucket, [['a', known]]);
  const puts = bucket.puts;
  const run = runOn(bucket, { dryRun: true });
  const ledger = await run.open();
  const slot = ledger.slot('b');
  slot.learn(known);
  slot.done();
  ledger.listingDone();
  await run.ledgers.close();
  assert.equal(bucket.puts, puts);
});

test('a ledger of a million entries is learned, written, read back and settled with the heap flat, under a 256 MB heap', { timeout: 600_000 }, async (t) => {
  const script = fileURLToPath(new URL('../support/ledger-million.ts', import.meta.url));
  const child = spawn(process.execPath, ['--max-old-space-size=256', '--expose-gc', script, '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
