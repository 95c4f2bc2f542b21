// Is the destination object already the source object? The one place that answers "why was this copied again?".
import type { Compare } from '../config.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import type { DestEntry, DestHead, S3Target } from '../s3/target.ts';
import { MD5_HEX, md5FromBase64, unquoteEtag } from '../md5.ts';
import { isLedgerKnown, type Known } from './known.ts';
import { META_LARGE_OBJECT, META_MD5, META_SWIFT_ETAG } from './metadata.ts';

const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

export type ListingVerdict = 'equal' | 'differ' | 'needs-head';

/** A DLO manifest (and a Swift symlink) lists as an empty object: only a HEAD of the source tells what it is. */
export function listsAsEmpty(source: SourceEntry): boolean {
  return source.bytes === 0 && source.md5 === EMPTY_MD5;
}

/** Decides from the two listings alone where that is possible; otherwise asks for one HEAD of the destination. */
export function compareListed(source: SourceEntry, destination: DestEntry, mode: Compare): ListingVerdict {
  // Never settled from the listings, whatever the sizes: an empty DLO copied earlier may have segments now.
  if (listsAsEmpty(source)) return 'needs-head';
  if (source.bytes !== destination.size) return 'differ';
  if (mode === 'size') return 'equal';
  // Equal MD5s settle it. Different ones at the same size are asked once more: the listed "MD5" may be an SLO
  // manifest's own (an old Swift lists SLOs without slo_etag), and our copy of that SLO says so in its metadata.
  if (source.md5 && MD5_HEX.test(destination.etag) && destination.etag === source.md5) return 'equal';
  return 'needs-head';
}


/** A plain object, listed with its content's MD5: never an empty listing (a DLO, a symlink) or a large object. */
function listedWithMd5(source: SourceEntry): source is SourceEntry & { md5: string } {
  return source.md5 !== undefined && MD5_HEX.test(source.md5) && !source.largeObject && !listsAsEmpty(source);
}

/** Settled without a HEAD (the resync ledger): the listed ETag names the object the copier wrote or proved (its
 *  version, or its content), whose content had this MD5 and size, and Swift lists that MD5 and size now. Anything
 *  else goes the usual way. */
export function compareKnown(source: SourceEntry, destination: DestEntry, known: Known | undefined): boolean {
  if (!known || !listedWithMd5(source) || !isLedgerKnown(known)) return false;
  return destination.etag === known.etag && destination.size === known.size && source.bytes === known.size && source.md5 === known.md5;
}

/** What a HEAD that settled a plain object proves for the ledger: this version holds the source's MD5 by the
 *  md5chksum the copier stores, the very proof the HEAD path accepts (never a size alone). */
export function knownFromHead(source: SourceEntry, head: DestHead): Known | undefined {
  if (!listedWithMd5(source) || head.size !== source.bytes || head.metadata[META_LARGE_OBJECT] !== undefined) return undefined;
  const known = { etag: head.etag, md5: source.md5, size: head.size };
  return md5FromBase64(head.metadata[META_MD5]) === source.md5 && isLedgerKnown(known) ? known : undefined;
}

/** What the listings settled (the listed ETag is Swift's MD5) proves for the ledger: that content, at that size. */
export function knownFromListing(source: SourceEntry, destination: DestEntry): Known | undefined {
  if (!listedWithMd5(source) || destination.etag !== source.md5 || destination.size !== source.bytes) return undefined;
  return { etag: destination.etag, md5: source.md5, size: destination.size };
}

/** Decides with the destination's HEAD: the MD5 the copier stored, or the large object's ETag. */
export function compareHead(source: SourceEntry, head: DestHead, mode: Compare, sourceLargeEtag?: string): boolean {
  if (head.metadata[META_LARGE_OBJECT] === 'dlo') {
    return sourceLargeEtag !== undefined && head.metadata[META_SWIFT_ETAG] === sourceLargeEtag;
  }
  if (source.bytes !== head.size) return false;
  if (mode === 'size') return true;
  if (source.largeObject) return source.etag !== '' && head.metadata[META_SWIFT_ETAG] === source.etag;
  return source.md5 !== undefined && holdsMd5(head, source.md5);
}

/** What a HEAD tells of the stored bytes' MD5: a plain-MD5 ETag is the server's own hash of them and outranks any
 *  metadata; otherwise the md5chksum the copier stored. */
