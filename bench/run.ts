// `npm run bench`: swift-to-s3 against rclone and against the Swift read limit on the local bed, with the same data
// and parallelism; prints the tables and writes them, with the machine's details, into bench/RESULTS.md.
// Knobs (env): BENCH_SCALE (multiplies the object counts; default 1 = 4,000 small, 4 large, memory at 20,000 and
// 100,000 listed objects, ~15 minutes on 2 cores; BENCH_SCALE=5: 20,000 small, 8 large, the issue's full size),
// BENCH_SMALL_COUNT, BENCH_LARGE_COUNT, BENCH_MEMORY_COUNTS ("20000,100000"), BENCH_RUNS (3), BENCH_TRANSFERS (16), BENCH_SHARDS ("1,2,4"),
// BENCH_SECTIONS ("small,large,shards,memory,takeover"), BENCH_TAKEOVER_COUNT (2,000: objects of the takeover set, on
// NooBaa), BENCH_PROFILE=1 (one more copy of the small set under --cpu-prof).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bed, copierEnv, uniqueName } from '../test/support/bed.ts';
import { CLI } from '../test/support/cli.ts';
import { createBucket, listKeys, testS3 } from '../test/support/s3.ts';
import { swiftLogin } from '../test/support/swift.ts';
import { rcloneCopy } from '../test/support/rclone.ts';
import { noobaa } from '../test/support/targets.ts';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } from '../test/bed/bed.ts';
import { bedCpu, measure, median, totalRequests, type Measured } from './measure.ts';
import { largeSet, seed, smallSet, tinySet } from './seed.ts';
import { topFunctions } from './profile.ts';

const MiB = 1024 * 1024;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const intEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}="${process.env[name]}" must be a whole number`);
  return value;
};
const scale = Number(process.env.BENCH_SCALE ?? 1);
const settings = {
  smallCount: intEnv('BENCH_SMALL_COUNT', Math.round(4_000 * scale)),
  largeCount: intEnv('BENCH_LARGE_COUNT', Math.max(1, Math.min(8, Math.round(4 * scale)))),
  // Both counts above one Swift page (10,000 names), so the comparison is about the count, not the page size.
  memoryCounts: (process.env.BENCH_MEMORY_COUNTS ?? `${Math.round(20_000 * scale)},${Math.round(100_000 * scale)}`).split(',').map(Number),
  runs: intEnv('BENCH_RUNS', 3),
  transfers: intEnv('BENCH_TRANSFERS', 16),
  shards: (process.env.BENCH_SHARDS ?? '1,2,4').split(',').map(Number),
  sections: new Set((process.env.BENCH_SECTIONS ?? 'small,large,shards,memory,takeover').split(',')),
  takeoverCount: intEnv('BENCH_TAKEOVER_COUNT', Math.round(2_000 * scale)),
  profile: process.env.BENCH_PROFILE === '1',
};
const bedDir = process.env.BED_DIR ?? '.bed/swift';
const endpoints = bed();
const account = await swiftLogin(endpoints.swiftAuthUrl, endpoints.swiftUser, endpoints.swiftKey);
const s3 = testS3(endpoints.s3Endpoint, endpoints.s3AccessKeyId, endpoints.s3SecretAccessKey);
const hasRclone = spawnSync('rclone', ['version'], { encoding: 'utf8' }).status === 0;
const benchStarted = performance.now();
const log = (line: string) => console.error(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(5)} s] ${line}`);

type Tool = 'swift-to-s3' | 'rclone' | 'read limit';
type Phase = 'copy' | 'resync' | 'read';
interface Run extends Measured { set: string; tool: Tool; phase: Phase; objects: number; bytes: number }
const runs: Run[] = [];

// ---- the three tools, each behind its own counting proxy --------------------------------------------------------

/** The node flags the image's ENTRYPOINT runs the copier with (Containerfile), so the bench measures what ships. */
const IMAGE_NODE_FLAGS = ['--max-semi-space-size=2'];

function copierCommand(container: string, bucket: string, overrides: Record<string, string> = {}, nodeFlags: string[] = IMAGE_NODE_FLAGS) {
  return (relay: string) => ({
    command: process.execPath,
    args: [...nodeFlags, CLI, 'copy'],
    env: copierEnv(container, bucket, { TRANSFERS: String(settings.transfers), PROGRESS_INTERVAL: '1', TERMINATION_MESSAGE_PATH: '/dev/null', ...overrides }, { swift: relay, s3: relay }),
  });
}

