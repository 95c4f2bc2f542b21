// The copy of one object: streamed from Swift to S3, never buffered whole, MD5-checked before it is committed.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { IntegrityError, KeyRuleError, SourceGoneError, UploadGoneError, messageOf } from '../errors.ts';
import { causeOf, statusOf, withRetry, type OutageGate, type RetryPolicy } from '../retry.ts';
import type { KeyRules } from '../s3/keyrules.ts';
import type { Log } from '../log.ts';
import type { Stats } from '../report/stats.ts';
import type { SourceEntry, SourceObject, SwiftSource } from '../swift/source.ts';
import { LARGEST_COPY, type DestHead, type ObjectHeaders, type S3Target, type UploadedPart } from '../s3/target.ts';
import { MD5_HEX, MULTIPART_ETAG, md5Base64 } from '../md5.ts';
import type { Throttle } from './bandwidth.ts';
import type { PartBuffers } from './buffers.ts';
import type { Known } from './known.ts';
import { META_DELETE_AT, META_MD5, keptHeadersNote, planHeaders, type PlannedHeaders } from './metadata.ts';

const MAX_PARTS = 10_000;
const MiB = 1024 * 1024;

export interface TransferContext {
  source: SwiftSource;
  target: S3Target;
  stats: Stats;
  log: Log;
  retry: RetryPolicy;
  /** Both sides' outage watches: a copy that failed in an outage waits for it to end and keeps its retries. */
  outage?: OutageGate;
  keyRules: KeyRules;
  multipartThreshold: number;
  partSize: number;
  partConcurrency: number;
  bandwidth: Throttle;
  buffers: PartBuffers;
  /** Multipart uploads in progress, so a shutdown can abort them. */
  openUploads: Map<string, { key: string; uploadId: string }>;
}

/** `written`: the version a plain object's write created (its ETag) with the MD5 and size of the bytes sent. */
export type CopyOutcome = { kind: 'copied'; bytes: number; written?: Known } | { kind: 'gone'; reason: string };

/** What a write answered: the ETag of the stored object and the MD5 of the bytes sent. */
interface Written { etag: string; md5: string }

/** Counts, hashes (unless told the server's ETag will prove the bytes) and throttles the bytes, and holds back the
 *  last chunk until length and MD5 are proven, so an S3 server that does not check Content-MD5 never receives a
 *  complete body that is wrong. */
class VerifiedBody extends Transform {
  readonly #hash: Hash | undefined;
  readonly #expectedLength: number;
  readonly #expectedMd5: string | undefined;
  readonly #bandwidth: Throttle;
  #held: Buffer | undefined;
  #length = 0;
  /** The MD5 of the bytes, once all have passed; empty when they were not hashed. */
  md5 = '';

