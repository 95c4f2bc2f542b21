// The resync ledger: on a target whose listed ETag names the object (one write of the key on NooBaa's file-backed
// buckets, the content where ETags are MD5s), what the copier knows of each object it wrote or proved there (its ETag,
// its content's MD5 and size), kept in the bucket per container and shard, so a later run settles unchanged objects
// from the listings, without a HEAD each, and (within TRUST_LEDGER_HOURS of the last full listing) without listing the
// bucket at all: on every target, the bucket's listing is what grows with SHARD_COUNT (each shard lists it whole).
//
// Memory stays flat whatever the shard's size: the stored ledger is sorted as the listings are and read beside them
// a line at a time (from a file in the scratch directory), and the new one is written in the same order, a line at
// a time, to another file.
import { closeSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { compareUtf8 } from '../order.ts';
import type { LedgerCounts } from '../report/stats.ts';
import type { DestEntry } from '../s3/target.ts';
import type { SourceEntry } from '../swift/source.ts';
import { compareKnown, knownFromListing } from './decide.ts';
import { packIfKept, packKnown, unpackKnown, type Known, type PackedKnown } from './known.ts';
import { fileLines, writeGzippedLines } from './ledger-file.ts';
import { entryLine, headerLine, storedEntries, trailerLine, type LedgerEntry, type LedgerIdentity, type LedgerPromise } from './ledger-format.ts';

export type { LedgerIdentity } from './ledger-format.ts';

/** The reserved folder below a container's prefix that holds its ledgers. */
export const LEDGER_DIR = '.swift-to-s3/ledger/';
/** A ledger's name, also below another container's prefix (a release copying to "archive/" inside this listing). */
const LEDGER_NAME = /(^|\/)\.swift-to-s3\/ledger\/[^/]+\/(shard-\d+-of-\d+\.ndjson\.gz|relist\.json)$/;
/** The new ledger's lines go to its file in batches of about this many characters. */
const BATCH = 64 * 1024;

/** The ledger's name below the container's prefix: one per container, shard and shard count. */
export function ledgerName({ container, shard, shardCount }: LedgerIdentity): string {
  return `${LEDGER_DIR}${encodeURIComponent(container)}/shard-${shard}-of-${shardCount}.ndjson.gz`;
}

/** Beside a container's ledgers, the note a verify that found differences leaves: a ledger whose last full listing
 *  is older than the note's time no longer stands in for the bucket's listing (TRUST_LEDGER_HOURS), so the next copy
 *  lists the bucket and repairs what verify found. */
export function relistName(container: string): string {
  return `${LEDGER_DIR}${encodeURIComponent(container)}/relist.json`;
}

export interface RelistNote { verifyFailedAt: string }

/** A listed name that is a ledger (this container's, or one of another prefix below this one), not an object of
 *  the container: never extraneous, foreign or deleted. */
export function isLedgerName(name: string): boolean {
  return LEDGER_NAME.test(name);
}

/** A ledger entry as a destination listing shows an object: a run that trusts its ledger marches Swift against it. */
export interface LedgerListed extends DestEntry { known: PackedKnown }

/** A stored ledger checkStored accepted, in a file of the scratch directory. */
export interface StoredLedger extends LedgerPromise { path: string; entries: number }

/** The stored ledger's entries, read in order: the march asks for names in increasing order, and the entries
 *  before each are passed for good. */
class Cursor {
  readonly #entries: AsyncGenerator<LedgerEntry> | undefined;
  #head: LedgerEntry | undefined;
  #started = false;

  constructor(path: string | undefined) {
    this.#entries = path === undefined ? undefined : storedEntries(path);
  }

  /** The entry of `name`, if the ledger has one. */
  async find(name: string): Promise<PackedKnown | undefined> {
    for (let head = await this.#peek(); head && compareUtf8(head.name, name) <= 0; head = this.#head) {
      await this.#pull();
      if (head.name === name) return head.known;
    }
    return undefined;
  }

  /** The entries not passed yet. */
  async *rest(): AsyncGenerator<LedgerEntry> {
    for (let head = await this.#peek(); head; head = this.#head) {
      await this.#pull();
      yield head;
    }
  }

  async close(): Promise<void> {
    await this.#entries?.return(undefined);
  }

  async #peek(): Promise<LedgerEntry | undefined> {
    if (!this.#started) {
      this.#started = true;
      await this.#pull();
    }
    return this.#head;
  }

  async #pull(): Promise<void> {
    const next = await this.#entries?.next();
    this.#head = next && !next.done ? next.value : undefined;
  }
}

/** An object's place in the new ledger, taken in the order of the listing, filled in when its work ends. */
export interface LedgerSlot {
  /** The version the copier wrote (the write's answer) or proved by a HEAD. Only an ETag naming it counts. */
  learn(known: Known): void;
  /** The object's work ended: what it learned (if anything) can be written. */
  done(): void;
}