function rcloneCommand(container: string, bucket: string) {
  return (relay: string) => ({
    command: 'rclone',
    args: ['sync', `src:${container}`, `dst:${bucket}`, '--transfers', String(settings.transfers), '--checkers', String(settings.transfers), '--checksum'],
    env: {
      RCLONE_CONFIG_SRC_TYPE: 'swift', RCLONE_CONFIG_SRC_AUTH: `${relay}/auth/v1.0`, RCLONE_CONFIG_SRC_AUTH_VERSION: '1',
      RCLONE_CONFIG_SRC_USER: endpoints.swiftUser, RCLONE_CONFIG_SRC_KEY: endpoints.swiftKey,
      RCLONE_CONFIG_DST_TYPE: 's3', RCLONE_CONFIG_DST_PROVIDER: 'Other', RCLONE_CONFIG_DST_ENDPOINT: relay, RCLONE_CONFIG_DST_REGION: 'us-east-1',
      RCLONE_CONFIG_DST_ACCESS_KEY_ID: endpoints.s3AccessKeyId, RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: endpoints.s3SecretAccessKey,
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

interface CopierSummary { copied: number; unchanged: number; failed: number; listed: number; inShard: number; seconds: number; requests: Record<string, number> }
function summaryOf(stdout: string): CopierSummary {
  const line = stdout.split('\n').reverse().find((text) => text.includes('"summary"'));
  if (!line) throw new Error(`swift-to-s3 logged no summary:\n${stdout.slice(-2000)}`);
  return JSON.parse(line).summary as CopierSummary;
}

function fail(what: string, result: Measured): never {
  throw new Error(`${what} exited ${result.code}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
}

/** One timed run, checked: the copier's summary or the bucket's listing must show every object in place. */
async function timedRun(set: string, tool: Tool, phase: Phase, container: string, bucket: string, objects: number, bytes: number): Promise<Run> {
  const build = tool === 'swift-to-s3' ? copierCommand(container, bucket) : tool === 'rclone' ? rcloneCommand(container, bucket) : readCommand(container);
  const result = await measure(endpoints.proxyPort, bedDir, build, TIMEOUT_MS);
  if (result.code !== 0) fail(`${tool} ${phase} of ${set}`, result);
  if (tool === 'swift-to-s3') {
    const summary = summaryOf(result.stdout);
    const expected = phase === 'copy' ? summary.copied : summary.unchanged;
    if (expected !== objects || summary.failed > 0) fail(`swift-to-s3 ${phase} of ${set}: ${JSON.stringify(summary)}`, result);
  } else if (tool === 'rclone' && phase === 'copy') {
    const keys = await listKeys(s3, bucket);
    if (keys.length !== objects) throw new Error(`rclone copied ${keys.length} of ${objects} objects of ${set}`);
  } else if (tool === 'read limit') {
    const read = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { objects?: number };
    if (read.objects !== objects) throw new Error(`the read limit read ${read.objects} of ${objects} objects`);
  }
  const run: Run = { ...result, set, tool, phase, objects, bytes };
  runs.push(run);
  log(`${set} ${tool} ${phase}: ${result.seconds.toFixed(1)} s, ${(objects / result.seconds).toFixed(0)} objects/s, ${(bytes / MiB / result.seconds).toFixed(1)} MiB/s, RSS ${result.rssMiB.toFixed(0)} MiB, ${(totalRequests(result.requests) / objects).toFixed(2)} requests/object`);
  return run;
}

/** `settings.runs` rounds over one data set; the order of the tools alternates from round to round. */
async function compareTools(set: string, container: string, objects: number, bytes: number): Promise<void> {
  const tools: Tool[] = hasRclone ? ['swift-to-s3', 'rclone', 'read limit'] : ['swift-to-s3', 'read limit'];
  for (let round = 0; round < settings.runs; round++) {
    for (const tool of round % 2 === 0 ? tools : [...tools].reverse()) {
      if (tool === 'read limit') { await timedRun(set, tool, 'read', container, '', objects, bytes); continue; }
      const bucket = uniqueName(`${set}-${tool === 'rclone' ? 'rc' : 's2s'}`);
      await createBucket(s3, bucket);
      await timedRun(set, tool, 'copy', container, bucket, objects, bytes);
      await timedRun(set, tool, 'resync', container, bucket, objects, bytes);
    }
  }
}

// ---- shard scaling ---------------------------------------------------------------------------------------------

interface ShardRow { shards: number; wallSeconds: number; perShard: { index: number; seconds: number; listedBy: number | null; copied: number; rssMiB: number; swiftList: number; s3List: number }[]; swiftCpu: Record<string, number> }
const shardRows: ShardRow[] = [];

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
  for (const count of settings.shards) {
    const bucket = uniqueName(`shards-${count}`);
    await createBucket(s3, bucket);
    const before = bedCpu(bedDir);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: count }, (_, index) => measure(endpoints.proxyPort, bedDir, copierCommand(container, bucket, { SHARD_COUNT: String(count), JOB_COMPLETION_INDEX: String(index) }), TIMEOUT_MS)));
    const wallSeconds = (performance.now() - started) / 1000;
    const after = bedCpu(bedDir);
    const perShard = results.map((result, index) => {
      if (result.code !== 0) fail(`shard ${index}/${count}`, result);
      const summary = summaryOf(result.stdout);
      return { index, seconds: result.seconds, listedBy: listedBy(result.stdout), copied: summary.copied, rssMiB: result.rssMiB, swiftList: summary.requests.swift_list ?? 0, s3List: summary.requests.s3_list ?? 0 };
    });
    const copied = perShard.reduce((sum, shard) => sum + shard.copied, 0);
    if (copied !== objects) throw new Error(`${count} shards copied ${copied} of ${objects} objects`);
    shardRows.push({ shards: count, wallSeconds, perShard, swiftCpu: Object.fromEntries(Object.entries(after).map(([kind, value]) => [kind, Math.round((value - (before[kind] ?? 0)) * 10) / 10])) });
    log(`${count} shard(s): ${wallSeconds.toFixed(1)} s, ${(objects / wallSeconds).toFixed(0)} objects/s; listing done by ${perShard.map((shard) => shard.listedBy ?? '?').join(', ')} s`);
  }
}

// ---- memory against the number of listed objects ----------------------------------------------------------------

interface MemoryRow { objects: number; seconds: number; rssMiB: number; requests: Record<string, number>; unchanged: number }
const memoryRows: MemoryRow[] = [];

/** A container seeded in the S3 account's Swift is also the bucket of the same name, so a copy from it into
 *  itself is a resync of an unchanged container with one seeding instead of a seeding and a copy. */
async function memoryScaling(): Promise<void> {
  const s3Account = await swiftLogin(endpoints.swiftAuthUrl, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY);
  for (const count of settings.memoryCounts) {
    const container = `tiny-${count}`;
    log(`seeding ${count} objects of 0-1 KiB into ${container} ...`);
    const seeded = await seed(s3Account, container, tinySet(count), log);
    log(`  ${seeded.seconds.toFixed(0)} s`);
    const build = copierCommand(container, container, { SWIFT_USER: S3_ACCESS_KEY_ID, SWIFT_KEY: S3_SECRET_ACCESS_KEY });
    const result = await measure(endpoints.proxyPort, bedDir, build, TIMEOUT_MS);
    if (result.code !== 0) fail(`resync of ${container}`, result);
    const summary = summaryOf(result.stdout);
    if (summary.unchanged !== count) fail(`resync of ${container}: ${JSON.stringify(summary)}`, result);
    memoryRows.push({ objects: count, seconds: result.seconds, rssMiB: result.rssMiB, requests: result.requests, unchanged: summary.unchanged });
    log(`resync of ${count} listed objects: ${result.seconds.toFixed(1)} s, peak RSS ${result.rssMiB.toFixed(0)} MiB`);
  }
}

// ---- profile -----------------------------------------------------------------------------------------------------

let profileLines: string[] = [];
async function profileCopy(container: string, objects: number): Promise<void> {
  const dir = here('./profiles');
  mkdirSync(dir, { recursive: true });
  const bucket = uniqueName('profile');
  await createBucket(s3, bucket);
  const result = await measure(endpoints.proxyPort, bedDir, copierCommand(container, bucket, {}, [...IMAGE_NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${dir}`]), TIMEOUT_MS);
  if (result.code !== 0) fail('profiled copy', result);
  const newest = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).sort().pop();
  if (!newest) return;
  profileLines = [`Profiled copy of ${objects} small objects: ${result.seconds.toFixed(1)} s wall, ${(result.userSeconds + result.systemSeconds).toFixed(1)} s CPU (bench/profiles/${newest}); top self time:`, '', '```', ...topFunctions(`${dir}/${newest}`, 25), '```'];
  log(profileLines.join('\n'));
}

// ---- report ------------------------------------------------------------------------------------------------------

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const sumCpu = (cpu: Record<string, number>) => Object.values(cpu).reduce((sum, value) => sum + value, 0);

function group(set: string, tool: Tool, phase: Phase): Run[] {
  return runs.filter((run) => run.set === set && run.tool === tool && run.phase === phase);
}

function stat(set: string, tool: Tool, phase: Phase) {
  const rows = group(set, tool, phase);
  if (rows.length === 0) return undefined;
  const seconds = median(rows.map((run) => run.seconds));
  return {
    rows, seconds,
    objectsPerSecond: median(rows.map((run) => run.objects / run.seconds)),
    mibPerSecond: median(rows.map((run) => run.bytes / MiB / run.seconds)),
    rss: median(rows.map((run) => run.rssMiB)), rssMax: Math.max(...rows.map((run) => run.rssMiB)),
    requestsPerObject: median(rows.map((run) => totalRequests(run.requests) / run.objects)),
    toolCpu: median(rows.map((run) => run.userSeconds + run.systemSeconds)),
    proxyCpu: median(rows.map((run) => run.swiftCpu.proxy ?? 0)),
    swiftCpu: median(rows.map((run) => sumCpu(run.swiftCpu))),
    relayCpu: median(rows.map((run) => run.relayCpu)),
  };
}

function toolTable(set: string): string[] {
  const lines = [
    '| phase | tool | runs | wall s (median) | objects/s | MiB/s | peak RSS MiB (median / max) | requests/object | tool CPU s | Swift CPU s (proxy / all servers) | relay CPU s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const phase of ['copy', 'resync', 'read'] as const) {
    for (const tool of ['swift-to-s3', 'rclone', 'read limit'] as const) {
      const s = stat(set, tool, phase);
      if (!s) continue;
      lines.push(`| ${phase} | ${tool} | ${s.rows.length} | ${fixed(s.seconds)} (${s.rows.map((run) => fixed(run.seconds)).join(', ')}) | ${fixed(s.objectsPerSecond, 0)} | ${fixed(s.mibPerSecond)} | ${fixed(s.rss, 0)} / ${fixed(s.rssMax, 0)} | ${fixed(s.requestsPerObject, 2)} | ${fixed(s.toolCpu)} | ${fixed(s.proxyCpu)} / ${fixed(s.swiftCpu)} (${fixed(s.swiftCpu / s.seconds, 2)} cores) | ${fixed(s.relayCpu)} |`);
    }
  }
  return lines;
}

function ratios(set: string): string[] {
  const s2s = stat(set, 'swift-to-s3', 'copy');
  const rc = stat(set, 'rclone', 'copy');
  const read = stat(set, 'read limit', 'read');
  const s2sResync = stat(set, 'swift-to-s3', 'resync');
  const rcResync = stat(set, 'rclone', 'resync');
  const lines: string[] = [];
  if (s2s && rc) lines.push(`- copy, swift-to-s3 / rclone: ${fixed(s2s.objectsPerSecond / rc.objectsPerSecond, 2)}× objects/s, ${fixed(s2s.mibPerSecond / rc.mibPerSecond, 2)}× MiB/s`);
  if (s2s && read) lines.push(`- copy, swift-to-s3 / read limit: ${fixed((100 * s2s.objectsPerSecond) / read.objectsPerSecond, 0)} % of its objects/s, ${fixed((100 * s2s.mibPerSecond) / read.mibPerSecond, 0)} % of its MiB/s`);
  if (rc && read) lines.push(`- copy, rclone / read limit: ${fixed((100 * rc.objectsPerSecond) / read.objectsPerSecond, 0)} % of its objects/s`);
  if (s2sResync && rcResync) lines.push(`- resync of unchanged data: swift-to-s3 is ${fixed(rcResync.seconds / s2sResync.seconds, 2)}× faster than rclone (median ${fixed(s2sResync.seconds)} s vs ${fixed(rcResync.seconds)} s)`);
  return lines;
}

function requestBreakdown(set: string): string[] {
  const lines = ['| phase | tool | requests per object, by kind (first run) |', '|---|---|---|'];
  for (const phase of ['copy', 'resync', 'read'] as const) {
    for (const tool of ['swift-to-s3', 'rclone', 'read limit'] as const) {
      const first = group(set, tool, phase)[0];
      if (!first) continue;
      lines.push(`| ${phase} | ${tool} | ${Object.entries(first.requests).map(([kind, count]) => `${kind} ${count} (${fixed(count / first.objects, 3)})`).join(', ')} |`);
    }
  }
  return lines;
}

interface Target { what: string; measured: string; met: boolean | undefined }
function targets(): Target[] {
  const out: Target[] = [];
  const small = { s2s: stat('small', 'swift-to-s3', 'copy'), rc: stat('small', 'rclone', 'copy'), read: stat('small', 'read limit', 'read') };
  const large = { s2s: stat('large', 'swift-to-s3', 'copy'), rc: stat('large', 'rclone', 'copy') };
  if (small.s2s && small.rc) { const r = small.s2s.objectsPerSecond / small.rc.objectsPerSecond; out.push({ what: 'small objects ≥ 1.5× rclone objects/s', measured: `${fixed(r, 2)}×`, met: r >= 1.5 }); }
  if (small.s2s && small.read) { const r = small.s2s.objectsPerSecond / small.read.objectsPerSecond; out.push({ what: 'small objects ≥ 80 % of the Swift read limit', measured: `${fixed(100 * r, 0)} %`, met: r >= 0.8 }); }
  if (large.s2s && large.rc) { const r = large.s2s.mibPerSecond / large.rc.mibPerSecond; out.push({ what: 'large objects ≥ 1.0× rclone MiB/s', measured: `${fixed(r, 2)}×`, met: r >= 1.0 }); }
  const hashed = takeoverRows.find((row) => row.mode === 'hash');
  if (hashed) out.push({ what: 'takeover on NooBaa: no Swift GET for an object already right', measured: `${hashed.swiftGets - hashed.copied} (${hashed.swiftGets} GETs, ${hashed.copied} copied, ${hashed.adopted} adopted)`, met: hashed.swiftGets === hashed.copied });
  for (const set of ['small', 'large']) {
    const resync = group(set, 'swift-to-s3', 'resync');
    if (resync.length === 0) continue;
    const transfers = Math.max(...resync.map((run) => (run.requests.swift_object_get ?? 0) + (run.requests.s3_object_get ?? 0) + (run.requests.s3_object_put ?? 0) + (run.requests.s3_part_put ?? 0) + (run.requests.s3_multipart_post ?? 0)));
    const heads = Math.max(...resync.map((run) => (run.requests.s3_object_head ?? 0) + (run.requests.swift_object_head ?? 0)));
    out.push({ what: `${set} resync: no object GET or PUT`, measured: `${transfers} GET/PUT, ${heads} HEAD (worst run)`, met: transfers === 0 });
    const s = stat(set, 'swift-to-s3', 'resync');
    const rc = stat(set, 'rclone', 'resync');
    if (s && rc) out.push({ what: `${set} resync ≥ 2× faster than rclone's`, measured: `${fixed(rc.seconds / s.seconds, 2)}×`, met: rc.seconds / s.seconds >= 2 });
  }
  const firstCopies = runs.filter((run) => run.tool === 'swift-to-s3' && run.phase === 'copy');
  if (firstCopies.length > 0) {
    const heads = Math.max(...firstCopies.map((run) => (run.requests.s3_object_head ?? 0) + (run.requests.swift_object_head ?? 0)));
    out.push({ what: 'no per-object HEAD on a first copy', measured: `${heads} object HEADs (worst run)`, met: heads === 0 });
  }
  if (large.s2s) out.push({ what: `peak RSS ≤ 200 MiB, TRANSFERS=${settings.transfers}, 100–300 MiB objects`, measured: `${fixed(large.s2s.rssMax, 0)} MiB (max of ${large.s2s.rows.length})`, met: large.s2s.rssMax <= 200 });
  if (memoryRows.length >= 2) {
    const first = memoryRows[0]!;
    const last = memoryRows[memoryRows.length - 1]!;
    const growth = last.rssMiB - first.rssMiB;
    out.push({ what: 'memory does not grow with objects listed', measured: `${fixed(first.rssMiB, 0)} MiB at ${first.objects}, ${fixed(last.rssMiB, 0)} MiB at ${last.objects} (+${fixed(growth, 0)} MiB)`, met: growth <= Math.max(10, first.rssMiB * 0.1) });
  }
  return out;
}

// ---- takeover of a bucket another tool half filled (NooBaa) ----------------------------------------------------------

interface TakeoverRow { mode: string; seconds: number; rssMiB: number; copied: number; adopted: number; unchanged: number; swiftGets: number; swiftHeads: number; s3Gets: number; s3Puts: number; s3Copies: number }
const takeoverRows: TakeoverRow[] = [];
let takeoverNote = '';

/** rclone fills a NooBaa bucket with the whole set, half of it is deleted again; then swift-to-s3 finishes it, once
 *  adopting what is there by hashing the bucket (TAKEOVER=hash) and once reading it from Swift again (recopy). */
async function takeover(set: string, objects: number): Promise<void> {
  const target = noobaa();
  if (!target) { takeoverNote = 'skipped: the bed has no NooBaa (../shared/noobaa absent)'; log(`takeover ${takeoverNote}`); return; }
  if (!hasRclone) { takeoverNote = 'skipped: rclone is not installed'; return; }
  const client = testS3(target.endpoint, target.accessKeyId, target.secretAccessKey);
  for (const mode of ['hash', 'recopy'] as const) {
    const bucket = uniqueName(`${set}-takeover-${mode}`);
    await createBucket(client, bucket);
    log(`takeover (${mode}): rclone fills ${bucket} on NooBaa ...`);
    await rcloneCopy(set, bucket, target, ['--transfers', String(settings.transfers), '--checkers', String(settings.transfers)]);
    const keys = await listKeys(client, bucket);
    if (keys.length !== objects) throw new Error(`rclone copied ${keys.length} of ${objects} objects`);
    const removed = keys.filter((_, index) => index % 2 === 0);
    for (let start = 0; start < removed.length; start += 1000) {
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: removed.slice(start, start + 1000).map((Key) => ({ Key })) } }));
    }
    const result = await measure({ swift: endpoints.proxyPort, s3: target.port }, bedDir, (relay) => ({
      command: process.execPath, args: [...IMAGE_NODE_FLAGS, CLI, 'copy'],
      env: copierEnv(set, bucket, { TRANSFERS: String(settings.transfers), TAKEOVER: mode, PROGRESS_INTERVAL: '5', TERMINATION_MESSAGE_PATH: '/dev/null' }, { swift: relay, s3: relay, target }),
    }), TIMEOUT_MS);
    if (result.code !== 0) fail(`takeover (${mode})`, result);
    const summary = summaryOf(result.stdout) as ReturnType<typeof summaryOf> & { adopted?: number };
    if (summary.copied + (summary.adopted ?? 0) + summary.unchanged !== objects) fail(`takeover (${mode}): ${JSON.stringify(summary)}`, result);
    const count = (kind: string) => result.requests[kind] ?? 0;
    const row: TakeoverRow = {
      mode, seconds: result.seconds, rssMiB: result.rssMiB, copied: summary.copied, adopted: summary.adopted ?? 0, unchanged: summary.unchanged,
      swiftGets: count('swift_object_get'), swiftHeads: count('swift_object_head'), s3Gets: count('s3_object_get'), s3Puts: count('s3_object_put'), s3Copies: count('s3_object_put') - summary.copied,
    };
    takeoverRows.push(row);
    log(`takeover (${mode}): ${fixed(row.seconds)} s, ${row.copied} copied, ${row.adopted} adopted, Swift GETs ${row.swiftGets} for ${removed.length} missing objects`);
    if (mode === 'hash') await verifyCost(set, bucket, target, objects);
  }
}

