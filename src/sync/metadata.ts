// Which headers a copied object carries: Swift's content headers and X-Object-Meta-*, plus rclone's mtime and
// md5chksum, within the 2 KiB of user metadata that S3 (and NooBaa) accept.
import type { ObjectHeaders } from '../s3/target.ts';
import type { DroppableHeader } from '../s3/profile.ts';
import { md5Base64 } from '../md5.ts';

/** The metadata names the copier writes (as x-amz-meta-*) and decide.ts reads back. md5chksum and mtime are rclone's. */
export const META_MD5 = 'md5chksum';
export const META_MTIME = 'mtime';
export const META_SWIFT_ETAG = 'swift-etag';
export const META_LARGE_OBJECT = 'swift-large-object';

/** S3's limit on user metadata, in UTF-8 bytes (2 KiB), counted as NooBaa does (see itemSize). */
export const USER_METADATA_LIMIT = 2048;

/** Swift's X-Delete-At (seconds since the epoch), kept so the expiry S3 cannot enforce is still known. */
export const META_DELETE_AT = 'swift-delete-at';

/** Where a header the target does not keep (or Expires that is not a date) is kept: x-amz-meta-swift-<header>. */
export const KEPT_HEADERS: Record<DroppableHeader, { swift: string; meta: string }> = {
  ContentDisposition: { swift: 'Content-Disposition', meta: 'swift-content-disposition' },
  CacheControl: { swift: 'Cache-Control', meta: 'swift-cache-control' },
  ContentLanguage: { swift: 'Content-Language', meta: 'swift-content-language' },
  Expires: { swift: 'Expires', meta: 'swift-expires' },
};

/** The Swift container an object was copied from (x-amz-meta-swift-container): DELETE_EXTRANEOUS deletes only
 *  objects that carry the name of a container the run copies, so a bucket shared with another release or tool keeps
 *  what they wrote. */
export const META_CONTAINER = 'swift-container';

/** The copier wrote this object for `container`: the one test of "ours to delete, or to hold against a proof". */
export function writtenFor(metadata: Record<string, string>, container: string): boolean {
  return metadata[META_CONTAINER] === container;
}

export interface CopyIdentity {
  container?: string;
  md5?: string;
  etag: string;
  largeObject?: 'slo' | 'dlo';
}

export interface PlannedHeaders {
  headers: ObjectHeaders;
  /** Swift metadata names that did not fit in S3's 2 KiB and were left out. */
  dropped: string[];
  /** Swift metadata names that are the copier's own (x-amz-meta-swift-container, md5chksum …) and were left out. */
  clashed: string[];
  /** This object's headers that the target does not keep, kept in x-amz-meta-swift-* instead. */
  keptAsMetadata: DroppableHeader[];
  /** Swift's X-Delete-At: S3 has no per-object expiry, so the copy does not expire. */
  deleteAt?: number;
}

/** Header values must be Latin-1 without controls; others travel RFC 2047-encoded, as S3 itself returns them. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** NooBaa's measured cost of one item, 15 bytes + name + value: it returns metadata (in name order) only while the
 *  sum stays within 2,048, so past that our md5chksum could vanish. Stricter than AWS (name + value). */
function itemSize(name: string, value: string): number {
  return 15 + Buffer.byteLength(name) + Buffer.byteLength(value);
}

function metaSize(metadata: Record<string, string>): number {
  let total = 0;
  for (const [name, value] of Object.entries(metadata)) total += itemSize(name, value);
  return total;
}

/** RFC 9110's IMF-fixdate: the form an S3 Expires header keeps as written. Other values ("0", "-1") go to metadata. */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const SECONDS = /^\d+(\.\d+)?$/;

/** The object's modification time as rclone reads it, seconds since the epoch: X-Object-Meta-Mtime, which rclone
 *  writes into Swift (the file's own time), else Swift's X-Timestamp ("1700000000.12345", the upload), else
 *  Last-Modified. */
function mtimeOf(swiftHeaders: Record<string, string>): string | undefined {
  const own = swiftHeaders[`x-object-meta-${META_MTIME}`];
  if (own && SECONDS.test(own)) return own;
  const timestamp = swiftHeaders['x-timestamp'];
  if (timestamp && SECONDS.test(timestamp)) return timestamp;
  const modified = Date.parse(swiftHeaders['last-modified'] ?? '');
  return Number.isNaN(modified) ? undefined : String(modified / 1000);
}

