// The resync ledger: on a target whose ETag names one write of a key (NooBaa's file-backed buckets), what the copier
// knows of each object it wrote or proved there (that version's ETag, its content's MD5 and size), kept in the bucket
// per container and shard, so a later run settles unchanged objects from the two listings, without a HEAD each.
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { LedgerError, messageOf } from '../errors.ts';
import type { Log } from '../log.ts';
import { MD5_HEX, VERSION_ETAG } from '../md5.ts';
import type { LedgerCounts } from '../report/stats.ts';
import { keyProblem, type KeyRules } from '../s3/keyrules.ts';
import type { DestEntry, S3Target } from '../s3/target.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import { compareKnown } from './decide.ts';

/** One version of a destination object: its ETag, and the MD5 and size of its content. */
export interface Known { etag: string; md5: string; size: number }

export interface LedgerIdentity { container: string; shard: number; shardCount: number }

/** The reserved folder below a container's prefix that holds its ledgers. */
export const LEDGER_DIR = '.swift-to-s3/ledger/';
/** A ledger's name, also below another container's prefix (a release copying to "archive/" inside this listing). */
const LEDGER_NAME = /(^|\/)\.swift-to-s3\/ledger\/[^/]+\/shard-\d+-of-\d+\.ndjson\.gz$/;
const FORMAT = 'swift-to-s3 resync ledger';
const FORMAT_VERSION = 1;
/** A killed pod loses at most this much of what it learned (the next run asks those objects' HEADs again). */
const CHECKPOINT_MS = 5 * 60_000;
/** Far above any real ledger (about 150 bytes per object): a foreign object at the ledger's key cannot flood memory. */
const MAX_LEDGER_TEXT = 512 * 1024 * 1024;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

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

/** What one container's shard knows. Entries read at the start stay `previous` until this run meets their object
 *  again unchanged; what it settles or learns is `current`. A run that went through its whole listing keeps only
 *  `current`, so objects gone from Swift leave the ledger. */
export class Ledger {
  readonly identity: LedgerIdentity;
  readonly #previous: Map<string, Known>;
  readonly #current = new Map<string, Known>();
  readonly #counts: LedgerCounts;
  /** Changes so far, and how many of them (and whether the whole listing) the last write held. */
  #version = 0;
  #written = { version: 0, complete: false };
  #complete = false;

  constructor(identity: LedgerIdentity, counts: LedgerCounts, entries: Map<string, Known> = new Map()) {
    this.identity = identity;
    this.#counts = counts;
    this.#previous = entries;
    counts.known += entries.size;
  }

  /** The object is the version the ledger knows, with Swift's MD5 and size (decide.ts's compareKnown). */
  settle(source: SourceEntry, destination: DestEntry): boolean {
    const known = this.#previous.get(source.name) ?? this.#current.get(source.name);
    if (!compareKnown(source, destination, known)) return false;
    if (this.#previous.delete(source.name)) this.#current.set(source.name, known!);
    this.#counts.settled++;
    return true;
  }

  /** A version the copier wrote (the write's answer) or proved by a HEAD. Only an ETag that names a version counts. */
  learn(name: string, known: Known): void {
    if (!VERSION_ETAG.test(known.etag) || !MD5_HEX.test(known.md5)) return;
    const before = this.#previous.get(name) ?? this.#current.get(name);
    this.#previous.delete(name);
    this.#current.set(name, known);
    if (before?.etag === known.etag && before.md5 === known.md5 && before.size === known.size) return;
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

  /** Gzipped NDJSON: a header line, then one [name, etag, md5, size] line per object; `stored` once it is written. */
  async serialize(): Promise<{ body: Buffer; entries: number; stored: () => void }> {
    const state = { version: this.#version, complete: this.#complete };
    const kept = state.complete ? [this.#current] : [this.#previous, this.#current];
    const entries = kept.reduce((sum, map) => sum + map.size, 0);
    const lines = [JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, ...this.identity, entries, written: new Date().toISOString() })];
    for (const map of kept) for (const [name, known] of map) lines.push(JSON.stringify([name, known.etag, known.md5, known.size]));
    const body = await gzipAsync(`${lines.join('\n')}\n`);
    return { body, entries, stored: () => { this.#written = state; } };
  }

  /** Reads a stored ledger; anything that is not exactly one of ours for this container and shard is refused. */
  static async parse(body: Buffer, identity: LedgerIdentity, counts: LedgerCounts): Promise<Ledger> {
    let text: string;
    try {
      text = (await gunzipAsync(body, { maxOutputLength: MAX_LEDGER_TEXT })).toString('utf8');
    } catch (error) {
      throw new LedgerError(`not a gzip stream (${messageOf(error)})`);
    }
    const lines = text.split('\n');
    if (lines.pop() !== '') throw new LedgerError('cut short (no final newline)');
    let header: Record<string, unknown>;
    try { header = JSON.parse(lines[0] ?? '') as Record<string, unknown>; } catch { throw new LedgerError('no header line'); }
    if (header.format !== FORMAT || header.version !== FORMAT_VERSION) throw new LedgerError(`not a ledger of format ${FORMAT} ${FORMAT_VERSION}`);
    if (header.container !== identity.container || header.shard !== identity.shard || header.shardCount !== identity.shardCount) {
      throw new LedgerError(`written for container ${String(header.container)}, shard ${String(header.shard)} of ${String(header.shardCount)}`);
    }
    if (header.entries !== lines.length - 1) throw new LedgerError(`announces ${String(header.entries)} entries, holds ${lines.length - 1}`);
    const entries = new Map<string, Known>();
    for (const line of lines.slice(1)) {
      let value: unknown;
      try { value = JSON.parse(line); } catch { throw new LedgerError('a line is not JSON'); }
      if (!isKnown(value)) throw new LedgerError('a line is not [name, version ETag, MD5, size]');
      const [name, etag, md5, size] = value;
      if (entries.has(name)) throw new LedgerError(`"${name}" is listed twice`);
      entries.set(name, { etag, md5, size });
    }
    return new Ledger(identity, counts, entries);
  }
}

export interface LedgerOptions {
  target: S3Target;
  source: SwiftSource;
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
      const body = await target.read(key);
      if (body) ledger = await Ledger.parse(body, identity, counts);
      log.info({ key, known: counts.known }, body ? 'resync ledger read' : 'no resync ledger yet: objects of unchanged size are settled by a HEAD each, and learned');
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

  async #write(ledger: Ledger, key: string): Promise<void> {
    if (this.#options.dryRun || !ledger.needsWriting) return;
    try {
      const { body, entries, stored } = await ledger.serialize();
      await this.#options.target.write(key, body, { ContentType: 'application/gzip' });
      stored();
      this.#options.counts.written++;
      this.#options.log.info({ key, entries, bytes: body.length }, 'resync ledger written');
    } catch (error) {
      this.#options.log.warn({ key, err: messageOf(error) }, 'resync ledger not written: the next run settles these objects by a HEAD each');
    }
  }
}
