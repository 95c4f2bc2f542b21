// `npm run bench`: swift-to-s3 against rclone and against the Swift read limit on the local bed, on its S3 targets
// (Swift's s3api, the real NooBaa data bucket and the real NooBaa NSFS), with the same data and parallelism; prints
// the tables and writes them, with the machine's details, into bench/RESULTS.md.
// Knobs (env): BENCH_SCALE (multiplies the object counts; default 1 = 4,000 small, 4 large, memory at 20,000 and
// 100,000 listed objects; BENCH_SCALE=5: 20,000 small, 8 large, the issue's full size), BENCH_SMALL_COUNT,
// BENCH_LARGE_COUNT, BENCH_MEMORY_COUNTS ("20000,100000"), BENCH_RUNS (3), BENCH_TRANSFERS (16), BENCH_SHARDS ("1,2,4"),
// BENCH_TARGETS ("s3api,nbdb,nsfs", measured in that order; each NooBaa when the bed has it), BENCH_SECTIONS ("small,large,latency,shards,
// memory,takeover"; also "outage": S3 away BENCH_OUTAGE_SECONDS (180) in the middle of a copy of the small set, per target), BENCH_TAKEOVER_COUNT (2,000: objects of the takeover set, on NooBaa NSFS), BENCH_LATENCY_MS (20: round trip
// added to every Swift request), BENCH_LATENCY_TRANSFERS ("4,16,32,64"), BENCH_LATENCY_SHARDS (4: the latency copies
// copy one shard of the small set), BENCH_PROFILE=1 or small, or large (one more copy of that set
// on each target under --cpu-prof),
// BENCH_RESULTS (the file to write, bench/RESULTS.md).
// The scale section (BENCH_SECTIONS=scale; not run by default: at full size it takes hours, see bench/scale.ts):
// BENCH_SCALE_COUNT (names of its large resync set: 1,000,000 × BENCH_SCALE, at most 1,000,000 unless given; its
// comparison set, each folder and the larger copy a tenth, the smaller copy a hundredth), BENCH_SCALE_SHARDS ("1,4,16"),
// BENCH_SCALE_PARALLEL (2: indexes of a run at once), BENCH_SCALE_COPY ("<tenth>,<hundredth>": objects copied),
// BENCH_SCALE_RESYNC ("s3api,nbdb,nsfs": the targets whose resync path runs; empty: the copy path alone),
// BENCH_SCALE_NBDB_COUNT (a tenth: the data bucket's resync set, PUT one by one), BENCH_SCALE_PUTS (32: PUTs at once),
// BENCH_SCALE_SEEDERS (2: processes writing on disk at once).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bed, copierEnv, uniqueName } from '../test/support/bed.ts';
import { swiftLatency, type FaultRule } from '../test/support/counting-proxy.ts';
import { createBucket, listKeys, testS3 } from '../test/support/s3.ts';
import { putContainer, swiftLogin } from '../test/support/swift.ts';
import { rcloneCopy } from '../test/support/rclone.ts';
import { nbdb, nsfs, s3api, type Target } from '../test/support/targets.ts';
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } from '../test/bed/bed.ts';
import { buildCopier, summaryOf, type CopierSummary } from './copier.ts';
import { bedCpu, measure, type Measured } from './measure.ts';
import { fixed, report, type BenchData, type Phase, type Run, type Tool, type Where } from './report.ts';
import { largeSet, seed, smallSet, tinySet } from './seed.ts';
import { topFunctions } from './profile.ts';
import { outageCost } from './outage.ts';
import { scaleSection } from './scale.ts';

