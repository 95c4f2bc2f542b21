// One shard: for each container, list both sides (or Swift and the resync ledger), march them, decide per object,
// and hand the work to a pool of bounded concurrency; then the deletions, and the ledgers written.
import type { Config } from '../config.ts';
import { retryPolicyOf, type OutageGate } from '../retry.ts';
import type { Log } from '../log.ts';
import type { Stats } from '../report/stats.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import type { DestEntry, S3Target } from '../s3/target.ts';
import { storedForm, type KeyRules } from '../s3/keyrules.ts';
import { Bandwidth } from './bandwidth.ts';
import { PartBuffers } from './buffers.ts';
import { compareListed } from './decide.ts';
import { deleteExtraneous, listingLooksShort, type DeletionContext, type Extraneous } from './deletion.ts';
import { destinationPrefix } from './layout.ts';
import type { Ledger } from './ledger.ts';
import { march, type MarchStep } from './march.ts';
import { ObjectWork } from './objects.ts';
import { isOwnState } from './own-state.ts';
import { Pool } from './pool.ts';
import { RunLedgers } from './run-ledgers.ts';
import { findSegmentReferences, type SegmentReferences } from './segments.ts';
import { inShard, isInShard } from './shard.ts';
import type { TransferContext } from './transfer.ts';

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

/** What the whole source listing of a container showed (all shards): how many names, and the names whose stored form
 *  on the target is another key, so that DELETE_EXTRANEOUS never deletes the stored form of a source name. */
interface ListingSeen { names: number; aliases: Set<string> }

/** What a shard's containers share: the options, the pool and its object work, the segments, the ledgers. */
interface Shard extends RunOptions {
  keyRules: KeyRules;
  pool: Pool;
  work: ObjectWork;
  segments: SegmentReferences;
  ledgers: RunLedgers | undefined;
}

export async function runShard(options: RunOptions): Promise<RunResult> {
  const shard = await prepare(options);
  let interrupted = false;
  try {
    for (const container of options.config.swift.containers) {
      interrupted = await copyContainer(shard, container);
      if (interrupted) break;
    }
  } finally {
    // Also after SIGTERM: what this run learned is kept for the next.
    await shard.pool.drain().finally(() => shard.ledgers?.close());
  }
  return { interrupted };
}

/** The shard's pool, its transfers' context, the segments of large objects, and the ledgers where they apply. */
async function prepare(options: RunOptions): Promise<Shard> {
  const { config, source, target, stats, log } = options;
  const keyRules = target.keyRules(config.keyRules);
  // One pool for checks and copies; a check that finds a difference copies inside the slot it holds, so no task
  // ever waits for a slot of its own pool.
  const pool = new Pool(config.transfers);
  const work = new ObjectWork({ config, source, target, stats, log, keyRules, pool, transfer: transferContext(options, keyRules) });
  for (const container of config.swift.containers) stats.totals.expect(container, source.containerCounts(container), config.shard.count);
  const segments = await findSegmentReferences(source, config.swift.containers);
  if (segments.count > 0) log.info({ references: segments.count }, 'segments of large objects in other copied containers arrive assembled: they are accounted for, not copied again');
  return { ...options, keyRules, pool, work, segments, ledgers: runLedgers(options, keyRules) };
}

function transferContext({ config, source, target, stats, log, outage, openUploads }: RunOptions, keyRules: KeyRules): TransferContext {
  return {
    source, target, stats, log, retry: retryPolicyOf(config), keyRules, ...(outage ? { outage } : {}),
    multipartThreshold: config.multipartThreshold,
    partSize: config.partSize,
    partConcurrency: config.partConcurrency,
    bandwidth: new Bandwidth(config.bwlimit),
    buffers: new PartBuffers(config.bufferBudget),
    openUploads,
  };
}

/** Where a listed ETag names the object (its version, or its content), what the copier wrote or proved settles a
 *  resync without HEADs, and within TRUST_LEDGER_HOURS without listing the bucket. */
