// Index lists such as "1,3-5,7": how Kubernetes writes failedIndexes and how SHARD_INDEXES names shards.

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

/** Formats indexes as ranges, "1,3-5,7" (Kubernetes writes a pair of neighbours as "0,1"; both parse the same). */
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