interface Slot { name: string; known?: PackedKnown; done: boolean }

/** The new ledger's entries in the order of the listing, written to a plain file as the slots before them end: a
 *  slot waits only for slower objects listed before it (at most the transfer pool's width of them run at once). */
class Entries {
  readonly path: string;
  readonly #fd: number;
  #queue: Slot[] = [];
  #head = 0;
  #batch: string[] = [];
  #batchLength = 0;
  /** What the file holds: its bytes, its entries and the last entry's name. */
  #inFile = { bytes: 0, entries: 0, lastName: undefined as string | undefined };
  #entries = 0;
  #lastName: string | undefined;
  #lastAdded: string | undefined;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'wx');
  }

  add(slot: Slot): void {
    if (this.#lastAdded !== undefined && compareUtf8(this.#lastAdded, slot.name) >= 0) {
      throw new Error(`ledger entries must come in the listing's order: "${slot.name}" after "${this.#lastAdded}"`);
    }
    this.#lastAdded = slot.name;
    this.#queue.push(slot);
    this.#drain();
  }

  ended(): void {
    this.#drain();
  }

  /** Everything ended so far in the file: its length, its entries and the last name. */
  flushed(): { bytes: number; entries: number; lastName: string | undefined } {
    this.#flush();
    return { ...this.#inFile };
  }

  get entries(): number { return this.#entries; }
  get waiting(): number { return this.#queue.length - this.#head; }

  close(): void {
    closeSync(this.#fd);
  }

  #drain(): void {
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.done) {
      const slot = this.#queue[this.#head++]!;
      if (slot.known !== undefined) this.#append(slot.name, slot.known);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #append(name: string, known: PackedKnown): void {
    const line = entryLine(name, known);
    this.#batch.push(line, '\n');
    this.#batchLength += line.length + 1;
    this.#entries++;
    this.#lastName = name;
    if (this.#batchLength >= BATCH) this.#flush();
  }

  #flush(): void {
    if (this.#batch.length === 0) return;
    // Synchronous: a batch is a few dozen kilobytes to the page cache, and the file then always ends on a whole line.
    this.#inFile.bytes += writeSync(this.#fd, this.#batch.join(''));
    this.#inFile.entries = this.#entries;
    this.#inFile.lastName = this.#lastName;
    this.#batch = [];
    this.#batchLength = 0;
  }
}

export interface LedgerSettings {
  /** A run that lists the bucket in full and ends its listing refreshes the ledger's `listedAt`. */
  trustHours: number;
  /** When this run started (its `listedAt`, if it lists the bucket). */
  startedAt: Date;
  /** A full listing before this time (ms since the epoch: a failed verify's note) does not let the ledger stand in. */
  relistAfter?: number;
}

/** A stored ledger that covers the shard, written by a run that listed the bucket in full within `trustHours` of this
 *  run's start: one that may stand in for the bucket's listing, unless a failed verify came after that listing. */
export function listedWithinTrust(stored: LedgerPromise | undefined, settings: Pick<LedgerSettings, 'trustHours' | 'startedAt'>): boolean {
  const listedAt = stored?.listedAt;
  if (!stored?.complete || listedAt === undefined || settings.trustHours <= 0) return false;
  const age = settings.startedAt.getTime() - Date.parse(listedAt);
  return age >= 0 && age < settings.trustHours * 3_600_000;
}

/** What one container's shard knows: the stored ledger (if any), read beside the listing, and the new one this run
 *  writes. A run that went through its whole listing writes only what it met again or learned, so objects gone
 *  from Swift leave the ledger; an interrupted run (or a checkpoint) keeps the stored entries not reached yet. */
export class Ledger {
  readonly identity: LedgerIdentity;
  readonly #counts: LedgerCounts;
  readonly #stored: StoredLedger | undefined;
  readonly #settings: LedgerSettings;
  readonly #cursor: Cursor;
  readonly #entries: Entries;
  #trusting = false;
  #listingDone = false;
  /** Entries learned so far, and how many of them (and whether the whole listing) the last write held. */
  #learned = 0;
  #written = { learned: 0, complete: false };

  constructor(identity: LedgerIdentity, counts: LedgerCounts, newPath: string, settings: LedgerSettings, stored?: StoredLedger) {
    this.identity = identity;
    this.#counts = counts;
    this.#stored = stored;
    this.#settings = settings;
    this.#cursor = new Cursor(stored?.path);
    this.#entries = new Entries(newPath);
    counts.known += stored?.entries ?? 0;
  }

  /** The stored ledger covers the shard and the bucket was listed in full within `trustHours`: this run may march
   *  Swift against the ledger instead of the bucket's listing. */
  get canStandForBucket(): boolean {
    if (!listedWithinTrust(this.#stored, this.#settings)) return false;
    return Date.parse(this.#stored!.listedAt!) > (this.#settings.relistAfter ?? -Infinity);
  }

  /** The stored entries as a destination listing (for a run that does not list the bucket). */
  async *asListing(): AsyncGenerator<LedgerListed> {
    this.#trusting = true;
    for await (const { name, known } of this.#cursor.rest()) {
      const { etag, size } = unpackKnown(known);
      yield { name, etag, size, known };
    }
  }

  /** The object is the version the ledger knows, with Swift's MD5 and size (decide.ts's compareKnown): it keeps its
   *  entry. Asked in the listing's order. */
  async settle(source: SourceEntry, destination: DestEntry | LedgerListed): Promise<boolean> {
    const packed = 'known' in destination ? destination.known : await this.#cursor.find(source.name);
    if (packed === undefined || !compareKnown(source, destination, unpackKnown(packed))) return false;
    this.#keepSettled(source.name, packed);
    return true;
  }

  /** The listings settled the object (its listed ETag is Swift's MD5): it keeps its entry, or gets one, so that a run
   *  trusting the ledger settles it too. Asked in the listing's order. */
  async keep(source: SourceEntry, destination: DestEntry | LedgerListed): Promise<void> {
    if ('known' in destination) return this.#keepSettled(source.name, destination.known);
    const known = knownFromListing(source, destination);
    if (known === undefined) return;
    const packed = packKnown(known);
    if (await this.#cursor.find(source.name) !== packed) {
      this.#learned++;
      this.#counts.learned++;
    }
    this.#entries.add({ name: source.name, known: packed, done: true });
  }

  /** A place for an object whose work starts now, in the listing's order. */
  slot(name: string): LedgerSlot {
    const slot: Slot = { name, done: false };
    this.#entries.add(slot);
    return {
      learn: (known) => {
        const packed = packIfKept(known);
        if (packed === undefined) return;
        slot.known = packed;
        this.#learned++;
        this.#counts.learned++;
      },
      done: () => {
        slot.done = true;
        this.#entries.ended();
      },
    };
  }

  /** The whole listing of the container went through: what was not met again is gone. */
  listingDone(): void {
    this.#listingDone = true;
  }

  /** Something was learned since the last write; or, the listing done: entries of gone objects can be dropped, or
   *  the full listing of the bucket is to be noted. */
  get needsWriting(): boolean {
    if (this.#learned !== this.#written.learned) return true;
    if (!this.#listingDone || this.#written.complete) return false;
    const listedBucket = !this.#trusting && this.#settings.trustHours > 0;
    return listedBucket || this.#entries.entries !== (this.#stored?.entries ?? 0);
  }

  /** Writes the ledger as it stands, gzipped, to a new file at `path`: its entries, length and Content-MD5 for the
   *  PUT, and `stored` to call once the bucket has it. */
  async writeFile(path: string): Promise<{ entries: number; bytes: number; contentMd5: string; stored: () => void }> {
    const state = { learned: this.#learned, complete: this.#listingDone && this.#entries.waiting === 0 };
    const fresh = this.#entries.flushed();
    const carried = state.complete ? undefined : this.#stored;
    const promise: LedgerPromise = {
      complete: state.complete || (this.#stored?.complete ?? false),
      ...this.#listedAt(state.complete),
    };
    let entries = fresh.entries;
    const newPath = this.#entries.path;
    const identity = this.identity;
    async function* lines(): AsyncGenerator<string> {
      yield headerLine(identity, promise);
      yield* fileLines(newPath, fresh.bytes);
      if (carried) {
        for await (const { name, known } of storedEntries(carried.path)) {
          if (fresh.lastName !== undefined && compareUtf8(name, fresh.lastName) <= 0) continue;
          entries++;
          yield entryLine(name, known);
        }
      }
      yield trailerLine(entries);
    }
    const file = await writeGzippedLines(path, lines());
    return { entries, ...file, stored: () => { this.#written = state; } };
  }

  /** An entry the ledger settled keeps its place in the new ledger. */
  #keepSettled(name: string, packed: PackedKnown): void {
    this.#entries.add({ name, known: packed, done: true });
    this.#counts.settled++;
  }

  /** Closes the files; the caller removes them. */
  async close(): Promise<void> {
    await this.#cursor.close();
    this.#entries.close();
  }

  get files(): string[] {
    return [this.#entries.path, ...(this.#stored ? [this.#stored.path] : [])];
  }

  #listedAt(complete: boolean): { listedAt?: string } {
    if (complete && !this.#trusting) return { listedAt: this.#settings.startedAt.toISOString() };
    return this.#stored?.listedAt === undefined ? {} : { listedAt: this.#stored.listedAt };
  }
}

/** Removes a ledger's scratch files. */
export async function removeFiles(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { force: true }).catch(() => undefined)));
}
