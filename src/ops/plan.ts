// Before a migration: what is there, what would move, how the shards balance, and how many shards to use.
import type { Config } from '../config.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import type { DestEntry, S3Target } from '../s3/target.ts';
import { compareListed } from '../sync/decide.ts';
import { march } from '../sync/march.ts';
import { shardOf } from '../sync/shard.ts';
import { destinationPrefix } from '../sync/layout.ts';
import { isOwnState } from '../sync/own-state.ts';

export interface ShardLoad { shard: number; objects: number; bytes: number }

export interface PlanReport {
  shardCount: number;
  objects: number;
  bytes: number;
  copy: { objects: number; bytes: number };
  unchanged: number;
  /** Objects whose equality needs one HEAD (ETag not a plain MD5): counted apart, checked by the copy. */
  toCheck: number;
  extraneous: number;
  deleteExtraneous: boolean;
  shards: ShardLoad[];
  /** Largest shard's bytes ÷ mean shard bytes (1 = perfectly even). */
  skew: number;
  largest: { key: string; bytes: number }[];
  ratePerShard: { bytesPerSecond: number; measured: boolean };
  targetSeconds: number;
  suggestedShardCount: number;
  estimatedSeconds: number;
}

const LARGEST_SHOWN = 10;

function rememberLargest(largest: { key: string; bytes: number }[], key: string, bytes: number): void {
  if (largest.length === LARGEST_SHOWN && bytes <= largest[largest.length - 1]!.bytes) return;
  largest.push({ key, bytes });
  largest.sort((a, b) => b.bytes - a.bytes);
  if (largest.length > LARGEST_SHOWN) largest.pop();
}

/** Reads a few objects in parallel for a few seconds: bytes per second one process gets from Swift. */
export async function measureReadRate(source: SwiftSource, samples: SourceEntry[], parallel: number, budgetMs = 5_000): Promise<number> {
  const started = performance.now();
  let bytes = 0;
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, samples.length) }, async () => {
    while (next < samples.length && performance.now() - started < budgetMs) {
      const entry = samples[next++]!;
      const object = await source.get(entry.container, entry.name);
      for await (const chunk of object.body as AsyncIterable<Buffer>) bytes += chunk.length;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return seconds > 0 ? bytes / seconds : 0;
}

export interface PlanOptions {
  config: Config;
  source: SwiftSource;
  target: S3Target | undefined;
  /** Bytes per second per shard; measured from a short sample when not given. */
  rate?: number;
  targetSeconds: number;
}

export async function plan({ config, source, target, rate, targetSeconds }: PlanOptions): Promise<PlanReport> {
  const count = config.shard.count;
  const shards: ShardLoad[] = Array.from({ length: count }, (_, shard) => ({ shard, objects: 0, bytes: 0 }));
  const report = { objects: 0, bytes: 0, copy: { objects: 0, bytes: 0 }, unchanged: 0, toCheck: 0, extraneous: 0 };
  const largest: { key: string; bytes: number }[] = [];
  const samples: SourceEntry[] = [];
  for (const container of config.swift.containers) {
    const prefix = destinationPrefix(config, container);
    const destinations = target ? target.list(prefix) : (async function* (): AsyncGenerator<DestEntry> { /* no bucket yet */ })();
    for await (const step of march<SourceEntry, DestEntry>(source.list(container), destinations)) {
      if (step.kind === 'destination-only') {
        if (!isOwnState(step.destination.name)) report.extraneous++;
        continue;
      }
      const entry = step.source;
      const load = shards[shardOf(container, entry.name, count)]!;
      load.objects++;
      load.bytes += entry.bytes;
      report.objects++;
      report.bytes += entry.bytes;
      rememberLargest(largest, prefix + entry.name, entry.bytes);
      if (samples.length < 64 && entry.bytes > 0) samples.push(entry);
      const verdict = step.kind === 'both' ? compareListed(entry, step.destination, config.compare) : 'differ';
      if (verdict === 'equal') report.unchanged++;
      else if (verdict === 'needs-head') report.toCheck++;
      else { report.copy.objects++; report.copy.bytes += entry.bytes; }
    }
  }
  const measured = rate === undefined;
  const bytesPerSecond = rate ?? (samples.length > 0 ? await measureReadRate(source, samples, config.transfers) : 0);
  const mean = report.bytes / count;
  const remaining = report.copy.bytes;
  const suggestedShardCount = bytesPerSecond > 0 ? Math.max(1, Math.ceil(remaining / (bytesPerSecond * targetSeconds))) : count;
  const heaviest = Math.max(...shards.map((load) => load.bytes));
  return {
    shardCount: count,
    ...report,
    deleteExtraneous: config.deleteExtraneous,
    shards,
    skew: mean > 0 ? Math.round((heaviest / mean) * 100) / 100 : 1,
    largest,
    ratePerShard: { bytesPerSecond: Math.round(bytesPerSecond), measured },
    targetSeconds,
    suggestedShardCount,
    estimatedSeconds: bytesPerSecond > 0 ? Math.round((remaining / count / bytesPerSecond) * Math.max(1, heaviest / Math.max(mean, 1))) : 0,
  };
}

const MiB = 1024 * 1024;

export function formatPlan(report: PlanReport): string[] {
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
  return [
    `source: ${report.objects} objects, ${mib(report.bytes)}`,
    `would copy: ${report.copy.objects} objects, ${mib(report.copy.bytes)}; unchanged: ${report.unchanged}; to check with one HEAD: ${report.toCheck}; extraneous at the destination: ${report.extraneous}${report.deleteExtraneous ? ' (would be deleted)' : ' (kept: DELETE_EXTRANEOUS is off)'}`,
    `shards: ${report.shardCount}, skew ${report.skew} (largest ÷ mean bytes)`,
    ...report.shards.map((load) => `  shard ${String(load.shard).padStart(4)}: ${String(load.objects).padStart(8)} objects ${mib(load.bytes).padStart(14)}`),
    'largest objects:',
    ...report.largest.map((item) => `  ${mib(item.bytes).padStart(14)}  ${item.key}`),
    `rate per shard: ${mib(report.ratePerShard.bytesPerSecond)}/s (${report.ratePerShard.measured ? 'measured from a short sample' : 'given with --rate'})`,
    `estimated time with ${report.shardCount} shards: ${report.estimatedSeconds} s; for ${report.targetSeconds} s use SHARD_COUNT=${report.suggestedShardCount}`,
  ];
}
