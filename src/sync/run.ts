// One shard: list both sides, march them, decide per object, run the copies with bounded concurrency.
import type { Config } from '../config.ts';
import { FatalError, messageOf } from '../errors.ts';
import { retryPolicyOf, type OutageGate } from '../retry.ts';
import type { Log } from '../log.ts';
import type { Stats } from '../report/stats.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import type { DestEntry, S3Target } from '../s3/target.ts';
import { Bandwidth } from './bandwidth.ts';
import { PartBuffers } from './buffers.ts';
import { keyProblem, storedForm, type KeyRules } from '../s3/keyrules.ts';
import { adoptIfEqual, needsByteProof } from './adopt.ts';
import { compareListed, isInPlace, knownFromHead } from './decide.ts';
import { RunLedgers } from './ledger.ts';
import { isOwnState } from './own-state.ts';
import { deleteExtraneous, type DeletionContext, type Extraneous } from './deletion.ts';
import { findSegmentReferences } from './segments.ts';
import { march } from './march.ts';
import { inShard, isInShard } from './shard.ts';
import { destinationPrefix } from './layout.ts';
import { copyObject, reportPlanned, type TransferContext } from './transfer.ts';

export interface RunOptions {
  config: Config;
  source: SwiftSource;
  target: S3Target;
  stats: Stats;
  log: Log;
  /** Aborted on SIGTERM: no new object starts. */
  stopping: AbortSignal;
  /** Multipart uploads in progress, shared with the shutdown path that aborts them. */
  openUploads: Map<string, { key: string; uploadId: string }>;
  /** Both sides' outage watches, for the retries of whole objects. */
  outage?: OutageGate;
}

export interface RunResult {
  interrupted: boolean;
}

