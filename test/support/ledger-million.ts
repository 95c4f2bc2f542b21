// A resync ledger of many entries (a million unless argv[2] says) learned, written, read back, settled and read as
// the bucket's stand-in through the real RunLedgers and Ledger, for ledger.test.ts to run under a small heap
// (--max-old-space-size=256 --expose-gc). The heap must stay flat: a ledger is never held whole in memory.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createLog } from '../../src/log.ts';
import type { LedgerCounts } from '../../src/report/stats.ts';
import type { SourceEntry } from '../../src/swift/source.ts';
import type { Known } from '../../src/sync/known.ts';
import { RunLedgers } from '../../src/sync/run-ledgers.ts';
import { MemoryBucket } from './memory-bucket.ts';

const COUNT = Number(process.argv[2] ?? 1_000_000);
/** Far below the 165 bytes per entry a ledger held in memory took (165 MB at a million). */
const FLAT_MIB = 24;
const USERS = ['chris', 'gaurav', 'jennings', 'rudolph', 'sandip'];
const PER_USER = Math.ceil(COUNT / USERS.length);

/** CUBE-like names in UTF-8 order (a fixed-width number before any name-dependent part), one in ten with an emoji
 *  and an accent. Joined, not concatenated: one flat string each, as a listing's names are. */
function nameOf(i: number): string {
  const user = USERS[Math.floor(i / PER_USER)]!;
  const number = String(i % PER_USER).padStart(7, '0');
  const parts = i % 10 === 0 ? ['home/', user, '/', number, '/uploads/📷 scan é.jpg'] : ['home/', user, '/', number, '/feeds/pl-dcm2niix/data/slice.dcm'];
  return parts.join('');
}

function knownOf(i: number): Known {
  return { etag: `mtime-${(1.7e18 + i * 7919).toString(36)}-ino-${(i + 40_000).toString(36)}`, md5: createHash('md5').update(String(i)).digest('hex'), size: 1 + (i % 100_003) };
}

const counts = (): LedgerCounts => ({ known: 0, settled: 0, learned: 0, written: 0, trusted: 0 });
const bucket = new MemoryBucket();
const ledgersOf = (ledgerCounts: LedgerCounts) => new RunLedgers({
  target: bucket, source: { head: () => Promise.resolve(undefined) }, log: createLog('warn'), counts: ledgerCounts, keyRules: 'nsfs',
  shard: { index: 0, count: 1 }, dryRun: false, trustHours: 24,
});
/** The heap in use after a full collection. */
const heapUsed = () => { globalThis.gc!(); return process.memoryUsage().heapUsed; };
const MiB = 1024 * 1024;

/** The most the heap grew over `before`, sampled every 50,000 steps. */
class Growth {
  readonly #before = heapUsed();
  most = 0;
  sample(i: number): void {
    if (i % 50_000 === 0) this.most = Math.max(this.most, heapUsed() - this.#before);
  }
}

async function learnAndWrite(): Promise<number> {
  const learned = counts();
  const ledgers = ledgersOf(learned);
  const ledger = (await ledgers.open('users', ''))!;
  const growth = new Growth();
  for (let i = 0; i < COUNT; i++) {
    const slot = ledger.slot(nameOf(i));
    slot.learn(knownOf(i));
    slot.done();
    growth.sample(i);
  }
  ledger.listingDone();
  await ledgers.close();
  assert.deepEqual(learned, { known: 0, settled: 0, learned: COUNT, written: 1, trusted: 0 });
  return growth.most;
}

async function readAndSettle(): Promise<number> {
  const read = counts();
  const ledgers = ledgersOf(read);
  const ledger = (await ledgers.open('users', ''))!;
  assert.equal(read.known, COUNT, 'every entry is read back, and no other');
  const growth = new Growth();
  for (let i = 0; i < COUNT; i++) {
    const { etag, md5, size } = knownOf(i);
    const source: SourceEntry = { container: 'users', name: nameOf(i), bytes: size, md5, etag: md5, lastModified: '', contentType: 'application/dicom' };
    // Settled only when the entry read back has this very ETag, MD5 and size.
    if (!await ledger.settle(source, { name: source.name, size, etag })) assert.fail(`entry ${i} (${source.name}) is not what was written`);
    growth.sample(i);
  }
  ledger.listingDone();
  await ledgers.close();
  assert.equal(read.settled, COUNT);
  assert.equal(read.written, 1, 'the bucket was listed in full: its time is noted');
  return growth.most;
}

async function standInForTheBucket(): Promise<number> {
  const ledgers = ledgersOf(counts());
  const ledger = (await ledgers.open('users', ''))!;
  assert.equal(ledger.canStandForBucket, true);
  const growth = new Growth();
  let i = 0;
  for await (const listed of ledger.asListing()) {
    assert.equal(listed.name, nameOf(i));
    assert.equal(listed.etag, knownOf(i).etag);
    growth.sample(i++);
  }
  assert.equal(i, COUNT);
  await ledgers.close();
  return growth.most;
}

const growth = { learned: await learnAndWrite(), read: await readAndSettle(), asListing: await standInForTheBucket() };
const [stored] = bucket.objects.values();
console.log(JSON.stringify({
  entries: COUNT, storedBytes: stored!.length, heapGrowthMiB: Object.fromEntries(Object.entries(growth).map(([what, bytes]) => [what, Math.round(bytes / MiB)])),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
}));
for (const [what, bytes] of Object.entries(growth)) assert.ok(bytes < FLAT_MIB * MiB, `${what}: the heap grew ${Math.round(bytes / MiB)} MiB over a million entries`);