const MiB = 1024 * 1024;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const intEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}="${process.env[name]}" must be a whole number`);
  return value;
};
const listEnv = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map((item) => item.trim()).filter(Boolean);
const scale = Number(process.env.BENCH_SCALE ?? 1);
const scaleCount = intEnv('BENCH_SCALE_COUNT', Math.round(1_000_000 * Math.min(1, scale)));
const settings = {
  smallCount: intEnv('BENCH_SMALL_COUNT', Math.round(4_000 * scale)),
  largeCount: intEnv('BENCH_LARGE_COUNT', Math.max(1, Math.min(8, Math.round(4 * scale)))),
  // Both counts above one Swift page (10,000 names), so the comparison is about the count, not the page size.
  memoryCounts: listEnv('BENCH_MEMORY_COUNTS', `${Math.round(20_000 * scale)},${Math.round(100_000 * scale)}`).map(Number),
  runs: intEnv('BENCH_RUNS', 3),
  transfers: intEnv('BENCH_TRANSFERS', 16),
  shards: listEnv('BENCH_SHARDS', '1,2,4').map(Number),
  targets: listEnv('BENCH_TARGETS', 's3api,nbdb,nsfs'),
  sections: new Set(listEnv('BENCH_SECTIONS', 'small,large,latency,shards,memory,takeover')),
  takeoverCount: intEnv('BENCH_TAKEOVER_COUNT', Math.round(2_000 * scale)),
  latencyMs: intEnv('BENCH_LATENCY_MS', 20),
  latencyTransfers: listEnv('BENCH_LATENCY_TRANSFERS', '4,16,32,64').map(Number),
  latencyShards: intEnv('BENCH_LATENCY_SHARDS', 4),
  outageSeconds: intEnv('BENCH_OUTAGE_SECONDS', 180),
  latencyTarget: 's3api',
  // 1 or small: the small set; large: the large set.
  profile: process.env.BENCH_PROFILE === '1' ? 'small' : process.env.BENCH_PROFILE ?? '',
  scaleCount,
  scaleCopies: listEnv('BENCH_SCALE_COPY', `${Math.round(scaleCount / 10)},${Math.round(scaleCount / 100)}`).map(Number),
  scaleNbdbCount: intEnv('BENCH_SCALE_NBDB_COUNT', Math.round(scaleCount / 10)),
  scaleShards: listEnv('BENCH_SCALE_SHARDS', '1,4,16').map(Number),
  scaleResyncTargets: listEnv('BENCH_SCALE_RESYNC', 's3api,nbdb,nsfs'),
  scaleParallel: intEnv('BENCH_SCALE_PARALLEL', 2),
  scalePuts: intEnv('BENCH_SCALE_PUTS', 32),
  scaleSeeders: intEnv('BENCH_SCALE_SEEDERS', 2),
};

const bedDir = process.env.BED_DIR ?? '.bed/swift';
const resultsPath = resolve(process.env.BENCH_RESULTS ?? here('./RESULTS.md'));
const endpoints = bed();
const account = await swiftLogin(endpoints.swiftAuthUrl, endpoints.swiftUser, endpoints.swiftKey);
const hasRclone = spawnSync('rclone', ['version'], { encoding: 'utf8' }).status === 0;
const benchStarted = performance.now();
const log = (line: string) => console.error(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(5)} s] ${line}`);

/** The bed's S3 targets the tools are compared on, each with a client of its own for set-up and checks. */
const present = [s3api(), nbdb(), nsfs()].filter((target): target is Target => target !== undefined);
/** The bed's targets in BENCH_TARGETS' order. */
const onBed = settings.targets.flatMap((name) => present.filter((target) => target.name === name));
const clients = new Map<string, S3Client>();
function clientOf(target: Target): S3Client {
  const client = clients.get(target.name) ?? testS3(target.endpoint, target.accessKeyId, target.secretAccessKey);
  clients.set(target.name, client);
  return client;
}
/** Swift requests go to the bed's Swift, S3 requests to the target (on s3api, the same proxy). */
const upstreamOf = (target: Target) => ({ swift: endpoints.proxyPort, s3: target.port });

const data: BenchData = {
  settings: { transfers: settings.transfers, takeoverCount: settings.takeoverCount, latencyMs: settings.latencyMs, latencyShards: settings.latencyShards, latencyTarget: settings.latencyTarget, cores: availableParallelism() },
  targets: onBed.map((target) => target.name),
  runs: [], shardRows: [], memoryRows: [], takeoverRows: [], takeoverNote: '', verifyRows: [], latencyRows: [], profileLines: [], outageRows: [],
};

// ---- the three tools, each behind its own counting proxy --------------------------------------------------------

