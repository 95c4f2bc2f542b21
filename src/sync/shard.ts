// Which shard an object belongs to: stable across versions and machines.
import { createHash } from 'node:crypto';

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
