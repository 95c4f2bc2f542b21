// The bench's scale section (issue 20): the resync path at a million names and the copy path at 100,000 small objects,
// on each target. Per index: wall time, listing seconds per side, peak RSS and heap, requests by kind; per run: the
// servers' CPU. The sets are seeded straight onto the bed's disks where the target allows it (bench/seed-disk.ts).
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { uniqueName } from '../test/support/bed.ts';
import type { Upstream } from '../test/support/counting-proxy.ts';
import type { DatasetObject } from '../test/support/dataset.ts';
import { createBucket } from '../test/support/s3.ts';
import { putContainer, swiftLogin, type SwiftAccount } from '../test/support/swift.ts';
import type { Target } from '../test/support/targets.ts';
import { summaryOf } from './copier.ts';
import { bedCpu, measure } from './measure.ts';
import { fixed, type ScaleData, type ScaleIndex, type ScaleKind, type ScaleRole, type ScaleRun } from './report.ts';
import { seedOnDisk } from './seed-disk.ts';
import { nsfsEtag, seedLedgers } from './seed-ledger.ts';
import { folderSet, scaleSet, seedBucket } from './seed.ts';

export interface ScaleSettings {
  /** Names of the large resync set (1,000,000 at full size); the comparison set and each folder hold a tenth. */
  count: number;
  shards: number[];
  /** Indexes of one run at once, as a Job of low parallelism runs them. */
  parallel: number;
  copyCounts: number[];
  /** The targets whose resync path runs (the copy path runs on every target): a session can measure one path. */
  resyncTargets: string[];
  /** Objects of the data bucket's resync set: written by PUTs, it is cut to what fits. */
  nbdbCount: number;
  putConcurrency: number;
  /** Seeder processes at once (bench/seed-disk.py). */
  seeders: number;
}

interface Launch { command: string; args: string[]; env: Record<string, string> }

/** What the section needs of bench/run.ts: the bed, its targets and the copier's command. */
export interface ScaleBed {
  bedDir: string;
  swiftAuthUrl: string;
  /** The S3 account's Swift credentials: its containers are s3api's buckets, and every set's source. */
  s3Account: { user: string; key: string };
  targets: Target[];
  client: (target: Target) => S3Client;
  upstream: (target: Target) => Upstream;
  copier: (container: string, bucket: string, target: Target, overrides: Record<string, string>) => (relay: string) => Launch;
  log: (line: string) => void;
  /** Called with what was measured so far after every run: hours of runs are not lost to an interruption. */
  checkpoint?: (partial: ScaleData) => void;
}

/** One set of objects: its Swift container, and what the tables call it. */
interface ScaleSet { role: ScaleRole; container: string; objects: readonly DatasetObject[] }

const TIMEOUT_MS = 12 * 60 * 60_000;
const CPU_KINDS_NOOBAA = ['nbdb', 'nsfs'];

function sum(values: Record<string, number>, keep: (kind: string) => boolean): number {
  return Object.entries(values).reduce((total, [kind, value]) => total + (keep(kind) ? value : 0), 0);
}

/** The section's sets, by container; a set of the same size is the same container (the comparison set is also the
 *  100,000 copy's source). */
function planSets(settings: ScaleSettings, hasNbdb: boolean): Map<string, ScaleSet> {
  const sets = new Map<string, ScaleSet>();
  const folder = Math.round(settings.count / 10);
  const add = (role: ScaleRole, container: string, make: () => DatasetObject[]) => {
    if (!sets.has(container)) sets.set(container, { role, container, objects: make() });
  };
  add('million', `scale-${settings.count}`, () => scaleSet(settings.count));
  add('tenth', `scale-${Math.round(settings.count / 10)}`, () => scaleSet(Math.round(settings.count / 10)));
  add('astral', `scale-astral-${folder}`, () => folderSet('astral', folder));
  add('plain', `scale-plain-${folder}`, () => folderSet('plain', folder));
  for (const count of settings.copyCounts) add('copy', `scale-${count}`, () => scaleSet(count));
  if (hasNbdb) add('nbdb', `scale-${settings.nbdbCount}`, () => scaleSet(settings.nbdbCount));
  return sets;
}