log(`building the copier (tsc -p tsconfig.build.json) into ${bedDir}/copier ...`);
const copier = buildCopier(`${bedDir}/copier`);
log(`  node ${copier.nodeFlags.join(' ')} ${copier.cli}`);

/** The compiled copier as the image runs it, with `args` after the CLI (e.g. copy, verify --all). */
function copierCommand(container: string, bucket: string, target: Target, overrides: Record<string, string> = {}, args: string[] = ['copy'], nodeFlags: string[] = copier.nodeFlags) {
  return (relay: string) => ({
    command: process.execPath,
    args: [...nodeFlags, copier.cli, ...args],
    env: copierEnv(container, bucket, { TRANSFERS: String(settings.transfers), PROGRESS_INTERVAL: '1', TERMINATION_MESSAGE_PATH: '/dev/null', ...overrides }, { swift: relay, s3: relay, target }),
  });
}

function rcloneCommand(container: string, bucket: string, target: Target) {
  // NooBaa answers some requests with 500 under load; rclone's default (3 passes over the whole sync) would list and
  // compare everything again: one pass, as the issue measured.
  const retries = target.name === 'nbdb' || target.name === 'nsfs' ? ['--retries', '1'] : [];
  return (relay: string) => ({
    command: 'rclone',
    args: ['sync', `src:${container}`, `dst:${bucket}`, '--transfers', String(settings.transfers), '--checkers', String(settings.transfers), '--checksum', ...retries],
    env: {
      RCLONE_CONFIG_SRC_TYPE: 'swift', RCLONE_CONFIG_SRC_AUTH: `${relay}/auth/v1.0`, RCLONE_CONFIG_SRC_AUTH_VERSION: '1',
      RCLONE_CONFIG_SRC_USER: endpoints.swiftUser, RCLONE_CONFIG_SRC_KEY: endpoints.swiftKey,
      RCLONE_CONFIG_DST_TYPE: 's3', RCLONE_CONFIG_DST_PROVIDER: 'Other', RCLONE_CONFIG_DST_ENDPOINT: relay, RCLONE_CONFIG_DST_REGION: 'us-east-1',
      RCLONE_CONFIG_DST_ACCESS_KEY_ID: target.accessKeyId, RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: target.secretAccessKey,
      RCLONE_CONFIG_DST_FORCE_PATH_STYLE: 'true', RCLONE_CONFIG: '/dev/null',
    },
  });
}

function readCommand(container: string) {
  return (relay: string) => ({
    command: process.execPath,
    args: [here('./read-limit.ts')],
    env: { SWIFT_AUTH_URL: `${relay}/auth/v1.0`, SWIFT_USER: endpoints.swiftUser, SWIFT_KEY: endpoints.swiftKey, SWIFT_CONTAINERS: container, TRANSFERS: String(settings.transfers) },
  });
}

const TIMEOUT_MS = 60 * 60_000;

