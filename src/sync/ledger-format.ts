// A resync ledger's stored form: gzipped lines. A header (whose ledger, whether it covers the whole shard, when the
// bucket was last listed in full), one [name, etag, md5, size] line per object in UTF-8 order of the names, and a
// trailer with the count. Sorted, so a run reads it beside the two listings a line at a time, never whole.
import { LedgerError } from '../errors.ts';
import { compareUtf8 } from '../order.ts';
import { packIfKept, unpackKnown, type PackedKnown } from './known.ts';
import { gunzippedFileLines } from './ledger-file.ts';

export interface LedgerIdentity { container: string; shard: number; shardCount: number }

/** What a stored ledger promises beyond its entries. */
export interface LedgerPromise {
  /** Written by a run that went through the whole Swift listing (or carried such a ledger's entries forward): every
   *  object the shard had then that the copier wrote or proved has its entry. */
  complete: boolean;
  /** When a run last listed the bucket in full and settled the shard against it (ISO time), if ever. */
  listedAt?: string;
}

export interface LedgerEntry { name: string; known: PackedKnown }

const FORMAT = 'swift-to-s3 resync ledger';
const FORMAT_VERSION = 2;

export function headerLine(identity: LedgerIdentity, promise: LedgerPromise): string {
  return JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, ...identity, ...promise, written: new Date().toISOString() });
}

export function entryLine(name: string, packed: PackedKnown): string {
  const { etag, md5, size } = unpackKnown(packed);
  return JSON.stringify([name, etag, md5, size]);
}

export function trailerLine(entries: number): string {
  return JSON.stringify({ entries });
}

/** The header's promises, checked against what this container and shard expect. */
function parseHeader(line: string | undefined, identity: LedgerIdentity): LedgerPromise {
  let header: Record<string, unknown>;
  try { header = JSON.parse(line ?? '') as Record<string, unknown>; } catch { throw new LedgerError('no header line'); }
  if (header.format !== FORMAT) throw new LedgerError('no header line of a resync ledger');
  if (header.version !== FORMAT_VERSION) throw new LedgerError(`of format version ${String(header.version)}, this copier reads ${FORMAT_VERSION} (the next run writes it anew)`);
  if (header.container !== identity.container || header.shard !== identity.shard || header.shardCount !== identity.shardCount) {
    throw new LedgerError(`written for container ${String(header.container)}, shard ${String(header.shard)} of ${String(header.shardCount)}`);
  }
  if (typeof header.complete !== 'boolean') throw new LedgerError('no "complete" in the header');
  const listedAt = header.listedAt;
  if (listedAt !== undefined && (typeof listedAt !== 'string' || Number.isNaN(Date.parse(listedAt)))) throw new LedgerError('a "listedAt" that is not a time');
  return { complete: header.complete, ...(listedAt === undefined ? {} : { listedAt }) };
}

/** An entry line, or the trailer's count; anything else is a LedgerError. */
function parseLine(line: string): LedgerEntry | { entries: number } {
  let value: unknown;
  try { value = JSON.parse(line); } catch { throw new LedgerError('a line is not JSON'); }
  if (!Array.isArray(value)) {
    const entries = (value as { entries?: unknown } | null)?.entries;
    if (Number.isSafeInteger(entries) && (entries as number) >= 0) return { entries: entries as number };
    throw new LedgerError('a line is neither an entry nor the trailer');
  }
  const [name, etag, md5, size] = value as unknown[];
  const shaped = value.length === 4 && typeof name === 'string' && name !== '' && typeof etag === 'string' && typeof md5 === 'string'
    && Number.isSafeInteger(size) && (size as number) >= 0;
  const known = shaped ? packIfKept({ etag, md5, size: size as number }) : undefined;
  if (!shaped || known === undefined) throw new LedgerError('a line is not [name, ETag naming the object, MD5, size]');
  return { name, known };
}

/** The entries of a stored ledger file, in order, without the header and the trailer. */
async function* entriesAndTrailer(path: string): AsyncGenerator<LedgerEntry | { entries: number }> {
  const lines = gunzippedFileLines(path);
  await lines.next();
  for await (const line of lines) yield parseLine(line);
}

/** Reads a stored ledger file through once: exactly one of ours for this container and shard, its names in strict
 *  UTF-8 order, its trailer's count right and last. Anything else is refused whole (a LedgerError), before a run
 *  trusts a single entry of it. */
export async function checkStored(path: string, identity: LedgerIdentity): Promise<LedgerPromise & { entries: number }> {
  const lines = gunzippedFileLines(path);
  const first = await lines.next();
  const promise = parseHeader(first.done ? undefined : first.value, identity);
  let entries = 0;
  let previous: string | undefined;
  let trailer: number | undefined;
  for await (const line of lines) {
    if (trailer !== undefined) throw new LedgerError('lines after the trailer');
    const parsed = parseLine(line);
    if ('entries' in parsed) { trailer = parsed.entries; continue; }
    if (previous !== undefined && compareUtf8(previous, parsed.name) >= 0) throw new LedgerError(`"${parsed.name}" comes after "${previous}": not in UTF-8 order, or listed twice`);
    previous = parsed.name;
    entries++;
  }
  if (trailer === undefined) throw new LedgerError('no trailer (cut short)');
  if (trailer !== entries) throw new LedgerError(`the trailer counts ${trailer} entries, the ledger holds ${entries}`);
  return { ...promise, entries };
}

/** The entries of a ledger file checkStored accepted, in order. */
export async function* storedEntries(path: string): AsyncGenerator<LedgerEntry> {
  for await (const item of entriesAndTrailer(path)) if ('name' in item) yield item;
}
