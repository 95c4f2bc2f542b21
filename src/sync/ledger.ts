// The resync ledger: on a target whose ETag names one write of a key (NooBaa's file-backed buckets), what the copier
// knows of each object it wrote or proved there (that version's ETag, its content's MD5 and size), kept in the bucket
// per container and shard, so a later run settles unchanged objects from the two listings, without a HEAD each.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LedgerError, messageOf } from '../errors.ts';
import type { Log } from '../log.ts';
import { MD5_HEX, VERSION_ETAG } from '../md5.ts';
import type { LedgerCounts } from '../report/stats.ts';
import { keyProblem, type KeyRules } from '../s3/keyrules.ts';
import type { DestEntry, S3Target } from '../s3/target.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import { compareKnown } from './decide.ts';
import { packKnown, unpackKnown, type Known, type PackedKnown } from './known.ts';
import { gunzippedLines, writeGzippedLines } from './ledger-file.ts';

export interface LedgerIdentity { container: string; shard: number; shardCount: number }

/** The reserved folder below a container's prefix that holds its ledgers. */
export const LEDGER_DIR = '.swift-to-s3/ledger/';
/** A ledger's name, also below another container's prefix (a release copying to "archive/" inside this listing). */
const LEDGER_NAME = /(^|\/)\.swift-to-s3\/ledger\/[^/]+\/shard-\d+-of-\d+\.ndjson\.gz$/;
const FORMAT = 'swift-to-s3 resync ledger';
const FORMAT_VERSION = 1;
/** A killed pod loses at most this much of what it learned (the next run asks those objects' HEADs again). */
const CHECKPOINT_MS = 5 * 60_000;

/** The ledger's name below the container's prefix: one per container, shard and shard count. */
export function ledgerName({ container, shard, shardCount }: LedgerIdentity): string {
  return `${LEDGER_DIR}${encodeURIComponent(container)}/shard-${shard}-of-${shardCount}.ndjson.gz`;
}

/** A listed name that is a ledger (this container's, or one of another prefix below this one), not an object of
 *  the container: never extraneous, foreign or deleted. */
export function isLedgerName(name: string): boolean {
  return LEDGER_NAME.test(name);
}

function isKnown(value: unknown): value is [string, string, string, number] {
  if (!Array.isArray(value) || value.length !== 4) return false;
  const [name, etag, md5, size] = value as unknown[];
  return typeof name === 'string' && name !== '' && typeof etag === 'string' && VERSION_ETAG.test(etag)
    && typeof md5 === 'string' && MD5_HEX.test(md5) && Number.isSafeInteger(size) && (size as number) >= 0;
}

/** The header line, then one [name, etag, md5, size] line per entry of the maps, made as the file takes them. */
function* ledgerLines(header: string, maps: readonly Map<string, PackedKnown>[]): Generator<string> {
  yield header;
  for (const map of maps) {
    for (const [name, packed] of map) {
      const { etag, md5, size } = unpackKnown(packed);
      yield JSON.stringify([name, etag, md5, size]);
    }
  }
}

/** The header line's promises, checked against what this container and shard expect. */
function checkHeader(line: string | undefined, identity: LedgerIdentity): number {
  let header: Record<string, unknown>;
  try { header = JSON.parse(line ?? '') as Record<string, unknown>; } catch { throw new LedgerError('no header line'); }
  if (header.format !== FORMAT || header.version !== FORMAT_VERSION) throw new LedgerError(`not a ledger of format ${FORMAT} ${FORMAT_VERSION}`);
  if (header.container !== identity.container || header.shard !== identity.shard || header.shardCount !== identity.shardCount) {
    throw new LedgerError(`written for container ${String(header.container)}, shard ${String(header.shard)} of ${String(header.shardCount)}`);
  }
  if (!Number.isSafeInteger(header.entries) || (header.entries as number) < 0) throw new LedgerError('no count of entries in the header');
  return header.entries as number;
}

/** What one container's shard knows. Entries read at the start stay `previous` until this run meets their object
 *  again unchanged; what it settles or learns is `current`. A run that went through its whole listing keeps only
 *  `current`, so objects gone from Swift leave the ledger. Each entry is held packed (known.ts): a shard may know
 *  a million objects. */
