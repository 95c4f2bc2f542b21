// An independent check of source against destination: every key present, same size, same MD5.
import type { Config } from '../config.ts';
import { messageOf } from '../errors.ts';
import type { Log } from '../log.ts';
import type { SourceEntry, SwiftSource } from '../swift/source.ts';
import type { DestEntry, DestHead, S3Target } from '../s3/target.ts';
import { compareListed, isInPlace, listsAsEmpty } from '../sync/decide.ts';
import { MD5_HEX, md5OfStream } from '../md5.ts';
import { march } from '../sync/march.ts';
import { destinationPrefix } from '../sync/layout.ts';
import { inShard } from '../sync/shard.ts';
import { findSegmentReferences } from '../sync/segments.ts';
import { META_CONTAINER, writtenFor } from '../sync/metadata.ts';
import { isOwnState } from '../sync/own-state.ts';
import { relistName, type RelistNote } from '../sync/ledger.ts';

export interface VerifyReport {
  shard: number | 'all';
  shardCount: number;
  checked: number;
  matched: number;
  missing: number;
  different: number;
  extraneous: number;
  /** Keys under a container's prefix that swift-to-s3 did not write for it (another release's, another tool's). */
  foreign: number;
  /** Objects that are segments of a large object in another verified container: checked inside it. */
  segments: number;
  /** "Missing" keys the listing skipped but a HEAD found (some servers' paged listings skip keys). */
  foundByHead: number;
  headRequests: number;
  downloaded: number;
  /** How each matched object was proven: by a plain-MD5 ETag (the server's hash of what it stores), by hashing the
   *  stored bytes, by the metadata the copier wrote (md5chksum, or a large object's Swift ETag), or by --download. */
  proven: { etag: number; bytes: number; metadata: number; download: number };
  ok: boolean;
  differences: { key: string; problem: string }[];
}

const MAX_LISTED_DIFFERENCES = 50;

export interface VerifyOptions {
  config: Config;
  source: SwiftSource;
  target: S3Target;
  log: Log;
  all: boolean;
  download: boolean;
  /** Accept the md5chksum the copier wrote instead of hashing the stored bytes where the ETag is not an MD5. */
  trustMetadata: boolean;
}

/** A plain object whose destination ETag is not an MD5: only its bytes prove it (large objects and empty listings
 *  have no source MD5 to hash against, so their markers are checked instead). */
function byBytesOnly(entry: SourceEntry, head: DestHead): boolean {
  return entry.md5 !== undefined && !entry.largeObject && !listsAsEmpty(entry) && !MD5_HEX.test(head.etag);
}