function runLedgers({ config, source, target, stats, log }: RunOptions, keyRules: KeyRules): RunLedgers | undefined {
  if (config.resyncLedger !== 'auto' || config.compare !== 'checksum' || !target.etagsNameObjects()) return undefined;
  stats.ledger = { known: 0, settled: 0, learned: 0, written: 0, trusted: 0 };
  return new RunLedgers({ target, source, log, keyRules, shard: config.shard, dryRun: config.dryRun, counts: stats.ledger, trustHours: config.trustLedgerHours });
}

/** One container: its march to the end (or to SIGTERM), then its deletions. True when interrupted. */
async function copyContainer(shard: Shard, container: string): Promise<boolean> {
  const { config, target, stats, log, stopping } = shard;
  const prefix = destinationPrefix(config, container);
  if (!config.dryRun) await abortStaleUploads(target, prefix, container, config, log);
  const ledger = await shard.ledgers?.open(container, prefix);
  const listingStarted = performance.now();
  const seen: ListingSeen = { names: 0, aliases: new Set() };
  const extraneous: Extraneous[] = [];
  const { sources, destinations, bucketListed } = listingsOf(shard, container, prefix, ledger, seen);
  let interrupted = false;
  for await (const step of march<SourceEntry, DestEntry>(sources, destinations)) {
    if (stopping.aborted) { interrupted = true; break; }
    await takeStep(shard, step, { container, prefix, ledger, bucketListed, extraneous });
  }
  if (!interrupted) {
    stats.totals.listingDone(container);
    const short = ledger ? await settleLedger(shard, container, ledger, seen) : undefined;
    await deleteGone(shard, container, seen, extraneous, short);
  }
  // The listings advance only as fast as the pool takes work, so on a first copy this is close to the copy's end.
  log.info({ container, listed: stats.listed, inShard: stats.inShard, bucketListed, seconds: Math.round(performance.now() - listingStarted) / 1000 }, 'listing done');
  return interrupted;
}

/** The shard's part of the Swift listing, and of the bucket's, or the ledger standing in for the bucket's. */
function listingsOf(shard: Shard, container: string, prefix: string, ledger: Ledger | undefined, seen: ListingSeen) {
  const { config, source, target, stats, keyRules, log } = shard;
  const sources = timed(inShard(noting(source.list(container), prefix, keyRules, seen), container, config, stats), stats.listingSeconds, 'swift');
  // Deleting what Swift no longer has needs to see what the bucket holds: with DELETE_EXTRANEOUS it is always listed.
  if (ledger?.canStandForBucket && !config.deleteExtraneous) {
    stats.ledger!.trusted++;
    log.info({ container, trustLedgerHours: config.trustLedgerHours }, 'the bucket was listed in full within TRUST_LEDGER_HOURS: this run marches Swift against the resync ledger, and asks a HEAD for what the ledger does not settle');
    return { sources, destinations: timed(ledger.asListing(), stats.listingSeconds, 's3'), bucketListed: false };
  }
  return { sources, destinations: timed(inShard(target.list(prefix), container, config), stats.listingSeconds, 's3'), bucketListed: true };
}

interface ContainerRun { container: string; prefix: string; ledger: Ledger | undefined; bucketListed: boolean; extraneous: Extraneous[] }

/** One step of the march: an object to copy, to check, settled by the listings, or a key Swift does not have. */
async function takeStep(shard: Shard, step: MarchStep<SourceEntry, DestEntry>, run: ContainerRun): Promise<void> {
  const { config, stats, work, segments } = shard;
  const { container, prefix, ledger } = run;
  if (step.kind === 'destination-only') return noteExtraneous(shard, step.destination, run);
  const entry = step.source;
  const object = () => ({ entry, key: prefix + entry.name, prefix, slot: ledger?.slot(entry.name) });
  if (segments.has(container, entry.name)) {
    stats.segments++;
    stats.totals.settled(entry.bytes);
  } else if (step.kind === 'source-only') {
    // Without the bucket's listing the key may be there all the same: its HEAD says.
    await (run.bucketListed ? work.copy(object()) : work.checkThenCopy(object()));
  } else {
    const verdict = compareListed(entry, step.destination, config.compare);
    if (verdict === 'equal') {
      await ledger?.keep(entry, step.destination);
      settledUnchanged(stats, entry);
    } else if (verdict === 'differ') await work.copy(object());
    else if (await ledger?.settle(entry, step.destination)) settledUnchanged(stats, entry);
    else await work.checkThenCopy(object());
  }
}