/** The one note of a run whose target drops headers: which ones, and where their values are. */
export function keptHeadersNote(droppedByTarget: readonly DroppableHeader[]): string {
  const names = droppedByTarget.map((header) => KEPT_HEADERS[header].swift).join(', ');
  const metas = droppedByTarget.map((header) => `x-amz-meta-${KEPT_HEADERS[header].meta}`).join(', ');
  return `this S3 server does not keep ${names}: objects that have them carry their values in ${metas}`;
}

/** The headers of one copy. Swift's values are text already (decoded by the source); `droppedByTarget` are the
 *  headers the target does not keep, sent anyway and also kept in user metadata. */
export function planHeaders(swiftHeaders: Record<string, string>, identity: CopyIdentity, droppedByTarget: readonly DroppableHeader[] = []): PlannedHeaders {
  const own: Record<string, string> = {};
  const mtime = mtimeOf(swiftHeaders);
  if (mtime) own[META_MTIME] = mtime;
  if (identity.container) own[META_CONTAINER] = identity.container;
  if (identity.md5) own[META_MD5] = md5Base64(identity.md5);
  if (identity.largeObject) {
    own[META_SWIFT_ETAG] = identity.etag;
    own[META_LARGE_OBJECT] = identity.largeObject;
  }
  const headers: ObjectHeaders = {};
  const contentType = swiftHeaders['content-type'];
  if (contentType) headers.ContentType = headerSafe(contentType);
  if (swiftHeaders['content-encoding']) headers.ContentEncoding = headerSafe(swiftHeaders['content-encoding']);
  if (swiftHeaders['content-disposition']) headers.ContentDisposition = headerSafe(swiftHeaders['content-disposition']);
  if (swiftHeaders['cache-control']) headers.CacheControl = headerSafe(swiftHeaders['cache-control']);
  if (swiftHeaders['content-language']) headers.ContentLanguage = headerSafe(swiftHeaders['content-language']);

  // Ours beyond `own`, before the user's and within the budget: the expiry, then headers S3 will not hold.
  const extra: [string, string][] = [];
  const deleteAt = /^\d+$/.test(swiftHeaders['x-delete-at'] ?? '') ? Number(swiftHeaders['x-delete-at']) : undefined;
  if (deleteAt !== undefined) extra.push([META_DELETE_AT, String(deleteAt)]);
  const expires = swiftHeaders.expires;
  const expiresAt = expires && HTTP_DATE.test(expires) ? Date.parse(expires) : NaN;
  if (!Number.isNaN(expiresAt)) headers.Expires = new Date(expiresAt);
  else if (expires) extra.push([KEPT_HEADERS.Expires.meta, headerSafe(expires)]);
  const keptAsMetadata: DroppableHeader[] = [];
  for (const header of droppedByTarget) {
    const value = swiftHeaders[KEPT_HEADERS[header].swift.toLowerCase()];
    if (!value || (header === 'Expires' && !headers.Expires)) continue;
    keptAsMetadata.push(header);
    extra.push([KEPT_HEADERS[header].meta, headerSafe(value)]);
  }

  const metadata = { ...own };
  const dropped: string[] = [];
  const fit = (name: string, value: string) => {
    if (metaSize(metadata) + itemSize(name, value) > USER_METADATA_LIMIT) dropped.push(name);
    else metadata[name] = value;
  };
  for (const [name, value] of extra) fit(name, value);
  const ours = new Set([...Object.keys(own), ...extra.map(([name]) => name)]);
  const userItems = Object.entries(swiftHeaders)
    .filter(([name]) => name.startsWith('x-object-meta-'))
    .map(([name, value]) => [name.slice('x-object-meta-'.length), headerSafe(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const clashed: string[] = [];
  for (const [name, value] of userItems) {
    // rclone's own mtime is carried as the object's mtime: not a clash.
    if (name === META_MTIME && own[META_MTIME] === value) continue;
    if (ours.has(name)) clashed.push(name);
    else fit(name, value);
  }
  headers.Metadata = metadata;
  return { headers, dropped, clashed, keptAsMetadata, ...(deleteAt !== undefined ? { deleteAt } : {}) };
}