function fail(what: string, result: Measured): never {
  throw new Error(`${what} exited ${result.code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
}

/** Runs the copier with `build` and checks that it exited 0. */
async function runChecked(what: string, upstream: ReturnType<typeof upstreamOf>, build: ReturnType<typeof copierCommand>, rules: FaultRule[] = []): Promise<Measured> {
  const result = await measure(upstream, bedDir, build, TIMEOUT_MS, rules);
  if (result.code !== 0) fail(what, result);
  return result;
}

/** A copy run, checked, with the summary it logged. */
async function runCopier(what: string, upstream: ReturnType<typeof upstreamOf>, build: ReturnType<typeof copierCommand>, rules: FaultRule[] = []): Promise<{ result: Measured; summary: CopierSummary }> {
  const result = await runChecked(what, upstream, build, rules);
  return { result, summary: summaryOf(result.stdout) };
}

/** One timed run, checked: the copier's summary or the bucket's listing must show every object in place. */
async function timedRun(set: string, target: Target | undefined, tool: Tool, phase: Phase, container: string, bucket: string, objects: number, bytes: number): Promise<Run> {
  const where: Where = target?.name ?? 'Swift';
  const what = `${set} ${tool} ${phase}${target ? ` to ${target.name}` : ''}`;
  const build = !target ? readCommand(container) : tool === 'swift-to-s3' ? copierCommand(container, bucket, target) : rcloneCommand(container, bucket, target);
  const result = await measure(target ? upstreamOf(target) : endpoints.proxyPort, bedDir, build, TIMEOUT_MS);
  if (result.code !== 0) fail(what, result);
  if (tool === 'swift-to-s3') {
    const summary = summaryOf(result.stdout);
    const expected = phase === 'copy' ? summary.copied : summary.unchanged;
    if (expected !== objects || summary.failed > 0) fail(`${what}: ${JSON.stringify(summary)}`, result);
  } else if (tool === 'rclone' && phase === 'copy') {
    const keys = await listKeys(clientOf(target!), bucket);
    if (keys.length !== objects) throw new Error(`rclone copied ${keys.length} of ${objects} objects of ${set} to ${target!.name}`);
  } else if (tool === 'read limit') {
    const read = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { objects?: number };
    if (read.objects !== objects) throw new Error(`the read limit read ${read.objects} of ${objects} objects`);
  }
  const run: Run = { ...result, set, where, tool, phase, objects, bytes };
  data.runs.push(run);
  const requests = Object.values(result.requests).reduce((sum, count) => sum + count, 0);
  log(`${what}: ${result.seconds.toFixed(1)} s, ${(objects / result.seconds).toFixed(0)} objects/s, ${(bytes / MiB / result.seconds).toFixed(1)} MiB/s, RSS ${result.rssMiB.toFixed(0)} MiB, CPU ${(result.userSeconds + result.systemSeconds).toFixed(1)} s, ${(requests / objects).toFixed(2)} requests/object`);
  return run;
}

/** `settings.runs` rounds over one data set: each tool on each target (a copy into a new bucket, then a resync of
 *  it) and the read limit once; the order of the whole list alternates from round to round. */
async function compareTools(set: string, container: string, objects: number, bytes: number): Promise<void> {
  const tools: Tool[] = hasRclone ? ['swift-to-s3', 'rclone'] : ['swift-to-s3'];
  const jobs: { tool: Tool; target?: Target }[] = onBed.flatMap((target) => tools.map((tool) => ({ tool, target })));
  jobs.splice(tools.length, 0, { tool: 'read limit' });
  for (let round = 0; round < settings.runs; round++) {
    for (const { tool, target } of round % 2 === 0 ? jobs : [...jobs].reverse()) {
      if (!target) { await timedRun(set, undefined, tool, 'read', container, '', objects, bytes); continue; }
      const bucket = uniqueName(`${set}-${tool === 'rclone' ? 'rc' : 's2s'}`);
      await createBucket(clientOf(target), bucket);
      await timedRun(set, target, tool, 'copy', container, bucket, objects, bytes);
      await timedRun(set, target, tool, 'resync', container, bucket, objects, bytes);
    }
  }
}

// ---- the memory floor ----------------------------------------------------------------------------------------------

/** Peak RSS of bare Node and of each tool with nothing to copy (an empty container): what no run goes below. */
async function memoryFloor(): Promise<void> {
  const target = s3api();
  await putContainer(account, 'empty');
  const bucket = uniqueName('empty');
  await createBucket(clientOf(target), bucket);
  const node = await measure(endpoints.proxyPort, bedDir, () => ({ command: process.execPath, args: [...copier.nodeFlags, '-e', '0'], env: {} }), TIMEOUT_MS);
  const { result: copy } = await runCopier('copy of an empty container', upstreamOf(target), copierCommand('empty', bucket, target));
  const rclone = hasRclone ? await measure(upstreamOf(target), bedDir, rcloneCommand('empty', bucket, target), TIMEOUT_MS) : undefined;
  data.floor = { node: node.rssMiB, copier: copy.rssMiB, ...(rclone ? { rclone: rclone.rssMiB } : {}) };
  log(`memory floor: node ${fixed(node.rssMiB, 0)} MiB, swift-to-s3 ${fixed(copy.rssMiB, 0)} MiB, rclone ${fixed(rclone?.rssMiB ?? NaN, 0)} MiB`);
}

// ---- latency to Swift --------------------------------------------------------------------------------------------

/** One shard of the small set copied at each TRANSFERS, with and without the added round trip (order alternating). */
async function latency(container: string): Promise<void> {
  const target = onBed.find((candidate) => candidate.name === settings.latencyTarget) ?? s3api();
  for (const [index, transfers] of settings.latencyTransfers.entries()) {
    for (const rttMs of index % 2 === 0 ? [0, settings.latencyMs] : [settings.latencyMs, 0]) {
      const bucket = uniqueName(`latency-${transfers}-${rttMs}`);
      await createBucket(clientOf(target), bucket);
      const overrides = { TRANSFERS: String(transfers), SHARD_COUNT: String(settings.latencyShards), JOB_COMPLETION_INDEX: '0' };
      const { result, summary } = await runCopier(`latency copy (TRANSFERS=${transfers}, +${rttMs} ms)`, upstreamOf(target), copierCommand(container, bucket, target, overrides), rttMs > 0 ? [swiftLatency(rttMs)] : []);
      if (summary.failed > 0 || summary.copied !== summary.inShard) fail(`latency copy: ${JSON.stringify(summary)}`, result);
      data.latencyRows.push({ transfers, rttMs, objects: summary.copied, seconds: result.seconds, rssMiB: result.rssMiB, cpuSeconds: result.userSeconds + result.systemSeconds });
      log(`latency: TRANSFERS=${transfers}, +${rttMs} ms: ${fixed(result.seconds)} s, ${fixed(summary.copied / result.seconds, 0)} objects/s, RSS ${fixed(result.rssMiB, 0)} MiB`);
    }
  }
}

// ---- shard scaling ---------------------------------------------------------------------------------------------

/** How long the copier's march over both listings took: its "listing done" line (one per container, summed). */
function listedBy(stdout: string): number | null {
  let seconds: number | null = null;
  for (const text of stdout.split('\n')) {
    if (!text.startsWith('{')) continue;
    const entry = JSON.parse(text) as { msg: string; seconds?: number };
    if (entry.msg === 'listing done' && entry.seconds !== undefined) seconds = (seconds ?? 0) + entry.seconds;
  }
  return seconds;
}

async function shardScaling(container: string, objects: number): Promise<void> {
  const target = s3api();
  for (const count of settings.shards) {
    const bucket = uniqueName(`shards-${count}`);
    await createBucket(clientOf(target), bucket);
    const before = bedCpu(bedDir);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: count }, (_, index) => measure(upstreamOf(target), bedDir, copierCommand(container, bucket, target, { SHARD_COUNT: String(count), JOB_COMPLETION_INDEX: String(index) }), TIMEOUT_MS)));
    const wallSeconds = (performance.now() - started) / 1000;
    const after = bedCpu(bedDir);
    const perShard = results.map((result, index) => {
      if (result.code !== 0) fail(`shard ${index}/${count}`, result);
      const summary = summaryOf(result.stdout);
      return { index, seconds: result.seconds, listedBy: listedBy(result.stdout), copied: summary.copied, rssMiB: result.rssMiB, swiftList: summary.requests.swift_list ?? 0, s3List: summary.requests.s3_list ?? 0 };
    });
    const copied = perShard.reduce((sum, shard) => sum + shard.copied, 0);
    if (copied !== objects) throw new Error(`${count} shards copied ${copied} of ${objects} objects`);
    data.shardRows.push({ shards: count, wallSeconds, perShard, swiftCpu: Object.fromEntries(Object.entries(after).map(([kind, value]) => [kind, Math.round((value - (before[kind] ?? 0)) * 10) / 10])) });
    log(`${count} shard(s): ${wallSeconds.toFixed(1)} s, ${(objects / wallSeconds).toFixed(0)} objects/s; listing done by ${perShard.map((shard) => shard.listedBy ?? '?').join(', ')} s`);
  }
}

// ---- memory against the number of listed objects ----------------------------------------------------------------

/** A container seeded in the S3 account's Swift is also the bucket of the same name, so a copy from it into
 *  itself is a resync of an unchanged container with one seeding instead of a seeding and a copy. */
async function memoryScaling(): Promise<void> {
  const s3Account = await swiftLogin(endpoints.swiftAuthUrl, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY);
  const target = s3api();
  for (const count of settings.memoryCounts) {
    const container = `tiny-${count}`;
    log(`seeding ${count} objects of 0-1 KiB into ${container} ...`);
    const seeded = await seed(s3Account, container, tinySet(count), log);
    log(`  ${seeded.seconds.toFixed(0)} s`);
    const { result, summary } = await runCopier(`resync of ${container}`, upstreamOf(target), copierCommand(container, container, target, { SWIFT_USER: S3_ACCESS_KEY_ID, SWIFT_KEY: S3_SECRET_ACCESS_KEY }));
    if (summary.unchanged !== count) fail(`resync of ${container}: ${JSON.stringify(summary)}`, result);
    data.memoryRows.push({ objects: count, seconds: result.seconds, rssMiB: result.rssMiB, requests: result.requests, unchanged: summary.unchanged });
    log(`resync of ${count} listed objects: ${result.seconds.toFixed(1)} s, peak RSS ${result.rssMiB.toFixed(0)} MiB`);
  }
}

// ---- profile -----------------------------------------------------------------------------------------------------

/** One more copy of `container` under --cpu-prof on each target; its top functions go into the results. */
async function profileCopy(container: string, what: string): Promise<void> {
  const dir = here('./profiles');
  mkdirSync(dir, { recursive: true });
  for (const target of onBed) {
    const bucket = uniqueName('profile');
    await createBucket(clientOf(target), bucket);
    const before = new Set(readdirSync(dir));
    const { result } = await runCopier(`profiled copy on ${target.name}`, upstreamOf(target), copierCommand(container, bucket, target, {}, ['copy'], [...copier.nodeFlags, '--cpu-prof', `--cpu-prof-dir=${dir}`]));
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile') && !before.has(name));
    if (!file) continue;
    const lines = [`Profiled copy of ${what} on ${target.name}: ${result.seconds.toFixed(1)} s wall, ${(result.userSeconds + result.systemSeconds).toFixed(1)} s CPU (bench/profiles/${file}); top self time:`, '', '```', ...topFunctions(`${dir}/${file}`, 25), '```', ''];
    data.profileLines.push(...lines);
    log(lines.join('\n'));
  }
}

// ---- takeover of a bucket another tool half filled (NooBaa NSFS) -------------------------------------------------

/** rclone fills a NooBaa NSFS bucket with the whole set, half of it is deleted again; then swift-to-s3 finishes it, once
 *  adopting what is there by hashing the bucket (TAKEOVER=hash) and once reading it from Swift again (recopy). */
async function takeover(set: string, objects: number): Promise<void> {
  const target = nsfs();
  if (!target) { data.takeoverNote = 'skipped: the bed has no NooBaa NSFS (../shared/noobaa/nsfs absent)'; log(`takeover ${data.takeoverNote}`); return; }
  if (!hasRclone) { data.takeoverNote = 'skipped: rclone is not installed'; return; }
  const client = clientOf(target);
  for (const mode of ['hash', 'recopy'] as const) {
    const bucket = uniqueName(`${set}-takeover-${mode}`);
    await createBucket(client, bucket);
    log(`takeover (${mode}): rclone fills ${bucket} on NooBaa NSFS ...`);
    await rcloneCopy(set, bucket, target, ['--transfers', String(settings.transfers), '--checkers', String(settings.transfers)]);
    const keys = await listKeys(client, bucket);
    if (keys.length !== objects) throw new Error(`rclone copied ${keys.length} of ${objects} objects`);
    const removed = keys.filter((_, index) => index % 2 === 0);
    for (let start = 0; start < removed.length; start += 1000) {
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: removed.slice(start, start + 1000).map((Key) => ({ Key })) } }));
    }
    const { result, summary } = await runCopier(`takeover (${mode})`, upstreamOf(target), copierCommand(set, bucket, target, { TAKEOVER: mode, PROGRESS_INTERVAL: '5' }));
    if (summary.copied + (summary.adopted ?? 0) + summary.unchanged !== objects) fail(`takeover (${mode}): ${JSON.stringify(summary)}`, result);
    const count = (kind: string) => result.requests[kind] ?? 0;
    const row = {
      mode, seconds: result.seconds, rssMiB: result.rssMiB, copied: summary.copied, adopted: summary.adopted ?? 0, unchanged: summary.unchanged,
      swiftGets: count('swift_object_get'), swiftHeads: count('swift_object_head'), s3Gets: count('s3_object_get'), s3Puts: count('s3_object_put'), s3Copies: count('s3_object_put') - summary.copied,
    };
    data.takeoverRows.push(row);
    log(`takeover (${mode}): ${fixed(row.seconds)} s, ${row.copied} copied, ${row.adopted} adopted, Swift GETs ${row.swiftGets} for ${removed.length} missing objects`);
    if (mode === 'hash') await verifyCost(set, bucket, target, objects);
  }
}

/** verify --all of a complete NooBaa NSFS bucket: proving every object by its stored bytes, trusting md5chksum, downloading both sides. */
async function verifyCost(set: string, bucket: string, target: Target, objects: number): Promise<void> {
  const bytes = smallSet(settings.takeoverCount).reduce((sum, object) => sum + object.size, 0);
  for (const [how, flags] of [['stored bytes (default)', []], ['--trust-metadata', ['--trust-metadata']], ['--download', ['--download']]] as const) {
    const result = await runChecked(`verify ${how}`, upstreamOf(target), copierCommand(set, bucket, target, { PROGRESS_INTERVAL: '5' }, ['verify', '--all', ...flags]));
    const row = { how, seconds: result.seconds, objectsPerSecond: objects / result.seconds, mibPerSecond: bytes / MiB / result.seconds, s3Gets: result.requests.s3_object_get ?? 0, swiftGets: result.requests.swift_object_get ?? 0, rssMiB: result.rssMiB };
    data.verifyRows.push(row);
    log(`verify (${how}) on NooBaa NSFS: ${fixed(row.seconds)} s, ${fixed(row.objectsPerSecond, 0)} objects/s, ${fixed(row.mibPerSecond)} MiB/s`);
  }
}

// ---- report ------------------------------------------------------------------------------------------------------

function machine(): string[] {
  const first = (command: string, args: string[]) => { try { return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]!.trim(); } catch { return 'not available'; } };
  return [
    `- cores (nproc): ${availableParallelism()}; memory: ${fixed(totalmem() / 1024 ** 3, 1)} GiB; CPU: ${first('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"])}`,
    `- node ${process.version} (copier: node ${copier.nodeFlags.join(' ')} dist/cli.js); ${hasRclone ? first('rclone', ['version']) : 'rclone not installed'}; OpenStack Swift ${first('dpkg-query', ['-W', '-f', '${Version}', 'python3-swift'])} (Debian package python3-swift); S3 targets: ${data.targets.join(', ')}${data.targets.some((name) => name === 'nbdb' || name === 'nsfs') ? ' (nbdb: NooBaa data bucket, nsfs: NooBaa NSFS, of ../shared/noobaa)' : ''}`,
    `- load average when the run started: ${loadAtStart.map((value) => value.toFixed(2)).join(' ')} (the bed and every tool share the same ${availableParallelism()} cores)`,
    `- settings: ${JSON.stringify({ ...settings, sections: [...settings.sections] })}`,
  ];
}

/** Replaces the generated part of RESULTS.md, keeping the analysis written around it. */
function writeResults(lines: string[]): void {
  const begin = '<!-- bench:begin (generated by npm run bench; edit outside these markers) -->';
  const end = '<!-- bench:end -->';
  const generated = `${begin}\n${lines.join('\n')}\n${end}`;
  const current = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : `# Benchmark results\n\n${begin}\n${end}\n`;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  writeFileSync(resultsPath, from >= 0 && to > from ? current.slice(0, from) + generated + current.slice(to + end.length) : `${current}\n${generated}\n`);
}

// ---- main --------------------------------------------------------------------------------------------------------

const loadAtStart = loadavg();
if (!hasRclone) log('rclone is not installed: comparing with the read limit only');
for (const [name, present] of [['nbdb', nbdb()], ['nsfs', nsfs()]] as const) if (!present) log(`the bed has no ${name}: not measured there`);
const seeding: string[] = [];
log(`settings ${JSON.stringify({ ...settings, sections: [...settings.sections] })}`);

const needSmall = ['small', 'shards', 'latency', 'outage'].some((section) => settings.sections.has(section)) || settings.profile === 'small';
const small = smallSet(settings.smallCount);
const smallBytes = small.reduce((sum, object) => sum + object.size, 0);
// Containers named by their size, so a bed kept between runs (BED_DIR) never mixes two sizes of a set.
const smallContainer = `small-${small.length}`;
if (needSmall) {
  log(`seeding the small set: ${small.length} objects, ${fixed(smallBytes / MiB)} MiB ...`);
  const seeded = await seed(account, smallContainer, small, log);
  seeding.push(`small set: ${small.length} objects of 1–256 KiB, ${fixed(smallBytes / MiB)} MiB, seeded in ${fixed(seeded.seconds, 0)} s`);
}
if (settings.sections.has('small')) {
  await memoryFloor();
  await compareTools('small', smallContainer, small.length, smallBytes);
}
if (settings.sections.has('latency')) await latency(smallContainer);
if (settings.profile === 'small') await profileCopy(smallContainer, `${small.length} small objects`);
if (settings.sections.has('shards')) await shardScaling(smallContainer, small.length);
if (settings.sections.has('outage')) {
  for (const target of onBed) {
    // A new bucket for each of the two copies (the one alone, the one with the outage).
    const buckets = [uniqueName('outage'), uniqueName('outage')];
    for (const bucket of buckets) await createBucket(clientOf(target), bucket);
    const copyInto = (relay: string) => copierCommand(smallContainer, buckets.shift()!, target)(relay);
    data.outageRows.push(await outageCost(target.name, upstreamOf(target), copyInto, settings.outageSeconds, log));
  }
}
if (settings.sections.has('large') || settings.profile === 'large') {
  const large = largeSet(settings.largeCount);
  const largeBytes = large.reduce((sum, object) => sum + object.size, 0);
  log(`seeding the large set: ${large.length} objects, ${fixed(largeBytes / MiB)} MiB ...`);
  const seeded = await seed(account, `large-${large.length}`, large, log);
  seeding.push(`large set: ${large.length} objects of 100–300 MiB, ${fixed(largeBytes / MiB)} MiB, seeded in ${fixed(seeded.seconds, 0)} s`);
  if (settings.sections.has('large')) await compareTools('large', `large-${large.length}`, large.length, largeBytes);
  if (settings.profile === 'large') await profileCopy(`large-${large.length}`, `${large.length} large objects`);
}
if (settings.sections.has('memory')) await memoryScaling();
if (settings.sections.has('takeover')) {
  const set = smallSet(settings.takeoverCount).map((object) => ({ ...object, name: `takeover/${object.name}` }));
  log(`seeding the takeover set: ${set.length} objects ...`);
  await seed(account, `takeover-${set.length}`, set, log);
  await takeover(`takeover-${set.length}`, set.length);
}
if (settings.sections.has('scale')) {
  data.scale = await scaleSection({
    bedDir, swiftAuthUrl: endpoints.swiftAuthUrl, s3Account: { user: S3_ACCESS_KEY_ID, key: S3_SECRET_ACCESS_KEY }, targets: onBed, log,
    client: clientOf, upstream: upstreamOf, copier: (container, bucket, target, overrides) => copierCommand(container, bucket, target, overrides),
    checkpoint: (partial) => {
      data.scale = partial;
      writeResults(report(data, [`Partial: measured until ${new Date().toISOString()}, the bench still running.`, '', ...machine(), '']));
    },
  }, {
    count: settings.scaleCount, shards: settings.scaleShards, parallel: settings.scaleParallel, copyCounts: settings.scaleCopies, resyncTargets: settings.scaleResyncTargets,
    nbdbCount: settings.scaleNbdbCount, putConcurrency: settings.scalePuts, seeders: settings.scaleSeeders,
  });
}

const header = [`Measured ${new Date().toISOString()}, ${fixed((performance.now() - benchStarted) / 60000, 1)} minutes in all.`, '', ...machine(), '', ...seeding.map((line) => `- ${line}`), ''];
const lines = report(data, header);
console.log(lines.join('\n'));
writeResults(lines);
log(`wrote ${resultsPath}`);