export class Ledger {
  readonly identity: LedgerIdentity;
  readonly #previous: Map<string, PackedKnown>;
  readonly #current = new Map<string, PackedKnown>();
  /** While a write reads the two maps (over many turns of the event loop), what this run settles or learns waits
   *  here: an entry moved from `previous` to `current` meanwhile would be written twice, or the count be wrong. */
  #pending: Map<string, PackedKnown> | undefined;
  readonly #counts: LedgerCounts;
  /** Changes so far, and how many of them (and whether the whole listing) the last write held. */
  #version = 0;
  #written = { version: 0, complete: false };
  #complete = false;

  constructor(identity: LedgerIdentity, counts: LedgerCounts, entries: Map<string, PackedKnown> = new Map()) {
    this.identity = identity;
    this.#counts = counts;
    this.#previous = entries;
    counts.known += entries.size;
  }

  /** The object is the version the ledger knows, with Swift's MD5 and size (decide.ts's compareKnown). */
  settle(source: SourceEntry, destination: DestEntry): boolean {
    const packed = this.#packedOf(source.name);
    if (packed === undefined || !compareKnown(source, destination, unpackKnown(packed))) return false;
    this.#keep(source.name, packed);
    this.#counts.settled++;
    return true;
  }

  /** A version the copier wrote (the write's answer) or proved by a HEAD. Only an ETag that names a version counts. */
  learn(name: string, known: Known): void {
    if (!VERSION_ETAG.test(known.etag) || !MD5_HEX.test(known.md5)) return;
    const packed = packKnown(known);
    const before = this.#packedOf(name);
    this.#keep(name, packed);
    if (before === packed) return;
    this.#version++;
    this.#counts.learned++;
  }

  /** The whole listing of the container went through: what was not met again is gone. */
  listingDone(): void {
    this.#complete = true;
  }

  /** Something was learned since the last write, or (the listing done) entries of gone objects can be dropped. */
  get needsWriting(): boolean {
    return this.#version !== this.#written.version || (this.#complete && this.#previous.size > 0 && !this.#written.complete);
  }

