// What the copier knows of one version of a destination object, and the compact form a ledger holds a million of.

/** One version of a destination object: its ETag, and the MD5 and size of its content. */
export interface Known { etag: string; md5: string; size: number }

/** A Known as one flat string of one-byte characters: the MD5's 16 bytes as Latin-1, then "size-mtime-ino" (the
 *  version ETag without its fixed words). Equal Knowns pack to equal strings. Measured on a million CUBE-like
 *  names: a ledger holds 165 bytes of heap per entry, against 255 with an object and three strings per entry. */
export type PackedKnown = string & { readonly packedKnown: unique symbol };

const VERSION_PARTS = /^mtime-([0-9a-z]+)-ino-([0-9a-z]+)$/;
const MD5_BYTES = 16;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Packs a Known whose ETag is a version ETag and whose MD5 is hex (the only ones a ledger keeps). */
export function packKnown({ etag, md5, size }: Known): PackedKnown {
  const [, mtime, ino] = VERSION_PARTS.exec(etag) ?? [];
  if (mtime === undefined || ino === undefined) throw new Error(`not a version ETag: ${etag}`);
  const tail = `${size}-${mtime}-${ino}`;
  const codes = new Array<number>(MD5_BYTES + tail.length);
  for (let i = 0; i < MD5_BYTES; i++) codes[i] = Number.parseInt(md5.slice(2 * i, 2 * i + 2), 16);
  for (let i = 0; i < tail.length; i++) codes[MD5_BYTES + i] = tail.charCodeAt(i);
  // One call, so one flat string: a concatenation would be a tree of strings, several objects to hold.
  return String.fromCharCode(...codes) as PackedKnown;
}

export function unpackKnown(packed: PackedKnown): Known {
  let md5 = '';
  for (let i = 0; i < MD5_BYTES; i++) md5 += HEX[packed.charCodeAt(i)]!;
  const [size, mtime, ino] = packed.slice(MD5_BYTES).split('-');
  return { etag: `mtime-${mtime}-ino-${ino}`, md5, size: Number(size) };
}
