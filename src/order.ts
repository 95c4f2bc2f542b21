// The two orders servers list keys in: UTF-8 bytes (Swift, S3) and UTF-16 code units (NooBaa, JavaScript's own).

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