interface VerifyRow { how: string; seconds: number; objectsPerSecond: number; mibPerSecond: number; s3Gets: number; swiftGets: number; rssMiB: number }
const verifyRows: VerifyRow[] = [];

/** verify --all of a complete NooBaa bucket: proving every object by its stored bytes, trusting md5chksum, downloading both sides. */
async function verifyCost(set: string, bucket: string, target: NonNullable<ReturnType<typeof noobaa>>, objects: number): Promise<void> {
  const bytes = smallSet(settings.takeoverCount).reduce((sum, object) => sum + object.size, 0);
  for (const [how, flags] of [['stored bytes (default)', []], ['--trust-metadata', ['--trust-metadata']], ['--download', ['--download']]] as const) {
    const result = await measure({ swift: endpoints.proxyPort, s3: target.port }, bedDir, (relay) => ({
      command: process.execPath, args: [...IMAGE_NODE_FLAGS, CLI, 'verify', '--all', ...flags],
      env: copierEnv(set, bucket, { TRANSFERS: String(settings.transfers), TERMINATION_MESSAGE_PATH: '/dev/null' }, { swift: relay, s3: relay, target }),
    }), TIMEOUT_MS);
    if (result.code !== 0) fail(`verify ${how}`, result);
    const row = { how, seconds: result.seconds, objectsPerSecond: objects / result.seconds, mibPerSecond: bytes / MiB / result.seconds, s3Gets: result.requests.s3_object_get ?? 0, swiftGets: result.requests.swift_object_get ?? 0, rssMiB: result.rssMiB };
    verifyRows.push(row);
    log(`verify (${how}) on NooBaa: ${fixed(row.seconds)} s, ${fixed(row.objectsPerSecond, 0)} objects/s, ${fixed(row.mibPerSecond)} MiB/s`);
  }
}

