// Takeover of an object another tool (rclone, say) already wrote: proven equal by hashing the destination's bytes,
// then given the headers a copy of ours would carry by a metadata-only server-side copy, so the object's bytes are
// not read from Swift again (the VM's Swift is the one resource to spare; the bucket is next to the pod).
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import { LARGEST_COPY, type DestHead, type S3Target } from '../s3/target.ts';
import { MD5_HEX, unquoteEtag } from '../md5.ts';
import { META_LARGE_OBJECT, META_MD5, planHeaders, type PlannedHeaders } from './metadata.ts';
import type { Known } from './known.ts';
import { statusOf } from '../retry.ts';

/** An object of the source's size whose MD5 nothing tells (no md5chksum, an ETag that is not a plain MD5): only its
 *  bytes can prove it. Large objects are left out: their ETags and our markers settle them. */
export function needsByteProof(entry: SourceEntry, head: DestHead): boolean {
  return entry.md5 !== undefined && !entry.largeObject && head.size === entry.bytes && head.size <= LARGEST_COPY
    && head.metadata[META_MD5] === undefined && head.metadata[META_LARGE_OBJECT] === undefined && !MD5_HEX.test(head.etag);
}

/** `written`: the version the metadata copy made, with the MD5 and size hashed from the version it copied. */
export type Adoption = { kind: 'adopted'; planned: PlannedHeaders; written: Known } | { kind: 'differs' } | { kind: 'gone' };

/** Hashes the destination object; when it is the source's MD5, rewrites its headers as a copy would have. */
export async function adoptIfEqual(source: SwiftSource, target: S3Target, entry: SourceEntry, key: string): Promise<Adoption> {
  const stored = await target.md5Of(key);
  if (stored.size !== entry.bytes || stored.md5 !== entry.md5) return { kind: 'differs' };
  const swiftHeaders = await source.head(entry.container, entry.name);
  if (!swiftHeaders) return { kind: 'gone' };
  // Changed since the listing, or a DLO manifest (which lists as an empty object): copy it as usual.
  if (unquoteEtag(swiftHeaders.etag) !== entry.md5 || swiftHeaders['x-object-manifest'] !== undefined || Number(swiftHeaders['content-length']) !== entry.bytes) return { kind: 'differs' };
  const planned = planHeaders(swiftHeaders, { container: entry.container, md5: stored.md5, etag: entry.etag }, target.droppedHeaders());
  let etag: string;
  try {
    // Only the version hashed gets the md5chksum: one written meanwhile (412) is not proven, so it is copied.
    etag = await target.replaceMetadata(key, planned.headers, stored.etag || undefined);
  } catch (error) {
    if (statusOf(error) === 412) return { kind: 'differs' };
    throw error;
  }
  return { kind: 'adopted', planned, written: { etag, md5: stored.md5, size: stored.size } };
}
