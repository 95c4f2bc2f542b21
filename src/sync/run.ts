// One shard: list both sides, march them, decide per object, run the copies with bounded concurrency.
import type { Config } from '../config.ts';
import { FatalError, messageOf } from '../errors.ts';
import { retryPolicyOf } from '../retry.ts';
import type { Log } from '../log.ts';
import type { Stats } from '../report/stats.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import type { DestEntry, S3Target } from '../s3/target.ts';
import { Bandwidth } from './bandwidth.ts';
import { PartBuffers } from './buffers.ts';
import { compareListed, isInPlace } from './decide.ts';
import { march } from './march.ts';
import { shardOf } from './shard.ts';
import { copyObject, type TransferContext } from './transfer.ts';

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
}

export interface RunResult {
  interrupted: boolean;
}

/** Where a container's objects go in the bucket: S3_PREFIX, plus "<container>/" when several are copied. */
export function destinationPrefix(config: Config, container: string): string {
  return config.s3.prefix + (config.swift.containers.length > 1 ? `${container}/` : '');
}

/** Containers to copy: a "<name>_segments" container is left out when "<name>" is copied, as its segments are
 *  copied as part of the assembled large objects. */
export function containersToCopy(containers: readonly string[]): { copy: string[]; skipped: string[] } {
  const skipped = containers.filter((name) => name.endsWith('_segments') && containers.includes(name.slice(0, -'_segments'.length)));
  return { copy: containers.filter((name) => !skipped.includes(name)), skipped };
}

/** A pool that runs at most `limit` tasks at once; `add` waits for a free slot, so listing never runs far ahead. */
class Pool {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();
  #error: unknown;
  constructor(limit: number) { this.#limit = limit; }
  async add(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit) await Promise.race(this.#running);
    this.#throwIfFailed();
    const running: Promise<void> = task()
      .catch((error: unknown) => { this.#error ??= error; })
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.race(this.#running);
    this.#throwIfFailed();
  }
  /** A task's error that is not about one object (a FatalError) ends the shard. */
  #throwIfFailed(): void {
    if (this.#error) throw this.#error;
  }
}

/** The items of a listing that hash to this process's shard (counted into `counted` when given). */
export async function* inShard<T extends { name: string }>(items: AsyncIterable<T>, container: string, config: Config, counted?: Stats): AsyncGenerator<T> {
  for await (const item of items) {
    if (counted) counted.listed++;
    if (shardOf(container, item.name, config.shard.count) !== config.shard.index) continue;
    if (counted) counted.inShard++;
    yield item;
  }
}

export async function runShard({ config, source, target, stats, log, stopping, openUploads }: RunOptions): Promise<RunResult> {
  const retry = retryPolicyOf(config);
  const ctx: TransferContext = {
    source, target, stats, log, retry,
    multipartThreshold: config.multipartThreshold,
    partSize: config.partSize,
    partConcurrency: config.partConcurrency,
    bandwidth: new Bandwidth(config.bwlimit),
    buffers: new PartBuffers(config.bufferBudget),
    openUploads,
  };
  const pool = new Pool(config.transfers);
  const { copy, skipped } = containersToCopy(config.swift.containers);
  for (const container of skipped) log.info({ container }, 'segments container left out: its objects are copied as assembled large objects');

  const fail = (key: string, error: unknown) => {
    stats.failed++;
    const reason = messageOf(error);
    stats.failures.push({ key, reason });
    log.error({ key, err: reason }, 'object failed');
  };

  const copyOne = (entry: SourceEntry, key: string) => pool.add(async () => {
    stats.toCopy++;
    stats.bytesToCopy += entry.bytes;
    if (config.dryRun) { log.info({ key, bytes: entry.bytes }, 'would copy'); return; }
    stats.inFlight++;
    try {
      const outcome = await copyObject(ctx, entry, key);
      if (outcome.kind === 'copied') {
        stats.copied++;
        stats.bytesCopied += outcome.bytes;
        log.debug({ key, bytes: outcome.bytes }, 'copied');
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
  });

  const checkThenCopy = (entry: SourceEntry, destination: DestEntry, key: string) => pool.add(async () => {
    try {
      if (await isInPlace(source, target, entry, key, config.compare)) { stats.unchanged++; return; }
      log.debug({ key, destination }, 'destination differs');
    } catch (error) {
      fail(key, error);
      return;
    }
    await copyOne(entry, key);
  });

  const deleteOne = (destination: DestEntry, key: string) => pool.add(async () => {
    if (config.dryRun) { log.info({ key }, 'would delete'); stats.deleted++; return; }
    try {
      await target.delete(key);
      stats.deleted++;
      log.info({ key }, 'deleted extraneous object');
    } catch (error) {
      fail(key, error);
    }
  });

  let interrupted = false;
  for (const container of copy) {
    const prefix = destinationPrefix(config, container);
    if (!config.dryRun) await abortStaleUploads(target, prefix, container, config, log);
    const listingStarted = performance.now();
    const sources = inShard(source.list(container), container, config, stats);
    const destinations = inShard(target.list(prefix), container, config);
    for await (const step of march<SourceEntry, DestEntry>(sources, destinations)) {
      if (stopping.aborted) { interrupted = true; break; }
      if (step.kind === 'source-only') {
        await copyOne(step.source, prefix + step.source.name);
      } else if (step.kind === 'both') {
        const verdict = compareListed(step.source, step.destination, config.compare);
        if (verdict === 'equal') stats.unchanged++;
        else if (verdict === 'differ') await copyOne(step.source, prefix + step.source.name);
        else await checkThenCopy(step.source, step.destination, prefix + step.source.name);
      } else if (config.deleteExtraneous) {
        await deleteOne(step.destination, prefix + step.destination.name);
      } else {
        stats.extraneous++;
      }
    }
    // The listings advance only as fast as the pool takes work, so on a first copy this is close to the copy's end.
    log.info({ container, listed: stats.listed, inShard: stats.inShard, seconds: Math.round(performance.now() - listingStarted) / 1000 }, 'listing done');
    if (interrupted) break;
  }
  await pool.drain();
  return { interrupted };
}

/** Aborts multipart uploads of this shard left open by an earlier run that was killed. */
async function abortStaleUploads(target: S3Target, prefix: string, container: string, config: Config, log: Log): Promise<void> {
  for await (const { key, uploadId } of target.openUploads(prefix)) {
    if (shardOf(container, key.slice(prefix.length), config.shard.count) !== config.shard.index) continue;
    log.info({ key, uploadId }, 'aborting a multipart upload left open by an earlier run');
    await target.abortMultipart(key, uploadId);
  }
}
