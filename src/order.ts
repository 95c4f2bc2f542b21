// The two orders servers list keys in: UTF-8 bytes (Swift, S3) and UTF-16 code units (NooBaa, JavaScript's own).
import { MinHeap } from './heap.ts';

/**
 * Compares two strings in UTF-8 byte order (the order Swift and S3 list in). JavaScript compares UTF-16 code
 * units, which differs only where a surrogate pair meets a character from U+E000 to U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Compares two strings in UTF-16 code-unit order, JavaScript's own (NooBaa lists in it). */
export function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const hasSurrogate = (name: string) => /[\ud800-\udfff]/.test(name);

/**
 * Puts a listing that a server gave in UTF-16 code-unit order (NooBaa, JavaScript's own sort) into UTF-8 byte
 * order; a listing already in UTF-8 order passes unchanged. The two orders agree on names without astral
 * characters, so only names with a surrogate pair are held back, each until a name without one passes it: no later
 * name can then sort before it (a later name is greater in UTF-16 order, and can be smaller in UTF-8 order only
 * where it has a U+E000–U+FFFF character facing an astral one, which a name without surrogates cannot face).
 * The held names wait in a heap, so a folder of n names with emoji costs O(n log n) comparisons, not O(n²); names
 * in a listing are unique, so it needs no tie-break. `compare` is compareUtf8 (a test counts its calls).
 */
export async function* inUtf8Order<T extends { name: string }>(items: AsyncIterable<T>, compare = compareUtf8): AsyncGenerator<T> {
  const held = new MinHeap<T>((a, b) => compare(a.name, b.name));
  for await (const item of items) {
    if (hasSurrogate(item.name)) {
      held.push(item);
      continue;
    }
    while (held.size > 0 && compare(held.peek()!.name, item.name) < 0) yield held.pop()!;
    yield item;
  }
  while (held.size > 0) yield held.pop()!;
}
