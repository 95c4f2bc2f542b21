// Which shard an object belongs to: stable across versions and machines.
import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Stats } from '../report/stats.ts';

/**
 * The shard of an object: the first 8 bytes of SHA-256 over "<container>/<name>" (UTF-8), as an unsigned
 * big-endian integer, modulo the shard count. SHA-256 is everywhere and well mixed; never change this
 * function, or shards of a running migration would move.
 */
export function shardOf(container: string, name: string, shardCount: number): number {
  if (shardCount <= 1) return 0;
  const digest = createHash('sha256').update(`${container}/${name}`, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(shardCount));
}

/** True when the object hashes to this process's shard. */
export function isInShard(container: string, name: string, shard: { index: number; count: number }): boolean {
  return shardOf(container, name, shard.count) === shard.index;
}

/** The items of a listing that hash to this process's shard (counted into `counted` when given). */
export async function* inShard<T extends { name: string; bytes?: number }>(items: AsyncIterable<T>, container: string, config: Config, counted?: Stats): AsyncGenerator<T> {
  for await (const item of items) {
    const mine = isInShard(container, item.name, config.shard);
    if (counted) {
      counted.listed++;
      counted.totals.listed(container, item.bytes ?? 0, mine);
    }
    if (!mine) continue;
    if (counted) counted.inShard++;
    yield item;
  }
}
