// The resync ledgers of one run, one per container: read when its listing starts, written at the end of the run
// (also after SIGTERM) and every few minutes while something new is known. Failures here never fail the run:
// without a ledger an object is settled by its HEAD, as on any S3.
import { createReadStream, createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { messageOf } from '../errors.ts';
import type { Log } from '../log.ts';
import type { LedgerCounts } from '../report/stats.ts';
import { keyProblem, type KeyRules } from '../s3/keyrules.ts';
import type { S3Target } from '../s3/target.ts';
import type { SwiftSource } from '../swift/source.ts';
import { checkStored } from './ledger-format.ts';
import { Ledger, ledgerName, listedWithinTrust, relistName, removeFiles, type RelistNote, type StoredLedger } from './ledger.ts';

/** A killed pod loses at most this much of what it learned (the next run asks those objects' HEADs again). */
const CHECKPOINT_MS = 5 * 60_000;

export interface LedgerOptions {
  /** All a ledger asks of the bucket and of Swift. */
  target: Pick<S3Target, 'readWith' | 'writeFrom'>;
  source: Pick<SwiftSource, 'head'>;
  log: Log;
  counts: LedgerCounts;
  keyRules: KeyRules;
  shard: { index: number; count: number };
  dryRun: boolean;
  /** TRUST_LEDGER_HOURS. */
  trustHours: number;
  /** The scratch directory (the chart's emptyDir at /tmp): a ledger of a million entries takes about 35 MB stored and
   *  100 MB while a run writes the next. */
  scratch?: string;
}

interface Open { ledger: Ledger; key: string; writing: Promise<void> }

export class RunLedgers {
  readonly #options: LedgerOptions;
  readonly #open = new Map<string, Open>();
  readonly #startedAt = new Date();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LedgerOptions) {
    this.#options = options;
  }

  /** Reads the container's ledger; an absent, unreadable or foreign one starts empty (its objects get HEADs).
   *  Undefined (no ledger at all) when Swift itself has an object of the ledger's name, or the key cannot be stored. */
  async open(container: string, prefix: string): Promise<Ledger | undefined> {
    const { log, counts, shard } = this.#options;
    const identity = { container, shard: shard.index, shardCount: shard.count };
    const key = prefix + ledgerName(identity);
    if (!await this.#usable(container, key, ledgerName(identity))) return undefined;
    const stored = await this.#read(key, identity);
    const trust = { trustHours: this.#options.trustHours, startedAt: this.#startedAt };
    // Only a ledger that could stand in for the bucket's listing needs the note's word on it.
    const relistAfter = listedWithinTrust(stored, trust) ? await this.#relistAfter(prefix + relistName(container)) : undefined;
    const settings = { ...trust, ...(relistAfter === undefined ? {} : { relistAfter }) };
    const ledger = new Ledger(identity, counts, this.#scratchFile('new.ndjson'), settings, stored);
    if (stored) log.info({ key, known: stored.entries, complete: stored.complete, listedAt: stored.listedAt }, 'resync ledger read');
    this.#open.set(container, { ledger, key, writing: Promise.resolve() });
    this.#timer ??= setInterval(() => void this.#writeAll(), CHECKPOINT_MS).unref();
    return ledger;
  }

  of(container: string): Ledger | undefined {
    return this.#open.get(container)?.ledger;
  }

  /** The last write, after the transfers drained; then the scratch files go. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    try {
      await this.#writeAll();
    } finally {
      for (const { ledger } of this.#open.values()) {
        await ledger.close();
        await removeFiles(ledger.files);
      }
    }
  }

  async #usable(container: string, key: string, name: string): Promise<boolean> {
    const { source, log, keyRules } = this.#options;
    const problem = keyProblem(keyRules, key);
    if (problem) {
      log.warn({ key, problem }, 'no resync ledger for this container: the bucket cannot store its key');
      return false;
    }
    try {
      if (await source.head(container, name) === undefined) return true;
      log.warn({ key }, 'no resync ledger for this container: Swift has an object of the ledger\'s name, copied as any other');
    } catch (error) {
      log.warn({ key, err: messageOf(error) }, 'no resync ledger for this container: Swift did not say whether it has an object of the ledger\'s name');
    }
    return false;
  }

  /** The stored ledger, fetched into a scratch file and checked through once; undefined when there is none or it is
   *  not usable (then every object of unchanged size is settled by a HEAD, and learned). */
  async #read(key: string, identity: { container: string; shard: number; shardCount: number }): Promise<StoredLedger | undefined> {
    const { target, log } = this.#options;
    const path = this.#scratchFile('stored.ndjson.gz');
    try {
      const fetched = await target.readWith(key, async (body) => { await pipeline(body, createWriteStream(path)); return true; });
      if (!fetched) {
        log.info({ key }, 'no resync ledger yet: objects of unchanged size are settled by a HEAD each, and learned');
        return undefined;
      }
      return { path, ...await checkStored(path, identity) };
    } catch (error) {
      log.warn({ key, err: messageOf(error) }, 'resync ledger not usable, read as empty: objects of unchanged size are settled by a HEAD each');
      await removeFiles([path]);
      return undefined;
    }
  }

  /** The time of a failed verify's note (relistName): a ledger listed before it does not stand in for the bucket.
   *  Unreadable: as if the note said now (the bucket is listed; that is always safe). */
  async #relistAfter(key: string): Promise<number | undefined> {
    const { target, log } = this.#options;
    try {
      const note = await target.readWith(key, async (body) => JSON.parse((await body.toArray()).join('')) as Partial<RelistNote>);
      if (note === undefined) return undefined;
      const at = Date.parse(String(note.verifyFailedAt));
      if (Number.isNaN(at)) throw new Error('no verifyFailedAt time in it');
      log.info({ key, verifyFailedAt: note.verifyFailedAt }, 'a verify found differences after the last full listing: this run lists the bucket');
      return at;
    } catch (error) {
      log.warn({ key, err: messageOf(error) }, 'the note of a failed verify could not be read: this run lists the bucket');
      return this.#startedAt.getTime();
    }
  }

  #scratchFile(what: string): string {
    return join(this.#options.scratch ?? tmpdir(), `swift-to-s3-ledger-${randomUUID()}-${what}`);
  }

  async #writeAll(): Promise<void> {
    await Promise.all([...this.#open.values()].map((open) => (open.writing = open.writing.then(() => this.#write(open)))));
  }

  /** Through a file, not memory: a PUT needs the length and Content-MD5 before the body, a file holds a ledger of any
   *  size with memory flat, and gives the body again when the PUT is retried. */
  async #write({ ledger, key }: Open): Promise<void> {
    if (this.#options.dryRun || !ledger.needsWriting) return;
    const path = this.#scratchFile('put.ndjson.gz');
    try {
      const { entries, bytes, contentMd5, stored } = await ledger.writeFile(path);
      await this.#options.target.writeFrom(key, () => createReadStream(path), bytes, { ContentType: 'application/gzip' }, contentMd5);
      stored();
      this.#options.counts.written++;
      this.#options.log.info({ key, entries, bytes }, 'resync ledger written');
    } catch (error) {
      this.#options.log.warn({ key, err: messageOf(error) }, 'resync ledger not written: the next run settles these objects by a HEAD each');
    } finally {
      await removeFiles([path]);
    }
  }
}