function verifyTable(): string[] {
  if (verifyRows.length === 0) return [];
  return [
    `### verify --all on NooBaa (the ${settings.takeoverCount} objects of the takeover bucket; one process, objects one after another)`, '',
    '| proof | wall s | objects/s | MiB/s | S3 object GETs | Swift object GETs | peak RSS MiB |', '|---|---|---|---|---|---|---|',
    ...verifyRows.map((row) => `| ${row.how} | ${fixed(row.seconds)} | ${fixed(row.objectsPerSecond, 0)} | ${fixed(row.mibPerSecond)} | ${row.s3Gets} | ${row.swiftGets} | ${fixed(row.rssMiB, 0)} |`), '',
  ];
}

function takeoverTable(): string[] {
  if (takeoverNote) return ['### takeover of a bucket rclone half filled (NooBaa)', '', takeoverNote, ''];
  if (takeoverRows.length === 0) return [];
  return [
    `### takeover of a bucket rclone half filled (NooBaa; ${settings.takeoverCount} objects of the small set's sizes, every other one deleted after rclone's copy)`, '',
    '| TAKEOVER | wall s | copied | adopted | Swift object GETs | Swift HEADs | S3 GETs (hash) | S3 PUTs (of them metadata copies) | peak RSS MiB |', '|---|---|---|---|---|---|---|---|---|',
    ...takeoverRows.map((row) => `| ${row.mode} | ${fixed(row.seconds)} | ${row.copied} | ${row.adopted} | ${row.swiftGets} | ${row.swiftHeads} | ${row.s3Gets} | ${row.s3Puts} (${row.s3Copies}) | ${fixed(row.rssMiB, 0)} |`),
    '', `Swift GETs for objects already right: ${takeoverRows.filter((row) => row.mode === 'hash').map((row) => row.swiftGets - row.copied).join(', ')} with TAKEOVER=hash (every Swift GET is a copied object).`, '',
  ];
}