/** A pool that runs at most `limit` tasks at once; `add` waits for a free slot, so listing never runs far ahead. */
class Pool {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;
  constructor(limit: number) { this.#limit = limit; }
  async add(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit) await Promise.race(this.#running);
    this.#throwIfFailed();
    const running: Promise<void> = task()
      .catch((error: unknown) => { this.#failure ??= { error }; })
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.race(this.#running);
    this.#throwIfFailed();
  }
  /** A task's error that is not about one object (a FatalError) ends the shard. */
  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}


/** What the whole source listing of a container showed (all shards): how many names, and the names whose stored form
 *  on the target is another key, so that DELETE_EXTRANEOUS never deletes the stored form of a source name. */
interface ListingSeen { names: number; aliases: Set<string> }

async function* noting<T extends { name: string }>(items: AsyncIterable<T>, prefix: string, rules: KeyRules, seen: ListingSeen): AsyncGenerator<T> {
  for await (const item of items) {
    seen.names++;
    const stored = storedForm(rules, prefix + item.name);
    if (stored !== prefix + item.name) seen.aliases.add(stored);
    yield item;
  }
}

type Settled = 'unchanged' | 'adopted' | 'differs';

export async function runShard({ config, source, target, stats, log, stopping, openUploads, outage }: RunOptions): Promise<RunResult> {
  const retry = retryPolicyOf(config);
  const keyRules = target.keyRules(config.keyRules);
  const ctx: TransferContext = {
    source, target, stats, log, retry, keyRules, ...(outage ? { outage } : {}),
    multipartThreshold: config.multipartThreshold,
    partSize: config.partSize,
    partConcurrency: config.partConcurrency,
    bandwidth: new Bandwidth(config.bwlimit),
    buffers: new PartBuffers(config.bufferBudget),
    openUploads,
  };
  // One pool for checks and copies; a check that finds a difference copies inside the slot it holds, so no task
  // ever waits for a slot of its own pool.
  const pool = new Pool(config.transfers);
  const copy = config.swift.containers;
  for (const container of copy) stats.totals.expect(container, source.containerCounts(container), config.shard.count);
  const segments = await findSegmentReferences(source, copy);
  if (segments.count > 0) log.info({ references: segments.count }, 'segments of large objects in other copied containers arrive assembled: they are accounted for, not copied again');
  // Where a listed ETag names one version (NooBaa), what the copier wrote or proved settles a resync without HEADs.
  const ledgers = config.resyncLedger === 'auto' && config.compare === 'checksum' && target.etagsNameVersions()
    ? new RunLedgers({ target, source, log, keyRules, shard: config.shard, dryRun: config.dryRun, counts: (stats.ledger = { known: 0, settled: 0, learned: 0, written: 0 }) })
    : undefined;

  const fail = (key: string, error: unknown) => {
    stats.failed++;
    const reason = messageOf(error);
    stats.failures.push({ key, reason });
    log.error({ key, err: reason }, 'object failed');
  };

  /** A key the target cannot store under its own name fails at once: no Swift read, no retries. */
  const refuseUnstorable = async (entry: SourceEntry, key: string, prefix: string): Promise<boolean> => {
    const problem = keyProblem(keyRules, key);
    if (!problem) return false;
    const stored = storedForm(keyRules, key);
    const twin = stored !== key && stored.startsWith(prefix) && stored.length > prefix.length
      ? await source.head(entry.container, stored.slice(prefix.length)).catch(() => undefined) : undefined;
    if (twin) {
      fail(key, `${problem}, which is also the key of the Swift object "${stored.slice(prefix.length)}": the two cannot both be kept`);
      stats.notes.push({ key: stored, reason: `Swift also has "${key.slice(prefix.length)}", which the bucket would store under this same key; that one was not copied` });
    } else {
      fail(key, problem);
    }
    return true;
  };

  /** Copies an object and settles it in the totals, with the size it had when copied (a DLO lists as 0 bytes). */
  const copyNow = async (entry: SourceEntry, key: string, prefix: string): Promise<void> => {
    let copied: number | undefined;
    try {
      copied = await copyOrRefuse(entry, key, prefix);
    } finally {
      stats.totals.settled(entry.bytes, copied);
    }
  };

  /** The bytes copied, or undefined when the object was refused, skipped or failed (or in a dry run). */
  const copyOrRefuse = async (entry: SourceEntry, key: string, prefix: string): Promise<number | undefined> => {
    if (await refuseUnstorable(entry, key, prefix)) return;
    stats.toCopy++;
    stats.bytesToCopy += entry.bytes;
    if (config.dryRun) { log.info({ key, bytes: entry.bytes }, 'would copy'); return; }
    stats.inFlight++;
    try {
      const outcome = await copyObject(ctx, entry, key);
      if (outcome.kind === 'copied') {
        stats.copied++;
        stats.bytesCopied += outcome.bytes;
        if (outcome.written) ledgers?.of(entry.container)?.learn(entry.name, outcome.written);
        log.debug({ key, bytes: outcome.bytes }, 'copied');
        return outcome.bytes;
      } else {
        stats.skipped++;
        stats.skips.push({ key, reason: outcome.reason });
        log.warn({ key, reason: outcome.reason }, 'object skipped');
      }
    } catch (error) {
      if (error instanceof FatalError) throw error;
      fail(key, error);
    } finally {
      stats.inFlight--;
    }
  };

  /** The "needs-head" verdict settled: the destination's HEAD, then (TAKEOVER=hash) its bytes. */
  const settle = async (entry: SourceEntry, key: string): Promise<Settled> => {
    const head = await target.head(key);
    if (!head) return 'differs';
    if (await isInPlace(source, target, entry, key, config.compare, head)) {
      const known = knownFromHead(entry, head);
      if (known) ledgers?.of(entry.container)?.learn(entry.name, known);
      return 'unchanged';
    }
    if (config.takeover !== 'hash' || config.compare !== 'checksum' || config.dryRun || !needsByteProof(entry, head)) return 'differs';
    const adoption = await adoptIfEqual(source, target, entry, key);
    if (adoption.kind !== 'adopted') return 'differs';
    ledgers?.of(entry.container)?.learn(entry.name, adoption.written);
    reportPlanned(ctx, key, adoption.planned);
    log.debug({ key }, 'adopted: the stored bytes are the source\'s');
    return 'adopted';
  };

  /** A task for one object, which is named among the unfinished while it runs (an outage past OUTAGE_WAIT names them). */
  const forObject = (key: string, task: () => Promise<void>) => pool.add(async () => {
    stats.unfinished.add(key);
    await task();
    // A task that ends the run (an outage past OUTAGE_WAIT) leaves its object named as unfinished.
    stats.unfinished.delete(key);
  });

  const copyOne = (entry: SourceEntry, key: string, prefix: string) => forObject(key, () => copyNow(entry, key, prefix));

  const checkThenCopy = (entry: SourceEntry, destination: DestEntry, key: string, prefix: string) => forObject(key, async () => {
    let settled: Settled;
    try {
      settled = await settle(entry, key);
    } catch (error) {
      if (error instanceof FatalError) throw error;
      fail(key, error);
      stats.totals.settled(entry.bytes);
      return;
    }
    if (settled === 'unchanged') { stats.unchanged++; stats.totals.settled(entry.bytes); return; }
    if (settled === 'adopted') { stats.adopted++; stats.totals.settled(entry.bytes); return; }
    log.debug({ key, destination }, 'destination differs');
    await copyNow(entry, key, prefix);
  });

  const deletions: DeletionContext = { config, source, target, stats, log, fail, schedule: (task) => pool.add(task) };

  let interrupted = false;
  for (const container of copy) {
    const prefix = destinationPrefix(config, container);
    if (!config.dryRun) await abortStaleUploads(target, prefix, container, config, log);
    const ledger = await ledgers?.open(container, prefix);
    const listingStarted = performance.now();
    const seen: ListingSeen = { names: 0, aliases: new Set() };
    const extraneous: Extraneous[] = [];
    const sources = inShard(noting(source.list(container), prefix, keyRules, seen), container, config, stats);
    const destinations = inShard(target.list(prefix), container, config);
    for await (const step of march<SourceEntry, DestEntry>(sources, destinations)) {
      if (stopping.aborted) { interrupted = true; break; }
      if (step.kind !== 'destination-only' && segments.has(container, step.source.name)) {
        stats.segments++;
        stats.totals.settled(step.source.bytes);
      } else if (step.kind === 'source-only') {
        await copyOne(step.source, prefix + step.source.name, prefix);
      } else if (step.kind === 'both') {
        const verdict = compareListed(step.source, step.destination, config.compare);
        if (verdict === 'equal') { stats.unchanged++; stats.totals.settled(step.source.bytes); }
        else if (verdict === 'differ') await copyOne(step.source, prefix + step.source.name, prefix);
        else if (ledger?.settle(step.source, step.destination)) { stats.unchanged++; stats.totals.settled(step.source.bytes); }
        else await checkThenCopy(step.source, step.destination, prefix + step.source.name, prefix);
      } else if (isOwnState(step.destination.name)) {
        // A ledger or a probe: not an object of the container, never extraneous.
      } else if (config.deleteExtraneous) {
        // Deleted once the whole source listing is known: a key may be the stored form of a name listed later.
        extraneous.push({ key: prefix + step.destination.name, name: step.destination.name });
      } else {
        stats.extraneous++;
      }
    }
    if (!interrupted) {
      stats.totals.listingDone(container);
      ledger?.listingDone();
    }
    if (!interrupted) {
      const aliases = extraneous.filter(({ key }) => seen.aliases.has(key));
      for (const { key } of aliases) {
        stats.extraneous++;
        log.warn({ key }, 'not deleted: it is the stored form of another Swift name on this bucket');
      }
      await deleteExtraneous(deletions, container, seen.names, extraneous.filter(({ key }) => !seen.aliases.has(key)));
    }
    // The listings advance only as fast as the pool takes work, so on a first copy this is close to the copy's end.
    log.info({ container, listed: stats.listed, inShard: stats.inShard, seconds: Math.round(performance.now() - listingStarted) / 1000 }, 'listing done');
    if (interrupted) break;
  }
  // Also after SIGTERM: what this run learned is kept for the next.
  await pool.drain().finally(() => ledgers?.close());
  return { interrupted };
}

/** Aborts multipart uploads of this shard left open by an earlier run that was killed. */
async function abortStaleUploads(target: S3Target, prefix: string, container: string, config: Config, log: Log): Promise<void> {
  for await (const { key, uploadId } of target.openUploads(prefix)) {
    if (!isInShard(container, key.slice(prefix.length), config.shard)) continue;
    log.info({ key, uploadId }, 'aborting a multipart upload left open by an earlier run');
    await target.abortMultipart(key, uploadId);
  }
}
