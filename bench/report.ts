// The bench's tables and targets: what bench/run.ts measured, rendered for the console and bench/RESULTS.md.
import { median, totalRequests, type Measured } from './measure.ts';
import type { OutageRow } from './outage.ts';

export type Tool = 'swift-to-s3' | 'rclone' | 'read limit';
export type Phase = 'copy' | 'resync' | 'read';
/** Where a run wrote: one of the bed's S3 targets, or nowhere (the read limit only reads Swift). */
export type Where = 's3api' | 'nbdb' | 'nsfs' | 'Swift';
export interface Run extends Measured { set: string; where: Where; tool: Tool; phase: Phase; objects: number; bytes: number }
export interface ShardRow { shards: number; wallSeconds: number; perShard: { index: number; seconds: number; listedBy: number | null; copied: number; rssMiB: number; swiftList: number; s3List: number }[]; swiftCpu: Record<string, number> }
export interface MemoryRow { objects: number; seconds: number; rssMiB: number; requests: Record<string, number>; unchanged: number }
export interface TakeoverRow { mode: string; seconds: number; rssMiB: number; copied: number; adopted: number; unchanged: number; swiftGets: number; swiftHeads: number; s3Gets: number; s3Puts: number; s3Copies: number }
export interface VerifyRow { how: string; seconds: number; objectsPerSecond: number; mibPerSecond: number; s3Gets: number; swiftGets: number; rssMiB: number }
export interface LatencyRow { transfers: number; rttMs: number; objects: number; seconds: number; rssMiB: number; cpuSeconds: number }

/** The scale section's sets: the large resync set, its comparison (a tenth), the two folders alone, the data bucket's
 *  own (cut to fit), a copy's source. */
export type ScaleRole = 'million' | 'tenth' | 'astral' | 'plain' | 'nbdb' | 'copy';
/** A resync as the defaults run it; on NSFS also the first of a SHARD_COUNT (no ledger yet: a HEAD each) and one that
 *  lists the bucket (TRUST_LEDGER_HOURS=0); or a copy into a new bucket. */
export type ScaleKind = 'first resync' | 'listed resync' | 'resync' | 'copy';
const RESYNC_KINDS: readonly ScaleKind[] = ['first resync', 'listed resync', 'resync'];
export interface ScaleIndex { index: number; seconds: number; rssMiB: number; heapMiB: number | undefined; listing: { swift: number; s3: number } | undefined; requests: Record<string, number> }
export interface ScaleRun { target: Where; role: ScaleRole; kind: ScaleKind; objects: number; shards: number; seconds: number; swiftCpu: number; noobaaCpu: number; indexes: ScaleIndex[] }
export interface ScaleData {
  /** Names of the large resync set. */
  count: number;
  parallel: number;
  runs: ScaleRun[];
  seeding: { where: Where; how: string; objects: number; seconds: number }[];
  notes: string[];
  seconds: number;
}

