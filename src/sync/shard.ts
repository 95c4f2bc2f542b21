// Which shard an object belongs to, and index lists such as "1,3-5": stable across versions and machines.
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

/** Parses "3,7,12-14" into [3, 7, 12, 13, 14] (sorted, unique). Throws a RangeError saying what is wrong. */
export function parseIndexList(text: string): number[] {
  const out = new Set<number>();
  const parts = text.split(',').map((part) => part.trim());
  if (text.trim() === '' || parts.some((part) => part === '')) throw new RangeError('empty entry in the list');
  for (const part of parts) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new RangeError(`"${part}" is not an index or a range like 12-14`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) throw new RangeError(`range "${part}" runs backwards`);
    if (last - first > 100_000) throw new RangeError(`range "${part}" is too large`);
    for (let index = first; index <= last; index++) out.add(index);
  }
  return [...out].sort((a, b) => a - b);
}

/** Formats indexes the way Kubernetes writes failedIndexes: "1,3-5,7". */
export function formatIndexList(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}