  #packedOf(name: string): PackedKnown | undefined {
    return this.#pending?.get(name) ?? this.#previous.get(name) ?? this.#current.get(name);
  }

  /** Makes `name` this run's: moved to `current`, or noted in `pending` while a write reads the maps. */
  #keep(name: string, packed: PackedKnown): void {
    if (this.#pending) {
      this.#pending.set(name, packed);
      return;
    }
    this.#previous.delete(name);
    this.#current.set(name, packed);
  }

  /** Writes gzipped NDJSON to a new file at `path`: a header line, then one [name, etag, md5, size] line per object;
   *  its length and Content-MD5 for the PUT, and `stored` to call once the bucket has it. */
  async writeFile(path: string): Promise<{ entries: number; bytes: number; contentMd5: string; stored: () => void }> {
    if (this.#pending) throw new Error('a ledger is written by one write at a time');
    const state = { version: this.#version, complete: this.#complete };
    const kept = state.complete ? [this.#current] : [this.#previous, this.#current];
    const entries = kept.reduce((sum, map) => sum + map.size, 0);
    const header = JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, ...this.identity, entries, written: new Date().toISOString() });
    this.#pending = new Map();
    try {
      const file = await writeGzippedLines(path, ledgerLines(header, kept));
      return { entries, ...file, stored: () => { this.#written = state; } };
    } finally {
      const pending = this.#pending;
      this.#pending = undefined;
      for (const [name, packed] of pending) this.#keep(name, packed);
    }
  }

  /** Reads a stored ledger a line at a time; anything that is not exactly one of ours for this container and shard
   *  is refused. */
  static async read(gzipped: Readable, identity: LedgerIdentity, counts: LedgerCounts): Promise<Ledger> {
    const lines = gunzippedLines(gzipped);
    const first = await lines.next();
    const announced = checkHeader(first.done ? undefined : first.value, identity);
    const entries = new Map<string, PackedKnown>();
    for await (const line of lines) {
      if (entries.size === announced) throw new LedgerError(`announces ${announced} entries, holds more`);
      let value: unknown;
      try { value = JSON.parse(line); } catch { throw new LedgerError('a line is not JSON'); }
      if (!isKnown(value)) throw new LedgerError('a line is not [name, version ETag, MD5, size]');
      const [name, etag, md5, size] = value;
      if (entries.has(name)) throw new LedgerError(`"${name}" is listed twice`);
      entries.set(name, packKnown({ etag, md5, size }));
    }
    if (entries.size !== announced) throw new LedgerError(`announces ${announced} entries, holds ${entries.size}`);
    return new Ledger(identity, counts, entries);
  }
}

export interface LedgerOptions {
  /** All a ledger asks of the bucket and of Swift. */
  target: Pick<S3Target, 'readWith' | 'writeFrom'>;
  source: Pick<SwiftSource, 'head'>;
  log: Log;
  counts: LedgerCounts;
  keyRules: KeyRules;
  shard: { index: number; count: number };
  dryRun: boolean;
}

/** The ledgers of one run, one per container: read when its listing starts, written at the end of the run (also
 *  after SIGTERM) and every few minutes while something new is known. Failures here never fail the run: without a
 *  ledger an object is settled by its HEAD, as before. */
export class RunLedgers {
  readonly #options: LedgerOptions;
  readonly #open = new Map<string, { ledger: Ledger; key: string; writing: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LedgerOptions) {
    this.#options = options;
  }

  /** Reads the container's ledger; an absent, unreadable or foreign one starts empty (its objects get HEADs).
   *  Undefined (no ledger at all) when Swift itself has an object of the ledger's name, or the key cannot be stored. */
  async open(container: string, prefix: string): Promise<Ledger | undefined> {
    const { target, source, log, counts, keyRules, shard } = this.#options;
    const identity = { container, shard: shard.index, shardCount: shard.count };
    const name = ledgerName(identity);
    const key = prefix + name;
    const problem = keyProblem(keyRules, key);
    if (problem) {
      log.warn({ key, problem }, 'no resync ledger for this container: the bucket cannot store its key');
      return undefined;
    }
    let named: boolean;
    try {
      named = await source.head(container, name) !== undefined;
    } catch (error) {
      log.warn({ key, err: messageOf(error) }, 'no resync ledger for this container: Swift did not say whether it has an object of the ledger\'s name');
      return undefined;
    }
    if (named) {
      log.warn({ key }, 'no resync ledger for this container: Swift has an object of the ledger\'s name, copied as any other');
      return undefined;
    }
    let ledger = new Ledger(identity, counts);
    try {
      const stored = await target.readWith(key, (body) => Ledger.read(body, identity, counts));
      if (stored) ledger = stored;
      log.info({ key, known: counts.known }, stored ? 'resync ledger read' : 'no resync ledger yet: objects of unchanged size are settled by a HEAD each, and learned');
    } catch (error) {
      log.warn({ key, err: messageOf(error) }, 'resync ledger not usable, read as empty: objects of unchanged size are settled by a HEAD each');
    }
    this.#open.set(container, { ledger, key, writing: Promise.resolve() });
    this.#timer ??= setInterval(() => void this.#writeAll(), CHECKPOINT_MS).unref();
    return ledger;
  }

  of(container: string): Ledger | undefined {
    return this.#open.get(container)?.ledger;
  }

  /** The last write, after the transfers drained. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#writeAll();
  }

  async #writeAll(): Promise<void> {
    await Promise.all([...this.#open.values()].map((open) => (open.writing = open.writing.then(() => this.#write(open.ledger, open.key)))));
  }

  /** Through a file in the scratch directory (the chart's emptyDir at /tmp), not memory: a PUT needs the length
   *  and Content-MD5 before the body, and a file holds a ledger of any size (a million entries: about 35 MB gzipped)
   *  with memory flat, and gives the body again when the PUT is retried. */
  async #write(ledger: Ledger, key: string): Promise<void> {
    if (this.#options.dryRun || !ledger.needsWriting) return;
    const path = join(tmpdir(), `swift-to-s3-ledger-${randomUUID()}.ndjson.gz`);
    try {
      const { entries, bytes, contentMd5, stored } = await ledger.writeFile(path);
      await this.#options.target.writeFrom(key, () => createReadStream(path), bytes, { ContentType: 'application/gzip' }, contentMd5);
      stored();
      this.#options.counts.written++;
      this.#options.log.info({ key, entries, bytes }, 'resync ledger written');
    } catch (error) {
      this.#options.log.warn({ key, err: messageOf(error) }, 'resync ledger not written: the next run settles these objects by a HEAD each');
    } finally {
      await rm(path, { force: true }).catch(() => undefined);
    }
  }
}
