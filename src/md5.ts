// MD5 in the three spellings the two sides use: hex (Swift ETags), base64 (Content-MD5, rclone's md5chksum).
import { createHash } from 'node:crypto';

export const MD5_HEX = /^[0-9a-f]{32}$/;
/** NooBaa NSFS's ETag: the mtime (in ns) and inode of the file that holds the object, new on every write of the key
 *  (measured: even of the same bytes, by a metadata copy to itself, by a multipart upload). */
export const VERSION_ETAG = /^mtime-[0-9a-z]+-ino-[0-9a-z]+$/;
/** A multipart object's ETag where ETags are MD5s: the MD5 of its parts' binary MD5s, "-", the part count. */
export const MULTIPART_ETAG = /^[0-9a-f]{32}-[1-9][0-9]{0,4}$/;

export function md5Base64(md5Hex: string): string {
  return Buffer.from(md5Hex, 'hex').toString('base64');
}

export function md5FromBase64(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const buffer = Buffer.from(value, 'base64');
  return buffer.length === 16 ? buffer.toString('hex') : undefined;
}

/** An ETag as both sides write it, without its quotes (the quotes are HTTP's, not the hash's). */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/** Reads a body to its end: the MD5 (hex) and the length of its bytes. */
export async function md5OfStream(stream: AsyncIterable<Uint8Array>): Promise<{ md5: string; size: number }> {
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { md5: hash.digest('hex'), size };
}
