// Which headers a copied object carries: Swift's content headers and X-Object-Meta-*, plus rclone's mtime and
// md5chksum, within the 2 KiB of user metadata that S3 (and NooBaa) accept.
import type { ObjectHeaders } from '../s3/target.ts';
import { META_LARGE_OBJECT, META_MD5, META_MTIME, META_SWIFT_ETAG } from './decide.ts';
import { md5Base64 } from '../md5.ts';

/** S3's limit on user metadata: names and values of x-amz-meta-* together, in UTF-8 bytes (2 KiB). */
export const USER_METADATA_LIMIT = 2048;

export interface CopyIdentity {
  md5?: string;
  etag: string;
  largeObject?: 'slo' | 'dlo';
}

export interface PlannedHeaders {
  headers: ObjectHeaders;
  /** Swift metadata names that did not fit and were left out. */
  dropped: string[];
}

/** Header values must be Latin-1 without controls; others travel RFC 2047-encoded, as S3 itself returns them. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** Counted with the "x-amz-meta-" prefix: stricter than AWS, and safely inside NooBaa's measured ~2 KiB. */
function itemSize(name: string, value: string): number {
  return Buffer.byteLength(`x-amz-meta-${name}`) + Buffer.byteLength(value);
}

function metaSize(metadata: Record<string, string>): number {
  let total = 0;
  for (const [name, value] of Object.entries(metadata)) total += itemSize(name, value);
  return total;
}

/** Swift's X-Timestamp ("1700000000.12345") or Last-Modified → seconds since the epoch, rclone's format. */
function mtimeOf(swiftHeaders: Record<string, string>): string | undefined {
  const timestamp = swiftHeaders['x-timestamp'];
  if (timestamp && /^\d+(\.\d+)?$/.test(timestamp)) return timestamp;
  const modified = Date.parse(swiftHeaders['last-modified'] ?? '');
  return Number.isNaN(modified) ? undefined : String(modified / 1000);
}

export function planHeaders(swiftHeaders: Record<string, string>, identity: CopyIdentity): PlannedHeaders {
  const own: Record<string, string> = {};
  const mtime = mtimeOf(swiftHeaders);
  if (mtime) own[META_MTIME] = mtime;
  if (identity.md5) own[META_MD5] = md5Base64(identity.md5);
  if (identity.largeObject) {
    own[META_SWIFT_ETAG] = identity.etag;
    own[META_LARGE_OBJECT] = identity.largeObject;
  }
  const metadata = { ...own };
  const dropped: string[] = [];
  const userItems = Object.entries(swiftHeaders)
    .filter(([name]) => name.startsWith('x-object-meta-'))
    .map(([name, value]) => [name.slice('x-object-meta-'.length), headerSafe(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of userItems) {
    if (name in own || metaSize(metadata) + itemSize(name, value) > USER_METADATA_LIMIT) {
      dropped.push(name);
      continue;
    }
    metadata[name] = value;
  }
  const headers: ObjectHeaders = { Metadata: metadata };
  const contentType = swiftHeaders['content-type'];
  if (contentType) headers.ContentType = headerSafe(contentType);
  if (swiftHeaders['content-encoding']) headers.ContentEncoding = headerSafe(swiftHeaders['content-encoding']);
  if (swiftHeaders['content-disposition']) headers.ContentDisposition = headerSafe(swiftHeaders['content-disposition']);
  if (swiftHeaders['cache-control']) headers.CacheControl = headerSafe(swiftHeaders['cache-control']);
  return { headers, dropped };
}