async function objectCount(account: SwiftAccount, container: string): Promise<number> {
  const answer = await fetch(`${account.storageUrl}/${encodeURIComponent(container)}`, { method: 'HEAD', headers: { 'x-auth-token': account.token } });
  return answer.ok ? Number(answer.headers.get('x-container-object-count')) : -1;
}

/** Seeds a set's container once: a bed kept between runs (BED_DIR) keeps a container of the right count. */
async function seedSwift(bed: ScaleBed, settings: ScaleSettings, account: SwiftAccount, set: ScaleSet, data: ScaleData): Promise<void> {
  if (await objectCount(account, set.container) === set.objects.length) {
    bed.log(`scale: ${set.container} already holds its ${set.objects.length} objects`);
    return;
  }
  await seedContainer(bed, settings, account, set, set.container, data);
}

/** Writes a set's objects into a Swift container on disk, as Swift would have stored them. */
async function seedContainer(bed: ScaleBed, settings: ScaleSettings, account: SwiftAccount, set: ScaleSet, container: string, data: ScaleData): Promise<void> {
  await putContainer(account, container);
  bed.log(`scale: seeding ${set.objects.length} objects into Swift's ${container} on disk ...`);
  const swiftAccount = new URL(account.storageUrl).pathname.split('/').pop()!;
  const { seconds } = await seedOnDisk({ kind: 'swift', bedDir: resolve(bed.bedDir), account: swiftAccount, container }, set.objects, settings.seeders);
  const counted = await objectCount(account, container);
  if (counted !== set.objects.length) throw new Error(`Swift's ${container} lists ${counted} objects after seeding ${set.objects.length}`);
  data.seeding.push({ where: 'Swift', how: 'on disk', objects: set.objects.length, seconds });
  bed.log(`scale:   ${fixed(seconds, 0)} s, ${fixed(set.objects.length / seconds, 0)} objects/s`);
}

/** A bucket on `target` holding `set` as a copy by swift-to-s3 would: s3api's is another Swift container, seeded on
 *  disk (not the set's own: the ledgers a resync leaves in the bucket would be objects of the container it copies);
 *  NSFS's is written on disk; the data bucket's by PUTs. */
async function bucketFor(bed: ScaleBed, settings: ScaleSettings, account: SwiftAccount, target: Target, set: ScaleSet, data: ScaleData): Promise<string> {
  const bucket = uniqueName(set.container);
  if (target.name === 's3api') {
    await seedContainer(bed, settings, account, set, bucket, data);
    return bucket;
  }
  await createBucket(bed.client(target), bucket);
  bed.log(`scale: seeding ${set.objects.length} objects into ${target.name}'s ${bucket} ...`);
  let seconds: number;
  if (target.name === 'nsfs') {
    const bucketDir = `${resolve(bed.bedDir)}-nsfs/buckets/${bucket}`;
    if (!existsSync(bucketDir)) throw new Error(`NooBaa NSFS made no directory ${bucketDir} for bucket ${bucket}: not the bed's NSFS layout (test/bed/noobaa.ts)?`);
    ({ seconds } = await seedOnDisk({ kind: 'nsfs', bucketDir, container: set.container }, set.objects, settings.seeders));
    await nsfsLedgers(bed, settings, target, set, bucket, bucketDir, data);
  } else {
    ({ seconds } = await seedBucket(bed.client(target), bucket, set.container, set.objects, settings.putConcurrency, bed.log));
  }
  data.seeding.push({ where: target.name, how: target.name === 'nsfs' ? 'on disk' : `PUTs, ${settings.putConcurrency} at once`, objects: set.objects.length, seconds });
  bed.log(`scale:   ${fixed(seconds, 0)} s, ${fixed(set.objects.length / seconds, 0)} objects/s`);
  return bucket;
}

/** The ledgers a copy would have left in an NSFS bucket, for every SHARD_COUNT but the one whose first resync is
 *  measured; first checked: NooBaa serves the seeded objects with the ETags the ledgers hold. */