  constructor(expectedLength: number, expectedMd5: string | undefined, bandwidth: Throttle, hash: boolean) {
    super();
    this.#expectedLength = expectedLength;
    this.#expectedMd5 = expectedMd5;
    this.#bandwidth = bandwidth;
    this.#hash = hash ? createHash('md5') : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#length += chunk.length;
    if (this.#length > this.#expectedLength) return done(new IntegrityError(`Swift sent more than the announced ${this.#expectedLength} bytes`));
    this.#hash?.update(chunk);
    const held = this.#held;
    this.#held = chunk;
    this.#bandwidth.take(chunk.length).then(() => done(null, held), done);
  }

  override _flush(done: TransformCallback): void {
    if (this.#length !== this.#expectedLength) return done(new IntegrityError(`Swift sent ${this.#length} of ${this.#expectedLength} bytes`));
    this.md5 = this.#hash?.digest('hex') ?? '';
    if (this.#hash && this.#expectedMd5 && this.md5 !== this.#expectedMd5) return done(new IntegrityError(`MD5 of the bytes read (${this.md5}) is not Swift's ETag ${this.#expectedMd5}`));
    done(null, this.#held);
  }
}

/** Grows the part size (in whole MiB) until the object fits in 10,000 parts. */
export function choosePartSize(size: number, preferred: number): number {
  if (size <= preferred * MAX_PARTS) return preferred;
  return Math.ceil(size / MAX_PARTS / MiB) * MiB;
}

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, "-", the part count. */
export function multipartEtag(partMd5s: readonly Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partMd5s.length}`;
}

/** One streamed PUT. The bytes are hashed here unless the source's MD5 is known and the server has been answering
 *  with the Content-MD5 it was sent: then its ETag proves them, and an ETag that does not is an IntegrityError. */
async function putSingle(ctx: TransferContext, key: string, object: SourceObject, headers: ObjectHeaders): Promise<Written> {
  const provenByEtag = object.md5 !== undefined && ctx.target.echoesMd5();
  const body = new VerifiedBody(object.size, object.md5, ctx.bandwidth, !provenByEtag);
  object.body.once('error', (error) => body.destroy(error));
  object.body.pipe(body);
  const { etag } = await ctx.target.put(key, body, object.size, headers, object.md5 ? md5Base64(object.md5) : undefined);
  if (object.md5 && MD5_HEX.test(etag) && etag !== object.md5) throw new IntegrityError(`S3 stored ETag ${etag}, but the source's MD5 is ${object.md5}`);
  if (provenByEtag && etag !== object.md5) throw new IntegrityError(`S3 answered ETag ${etag}, not the MD5 it was sent: the bytes were not hashed here, so they are sent again`);
  return { etag, md5: body.md5 || object.md5! };
}

/** Reads a stream into parts of exactly `size` bytes (the last may be shorter), in buffers from the shared pool.
 *  Whoever receives a part gives its `buffer` back to the pool. */
async function* partsOf(body: Readable, size: number, buffers: PartBuffers, bandwidth: Throttle): AsyncGenerator<{ part: Buffer; buffer: Buffer }> {
  let buffer: Buffer | undefined = await buffers.acquire(size);
  let filled = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      await bandwidth.take(chunk.length);
      let offset = 0;
      while (offset < chunk.length) {
        const copied = chunk.copy(buffer, filled, offset);
        filled += copied;
        offset += copied;
        if (filled === size) {
          const full: Buffer = buffer;
          buffer = undefined;
          yield { part: full, buffer: full };
          buffer = await buffers.acquire(size);
          filled = 0;
        }
      }
    }
    if (filled > 0) {
      const last: Buffer = buffer;
      buffer = undefined;
      yield { part: last.subarray(0, filled), buffer: last };
    }
  } finally {
    if (buffer) buffers.release(buffer);
  }
}

async function putMultipart(ctx: TransferContext, key: string, object: SourceObject, headers: ObjectHeaders): Promise<Written> {
  const partSize = choosePartSize(object.size, ctx.partSize);
  const uploadId = await ctx.target.createMultipart(key, headers);
  const handle = `${key}\u0000${uploadId}`;
  ctx.openUploads.set(handle, { key, uploadId });
  const hash = createHash('md5');
  const parts: UploadedPart[] = [];
  // Where the server does not check a part's Content-MD5, the whole object's MD5 alone proves what was read.
  const checkParts = ctx.target.checksPartMd5();
  const partMd5s: Buffer[] = [];
  let partCount = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let length = 0;
  try {
    for await (const { part, buffer } of partsOf(object.body, partSize, ctx.buffers, ctx.bandwidth)) {
      if (failure) { ctx.buffers.release(buffer); break; }
      hash.update(part);
      length += part.length;
      const partNumber = ++partCount;
      const partMd5 = checkParts ? createHash('md5').update(part).digest() : undefined;
      if (partMd5) partMd5s.push(partMd5);
      const upload = ctx.target.uploadPart(key, uploadId, { partNumber, body: part, ...(partMd5 ? { md5: partMd5 } : {}) }).then((stored) => {
        parts.push(stored);
      }).catch((error: unknown) => { failure ??= { error }; }).finally(() => {
        ctx.buffers.release(buffer);
        inFlight.delete(upload);
      });
      inFlight.add(upload);
      while (inFlight.size >= ctx.partConcurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    if (length !== object.size) throw new IntegrityError(`Swift sent ${length} of ${object.size} bytes`);
    const md5 = hash.digest('hex');
    if (object.md5 && md5 !== object.md5) throw new IntegrityError(`MD5 of the bytes read (${md5}) is not Swift's ETag ${object.md5}`);
    const etag = await completeUpload(ctx, key, uploadId, parts, { size: length, metadata: headers.Metadata ?? {} });
    ctx.openUploads.delete(handle);
    const expected = checkParts ? multipartEtag(partMd5s) : undefined;
    if (expected && MULTIPART_ETAG.test(etag) && etag !== expected) throw new IntegrityError(`S3 assembled ETag ${etag}, expected ${expected}`);
    return { etag, md5 };
  } catch (error) {
    object.body.destroy();
    await Promise.allSettled(inFlight);
    if (ctx.openUploads.delete(handle)) {
      await ctx.target.abortMultipart(key, uploadId).catch((abortError: unknown) => {
        ctx.log.error({ key, uploadId, err: messageOf(abortError) }, 'could not abort a failed multipart upload; it stays open');
      });
    }
    throw error;
  }
}

/** Assembles the upload; its ETag. A CompleteMultipartUpload whose answer was lost (a timeout, a dropped connection)
 *  may have done its work, and then its retry finds no upload: 404 NoSuchUpload (the data bucket answers 500 for a
 *  while first; measured in test/faults/faults.test.ts). The object in place is then this upload's when it has its
 *  size and every metadata value the upload was created with (the source's MD5 and mtime among them). An upload gone
 *  without that object is sent again whole. */
async function completeUpload(ctx: TransferContext, key: string, uploadId: string, parts: readonly UploadedPart[], created: { size: number; metadata: Record<string, string> }): Promise<string> {
  try {
    return await ctx.target.completeMultipart(key, uploadId, parts);
  } catch (error) {
    const head = await ctx.target.head(key).catch(() => undefined);
    if (head && isObjectCreated(head, created)) {
      ctx.log.info({ key, err: messageOf(error) }, 'the multipart upload had completed, its answer lost: the object in place is its');
      return head.etag;
    }
    if (statusOf(error) === 404) throw new UploadGoneError(`the multipart upload of ${key} is gone and did not complete: the object is sent again`, { cause: error });
    throw error;
  }
}

function isObjectCreated(head: DestHead, created: { size: number; metadata: Record<string, string> }): boolean {
  return head.size === created.size && Object.entries(created.metadata).every(([name, value]) => head.metadata[name.toLowerCase()] === value);
}

/** One attempt: GET from Swift, upload, check. Thrown errors decide whether the whole object is tried again. */
async function copyOnce(ctx: TransferContext, entry: SourceEntry, key: string): Promise<Uploaded> {
  const object = await ctx.source.get(entry.container, entry.name);
  // The bytes read count as progress while they flow, so a large object does not stand still until its last byte.
  let read = 0;
  const metered: Throttle = {
    take: async (bytes) => {
      ctx.stats.totals.copyStarted();
      await ctx.bandwidth.take(bytes);
      read += bytes;
      ctx.stats.totals.read(bytes);
    },
  };
  try {
    return await uploadObject({ ...ctx, bandwidth: metered }, entry, key, object);
  } catch (error) {
    throw await explainedByPath(ctx, key, error) ?? error;
  } finally {
    object.body.destroy();
    ctx.stats.totals.readEnded(read);
  }
}

/** A file-backed NooBaa bucket answers a PUT of "x/child" beside an object "x" with 404, and "y" beside "y/child"
 *  with 500: when a write fails so and the other name is there, that is the reason, and no retry can change it. */
async function explainedByPath(ctx: TransferContext, key: string, error: unknown): Promise<KeyRuleError | undefined> {
  const status = statusOf(error);
  if (ctx.keyRules !== 'nsfs' || (status !== 404 && status !== 500)) return undefined;
  const other = await ctx.target.pathConflict(key).catch(() => undefined);
  if (other === undefined) return undefined;
  return new KeyRuleError(`a file-backed NooBaa bucket cannot hold both "${key}" and "${other}" (an object and a directory of the same name)`);
}

interface Uploaded { bytes: number; planned: PlannedHeaders; written?: Known }

async function uploadObject(ctx: TransferContext, entry: SourceEntry, key: string, object: SourceObject): Promise<Uploaded> {
  if (object.size !== entry.bytes || (entry.md5 && object.md5 !== entry.md5)) {
    ctx.log.info({ key, listed: { bytes: entry.bytes, etag: entry.etag }, now: { bytes: object.size, etag: object.etag } }, 'source changed since the listing; copying the current version');
  }
  const identity = { container: entry.container, ...(object.md5 ? { md5: object.md5 } : {}), etag: object.etag, ...(object.largeObject ? { largeObject: object.largeObject } : {}) };
  const planned = planHeaders(object.headers, identity, ctx.target.droppedHeaders());
  const { headers } = planned;
  const { etag, md5 } = object.size > ctx.multipartThreshold
    ? await putMultipart(ctx, key, object, headers)
    : await putSingle(ctx, key, object, headers);
  // A large object's MD5 is known only now: store it where rclone and our verify look for it.
  if (object.largeObject && !object.md5 && object.size <= LARGEST_COPY) {
    await ctx.target.replaceMetadata(key, { ...headers, Metadata: { ...headers.Metadata, [META_MD5]: md5Base64(md5) } });
  }
  // A large object's metadata copy above made another version, and its Swift ETag is not its MD5: not written down.
  if (object.largeObject) return { bytes: object.size, planned };
  return { bytes: object.size, planned, written: { etag, md5, size: object.size } };
}

/** What the headers of a copied (or adopted) object leave for people to know, said once: per object, metadata that
 *  did not fit and a Swift expiry S3 does not keep; per run, the headers the target drops and where they went. */
export function reportPlanned(ctx: Pick<TransferContext, 'stats' | 'log' | 'target'>, key: string, planned: PlannedHeaders): void {
  if (planned.dropped.length > 0) {
    ctx.stats.notes.push({ key, reason: `metadata not copied (over S3's 2 KiB): ${planned.dropped.join(', ')}` });
    ctx.log.warn({ key, dropped: planned.dropped }, 'metadata over the 2 KiB S3 limit was not copied');
  }
  if (planned.clashed.length > 0) {
    const names = planned.clashed.map((name) => `x-amz-meta-${name}`).join(', ');
    ctx.stats.notes.push({ key, reason: `metadata not copied (the names of the copier's own ${names}): ${planned.clashed.join(', ')}` });
    ctx.log.warn({ key, clashed: planned.clashed }, 'metadata with the name of the copier\'s own was not copied');
  }
  if (planned.deleteAt !== undefined) {
    const at = new Date(planned.deleteAt * 1000).toISOString();
    const reason = `Swift deletes this object at ${at} (X-Delete-At ${planned.deleteAt}); S3 has no per-object expiry: the copy does not expire (the time is in x-amz-meta-${META_DELETE_AT})`;
    ctx.stats.notes.push({ key, reason });
    ctx.log.warn({ key, deleteAt: at }, 'Swift will delete this object; its copy in S3 does not expire');
  }
  if (planned.keptAsMetadata.length > 0 && ctx.stats.firstTime('headers kept as metadata')) {
    const reason = keptHeadersNote(ctx.target.droppedHeaders());
    ctx.stats.notes.push({ key, reason });
    ctx.log.warn({ key }, reason);
  }
}

/** Copies one object with retries of the whole object on transient failures. */
export async function copyObject(ctx: TransferContext, entry: SourceEntry, key: string): Promise<CopyOutcome> {
  try {
    const { bytes, planned, written } = await withRetry(() => copyOnce(ctx, entry, key), ctx.retry, {
      onRetry: (error, attempt, delayMs) => {
        ctx.stats.countRetry(`object_${causeOf(error)}`);
        ctx.log.warn({ key, attempt, delayMs: Math.round(delayMs), err: messageOf(error) }, 'retrying object');
      },
      ...(ctx.outage ? { outage: ctx.outage } : {}),
    });
    reportPlanned(ctx, key, planned);
    return { kind: 'copied', bytes, ...(written ? { written } : {}) };
  } catch (error) {
    if (error instanceof SourceGoneError) return { kind: 'gone', reason: error.message };
    throw error;
  }
}
