// A resync ledger of many entries (a million unless argv[2] says) written and read back through the real RunLedgers
// and Ledger, for ledger.test.ts to run under a small heap. The bucket is a strict fake of the two calls a ledger
// makes: it keeps the bytes it is sent (checked against their length and Content-MD5) and gives them back in chunks.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createLog } from '../../src/log.ts';
import type { LedgerCounts } from '../../src/report/stats.ts';
import type { ObjectHeaders } from '../../src/s3/target.ts';
import type { SourceEntry } from '../../src/swift/source.ts';
import type { Known } from '../../src/sync/known.ts';
import { RunLedgers } from '../../src/sync/ledger.ts';

const COUNT = Number(process.argv[2] ?? 1_000_000);
const CHUNK = 64 * 1024;
const USERS = ['chris', 'rudolph', 'jennings', 'gaurav', 'sandip'];

class MemoryBucket {
  readonly objects = new Map<string, Buffer>();

  async writeFrom(key: string, open: () => Readable, length: number, _headers: ObjectHeaders, contentMd5: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of open()) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    assert.equal(body.length, length, 'the PUT announced the length of its body');
    const md5 = createHash('md5').update(body).digest('base64');
    assert.equal(md5, contentMd5, 'the PUT announced the Content-MD5 of its body');
    this.objects.set(key, body);
    return `mtime-${Date.now().toString(36)}-ino-1`;
  }

  async readWith<T>(key: string, consume: (body: Readable) => Promise<T>): Promise<T | undefined> {
    const body = this.objects.get(key);
    if (!body) return undefined;
    const chunks = function* () { for (let at = 0; at < body.length; at += CHUNK) yield body.subarray(at, at + CHUNK); };
    return consume(Readable.from(chunks()));
  }
}

/** CUBE-like names, one in ten with an emoji and an accent (lines are split as bytes, decoded as UTF-8). Joined,
 *  not concatenated: one flat string each, as a listing's names are (a concatenation is a tree of strings). */
function nameOf(i: number): string {
  const user = USERS[i % USERS.length]!;
  const parts = i % 10 === 0 ? ['home/', user, '/uploads/📷 scans/é_', i, '.jpg'] : ['home/', user, '/feeds/feed_', i % 199, '/pl-dcm2niix_', i % 887, '/data/slice_', i, '.dcm'];
  return parts.join('');
}

function knownOf(i: number): Known {
  return { etag: `mtime-${(1.7e18 + i * 7919).toString(36)}-ino-${(i + 40_000).toString(36)}`, md5: createHash('md5').update(String(i)).digest('hex'), size: 1 + (i % 100_003) };
}

const counts = (): LedgerCounts => ({ known: 0, settled: 0, learned: 0, written: 0 });
const bucket = new MemoryBucket();
const swift = { head: () => Promise.resolve(undefined) };
const ledgersOf = (ledgerCounts: LedgerCounts) => new RunLedgers({
  target: bucket, source: swift, log: createLog('warn'), counts: ledgerCounts, keyRules: 'nsfs', shard: { index: 0, count: 1 }, dryRun: false,
});
/** The heap in use after a full collection, when the process may collect (--expose-gc); else as it is. */
const heapUsed = () => { globalThis.gc?.(); return process.memoryUsage().heapUsed; };

async function learnAndWrite(): Promise<number> {
  const learned = counts();
  const ledgers = ledgersOf(learned);
  const before = heapUsed();
  const ledger = await ledgers.open('users', '');
  assert.ok(ledger, 'a ledger is opened');
  for (let i = 0; i < COUNT; i++) ledger.learn(nameOf(i), knownOf(i));
  const perEntry = (heapUsed() - before) / COUNT;
  await ledgers.close();
  assert.deepEqual(learned, { known: 0, settled: 0, learned: COUNT, written: 1 });
  return perEntry;
}

async function readAndSettle(): Promise<number> {
  const read = counts();
  const before = heapUsed();
  const ledger = await ledgersOf(read).open('users', '');
  assert.equal(read.known, COUNT, 'every entry is read back, and no other');
  const perEntry = (heapUsed() - before) / COUNT;
  for (let i = 0; i < COUNT; i++) {
    const { etag, md5, size } = knownOf(i);
    const source: SourceEntry = { container: 'users', name: nameOf(i), bytes: size, md5, etag: md5, lastModified: '', contentType: 'application/dicom' };
    // Settled only when the entry read back has this very ETag, MD5 and size.
    if (!ledger!.settle(source, { name: source.name, size, etag })) assert.fail(`entry ${i} (${source.name}) is not what was written`);
  }
  assert.equal(read.settled, COUNT);
  return perEntry;
}

const learned = await learnAndWrite();
const read = await readAndSettle();
const [stored] = bucket.objects.values();
const heap = globalThis.gc ? { heapPerEntryLearned: Math.round(learned), heapPerEntryRead: Math.round(read) } : {};
console.log(JSON.stringify({ entries: COUNT, storedBytes: stored!.length, ...heap, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