async function nsfsLedgers(bed: ScaleBed, settings: ScaleSettings, target: Target, set: ScaleSet, bucket: string, bucketDir: string, data: ScaleData): Promise<void> {
  for (const object of [set.objects[0]!, set.objects[Math.floor(set.objects.length / 2)]!, set.objects.at(-1)!]) {
    const served = (await bed.client(target).send(new HeadObjectCommand({ Bucket: bucket, Key: object.name }))).ETag?.replaceAll('"', '');
    const computed = await nsfsEtag(`${bucketDir}/${object.name}`);
    if (served !== computed) throw new Error(`NooBaa NSFS serves ${object.name} with ETag ${served}, the ledger seeder computes ${computed}: bench/seed-ledger.ts no longer matches NooBaa`);
  }
  const shardCounts = shardCountsOf(settings, set).filter((shards) => !measuresFirstResync(set, shards));
  const { seconds, ledgers } = await seedLedgers(bucketDir, set.container, set.objects, shardCounts);
  data.seeding.push({ where: target.name, how: `resync ledgers on disk (SHARD_COUNT ${shardCounts.join(', ')}: ${ledgers} files)`, objects: set.objects.length, seconds });
  bed.log(`scale:   ledgers for SHARD_COUNT ${shardCounts.join(', ')} in ${fixed(seconds, 0)} s`);
}

function indexRow(index: number, result: Awaited<ReturnType<typeof measure>>): ScaleIndex & { copied: number; unchanged: number; failed: number } {
  const summary = summaryOf(result.stdout);
  return {
    index, seconds: result.seconds, rssMiB: result.rssMiB, heapMiB: summary.memory?.peakHeapMiB, listing: summary.listingSeconds, requests: result.requests,
    copied: summary.copied, unchanged: summary.unchanged, failed: summary.failed,
  };
}

/** Every index of one SHARD_COUNT, `parallel` at a time, each checked: exit 0, and every object unchanged (a resync)
 *  or copied (a copy). */