function holdsMd5(head: DestHead, md5: string): boolean {
  if (MD5_HEX.test(head.etag)) return head.etag === md5;
  return md5FromBase64(head.metadata[META_MD5]) === md5;
}

/** The destination holds the content a symlink points at: same size and the target's MD5 (or, for a large object as
 *  target, its Swift ETag as the copy recorded it). An SLO's ETag is MD5-shaped but not its content's MD5. */
function holdsSymlinkTarget(sourceHeaders: Record<string, string>, head: DestHead): boolean {
  const etag = unquoteEtag(sourceHeaders.etag);
  if (head.size !== Number(sourceHeaders['content-length']) || !etag) return false;
  const slo = sourceHeaders['x-static-large-object']?.toLowerCase() === 'true';
  if (slo || !MD5_HEX.test(etag)) return head.metadata[META_SWIFT_ETAG] === etag;
  return holdsMd5(head, etag);
}

/** An object that lists as empty, settled by the source's HEAD: a plain empty object is in place when the destination
 *  is one too; a DLO when the destination holds its assembled content of the same ETag (our marker says so). */
export function compareEmptyListed(sourceHeaders: Record<string, string>, head: DestHead): boolean {
  // A symlink (Swift follows it and names the target in Content-Location): a copy holds the target's content.
  if (sourceHeaders['content-location'] !== undefined && sourceHeaders['x-object-manifest'] === undefined) return holdsSymlinkTarget(sourceHeaders, head);
  if (sourceHeaders['x-object-manifest'] === undefined) return head.size === 0 && head.metadata[META_LARGE_OBJECT] === undefined;
  return head.metadata[META_LARGE_OBJECT] === 'dlo' && head.size === Number(sourceHeaders['content-length'])
    && sourceHeaders.etag !== undefined && head.metadata[META_SWIFT_ETAG] === unquoteEtag(sourceHeaders.etag);
}

/** A DLO's current ETag, when the source still is a DLO of the copied size: that is what the copy stored. */
export function dloEtagOf(headers: Record<string, string> | undefined, copiedSize: number): string | undefined {
  if (!headers?.['x-object-manifest'] || Number(headers['content-length']) !== copiedSize) return undefined;
  return headers.etag === undefined ? undefined : unquoteEtag(headers.etag);
}

/** The verdict "needs-head" settled: one HEAD of the destination and, where the listing cannot tell what the source
 *  is (an empty listing, a DLO, an SLO an old Swift listed), at most one of the source. */
export async function isInPlace(source: SwiftSource, target: S3Target, entry: SourceEntry, key: string, mode: Compare, knownHead?: DestHead): Promise<boolean> {
  const head = knownHead ?? await target.head(key);
  if (!head) return false;
  let asked: Promise<Record<string, string> | undefined> | undefined;
  const sourceHead = () => (asked ??= source.head(entry.container, entry.name));
  if (listsAsEmpty(entry)) {
    const sourceHeaders = await sourceHead();
    return sourceHeaders !== undefined && compareEmptyListed(sourceHeaders, head);
  }
  // Listed as a plain object, copied as an SLO: an old Swift's listing with the manifest's MD5 as "hash".
  const sloInDisguise = !entry.largeObject && head.metadata[META_LARGE_OBJECT] === 'slo' && mode === 'checksum' && head.size === entry.bytes;
  if (sloInDisguise) {
    const headers = await sourceHead();
    return headers?.['x-static-large-object']?.toLowerCase() === 'true' && headers.etag !== undefined && head.metadata[META_SWIFT_ETAG] === unquoteEtag(headers.etag);
  }
  const dloEtag = head.metadata[META_LARGE_OBJECT] === 'dlo' ? dloEtagOf(await sourceHead(), head.size) : undefined;
  // An SLO listed without its ETag (an old Swift's listing): the source's HEAD tells it, as the copy stored it.
  const unlisted = entry.largeObject === 'slo' && entry.etag === '' && mode === 'checksum' && head.size === entry.bytes;
  const currentEtag = unlisted ? (await sourceHead())?.etag : undefined;
  return compareHead(unlisted ? { ...entry, etag: currentEtag === undefined ? '' : unquoteEtag(currentEtag) } : entry, head, mode, dloEtag);
}