function settledUnchanged(stats: Stats, entry: SourceEntry): void {
  stats.unchanged++;
  stats.totals.settled(entry.bytes);
}

function noteExtraneous({ config, stats }: Shard, destination: DestEntry, { prefix, extraneous }: ContainerRun): void {
  // A ledger or a probe: not an object of the container, never extraneous.
  if (isOwnState(destination.name)) return;
  // Deleted once the whole source listing is known: a key may be the stored form of a name listed later.
  if (config.deleteExtraneous) extraneous.push({ key: prefix + destination.name, name: destination.name });
  else stats.extraneous++;
}

/** The listing went through: the ledger may drop what it did not meet, unless the listing gave fewer names than the
 *  container counts (a lagging replica, a proxy cutting pages): then it keeps them, as after an interrupted run. */
async function settleLedger(shard: Shard, container: string, ledger: Ledger, seen: ListingSeen): Promise<{ expected: number | undefined }> {
  const expected = await listingLooksShort(deletionContext(shard), container, seen.names);
  if (expected === undefined) ledger.listingDone();
  else shard.log.warn({ container, listed: seen.names, counted: expected }, 'the listing gave fewer names than the container counts: the resync ledger keeps the entries it did not meet');
  return { expected };
}

function deletionContext(shard: Shard): DeletionContext {
  return { ...shard, fail: shard.work.fail, schedule: (task) => shard.pool.add(task) };
}

/** DELETE_EXTRANEOUS, once the whole listing went through: never the stored form of another Swift name. */
async function deleteGone(shard: Shard, container: string, seen: ListingSeen, extraneous: Extraneous[], short: { expected: number | undefined } | undefined): Promise<void> {
  const { stats, log } = shard;
  for (const { key } of extraneous.filter(({ key }) => seen.aliases.has(key))) {
    stats.extraneous++;
    log.warn({ key }, 'not deleted: it is the stored form of another Swift name on this bucket');
  }
  await deleteExtraneous(deletionContext(shard), container, seen.names, extraneous.filter(({ key }) => !seen.aliases.has(key)), short);
}

async function* noting<T extends { name: string }>(items: AsyncIterable<T>, prefix: string, rules: KeyRules, seen: ListingSeen): AsyncGenerator<T> {
  for await (const item of items) {
    seen.names++;
    const stored = storedForm(rules, prefix + item.name);
    if (stored !== prefix + item.name) seen.aliases.add(stored);
    yield item;
  }
}

/** The items of a listing, the time spent waiting for each added to `seconds[side]`. */
async function* timed<T>(items: AsyncIterable<T>, seconds: Record<'swift' | 's3', number>, side: 'swift' | 's3'): AsyncGenerator<T> {
  const iterator = items[Symbol.asyncIterator]();
  try {
    for (;;) {
      const asked = performance.now();
      const next = await iterator.next();
      seconds[side] += (performance.now() - asked) / 1000;
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/** Aborts multipart uploads of this shard left open by an earlier run that was killed. */
async function abortStaleUploads(target: S3Target, prefix: string, container: string, config: Config, log: Log): Promise<void> {
  for await (const { key, uploadId } of target.openUploads(prefix)) {
    if (!isInShard(container, key.slice(prefix.length), config.shard)) continue;
    log.info({ key, uploadId }, 'aborting a multipart upload left open by an earlier run');
    await target.abortMultipart(key, uploadId);
  }
}