async function runIndexes(bed: ScaleBed, settings: ScaleSettings, target: Target, set: ScaleSet, bucket: string, shards: number, kind: ScaleKind, extra: Record<string, string> = {}): Promise<ScaleRun> {
  const overrides = {
    ...extra,
    SWIFT_USER: bed.s3Account.user, SWIFT_KEY: bed.s3Account.key, PROGRESS_INTERVAL: '30', SHARD_COUNT: String(shards),
  };
  const rows: ReturnType<typeof indexRow>[] = [];
  const before = bedCpu(bed.bedDir);
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(settings.parallel, shards) }, async () => {
    while (next < shards) {
      const index = next++;
      const result = await measure(bed.upstream(target), bed.bedDir, bed.copier(set.container, bucket, target, { ...overrides, JOB_COMPLETION_INDEX: String(index) }), TIMEOUT_MS);
      if (result.code !== 0) throw new Error(`scale ${kind} of ${set.container} on ${target.name}, index ${index} of ${shards}, exited ${result.code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
      rows.push(indexRow(index, result));
      bed.log(`scale: ${kind} ${set.container} on ${target.name}, index ${index}/${shards}: ${fixed(result.seconds)} s, RSS ${fixed(result.rssMiB, 0)} MiB`);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const after = bedCpu(bed.bedDir);
  const cpu = Object.fromEntries(Object.entries(after).map(([name, value]) => [name, value - (before[name] ?? 0)]));
  const total = (field: 'copied' | 'unchanged' | 'failed') => rows.reduce((all, row) => all + row[field], 0);
  const done = kind === 'copy' ? total('copied') : total('unchanged');
  if (done !== set.objects.length || total('failed') > 0 || (kind !== 'copy' && total('copied') > 0)) {
    throw new Error(`scale ${kind} of ${set.container} on ${target.name} (${shards} shards): ${total('copied')} copied, ${total('unchanged')} unchanged, ${total('failed')} failed of ${set.objects.length}`);
  }
  const run: ScaleRun = {
    target: target.name, role: set.role, kind, objects: set.objects.length, shards, seconds,
    swiftCpu: sum(cpu, (name) => !CPU_KINDS_NOOBAA.includes(name)), noobaaCpu: cpu[target.name] ?? NaN,
    indexes: rows.sort((a, b) => a.index - b.index).map(({ copied: _c, unchanged: _u, failed: _f, ...row }) => row),
  };
  bed.log(`scale: ${kind} of ${set.objects.length} on ${target.name} at SHARD_COUNT=${shards}: ${fixed(seconds)} s, Swift CPU ${fixed(run.swiftCpu)} s, NooBaa CPU ${fixed(run.noobaaCpu)} s`);
  return run;
}

function shardCountsOf(settings: ScaleSettings, set: ScaleSet): number[] {
  return set.role === 'astral' || set.role === 'plain' ? [1] : settings.shards;
}

/** NSFS's first resync (no ledger: a HEAD per object, at the same rate at every size) is measured once, on the
 *  comparison set at SHARD_COUNT=1; the other buckets start with the ledgers a copy leaves. */
function measuresFirstResync(set: ScaleSet, shards: number): boolean {
  return set.role === 'tenth' && shards === 1;
}

/** A listed resync lists the whole bucket in every index: it runs while the names listed add up to at most the
 *  large set's count (a million listed costs NooBaa about 15 minutes of CPU here). */
function measuresListedResync(settings: ScaleSettings, set: ScaleSet, shards: number): boolean {
  return set.objects.length * shards <= settings.count;
}

/** The runs of a resync on NSFS, in order: a first resync finds no resync ledger, settles every object by a HEAD and
 *  writes the ledger; a listed resync lists the bucket all the same (as every run does once TRUST_LEDGER_HOURS have
 *  passed); the last is a resync as the defaults run it. Elsewhere a resync is one run. */
function nsfsResyncs(settings: ScaleSettings, set: ScaleSet, shards: number): { kind: ScaleKind; extra: Record<string, string> }[] {
  return [
    ...(measuresFirstResync(set, shards) ? [{ kind: 'first resync' as const, extra: {} }] : []),
    ...(measuresListedResync(settings, set, shards) ? [{ kind: 'listed resync' as const, extra: { TRUST_LEDGER_HOURS: '0' } }] : []),
    { kind: 'resync', extra: {} },
  ];
}

/** The runs of a resync where ETags are MD5s: the bucket comes without a ledger of this SHARD_COUNT (seeded by a bulk
 *  upload, or filled by a copy of another SHARD_COUNT), so a listed resync settles every object from the listing and
 *  leaves each index its ledger; then a resync as the defaults run it, the ledgers standing in for the bucket. */
const MD5_ETAG_RESYNCS: readonly { kind: ScaleKind; extra: Record<string, string> }[] = [
  { kind: 'listed resync', extra: { TRUST_LEDGER_HOURS: '0' } }, { kind: 'resync', extra: {} },
];

/** The resyncs of one set on one target, at each SHARD_COUNT (the folders at 1). */
async function resyncs(bed: ScaleBed, settings: ScaleSettings, target: Target, set: ScaleSet, bucket: string, record: (run: ScaleRun) => void): Promise<void> {
  for (const shards of shardCountsOf(settings, set)) {
    const kinds = target.name === 'nsfs' ? nsfsResyncs(settings, set, shards) : MD5_ETAG_RESYNCS;
    for (const { kind, extra } of kinds) {
      record(await runIndexes(bed, settings, target, set, bucket, shards, kind, extra));
    }
  }
}

/** The sets resynced on `target`: the data bucket's objects are PUT one by one, so it gets one set, cut to fit. */
function resyncSets(target: Target, sets: Map<string, ScaleSet>, settings: ScaleSettings): ScaleSet[] {
  if (!settings.resyncTargets.includes(target.name)) return [];
  if (target.name === 'nbdb') return [sets.get(`scale-${settings.nbdbCount}`)!];
  return [...sets.values()].filter((set) => ['million', 'tenth', 'astral', 'plain'].includes(set.role));
}

/** The bed's targets whose resync path this run measures. */
function resynced(settings: ScaleSettings, targets: Target[]): Target[] {
  return targets.filter((target) => settings.resyncTargets.includes(target.name));
}

function cutNotes(settings: ScaleSettings, data: ScaleData, targets: Target[]): string[] {
  const nsfsNote = resynced(settings, targets).some((target) => target.name === 'nsfs') ? [
    `On NooBaa NSFS each bucket starts with the resync ledgers a copy by swift-to-s3 leaves (bench/seed-ledger.ts; checked: NooBaa serves the seeded objects with the ETags they hold), except the ${Math.round(settings.count / 10)}-object set at SHARD_COUNT=1, whose "first resync" (no ledger: a HEAD per object) is measured once. A "listed resync" (every index lists the whole bucket) runs where the names listed add up to at most ${settings.count}.`,
  ] : [];
  const md5Note = resynced(settings, targets).some((target) => target.name !== 'nsfs') ? [
    'Where ETags are MD5s (s3api, the data bucket) each SHARD_COUNT runs a "listed resync" first (TRUST_LEDGER_HOURS=0: every index lists the whole bucket, settles every object from the listing and leaves its ledger), then a "resync" as the defaults run it (the ledgers stand in for the bucket\'s listing).',
  ] : [];
  return [...nsfsNote, ...md5Note, ...nbdbCutNote(settings, data, targets)];
}

/** Why the data bucket's resync set is smaller than the others, when it is, and where its objects came from. */
function nbdbCutNote(settings: ScaleSettings, data: ScaleData, targets: Target[]): string[] {
  if (!resynced(settings, targets).some((target) => target.name === 'nbdb') || settings.nbdbCount >= settings.count) return [];
  const cut = `The NooBaa data bucket is resynced at ${settings.nbdbCount} objects, not ${settings.count}: it stores objects only through its S3 API`;
  const puts = data.seeding.filter((seeding) => seeding.where === 'nbdb');
  if (puts.length === 0) return [`${cut}. Its resync runs on the bucket its copy of ${settings.nbdbCount} filled.`];
  const rate = puts.reduce((all, seeding) => all + seeding.objects, 0) / puts.reduce((all, seeding) => all + seeding.seconds, 0);
  return [
    `${cut}, and PUTs went at ${fixed(rate, 0)} objects/s here, so ${settings.count} would take about ${fixed(settings.count / rate / 60, 0)} minutes to seed (BENCH_SCALE_NBDB_COUNT=${settings.count} does it anyway). For the same reason the two folders are not compared there.`,
  ];
}

export async function scaleSection(bed: ScaleBed, settings: ScaleSettings): Promise<ScaleData> {
  const started = performance.now();
  const data: ScaleData = { count: settings.count, parallel: settings.parallel, runs: [], seeding: [], notes: [], seconds: 0 };
  const account = await swiftLogin(bed.swiftAuthUrl, bed.s3Account.user, bed.s3Account.key);
  const sets = planSets(settings, bed.targets.some((target) => target.name === 'nbdb'));
  const finished = (): ScaleData => ({ ...data, notes: cutNotes(settings, data, bed.targets), seconds: (performance.now() - started) / 1000 });
  const record = (run: ScaleRun) => {
    data.runs.push(run);
    bed.checkpoint?.(finished());
  };
  for (const set of sets.values()) await seedSwift(bed, settings, account, set, data);
  for (const target of bed.targets) {
    const copied = new Map<string, string>();
    for (const count of settings.copyCounts) {
      const bucket = uniqueName(`scale-copy-${count}`);
      await createBucket(bed.client(target), bucket);
      record(await runIndexes(bed, settings, target, sets.get(`scale-${count}`)!, bucket, 1, 'copy'));
      copied.set(`scale-${count}`, bucket);
    }
    for (const set of resyncSets(target, sets, settings)) {
      // The data bucket resyncs the bucket its copy filled, when one did: that saves the slow PUTs, and is the bucket
      // a catch-up run finds.
      const bucket = target.name === 'nbdb' ? copied.get(set.container) : undefined;
      await resyncs(bed, settings, target, set, bucket ?? await bucketFor(bed, settings, account, target, set, data), record);
    }
  }
  return finished();
}