export async function verify({ config, source, target, log, all, download, trustMetadata }: VerifyOptions): Promise<VerifyReport> {
  const report: VerifyReport = {
    shard: all ? 'all' : config.shard.index, shardCount: config.shard.count, checked: 0, matched: 0, missing: 0, different: 0,
    extraneous: 0, foreign: 0, segments: 0, foundByHead: 0, headRequests: 0, downloaded: 0, proven: { etag: 0, bytes: 0, metadata: 0, download: 0 }, ok: false, differences: [],
  };
  // A proof compares checksums: equal sizes prove nothing.
  if (config.compare === 'size') log.warn('verify always compares checksums: COMPARE=size is ignored here');
  const problem = (key: string, text: string) => {
    if (report.differences.length >= MAX_LISTED_DIFFERENCES) return;
    report.differences.push({ key, problem: text });
    log.warn({ key, problem: text }, 'verify: difference');
  };
  const head = async (key: string): Promise<DestHead | undefined> => {
    report.headRequests++;
    return target.head(key);
  };

  async function compareBytes(entry: SourceEntry, key: string): Promise<string | undefined> {
    report.downloaded++;
    const sourceObject = await source.get(entry.container, entry.name);
    const sourceSide = await md5OfStream(sourceObject.body);
    const destSide = await target.md5Of(key);
    if (sourceSide.size !== destSide.size) return `size ${destSide.size}, source ${sourceSide.size} (downloaded)`;
    if (sourceSide.md5 !== destSide.md5) return `MD5 ${destSide.md5}, source ${sourceSide.md5} (downloaded)`;
    return undefined;
  }

  /** A key Swift does not have: a stale copy when the copier wrote it for this container; another release's or
   *  tool's object otherwise, reported but not held against the proof (DELETE_EXTRANEOUS keeps those too). */
  async function checkExtraneous(key: string, container: string): Promise<void> {
    const found = await head(key);
    if (!found) return;
    if (writtenFor(found.metadata, container)) {
      report.extraneous++;
      problem(key, 'extraneous: not in Swift');
    } else {
      report.foreign++;
      log.info({ key, writtenFor: found.metadata[META_CONTAINER] ?? null }, 'verify: a key not written for this container (kept, not counted against the proof)');
    }
  }

  async function check(entry: SourceEntry, destination: DestEntry | undefined, key: string): Promise<void> {
    report.checked++;
    let found: DestEntry | DestHead | undefined = destination;
    let headAnswer: DestHead | undefined;
    if (!destination) {
      headAnswer = await head(key);
      if (!headAnswer) { report.missing++; problem(key, 'missing at the destination'); return; }
      report.foundByHead++;
      found = headAnswer;
    }
    if (download) {
      const difference = await compareBytes(entry, key);
      if (difference) { report.different++; problem(key, difference); } else { report.matched++; report.proven.download++; }
      return;
    }
    const listed = destination ? compareListed(entry, destination, 'checksum') : 'needs-head';
    let equal = listed === 'equal';
    let proof: keyof VerifyReport['proven'] = 'etag';
    if (listed === 'needs-head') {
      if (!headAnswer) { report.headRequests++; headAnswer = await target.head(key); }
      if (!headAnswer) { report.missing++; problem(key, 'missing at the destination (gone since the listing)'); return; }
      found = headAnswer;
      if (!trustMetadata && byBytesOnly(entry, headAnswer)) {
        // The ETag is not the stored bytes' MD5 (NooBaa, multipart): hash what is stored, never trust our own note.
        report.downloaded++;
        const stored = await target.md5Of(key);
        equal = stored.size === entry.bytes && stored.md5 === entry.md5;
        proof = 'bytes';
      } else {
        equal = await isInPlace(source, target, entry, key, 'checksum', headAnswer);
        proof = MD5_HEX.test(headAnswer.etag) && !entry.largeObject && !listsAsEmpty(entry) ? 'etag' : 'metadata';
      }
    }
    if (equal) { report.matched++; report.proven[proof]++; return; }
    report.different++;
    const size = 'size' in found! ? found.size : 0;
    problem(key, size !== entry.bytes ? `size ${size}, source ${entry.bytes}` : `content differs from the source (MD5 ${entry.md5 ?? entry.etag})`);
  }

  const segments = await findSegmentReferences(source, config.swift.containers);
  for (const container of config.swift.containers) {
    const prefix = destinationPrefix(config, container);
    const sources = all ? source.list(container) : inShard(source.list(container), container, config);
    const destinations = all ? target.list(prefix) : inShard(target.list(prefix), container, config);
    for await (const step of march<SourceEntry, DestEntry>(sources, destinations)) {
      try {
        if (step.kind !== 'destination-only' && segments.has(container, step.source.name)) {
          report.segments++;
        } else if (step.kind === 'destination-only') {
          // The copier's resync ledger is not an object of the container.
          if (!isOwnState(step.destination.name)) await checkExtraneous(prefix + step.destination.name, container);
        } else {
          await check(step.source, step.kind === 'both' ? step.destination : undefined, prefix + step.source.name);
        }
      } catch (error) {
        report.different++;
        problem(step.kind === 'destination-only' ? step.destination.name : prefix + step.source.name, `could not check: ${messageOf(error)}`);
      }
    }
  }
  report.ok = report.missing === 0 && report.different === 0 && report.extraneous === 0;
  return report;
}

/**
 * After a verify that found differences, on a bucket where a resync ledger may stand in for the bucket's listing
 * (TRUST_LEDGER_HOURS): a note beside each container's ledgers (relistName) that makes the next copy list the bucket,
 * and so repair what was found. A note not written says how to repair by hand.
 */
export async function askForRelisting(config: Config, target: Pick<S3Target, 'write'>, log: Log): Promise<void> {
  const note: RelistNote = { verifyFailedAt: new Date().toISOString() };
  for (const container of config.swift.containers) {
    const key = destinationPrefix(config, container) + relistName(container);
    try {
      await target.write(key, Buffer.from(JSON.stringify(note)), { ContentType: 'application/json' });
      log.info({ key }, 'the next copy of this container lists the bucket in full (it does not trust its resync ledger), and so repairs what verify found');
    } catch (error) {
      log.warn({ key, err: messageOf(error) }, `the note for the next copy was not written: run the copy with TRUST_LEDGER_HOURS=0 (chart: copier.trustLedgerHours=0) to repair this, or it may not see what changed in the bucket for up to ${config.trustLedgerHours} hours`);
    }
  }
}