export interface BenchData {
  settings: { transfers: number; takeoverCount: number; latencyMs: number; latencyShards: number; latencyTarget: string; cores: number };
  /** The S3 targets the tools were compared on, in order. */
  targets: Where[];
  runs: Run[];
  shardRows: ShardRow[];
  memoryRows: MemoryRow[];
  takeoverRows: TakeoverRow[];
  takeoverNote: string;
  verifyRows: VerifyRow[];
  outageRows: OutageRow[];
  latencyRows: LatencyRow[];
  /** Peak RSS MiB of bare Node (the image's flags), and of each tool syncing an empty container: the floor of any run. */
  floor?: { node: number; copier: number; rclone?: number };
  profileLines: string[];
  scale?: ScaleData;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const NAMES: Record<Where, string> = { s3api: 's3api', nbdb: 'NooBaa data bucket', nsfs: 'NooBaa NSFS', Swift: 'Swift (read only)' };
/** The NooBaa servers' kinds in bedCpu: their CPU is not Swift's. */
const NOOBAA_KINDS = ['nbdb', 'nsfs'];
const isNoobaa = (where: Where) => NOOBAA_KINDS.includes(where);
export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const sum = (values: Record<string, number>, skip: string[] = []) => Object.entries(values).reduce((total, [kind, value]) => total + (skip.includes(kind) ? 0 : value), 0);
const cpu = (run: Measured) => run.userSeconds + run.systemSeconds;
const objectRequests = (run: Run) => (run.requests.swift_object_get ?? 0) + (run.requests.s3_object_get ?? 0) + (run.requests.s3_object_put ?? 0) + (run.requests.s3_part_put ?? 0) + (run.requests.s3_multipart_post ?? 0);
const objectHeads = (run: Run) => (run.requests.s3_object_head ?? 0) + (run.requests.swift_object_head ?? 0);

function group(data: BenchData, set: string, where: Where, tool: Tool, phase: Phase): Run[] {
  return data.runs.filter((run) => run.set === set && run.where === where && run.tool === tool && run.phase === phase);
}

function stat(data: BenchData, set: string, where: Where, tool: Tool, phase: Phase) {
  const rows = group(data, set, where, tool, phase);
  if (rows.length === 0) return undefined;
  return {
    rows,
    seconds: median(rows.map((run) => run.seconds)),
    objectsPerSecond: median(rows.map((run) => run.objects / run.seconds)),
    mibPerSecond: median(rows.map((run) => run.bytes / MiB / run.seconds)),
    rss: median(rows.map((run) => run.rssMiB)), rssMax: Math.max(...rows.map((run) => run.rssMiB)),
    requestsPerObject: median(rows.map((run) => totalRequests(run.requests) / run.objects)),
    toolCpu: median(rows.map(cpu)),
    cpuPerGiB: median(rows.map((run) => cpu(run) / (run.bytes / GiB))),
    proxyCpu: median(rows.map((run) => run.swiftCpu.proxy ?? 0)),
    swiftCpu: median(rows.map((run) => sum(run.swiftCpu, NOOBAA_KINDS))),
    noobaaCpu: median(rows.map((run) => run.swiftCpu[where] ?? 0)),
    // Swift's and this target's servers: not the other NooBaa's, idle beside the run.
    serverCores: median(rows.map((run) => sum(run.swiftCpu, NOOBAA_KINDS.filter((kind) => kind !== where)) / run.seconds)),
    relayCpu: median(rows.map((run) => run.relayCpu)),
  };
}

/** Each (where, tool, phase) measured for `set`, in table order. */
function cells(data: BenchData, set: string): { where: Where; tool: Tool; phase: Phase }[] {
  const out: { where: Where; tool: Tool; phase: Phase }[] = [];
  for (const phase of ['copy', 'resync', 'read'] as const) {
    for (const where of [...data.targets, 'Swift'] as const) {
      for (const tool of ['swift-to-s3', 'rclone', 'read limit'] as const) {
        if (group(data, set, where, tool, phase).length > 0) out.push({ where, tool, phase });
      }
    }
  }
  return out;
}

function toolTable(data: BenchData, set: string): string[] {
  const lines = [
    '| phase | target | tool | runs | wall s (median) | objects/s | MiB/s | peak RSS MiB (median / max) | requests/object | tool CPU s | Swift CPU s (proxy / all servers) | NooBaa CPU s | server cores | relay CPU s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { where, tool, phase } of cells(data, set)) {
    const s = stat(data, set, where, tool, phase)!;
    lines.push(`| ${phase} | ${NAMES[where]} | ${tool} | ${s.rows.length} | ${fixed(s.seconds)} (${s.rows.map((run) => fixed(run.seconds)).join(', ')}) | ${fixed(s.objectsPerSecond, 0)} | ${fixed(s.mibPerSecond)} | ${fixed(s.rss, 0)} / ${fixed(s.rssMax, 0)} | ${fixed(s.requestsPerObject, 2)} | ${fixed(s.toolCpu)} | ${fixed(s.proxyCpu)} / ${fixed(s.swiftCpu)} | ${isNoobaa(where) ? fixed(s.noobaaCpu) : '–'} | ${fixed(s.serverCores, 2)} | ${fixed(s.relayCpu)} |`);
  }
  return lines;
}

function ratios(data: BenchData, set: string): string[] {
  const read = stat(data, set, 'Swift', 'read limit', 'read');
  const lines: string[] = [];
  for (const where of data.targets) {
    const s2s = stat(data, set, where, 'swift-to-s3', 'copy');
    const rc = stat(data, set, where, 'rclone', 'copy');
    const s2sResync = stat(data, set, where, 'swift-to-s3', 'resync');
    const rcResync = stat(data, set, where, 'rclone', 'resync');
    const name = NAMES[where];
    if (s2s && rc) lines.push(`- ${name}: copy, swift-to-s3 / rclone: ${fixed(s2s.objectsPerSecond / rc.objectsPerSecond, 2)}× objects/s, ${fixed(s2s.mibPerSecond / rc.mibPerSecond, 2)}× MiB/s; CPU per GiB ${fixed(s2s.cpuPerGiB)} s vs ${fixed(rc.cpuPerGiB)} s`);
    if (s2s && read) lines.push(`- ${name}: copy, swift-to-s3 / read limit: ${fixed((100 * s2s.objectsPerSecond) / read.objectsPerSecond, 0)} % of its objects/s, ${fixed((100 * s2s.mibPerSecond) / read.mibPerSecond, 0)} % of its MiB/s`);
    if (rc && read) lines.push(`- ${name}: copy, rclone / read limit: ${fixed((100 * rc.objectsPerSecond) / read.objectsPerSecond, 0)} % of its objects/s`);
    if (s2s && rc) lines.push(`- ${name}: ${machineBound(data, s2s, rc)}`);
    if (s2sResync && rcResync) lines.push(`- ${name}: resync of unchanged data: swift-to-s3 is ${fixed(rcResync.seconds / s2sResync.seconds, 2)}× faster than rclone (median ${fixed(s2sResync.seconds)} s vs ${fixed(rcResync.seconds)} s)`);
  }
  return lines;
}

/** How much of the machine a copy used, and the most the ratio could be here: the rate at which the servers and the
 *  relay, given every core, could do the work swift-to-s3's requests asked of them, if swift-to-s3 itself took no CPU. */
function ceiling(data: BenchData, s2s: NonNullable<ReturnType<typeof stat>>, rc: NonNullable<ReturnType<typeof stat>>): number {
  return rc.seconds / ((s2s.swiftCpu + s2s.noobaaCpu + s2s.relayCpu) / data.settings.cores);
}

function machineBound(data: BenchData, s2s: NonNullable<ReturnType<typeof stat>>, rc: NonNullable<ReturnType<typeof stat>>): string {
  const used = (s2s.toolCpu + s2s.swiftCpu + s2s.noobaaCpu + s2s.relayCpu) / s2s.seconds;
  return `the copy kept ${fixed(used, 2)} of ${data.settings.cores} cores busy (swift-to-s3 ${fixed(s2s.toolCpu)} + servers ${fixed(s2s.swiftCpu + s2s.noobaaCpu)} + relay ${fixed(s2s.relayCpu)} CPU s in ${fixed(s2s.seconds)} s); `
    + `even if swift-to-s3 took no CPU, the servers' and the relay's work for its requests on ${data.settings.cores} cores allows at most ${fixed(ceiling(data, s2s, rc), 2)}× rclone's rate`;
}

function requestBreakdown(data: BenchData, set: string): string[] {
  const lines = ['| phase | target | tool | requests per object, by kind (first run) |', '|---|---|---|---|'];
  for (const { where, tool, phase } of cells(data, set)) {
    const first = group(data, set, where, tool, phase)[0]!;
    lines.push(`| ${phase} | ${NAMES[where]} | ${tool} | ${Object.entries(first.requests).map(([kind, count]) => `${kind} ${count} (${fixed(count / first.objects, 3)})`).join(', ')} |`);
  }
  return lines;
}

interface Target { what: string; measured: string; met: boolean | undefined }

function copyTargets(data: BenchData, where: Where): Target[] {
  const out: Target[] = [];
  const name = NAMES[where];
  const small = { s2s: stat(data, 'small', where, 'swift-to-s3', 'copy'), rc: stat(data, 'small', where, 'rclone', 'copy'), read: stat(data, 'small', 'Swift', 'read limit', 'read') };
  const large = { s2s: stat(data, 'large', where, 'swift-to-s3', 'copy'), rc: stat(data, 'large', where, 'rclone', 'copy') };
  if (small.s2s && small.rc) {
    const r = small.s2s.objectsPerSecond / small.rc.objectsPerSecond;
    out.push({ what: `[${name}] small objects ≥ 2.5× rclone's objects/s`, measured: `${fixed(r, 2)}× (${fixed(small.s2s.objectsPerSecond, 0)} vs ${fixed(small.rc.objectsPerSecond, 0)}); this machine's bound ${fixed(ceiling(data, small.s2s, small.rc), 2)}×`, met: r >= 2.5 });
    const floor = data.floor ? `; floor ${fixed(data.floor.copier, 0)} vs ${fixed(data.floor.rclone ?? NaN, 0)} MiB` : '';
    out.push({ what: `[${name}] peak RSS, TRANSFERS=${data.settings.transfers}, small set ≤ rclone's`, measured: `${fixed(small.s2s.rssMax, 0)} vs ${fixed(small.rc.rssMax, 0)} MiB (max of ${small.s2s.rows.length} / ${small.rc.rows.length}${floor})`, met: small.s2s.rssMax <= small.rc.rssMax });
  }
  if (small.s2s && small.read) { const r = small.s2s.objectsPerSecond / small.read.objectsPerSecond; out.push({ what: `[${name}] small objects ≥ 80 % of the Swift read limit`, measured: `${fixed(100 * r, 0)} %`, met: r >= 0.8 }); }
  if (large.s2s && large.rc) {
    const r = large.s2s.mibPerSecond / large.rc.mibPerSecond;
    out.push({ what: `[${name}] large objects ≥ 1.0× rclone's MiB/s`, measured: `${fixed(r, 2)}×`, met: r >= 1.0 });
    out.push({ what: `[${name}] CPU s per GiB on large objects ≤ rclone's`, measured: `${fixed(large.s2s.cpuPerGiB, 2)} vs ${fixed(large.rc.cpuPerGiB, 2)} s/GiB`, met: large.s2s.cpuPerGiB <= large.rc.cpuPerGiB });
  }
  if (large.s2s) out.push({ what: `[${name}] peak RSS ≤ 200 MiB, TRANSFERS=${data.settings.transfers}, 100–300 MiB objects`, measured: `${fixed(large.s2s.rssMax, 0)} MiB (max of ${large.s2s.rows.length})`, met: large.s2s.rssMax <= 200 });
  return out;
}

function resyncTargets(data: BenchData, where: Where): Target[] {
  const out: Target[] = [];
  const name = NAMES[where];
  for (const set of ['small', 'large']) {
    const resync = group(data, set, where, 'swift-to-s3', 'resync');
    if (resync.length === 0) continue;
    const transfers = Math.max(...resync.map(objectRequests));
    const headsPerObject = Math.max(...resync.map((run) => objectHeads(run) / run.objects));
    const wantHeads = where === 'nsfs' && set === 'small';
    out.push({
      what: `[${name}] ${set} resync: no object GET or PUT${wantHeads ? ', < 1 HEAD per object' : ''}`,
      measured: `${transfers} GET/PUT, ${fixed(headsPerObject, 3)} HEAD per object (worst run)`,
      met: transfers === 0 && (!wantHeads || headsPerObject < 1),
    });
    const s = stat(data, set, where, 'swift-to-s3', 'resync');
    const rc = stat(data, set, where, 'rclone', 'resync');
    const factor = where === 'nsfs' && set === 'small' ? 10 : 2;
    if (s && rc) out.push({ what: `[${name}] ${set} resync ≥ ${factor}× faster than rclone's`, measured: `${fixed(rc.seconds / s.seconds, 2)}× (${fixed(s.seconds)} vs ${fixed(rc.seconds)} s)`, met: rc.seconds / s.seconds >= factor });
  }
  return out;
}

function otherTargets(data: BenchData): Target[] {
  const out: Target[] = [];
  const firstCopies = data.runs.filter((run) => run.tool === 'swift-to-s3' && run.phase === 'copy');
  if (firstCopies.length > 0) out.push({ what: 'no per-object HEAD on a first copy (every target)', measured: `${Math.max(...firstCopies.map(objectHeads))} object HEADs (worst run)`, met: firstCopies.every((run) => objectHeads(run) === 0) });
  const hashed = data.takeoverRows.find((row) => row.mode === 'hash');
  if (hashed) out.push({ what: '[NooBaa NSFS] takeover: no Swift GET for an object already right', measured: `${hashed.swiftGets - hashed.copied} (${hashed.swiftGets} GETs, ${hashed.copied} copied, ${hashed.adopted} adopted)`, met: hashed.swiftGets === hashed.copied });
  const proof = data.verifyRows.find((row) => row.how.startsWith('stored bytes'));
  if (proof) out.push({ what: '[NooBaa NSFS] verify with byte proof', measured: `${fixed(proof.objectsPerSecond, 0)} objects/s, ${fixed(proof.mibPerSecond)} MiB/s`, met: undefined });
  if (data.memoryRows.length >= 2) {
    const first = data.memoryRows[0]!;
    const last = data.memoryRows[data.memoryRows.length - 1]!;
    const growth = last.rssMiB - first.rssMiB;
    out.push({ what: '[s3api] memory does not grow with objects listed', measured: `${fixed(first.rssMiB, 0)} MiB at ${first.objects}, ${fixed(last.rssMiB, 0)} MiB at ${last.objects} (+${fixed(growth, 0)} MiB)`, met: growth <= Math.max(10, first.rssMiB * 0.1) });
  }
  const needed = transfersForLatency(data);
  if (needed) out.push({ what: `TRANSFERS for +${data.settings.latencyMs} ms round trip to Swift (≥ 90 % of the best rate without it)`, measured: needed, met: undefined });
  return out;
}

export function targets(data: BenchData): Target[] {
  return [...data.targets.flatMap((where) => [...copyTargets(data, where), ...resyncTargets(data, where)]), ...otherTargets(data), ...scaleTargets(data.scale)];
}

/** The smallest TRANSFERS whose copy with added latency reaches 90 % of the best objects/s without it. */
function transfersForLatency(data: BenchData): string | undefined {
  const rate = (row: LatencyRow) => row.objects / row.seconds;
  const base = data.latencyRows.filter((row) => row.rttMs === 0);
  const delayed = data.latencyRows.filter((row) => row.rttMs > 0).sort((a, b) => a.transfers - b.transfers);
  if (base.length === 0 || delayed.length === 0) return undefined;
  const best = Math.max(...base.map(rate));
  const enough = delayed.find((row) => rate(row) >= 0.9 * best);
  return enough ? `${enough.transfers} (${fixed(rate(enough), 0)} objects/s; best without: ${fixed(best, 0)})` : `none measured (best with it ${fixed(Math.max(...delayed.map(rate)), 0)}, without ${fixed(best, 0)} objects/s)`;
}

function floorLines(data: BenchData): string[] {
  if (!data.floor) return [];
  const { node, copier, rclone } = data.floor;
  return [`Memory floor (peak RSS of a run with nothing to copy): bare \`node\` with the image's flags ${fixed(node, 0)} MiB; swift-to-s3 syncing an empty container ${fixed(copier, 0)} MiB (Node with the AWS SDK, undici and pino loaded, both sides connected)${rclone === undefined ? '' : `; rclone the same ${fixed(rclone, 0)} MiB`}.`, ''];
}

function latencyTable(data: BenchData): string[] {
  if (data.latencyRows.length === 0) return [];
  const { latencyMs, latencyShards, latencyTarget } = data.settings;
  const lines = [
    `### latency: +${latencyMs} ms round trip on every Swift request (one shard of ${latencyShards} of the small set, to ${latencyTarget})`, '',
    '| TRANSFERS | objects | wall s, no delay | objects/s, no delay | wall s, +' + latencyMs + ' ms | objects/s, +' + latencyMs + ' ms | +' + latencyMs + ' ms / no delay | peak RSS MiB (+' + latencyMs + ' ms) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const transfers of [...new Set(data.latencyRows.map((row) => row.transfers))]) {
    const base = data.latencyRows.find((row) => row.transfers === transfers && row.rttMs === 0);
    const delayed = data.latencyRows.find((row) => row.transfers === transfers && row.rttMs > 0);
    const rate = (row: LatencyRow | undefined) => (row ? row.objects / row.seconds : NaN);
    lines.push(`| ${transfers} | ${base?.objects ?? delayed?.objects ?? '–'} | ${fixed(base?.seconds ?? NaN)} | ${fixed(rate(base), 0)} | ${fixed(delayed?.seconds ?? NaN)} | ${fixed(rate(delayed), 0)} | ${fixed((100 * rate(delayed)) / rate(base), 0)} % | ${fixed(delayed?.rssMiB ?? NaN, 0)} |`);
  }
  lines.push('', `The counting proxy holds every Swift request ${latencyMs} ms before forwarding it: one more round trip per request (auth, listing, GET), not per TCP window, on connections kept alive. With TRANSFERS objects in flight, a copy cannot exceed TRANSFERS / (round trip + service time) objects/s; the "no delay" column is what this bed's CPU allows.`, '');
  return lines;
}

function shardTable(data: BenchData): string[] {
  if (data.shardRows.length === 0) return [];
  const objects = data.runs.find((run) => run.set === 'small')?.objects ?? 0;
  return [
    '### shard scaling (small set to s3api; each shard a process with its own TRANSFERS)', '',
    '| shards | wall s | objects/s | per shard: wall s / listing complete by s / objects / peak RSS MiB / swift_list + s3_list requests | Swift CPU s (proxy / all) |', '|---|---|---|---|---|',
    ...data.shardRows.map((row) => `| ${row.shards} | ${fixed(row.wallSeconds)} | ${fixed(objects / row.wallSeconds, 0)} | ${row.perShard.map((shard) => `#${shard.index}: ${fixed(shard.seconds)} / ${shard.listedBy ?? '?'} / ${shard.copied} / ${fixed(shard.rssMiB, 0)} / ${shard.swiftList}+${shard.s3List}`).join('; ')} | ${fixed(row.swiftCpu.proxy ?? 0)} / ${fixed(sum(row.swiftCpu, NOOBAA_KINDS))} |`),
    '', '"listing complete by" is the copier\'s "listing done" line: how long its march over both listings took. The listings advance only as far ahead as the transfer pool lets them, so on a first copy this is close to the wall time; a resync shows the listing alone.', '',
  ];
}

function memoryTable(data: BenchData): string[] {
  if (data.memoryRows.length === 0) return [];
  return [
    '### memory against objects listed (resync of an unchanged container of 0–1 KiB objects, s3api)', '', '| objects listed | wall s | peak RSS MiB | requests |', '|---|---|---|---|',
    ...data.memoryRows.map((row) => `| ${row.objects} | ${fixed(row.seconds)} | ${fixed(row.rssMiB, 0)} | ${Object.entries(row.requests).map(([kind, count]) => `${kind} ${count}`).join(', ')} |`), '',
  ];
}

function takeoverTable(data: BenchData): string[] {
  if (data.takeoverNote) return ['### takeover of a bucket rclone half filled (NooBaa NSFS)', '', data.takeoverNote, ''];
  if (data.takeoverRows.length === 0) return [];
  return [
    `### takeover of a bucket rclone half filled (NooBaa NSFS; ${data.settings.takeoverCount} objects of the small set's sizes, every other one deleted after rclone's copy)`, '',
    '| TAKEOVER | wall s | copied | adopted | Swift object GETs | Swift HEADs | S3 GETs (hash) | S3 PUTs (of them metadata copies) | peak RSS MiB |', '|---|---|---|---|---|---|---|---|---|',
    ...data.takeoverRows.map((row) => `| ${row.mode} | ${fixed(row.seconds)} | ${row.copied} | ${row.adopted} | ${row.swiftGets} | ${row.swiftHeads} | ${row.s3Gets} | ${row.s3Puts} (${row.s3Copies}) | ${fixed(row.rssMiB, 0)} |`),
    '', `Swift GETs for objects already right: ${data.takeoverRows.filter((row) => row.mode === 'hash').map((row) => row.swiftGets - row.copied).join(', ')} with TAKEOVER=hash (every Swift GET is a copied object).`, '',
  ];
}

function verifyTable(data: BenchData): string[] {
  if (data.verifyRows.length === 0) return [];
  return [
    `### verify --all on NooBaa NSFS (the ${data.settings.takeoverCount} objects of the takeover bucket; one process, objects one after another)`, '',
    '| proof | wall s | objects/s | MiB/s | S3 object GETs | Swift object GETs | peak RSS MiB |', '|---|---|---|---|---|---|---|',
    ...data.verifyRows.map((row) => `| ${row.how} | ${fixed(row.seconds)} | ${fixed(row.objectsPerSecond, 0)} | ${fixed(row.mibPerSecond)} | ${row.s3Gets} | ${row.swiftGets} | ${fixed(row.rssMiB, 0)} |`), '',
  ];
}

function outageTable(data: BenchData): string[] {
  if (data.outageRows.length === 0) return [];
  return [
    '### an S3 outage in the middle of a copy (the small set, one process; S3 away from a third of the way in)', '',
    '| target | outage s | copy alone s | copy with the outage s | cost beyond the outage | failed | outages counted |', '|---|---|---|---|---|---|---|',
    ...data.outageRows.map((row) => {
      const extra = row.withOutageSeconds - row.baselineSeconds;
      return `| ${row.target} | ${row.outageSeconds} | ${fixed(row.baselineSeconds)} | ${fixed(row.withOutageSeconds)} | ${fixed(extra)} s = ${fixed((extra / row.outageSeconds) * 100, 0)} % of the outage | ${row.failed} | ${row.outagesCounted} |`;
    }), '',
  ];
}

const FULL_SCALE = 1_000_000;
const requestList = (requests: Record<string, number>) => Object.entries(requests).map(([kind, count]) => `${kind} ${count}`).join(', ');
const listingOf = (index: ScaleIndex) => (index.listing ? `${fixed(index.listing.swift)} / ${fixed(index.listing.s3)}` : '? / ?');
const heapOf = (heapMiB: number | undefined) => (heapMiB === undefined ? '?' : fixed(heapMiB, 0));
const peakRss = (run: ScaleRun) => Math.max(...run.indexes.map((index) => index.rssMiB));
const peakHeap = (run: ScaleRun) => (run.indexes.some((index) => index.heapMiB === undefined) ? undefined : Math.max(...run.indexes.map((index) => index.heapMiB!)));

function summedRequests(run: ScaleRun): Record<string, number> {
  const out: Record<string, number> = {};
  for (const index of run.indexes) for (const [kind, count] of Object.entries(index.requests)) out[kind] = (out[kind] ?? 0) + count;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function copiedCounts(scale: ScaleData): string {
  const counts = scale.runs.filter((run) => run.kind === 'copy').map((run) => run.objects).filter((count, at, all) => all.indexOf(count) === at);
  return counts.length > 0 ? `the copy path at ${counts.join(' and ')} objects` : 'the copy path not run (BENCH_SCALE_COPY empty)';
}

function scaleRunTable(scale: ScaleData): string[] {
  return [
    '| target | set | objects | SHARD_COUNT | run | wall s | objects/s | Swift CPU s | NooBaa CPU s | peak RSS MiB (max of indexes) | peak heap MiB (max) | requests (all indexes) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...scale.runs.map((run) => `| ${NAMES[run.target]} | ${run.kind === 'copy' ? '–' : run.role} | ${run.objects} | ${run.shards} | ${run.kind} | ${fixed(run.seconds)} | ${fixed(run.objects / run.seconds, 0)} | ${fixed(run.swiftCpu)} | ${isNoobaa(run.target) ? fixed(run.noobaaCpu) : '–'} | ${fixed(peakRss(run), 0)} | ${heapOf(peakHeap(run))} | ${requestList(summedRequests(run))} |`),
  ];
}

function scaleIndexTable(scale: ScaleData): string[] {
  return [
    '| target | objects | SHARD_COUNT | run | index | wall s | listing s (Swift / S3) | peak RSS MiB | peak heap MiB | requests by kind |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...scale.runs.flatMap((run) => run.indexes.map((index) => `| ${NAMES[run.target]} | ${run.objects} | ${run.shards} | ${run.kind} | ${index.index} | ${fixed(index.seconds)} | ${listingOf(index)} | ${fixed(index.rssMiB, 0)} | ${heapOf(index.heapMiB)} | ${requestList(index.requests)} |`)),
  ];
}

function scaleRun(scale: ScaleData, where: Where, role: ScaleRole, kind: ScaleKind, shards: number): ScaleRun | undefined {
  return scale.runs.find((run) => run.target === where && run.role === role && run.kind === kind && run.shards === shards);
}

/** One kind of resync on one target: the million against the tenth at each SHARD_COUNT, and the two folders. */
function resyncScaling(scale: ScaleData, where: Where, kind: ScaleKind): Target[] {
  const out: Target[] = [];
  const name = `${NAMES[where]}${kind === 'resync' ? '' : `, ${kind}`}`;
  for (const shards of [...new Set(scale.runs.map((run) => run.shards))]) {
    const [large, small] = [scaleRun(scale, where, 'million', kind, shards), scaleRun(scale, where, 'tenth', kind, shards)];
    if (!large || !small) continue;
    const ratio = large.seconds / small.seconds;
    out.push({ what: `[${name}] resync of ${large.objects} ≤ 12× that of ${small.objects}, SHARD_COUNT=${shards}`, measured: `${fixed(ratio, 1)}× (${fixed(large.seconds)} vs ${fixed(small.seconds)} s)`, met: ratio <= 12 });
    const growth = peakRss(large) - peakRss(small);
    out.push({ what: `[${name}] its peak RSS ≤ 64 MiB above, SHARD_COUNT=${shards}`, measured: `${fixed(peakRss(large), 0)} vs ${fixed(peakRss(small), 0)} MiB (+${fixed(growth, 0)})`, met: growth <= 64 });
  }
  const [astral, plain, large] = [scaleRun(scale, where, 'astral', kind, 1), scaleRun(scale, where, 'plain', kind, 1), scaleRun(scale, where, 'million', kind, 1)];
  if (astral && plain && large) {
    const added = (astral.seconds - plain.seconds) / large.seconds;
    out.push({ what: `[${name}] a folder of ${astral.objects} emoji names adds < 10 % to the resync of ${large.objects} (beyond a plain folder's)`, measured: `${fixed(100 * added, 1)} % (${fixed(astral.seconds)} − ${fixed(plain.seconds)} s of ${fixed(large.seconds)} s)`, met: added < 0.1 });
  }
  return out;
}

/** Issue 20's targets: the million's resync at most 12× the tenth's time and 64 MiB above its peak RSS, the emoji
 *  folder less than 10 % of the million's resync beyond a plain one, the 100,000 copy's peak RSS at most 64 MiB above
 *  the 10,000 one's. */
function scaleTargets(scale: ScaleData | undefined): Target[] {
  if (!scale) return [];
  const out: Target[] = [];
  for (const where of [...new Set(scale.runs.map((run) => run.target))]) {
    const name = NAMES[where];
    for (const kind of RESYNC_KINDS) out.push(...resyncScaling(scale, where, kind));

    const copies = scale.runs.filter((run) => run.target === where && run.kind === 'copy').sort((a, b) => a.objects - b.objects);
    if (copies.length >= 2) {
      const [fewest, most] = [copies[0]!, copies[copies.length - 1]!];
      const growth = peakRss(most) - peakRss(fewest);
      out.push({ what: `[${name}] copy of ${most.objects}: peak RSS ≤ 64 MiB above that of ${fewest.objects}`, measured: `${fixed(peakRss(most), 0)} vs ${fixed(peakRss(fewest), 0)} MiB (+${fixed(growth, 0)})`, met: growth <= 64 });
    }
  }
  return out;
}

function scaleSection(data: BenchData): string[] {
  const scale = data.scale;
  if (!scale) return [];
  const factor = scale.count / FULL_SCALE;
  const seedingSeconds = scale.seeding.reduce((all, seeding) => all + seeding.seconds, 0);
  return [
    `### scale: the resync path at ${scale.count} names, ${copiedCounts(scale)} (issue 20)`, '',
    `Objects of 0–1 KiB: the large set is CUBE-like names with a tenth in one folder whose names carry an emoji (astral) and a tenth in one of plain names; "tenth" is the same shape at a tenth of the count (and the copy path's larger source); "astral" and "plain" are the two folders alone, resynced at SHARD_COUNT=1 to measure what the emoji cost. A run is one SHARD_COUNT: its indexes ${scale.parallel} at a time, each behind its own counting proxy, TRANSFERS=${data.settings.transfers}. On s3api the bucket is another Swift container, seeded on disk the same way. On NooBaa NSFS, for each SHARD_COUNT: "first resync" finds no resync ledger and settles each object by a HEAD (and writes the ledger); "listed resync" lists the bucket all the same (TRUST_LEDGER_HOURS=0, as a run does once those hours have passed); "resync" runs with the defaults. Where ETags are MD5s (s3api, the data bucket), "listed resync" settles every object from the listing and leaves each index its ledger, and "resync" runs with the defaults (the ledgers stand in for the listing of the bucket). Listing seconds and peak heap come from the copier's summary (listingSeconds, memory; "?" where it does not report them); peak RSS from /usr/bin/time; CPU from /proc over the whole run (NooBaa CPU: the target's server).`, '',
    ...scaleRunTable(scale), '',
    '<details><summary>per index</summary>', '', ...scaleIndexTable(scale), '', '</details>', '',
    '| seeded | how | objects | s | objects/s |', '|---|---|---|---|---|',
    ...scale.seeding.map((seeding) => `| ${NAMES[seeding.where]} | ${seeding.how} | ${seeding.objects} | ${fixed(seeding.seconds, 0)} | ${fixed(seeding.objects / seeding.seconds, 0)} |`), '',
    ...scale.notes.map((note) => `- ${note}`),
    `- The section took ${fixed(scale.seconds / 60, 1)} minutes (seeding ${fixed(seedingSeconds / 60, 1)}).${factor < 1 ? ` At full size (${FULL_SCALE} names, ×${fixed(1 / factor, 0)}), linear in the counts, about ${fixed(scale.seconds / factor / 3600, 1)} hours; less in fact, as each index's start does not grow with the counts.` : ''}`,
    '',
  ];
}

/** The generated part of RESULTS.md: `header` (when, machine, data sets), then every table measured. */
export function report(data: BenchData, header: string[]): string[] {
  const lines = [...header];
  lines.push('Every tool runs behind its own counting proxy (test/support/counting-proxy.ts, in the bench process) that counts its requests by kind; "relay CPU" is what that proxy cost. swift-to-s3 is the compiled dist/ (tsc, as the image ships it) started with the image\'s node flags. Wall time is the whole process, start to exit; peak RSS is /usr/bin/time -v "Maximum resident set size"; Swift CPU is user+system of the bed\'s proxy (2 workers), object, container and account servers over the run, NooBaa CPU that of the NSFS server, from /proc; "server cores" is both over the wall time.', '');
  for (const set of ['small', 'large']) {
    if (!data.runs.some((run) => run.set === set)) continue;
    lines.push(`### ${set} set`, '', ...toolTable(data, set), '', ...ratios(data, set), '', ...(set === 'small' ? floorLines(data) : []), ...requestBreakdown(data, set), '');
  }
  lines.push(...latencyTable(data), ...shardTable(data), ...memoryTable(data), ...takeoverTable(data), ...verifyTable(data), ...outageTable(data), ...scaleSection(data));
  const checks = targets(data);
  if (checks.length > 0) {
    lines.push('### targets', '', '| target | measured | met |', '|---|---|---|', ...checks.map((check) => `| ${check.what} | ${check.measured} | ${check.met === undefined ? '–' : check.met ? 'yes' : '**no**'} |`), '');
  }
  if (data.profileLines.length > 0) lines.push('### profile', '', ...data.profileLines, '');
  return lines;
}