function machine(): string[] {
  const first = (command: string, args: string[]) => { try { return execFileSync(command, args, { encoding: 'utf8' }).split('\n')[0]!.trim(); } catch { return 'not available'; } };
  return [
    `- cores (nproc): ${availableParallelism()}; memory: ${fixed(totalmem() / 1024 ** 3, 1)} GiB; CPU: ${first('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"])}`,
    `- node ${process.version}; ${hasRclone ? first('rclone', ['version']) : 'rclone not installed'}; OpenStack Swift ${first('dpkg-query', ['-W', '-f', '${Version}', 'python3-swift'])} (Debian package python3-swift)`,
    `- load average when the run started: ${loadAtStart.map((value) => value.toFixed(2)).join(' ')} (the bed and every tool share the same ${availableParallelism()} cores)`,
    `- settings: ${JSON.stringify({ ...settings, sections: [...settings.sections] })}`,
  ];
}

function report(seeding: string[]): string[] {
  const lines: string[] = [`Measured ${new Date().toISOString()}, ${fixed((performance.now() - benchStarted) / 60000, 1)} minutes in all.`, '', ...machine(), '', ...seeding.map((line) => `- ${line}`), ''];
  lines.push('Every tool runs behind its own counting proxy (test/support/counting-proxy.ts, in the bench process) that counts its requests by kind; "relay CPU" is what that proxy cost. Wall time is the whole process, start to exit; peak RSS is /usr/bin/time -v "Maximum resident set size"; Swift CPU is user+system of the bed\'s proxy (2 workers), object, container and account servers over the run, from /proc.', '');
  for (const set of ['small', 'large']) {
    if (!runs.some((run) => run.set === set)) continue;
    lines.push(`### ${set} set`, '', ...toolTable(set), '', ...ratios(set), '', ...requestBreakdown(set), '');
  }
  if (shardRows.length > 0) {
    lines.push('### shard scaling (small set; each shard a process with its own TRANSFERS)', '', '| shards | wall s | objects/s | per shard: wall s / listing complete by s / objects / peak RSS MiB / swift_list + s3_list requests | Swift CPU s (proxy / all) |', '|---|---|---|---|---|');
    const objects = runs.find((run) => run.set === 'small')?.objects ?? settings.smallCount;
    for (const row of shardRows) {
      lines.push(`| ${row.shards} | ${fixed(row.wallSeconds)} | ${fixed(objects / row.wallSeconds, 0)} | ${row.perShard.map((shard) => `#${shard.index}: ${fixed(shard.seconds)} / ${shard.listedBy ?? '?'} / ${shard.copied} / ${fixed(shard.rssMiB, 0)} / ${shard.swiftList}+${shard.s3List}`).join('; ')} | ${fixed(row.swiftCpu.proxy ?? 0)} / ${fixed(sumCpu(row.swiftCpu))} |`);
    }
    lines.push('', '"listing complete by" is the copier\'s "listing done" line: how long its march over both listings took. The listings advance only as far ahead as the transfer pool lets them, so on a first copy this is close to the wall time; a resync shows the listing alone.', '');
  }
  if (memoryRows.length > 0) {
    lines.push('### memory against objects listed (resync of an unchanged container of 0–1 KiB objects)', '', '| objects listed | wall s | peak RSS MiB | requests |', '|---|---|---|---|');
    for (const row of memoryRows) lines.push(`| ${row.objects} | ${fixed(row.seconds)} | ${fixed(row.rssMiB, 0)} | ${Object.entries(row.requests).map(([kind, count]) => `${kind} ${count}`).join(', ')} |`);
    lines.push('');
  }
  lines.push(...takeoverTable(), ...verifyTable());
  const checks = targets();
  if (checks.length > 0) {
    lines.push('### targets', '', '| target | measured | met |', '|---|---|---|', ...checks.map((check) => `| ${check.what} | ${check.measured} | ${check.met === undefined ? '–' : check.met ? 'yes' : '**no**'} |`), '');
  }
  if (profileLines.length > 0) lines.push('### profile', '', ...profileLines, '');
  return lines;
}

/** Replaces the generated part of RESULTS.md, keeping the analysis written around it. */
function writeResults(lines: string[]): void {
  const path = here('./RESULTS.md');
  const begin = '<!-- bench:begin (generated by npm run bench; edit outside these markers) -->';
  const end = '<!-- bench:end -->';
  const generated = `${begin}\n${lines.join('\n')}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmark results\n\n${begin}\n${end}\n`;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  writeFileSync(path, from >= 0 && to > from ? current.slice(0, from) + generated + current.slice(to + end.length) : `${current}\n${generated}\n`);
}

// ---- main --------------------------------------------------------------------------------------------------------

const loadAtStart = loadavg();
if (!hasRclone) log('rclone is not installed: comparing with the read limit only');
const seeding: string[] = [];
log(`settings ${JSON.stringify({ ...settings, sections: [...settings.sections] })}`);

const needSmall = settings.sections.has('small') || settings.sections.has('shards') || settings.profile;
const small = smallSet(settings.smallCount);
const smallBytes = small.reduce((sum, object) => sum + object.size, 0);
if (needSmall) {
  log(`seeding the small set: ${small.length} objects, ${fixed(smallBytes / MiB)} MiB ...`);
  const seeded = await seed(account, 'small', small, log);
  seeding.push(`small set: ${small.length} objects of 1–256 KiB, ${fixed(smallBytes / MiB)} MiB, seeded in ${fixed(seeded.seconds, 0)} s`);
}
if (settings.sections.has('small')) await compareTools('small', 'small', small.length, smallBytes);
if (settings.profile) await profileCopy('small', small.length);
if (settings.sections.has('shards')) await shardScaling('small', small.length);
if (settings.sections.has('large')) {
  const large = largeSet(settings.largeCount);
  const largeBytes = large.reduce((sum, object) => sum + object.size, 0);
  log(`seeding the large set: ${large.length} objects, ${fixed(largeBytes / MiB)} MiB ...`);
  const seeded = await seed(account, 'large', large, log);
  seeding.push(`large set: ${large.length} objects of 100–300 MiB, ${fixed(largeBytes / MiB)} MiB, seeded in ${fixed(seeded.seconds, 0)} s`);
  await compareTools('large', 'large', large.length, largeBytes);
}
if (settings.sections.has('memory')) await memoryScaling();
if (settings.sections.has('takeover')) {
  const set = smallSet(settings.takeoverCount).map((object) => ({ ...object, name: `takeover/${object.name}` }));
  log(`seeding the takeover set: ${set.length} objects ...`);
  await seed(account, 'takeover', set, log);
  await takeover('takeover', set.length);
}

const lines = report(seeding);
console.log(lines.join('\n'));
writeResults(lines);
log('wrote bench/RESULTS.md');
