// The work on one object of a shard, run in the transfer pool: copy it, or check the destination first and copy
// when it differs. Each ends with the object settled in the shard's totals and, where the run keeps a resync ledger,
// what it learned of the object in the object's ledger slot.
import type { Config } from '../config.ts';
import { FatalError, messageOf } from '../errors.ts';
import type { Log } from '../log.ts';
import type { Stats } from '../report/stats.ts';
import { keyProblem, storedForm, type KeyRules } from '../s3/keyrules.ts';
import type { S3Target } from '../s3/target.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import { adoptIfEqual, needsByteProof } from './adopt.ts';
import { isInPlace, knownFromHead } from './decide.ts';
import type { LedgerSlot } from './ledger.ts';
import type { Pool } from './pool.ts';
import { copyObject, reportPlanned, type TransferContext } from './transfer.ts';

type Settled = 'unchanged' | 'adopted' | 'differs';

export interface ObjectWorkOptions {
  config: Config;
  source: SwiftSource;
  target: S3Target;
  stats: Stats;
  log: Log;
  keyRules: KeyRules;
  transfer: TransferContext;
  pool: Pool;
}

/** One object as the march hands it over: its listing entry, its key in the bucket, and the container's prefix. */
export interface ObjectAt { entry: SourceEntry; key: string; prefix: string; slot: LedgerSlot | undefined }

export class ObjectWork {
  readonly #o: ObjectWorkOptions;

  constructor(options: ObjectWorkOptions) {
    this.#o = options;
  }

  /** An object that failed for good: counted, named in the summary, logged. */
  readonly fail = (key: string, error: unknown): void => {
    const { stats, log } = this.#o;
    stats.failed++;
    const reason = messageOf(error);
    stats.failures.push({ key, reason });
    log.error({ key, err: reason }, 'object failed');
  };

  /** Copies the object (the destination lacks it, or holds another size). */
  copy(object: ObjectAt): Promise<void> {
    return this.#forObject(object, () => this.#copyNow(object));
  }

  /** Settles the object by the destination's HEAD (and TAKEOVER=hash, its bytes); copies it when it differs. */
  checkThenCopy(object: ObjectAt): Promise<void> {
    return this.#forObject(object, async () => {
      const { stats, log, keyRules } = this.#o;
      // A key the bucket cannot store is refused without a HEAD (which could answer for its stored form).
      if (keyProblem(keyRules, object.key)) return this.#copyNow(object);
      let settled: Settled;
      try {
        settled = await this.#settle(object);
      } catch (error) {
        if (error instanceof FatalError) throw error;
        this.fail(object.key, error);
        stats.totals.settled(object.entry.bytes);
        return;
      }
      if (settled === 'unchanged') { stats.unchanged++; stats.totals.settled(object.entry.bytes); return; }
      if (settled === 'adopted') { stats.adopted++; stats.totals.settled(object.entry.bytes); return; }
      log.debug({ key: object.key }, 'destination differs');
      await this.#copyNow(object);
    });
  }

  /** A task for one object, which is named among the unfinished while it runs (an outage past OUTAGE_WAIT names
   *  them), and whose ledger slot ends with it. */
  #forObject(object: ObjectAt, task: () => Promise<void>): Promise<void> {
    const { pool, stats } = this.#o;
    return pool.add(async () => {
      stats.unfinished.add(object.key);
      try {
        await task();
        // A task that ends the run (an outage past OUTAGE_WAIT) leaves its object named as unfinished.
        stats.unfinished.delete(object.key);
      } finally {
        object.slot?.done();
      }
    });
  }

  /** Copies an object and settles it in the totals, with the size it had when copied (a DLO lists as 0 bytes). */
  async #copyNow(object: ObjectAt): Promise<void> {
    let copied: number | undefined;
    try {
      copied = await this.#copyOrRefuse(object);
    } finally {
      this.#o.stats.totals.settled(object.entry.bytes, copied);
    }
  }

  /** The bytes copied, or undefined when the object was refused, skipped or failed (or in a dry run). */
  async #copyOrRefuse({ entry, key, prefix, slot }: ObjectAt): Promise<number | undefined> {
    const { config, stats, log, transfer } = this.#o;
    if (await this.#refuseUnstorable(entry, key, prefix)) return;
    stats.toCopy++;
    stats.bytesToCopy += entry.bytes;
    if (config.dryRun) { log.info({ key, bytes: entry.bytes }, 'would copy'); return; }
    stats.inFlight++;
    try {
      const outcome = await copyObject(transfer, entry, key);
      if (outcome.kind === 'copied') {
        stats.copied++;
        stats.bytesCopied += outcome.bytes;
        if (outcome.written) slot?.learn(outcome.written);
        log.debug({ key, bytes: outcome.bytes }, 'copied');
        return outcome.bytes;
      }
      stats.skipped++;
      stats.skips.push({ key, reason: outcome.reason });
      log.warn({ key, reason: outcome.reason }, 'object skipped');
    } catch (error) {
      if (error instanceof FatalError) throw error;
      this.fail(key, error);
    } finally {
      stats.inFlight--;
    }
  }

  /** A key the target cannot store under its own name fails at once: no Swift read, no retries. */
  async #refuseUnstorable(entry: SourceEntry, key: string, prefix: string): Promise<boolean> {
    const { keyRules, source, stats } = this.#o;
    const problem = keyProblem(keyRules, key);
    if (!problem) return false;
    const stored = storedForm(keyRules, key);
    const twin = stored !== key && stored.startsWith(prefix) && stored.length > prefix.length
      ? await source.head(entry.container, stored.slice(prefix.length)).catch(() => undefined) : undefined;
    if (twin) {
      this.fail(key, `${problem}, which is also the key of the Swift object "${stored.slice(prefix.length)}": the two cannot both be kept`);
      stats.notes.push({ key: stored, reason: `Swift also has "${key.slice(prefix.length)}", which the bucket would store under this same key; that one was not copied` });
    } else {
      this.fail(key, problem);
    }
    return true;
  }

  /** The destination's HEAD, then (TAKEOVER=hash) its bytes. */
  async #settle({ entry, key, slot }: ObjectAt): Promise<Settled> {
    const { config, source, target, log, transfer } = this.#o;
    const head = await target.head(key);
    if (!head) return 'differs';
    if (await isInPlace(source, target, entry, key, config.compare, head)) {
      const known = knownFromHead(entry, head);
      if (known) slot?.learn(known);
      return 'unchanged';
    }
    if (config.takeover !== 'hash' || config.compare !== 'checksum' || config.dryRun || !needsByteProof(entry, head)) return 'differs';
    const adoption = await adoptIfEqual(source, target, entry, key);
    if (adoption.kind !== 'adopted') return 'differs';
    slot?.learn(adoption.written);
    reportPlanned(transfer, key, adoption.planned);
    log.debug({ key }, 'adopted: the stored bytes are the source\'s');
    return 'adopted';
  }
}
