// The S3 side: one client (path style, checksums only when required, our own retries), listings as async
// iterators, single and multipart uploads.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  S3Client, ListObjectsV2Command, HeadObjectCommand, GetObjectCommand, PutObjectCommand, CopyObjectCommand, DeleteObjectCommand,
  CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, AbortMultipartUploadCommand,
  ListMultipartUploadsCommand, type _Object,
} from '@aws-sdk/client-s3';
import type { Config } from '../config.ts';
import { FatalError, IntegrityError, UnreachableError, messageOf } from '../errors.ts';
import { causeOf, isTransient, statusOf, withRetry } from '../retry.ts';
import type { Operation } from '../report/stats.ts';
import { hostPort, type ClientOptions } from '../client-options.ts';
import { MD5_HEX, md5FromBase64, md5OfStream, unquoteEtag } from '../md5.ts';
import type { KeyRules } from './keyrules.ts';
import { listInSubtrees, type TreeLister } from './subtrees.ts';
import { compareUtf16, compareUtf8, inUtf8Order } from '../order.ts';
import {
  DROPPABLE_HEADERS, KINDS, PROBE_BODY, PROBE_DIR, PROBE_KEYS, profileFrom, profileFromListing, profileOfKind,
  type BucketKind, type DroppableHeader, type ProbeAnswers, type TargetProfile,
} from './profile.ts';
import { certificateProblem, trustedCas } from '../tls.ts';

/** A part of a multipart upload as S3 stored it. */
export interface UploadedPart { partNumber: number; etag: string }

export interface DestEntry {
  /** The key without the run's prefix (S3_PREFIX and, with several containers, "<container>/"). */
  name: string;
  size: number;
  /** ETag without quotes. */
  etag: string;
}

export interface DestHead {
  size: number;
  etag: string;
  metadata: Record<string, string>;
  missingMeta: number;
  /** The object's other headers, to keep them when its metadata is rewritten. */
  headers: ObjectHeaders;
}

export interface S3TargetOptions extends ClientOptions {
  s3: Config['s3'];
}


/** A listed key as stored. Decoded only when the answer says it is url-encoded: a server that ignores EncodingType
 *  sends keys as they are, where "+" and "%" are themselves. Encoded, AWS and NooBaa write a space as "+", s3api as
 *  "%20"; a literal "+" is always "%2B". */
function decodeListedKey(key: string, encodingType: string | undefined): string {
  return encodingType?.toLowerCase() === 'url' ? decodeURIComponent(key.replaceAll('+', ' ')) : key;
}

async function* eachOf<T>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}

/** A listed object, named by its whole key. */
function listed(item: _Object, encodingType: string | undefined): DestEntry {
  return { name: decodeListedKey(item.Key ?? '', encodingType), size: item.Size ?? 0, etag: unquoteEtag(item.ETag) };
}

function agents(s3: Config['s3'], connections: number) {
  const common = { keepAlive: true, maxSockets: connections, maxFreeSockets: connections, timeout: 4_000, scheduling: 'lifo' as const };
  const ca = s3.caFile ? trustedCas('S3_CA_FILE', s3.caFile) : undefined;
  return {
    httpAgent: new HttpAgent(common),
    httpsAgent: new HttpsAgent({ ...common, ...(ca ? { ca } : {}), rejectUnauthorized: !s3.insecureSkipTlsVerify }),
  };
}

const QUIET = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The largest object a CopyObject (and so replaceMetadata) takes: 5 GiB. */
export const LARGEST_COPY = 5 * 1024 * 1024 * 1024;

export class S3Target {
  readonly #client: S3Client;
  readonly bucket: string;
  readonly #options: S3TargetOptions;
  /** What this bucket does with what it is sent: plain S3 until learnProfile() has asked it. */
  #profile: TargetProfile = { ...KINDS.s3, order: 'unknown', from: 'listing' };
  /** While the start-up probe runs (nothing else does then): its requests are counted as s3_probe. */
  #probing = false;
  /** Whether the last PUT sent with a Content-MD5 was answered with that MD5 as its ETag; undefined before one was. */
  #echoesMd5: boolean | undefined;

  constructor(options: S3TargetOptions) {
    this.#options = options;
    this.bucket = options.s3.bucket;
    this.#client = new S3Client({
      endpoint: options.s3.endpoint,
      region: options.s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: options.s3.accessKeyId, secretAccessKey: options.s3.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 1,
      // The SDK would print "An error was encountered in a non-retryable streaming request." on stderr for every
      // failed streamed PUT: our own retries report each failure, in the log.
      logger: QUIET,
      // One resolved middleware stack per command, not one built for every request (sends take no options for it).
      cacheMiddleware: true,
      // socketTimeout is idle time (a stalled server); requestTimeout would cap whole uploads, so it stays unset.
      requestHandler: { ...agents(options.s3, options.connections), socketTimeout: options.requestTimeoutMs, connectionTimeout: Math.min(options.requestTimeoutMs, 10_000) },
    });
    abortOnBodyError(this.#client);
  }

  get profile(): TargetProfile {
    return this.#profile;
  }

  /** The key rules to apply: KEY_RULES, or for "auto" what the bucket showed. */
  keyRules(setting: KeyRules | 'auto'): KeyRules {
    return setting === 'auto' ? this.#profile.keyRules : setting;
  }

  /** Headers this bucket accepts on a PUT and does not keep (both NooBaa kinds keep only Content-Type and
   *  Content-Encoding). */
  droppedHeaders(): readonly DroppableHeader[] {
    return this.#profile.droppedHeaders;
  }

  /** Whether a listed ETag names the object it lists (its version, or its content: an MD5, a multipart ETag), so that
   *  a resync ledger can settle it from the listing, and stand in for the listing (sync/ledger.ts). */
  etagsNameObjects(): boolean {
    return this.#profile.etagsNameVersions || this.#profile.md5Etags;
  }

  /** Whether this server's answers prove the bytes it stored: it refuses a wrong Content-MD5 and answers the MD5 as
   *  its ETag, and the last PUT with a Content-MD5 came back with it. While so, an ETag compared with the source's MD5
   *  proves each object, and hashing every byte here as well proves nothing more. */
  echoesMd5(): boolean {
    return this.#echoesMd5 ?? (this.#profile.md5Etags && this.#profile.checksContentMd5);
  }

  /** Whether a part's Content-MD5 is worth its hash: only where the server refuses a wrong one. */
  checksPartMd5(): boolean {
    return this.#profile.checksContentMd5;
  }

  /** Learns once what the bucket does: BUCKET_KIND when it names a kind; else, with `write`, a probe of a few small
   *  objects under "<prefix>.swift-to-s3/probe/<random>/", all deleted again; without (DRY_RUN, plan, verify), the
   *  ETags of the first page listed. */
  async learnProfile(setting: BucketKind | 'auto', { write, prefix }: { write: boolean; prefix: string }): Promise<TargetProfile> {
    if (setting !== 'auto') this.#profile = profileOfKind(setting);
    else if (write) this.#profile = { ...profileFrom(await this.#probeOrFail(`${prefix}${PROBE_DIR}${randomBytes(6).toString('hex')}/`)), from: 'probe' };
    else this.#profile = profileFromListing(((await this.#listPage(prefix, {})).Contents ?? []).map((item) => unquoteEtag(item.ETag)));
    return this.#profile;
  }

  async #probeOrFail(dir: string): Promise<ProbeAnswers> {
    this.#probing = true;
    try {
      return await this.#probe(dir);
    } catch (error) {
      // An outage past OUTAGE_WAIT is the run's to report as unreachable (exit 3: the index is retried), not the probe's.
      if (error instanceof UnreachableError) throw error;
      throw new FatalError(`S3 bucket ${this.bucket} at ${this.#options.s3.endpoint}: the probe of what it stores (a few small objects under ${dir}, deleted again) failed (${messageOf(error)}): allow the keys to write there, or set BUCKET_KIND (s3, noobaa-data or noobaa-nsfs) to skip it`);
    } finally {
      // The probe's own PUTs said nothing about how the copies' ETags will answer.
      this.#echoesMd5 = undefined;
      this.#probing = false;
    }
  }

  /** Writes, reads back and deletes the probe's objects below `dir`; what the bucket answered. */
  async #probe(dir: string): Promise<ProbeAnswers> {
    const bodyMd5 = createHash('md5').update(PROBE_BODY).digest();
    const wrongMd5 = createHash('md5').update('not the body').digest('base64');
    const droppable: ObjectHeaders = { ContentDisposition: 'inline', CacheControl: 'no-cache', ContentLanguage: 'en', Expires: new Date(Date.UTC(2038, 0, 1)) };
    const names = Object.values(PROBE_KEYS);
    try {
      const [etag, refusedBadDigest] = await Promise.all([
        this.write(dir + PROBE_KEYS.etag, PROBE_BODY, droppable),
        this.#refusesDigest(dir + PROBE_KEYS.digest, wrongMd5),
        ...names.filter((name) => name !== PROBE_KEYS.etag && name !== PROBE_KEYS.digest).map((name) => this.write(dir + name, PROBE_BODY, {})),
      ]);
      const head = await this.head(dir + PROBE_KEYS.etag);
      const listed = (await this.#namesBelow(dir)).map((name) => name.slice(dir.length));
      return {
        etag, bodyMd5: bodyMd5.toString('hex'), refusedBadDigest,
        keptHeaders: DROPPABLE_HEADERS.filter((header) => head?.headers[header] !== undefined),
        listed, delimited: await this.#delimitedOnceEach(dir),
      };
    } finally {
      await this.#removeProbe(dir, names);
    }
  }

  /** One PUT with a wrong Content-MD5 (retried only when it got no answer): true when refused with 400 (BadDigest). */
  async #refusesDigest(key: string, wrongMd5: string): Promise<boolean> {
    // 400 (BadDigest) and 500 (an NSFS bucket that forces MD5 ETags) are answers, not failures to retry.
    return this.#retrying(`probe ${key}`, async () => {
      try {
        await this.put(key, Readable.from([PROBE_BODY]), PROBE_BODY.length, {}, wrongMd5);
        return false;
      } catch (error) {
        const status = statusOf(error);
        if (status === 400) return true;
        if (status === 500 || !isTransient(error)) return false;
        throw error;
      }
    });
  }

  async #namesBelow(dir: string): Promise<string[]> {
    const names: string[] = [];
    for await (const page of this.#pages(dir)) names.push(...page.map((entry) => entry.name));
    return names;
  }

  /** A listing with delimiter "/" one entry a page, as a listing by subtrees pages it; undefined when it fails. */
  async #delimitedOnceEach(dir: string): Promise<string[] | undefined> {
    const entries: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.#timed('s3_list', () => this.#client.send(new ListObjectsV2Command({
          Bucket: this.bucket, Prefix: dir, Delimiter: '/', MaxKeys: 1, EncodingType: 'url', ContinuationToken: token,
        })));
        const found = [...(page.Contents ?? []).map((item) => item.Key ?? ''), ...(page.CommonPrefixes ?? []).map((common) => common.Prefix ?? '')];
        entries.push(...found.map((name) => decodeListedKey(name, page.EncodingType).slice(dir.length)));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token && entries.length <= 2 * Object.keys(PROBE_KEYS).length);
      return entries;
    } catch {
      return undefined;
    }
  }

  /** Deletes the probe's objects: what is listed below its folder, and each name it wrote (also when a listing hid it). */
  async #removeProbe(dir: string, names: readonly string[]): Promise<void> {
    const listed = await this.#namesBelow(dir).catch(() => []);
    const keys = new Set([...listed, ...names.map((name) => dir + name)]);
    await Promise.all([...keys].map((key) => this.delete(key).catch((error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    })));
  }

  /** Checks that the bucket exists and the keys work. Problems here end the run: a FatalError (exit 2), or an
   *  UnreachableError (exit 3) when S3 still cannot be reached after CONNECT_WAIT. */
  async connect(): Promise<void> {
    // At start the endpoint may not be reachable yet (the pod's network, a proxy being restarted): wait a bounded time.
    const policy = { ...this.#options.retry, maxRetries: 1_000, maxDelayMs: 2_000, giveUpAfterMs: this.#options.connectWaitMs };
    try {
      await withRetry(() => this.#timed('s3_list', () => this.#client.send(new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1 }))), policy);
    } catch (error) {
      throw connectError(error, this.#options.s3);
    }
  }

  /** Every key under `prefix` in UTF-8 byte order (a bucket that lists in UTF-16 order is put in it), names without
   *  the prefix. Where the profile says so (NooBaa NSFS) the tree is listed as several subtrees at once: its listing
   *  costs about 2 ms of its CPU per key (measured on 5.23), and is a resync's time. */
  async *list(prefix: string, how: 'pages' | 'subtrees' = this.#profile.listing): AsyncGenerator<DestEntry> {
    const entries = how === 'pages' ? eachOf(this.#pages(prefix)) : this.#subtrees(prefix);
    const ordered = this.#profile.order === 'utf8' ? entries : inUtf8Order(entries);
    for await (const entry of ordered) yield { ...entry, name: entry.name.slice(prefix.length) };
  }

  #subtrees(prefix: string): AsyncGenerator<DestEntry> {
    const lister: TreeLister<DestEntry> = {
      level: (under) => this.#level(under), pages: (under) => this.#pages(under), keyOf: (entry) => entry.name,
      compare: this.#profile.order === 'utf16' ? compareUtf16 : compareUtf8,
    };
    // Measured on NooBaa 5.23, the bench's CUBE-like tree of 4,000 keys, two runs each: one listing 6.3-11.7 s (4 requests);
    // up to 32 subtrees 8 at once 3.6-3.7 s (26 requests), 4 at once 4.5-5.6 s; up to 64 or 128 subtrees 4.3-6.7 s
    // (80 and 191 requests: NooBaa pays per request too).
    return listInSubtrees(prefix, lister, { concurrency: 8, subtrees: 32, levels: 16, pagesAhead: 1 });
  }

  /** Every key under `prefix` (names are whole keys), a page at a time. */
  async *#pages(prefix: string): AsyncGenerator<DestEntry[]> {
    let token: string | undefined;
    do {
      const page = await this.#listPage(prefix, { ContinuationToken: token });
      yield (page.Contents ?? []).map((item) => listed(item, page.EncodingType));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** The keys and sub-prefixes right under `prefix`, or undefined when they take more than one answer (of the
   *  server's most, whatever LIST_PAGE_SIZE says: a probe, not a page of the listing). */
  async #level(prefix: string): Promise<{ items: DestEntry[]; prefixes: string[] } | undefined> {
    const page = await this.#listPage(prefix, { Delimiter: '/', MaxKeys: 1000 });
    if (page.IsTruncated) return undefined;
    return {
      items: (page.Contents ?? []).map((item) => listed(item, page.EncodingType)),
      prefixes: (page.CommonPrefixes ?? []).map((common) => decodeListedKey(common.Prefix ?? '', page.EncodingType)),
    };
  }

  #listPage(prefix: string, more: { ContinuationToken?: string; Delimiter?: string; MaxKeys?: number }) {
    return this.#retrying(`list ${prefix || '/'}`, () => this.#timed('s3_list', () => this.#client.send(new ListObjectsV2Command({
      Bucket: this.bucket, Prefix: prefix || undefined, MaxKeys: Math.min(this.#options.pageSize ?? 1000, 1000), EncodingType: 'url', ...more,
    }))));
  }

  async head(key: string): Promise<DestHead | undefined> {
    return this.#retrying(`head ${key}`, async () => {
      try {
        const answer = await this.#timed('s3_head', () => this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
        const missing = answer.MissingMeta ?? 0;
        const headers: ObjectHeaders = {
          ...(answer.ContentType ? { ContentType: answer.ContentType } : {}),
          ...(answer.ContentEncoding ? { ContentEncoding: answer.ContentEncoding } : {}),
          ...(answer.ContentDisposition ? { ContentDisposition: answer.ContentDisposition } : {}),
          ...(answer.CacheControl ? { CacheControl: answer.CacheControl } : {}),
          ...(answer.ContentLanguage ? { ContentLanguage: answer.ContentLanguage } : {}),
          ...(answer.Expires ? { Expires: answer.Expires } : {}),
        };
        return { size: answer.ContentLength ?? 0, etag: unquoteEtag(answer.ETag), metadata: answer.Metadata ?? {}, missingMeta: missing, headers };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Reads a stored object and hashes it (retried whole): proof by bytes, read from the destination, and the ETag of
   *  the version read. */
  async md5Of(key: string): Promise<{ md5: string; size: number; etag: string }> {
    return this.#retrying(`get ${key}`, () => this.#timed('s3_get', async () => {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { ...await md5OfStream(answer.Body as AsyncIterable<Uint8Array>), etag: unquoteEtag(answer.ETag) };
    }));
  }

  /** An object read as a stream by `consume`, never whole in memory; undefined when there is none. Retried whole:
   *  a body that breaks off is read again from its start, by a new `consume`. */
  async readWith<T>(key: string, consume: (body: Readable) => Promise<T>): Promise<T | undefined> {
    return this.#retrying(`get ${key}`, () => this.#timed('s3_get', async () => {
      let body: Readable;
      try {
        body = (await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }))).Body as Readable;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
      try {
        return await consume(body);
      } finally {
        // A consumer that stopped early (a foreign object) leaves the rest unread: free the connection.
        body.destroy();
      }
    }));
  }

  /** A small object written whole from memory, with its Content-MD5 (retried: the body can be sent again). */
  async write(key: string, body: Buffer, headers: ObjectHeaders): Promise<string> {
    const contentMd5 = createHash('md5').update(body).digest('base64');
    return this.writeFrom(key, () => Readable.from([body]), body.length, headers, contentMd5);
  }

  /** An object of known length and Content-MD5 whose body `open` gives anew for every try (a file, a buffer): retried. */
  async writeFrom(key: string, open: () => Readable, length: number, headers: ObjectHeaders, contentMd5: string): Promise<string> {
    return this.#retrying(`put ${key}`, async () => (await this.put(key, open(), length, headers, contentMd5)).etag);
  }

  /** On a file-backed bucket an object and a "directory" of the same name cannot both exist: the name of the other
   *  side when `key` meets one (an object at a parent path, or keys under "<key>/"), else undefined. */
  async pathConflict(key: string): Promise<string | undefined> {
    const segments = key.split('/');
    for (let end = 1; end < segments.length; end++) {
      const parent = segments.slice(0, end).join('/');
      if (parent && await this.head(parent) !== undefined) return parent;
    }
    const below = await this.#retrying(`list ${key}/`, () => this.#timed('s3_list', () => this.#client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${key}/`, MaxKeys: 1 }))));
    return below.Contents?.[0]?.Key;
  }

  /** One PUT of a streamed body of known length. Not retried here: a stream can be read once. A body that fails
   *  (the source broke off, or its MD5 is wrong) aborts the request at once and is the error thrown. */
  async put(key: string, body: Readable, length: number, headers: ObjectHeaders, contentMd5?: string): Promise<{ etag: string }> {
    let bodyError: unknown;
    body.once('error', (error) => { bodyError = error; });
    try {
      const answer = await this.#timed('s3_put', () => this.#client.send(new PutObjectCommand({
        Bucket: this.bucket, Key: key, Body: body, ContentLength: length, ...(contentMd5 ? { ContentMD5: contentMd5 } : {}), ...headers,
      })));
      const etag = unquoteEtag(answer.ETag);
      if (contentMd5) this.#echoesMd5 = etag === md5FromBase64(contentMd5);
      return { etag };
    } catch (error) {
      // An answer that came before the body was read (a 500, say) leaves the source stream open: close it.
      body.destroy();
      throw bodyError ?? body.errored ?? error;
    }
  }

  /** Rewrites an object's metadata in place (server-side copy to itself; up to LARGEST_COPY bytes); with `ifMatch`
   *  only while the object is still that version (else 412). The ETag of the object written. */
  async replaceMetadata(key: string, headers: ObjectHeaders, ifMatch?: string): Promise<string> {
    const answer = await this.#retrying(`copy ${key}`, () => this.#timed('s3_copy', () => this.#client.send(new CopyObjectCommand({
      Bucket: this.bucket, Key: key, CopySource: `${this.bucket}/${encodeURIComponent(key).replaceAll('%2F', '/')}`, MetadataDirective: 'REPLACE',
      ...(ifMatch ? { CopySourceIfMatch: `"${ifMatch}"` } : {}), ...headers,
    }))));
    return unquoteEtag(answer.CopyObjectResult?.ETag);
  }

  async createMultipart(key: string, headers: ObjectHeaders): Promise<string> {
    const answer = await this.#retrying(`create multipart ${key}`, () => this.#timed('s3_create_multipart', () => this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ...headers }))));
    if (!answer.UploadId) throw new Error('CreateMultipartUpload answered without an UploadId');
    return answer.UploadId;
  }

  /** Uploads one part, retried; a part stored under an MD5 ETag other than the bytes' MD5 is sent again. The body
   *  goes as a stream, so the SDK signs it UNSIGNED-PAYLOAD instead of hashing it with SHA-256 (Content-MD5 proves it). */
  async uploadPart(key: string, uploadId: string, part: { partNumber: number; body: Buffer; md5?: Buffer }): Promise<UploadedPart> {
    return this.#retrying(`part ${part.partNumber} of ${key}`, async () => {
      const answer = await this.#timed('s3_upload_part', () => this.#client.send(new UploadPartCommand({
        Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: part.partNumber, Body: Readable.from([part.body]), ContentLength: part.body.length,
        ...(part.md5 ? { ContentMD5: part.md5.toString('base64') } : {}),
      })));
      const etag = unquoteEtag(answer.ETag);
      const expected = part.md5?.toString('hex');
      if (expected && MD5_HEX.test(etag) && etag !== expected) throw new IntegrityError(`S3 stored part ${part.partNumber} with ETag ${etag}, expected ${expected}`);
      return { partNumber: part.partNumber, etag };
    });
  }

  /** Assembles the uploaded parts (in any order) into the object; its ETag. */
  async completeMultipart(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<string> {
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber).map(({ partNumber, etag }) => ({ PartNumber: partNumber, ETag: `"${etag}"` }));
    const answer = await this.#retrying(`complete multipart ${key}`, () => this.#timed('s3_complete_multipart', () => this.#client.send(new CompleteMultipartUploadCommand({
      Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: sorted },
    }))));
    return unquoteEtag(answer.ETag);
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.#retrying(`abort multipart ${key}`, async () => {
      try {
        await this.#timed('s3_abort_multipart', () => this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })));
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    });
  }

  async delete(key: string): Promise<void> {
    await this.#retrying(`delete ${key}`, () => this.#timed('s3_delete', () => this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))));
  }

  /** Open multipart uploads under a prefix (left behind by a killed run). */
  async *openUploads(prefix: string): AsyncGenerator<{ key: string; uploadId: string }> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.#retrying('list multipart uploads', () => this.#timed('s3_list', () => this.#client.send(new ListMultipartUploadsCommand({
        Bucket: this.bucket, Prefix: prefix || undefined, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker,
      }))));
      for (const upload of page.Uploads ?? []) if (upload.Key && upload.UploadId) yield { key: upload.Key, uploadId: upload.UploadId };
      if (!page.IsTruncated) return;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /** Retries one request on transient failures, counting them. */
  #retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
    return withRetry(step, this.#options.retry, {
      onRetry: (error, attempt) => {
        this.#options.stats.countRetry(`s3_${causeOf(error)}`);
        this.#options.onRetry?.(what, error, attempt);
      },
      ...(this.#options.outage ? { outage: this.#options.outage } : {}),
    });
  }

  /** One small request (a listing of one key): resolves when S3 answers anything but 502/503/504. */
  async probe(): Promise<void> {
    try {
      await this.#client.send(new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1 }), { abortSignal: AbortSignal.timeout(10_000) });
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || [502, 503, 504].includes(status)) throw error;
    }
  }

  #timed<T>(operation: Operation, request: () => Promise<T>): Promise<T> {
    return this.#options.stats.timed(this.#probing ? 's3_probe' : operation, request);
  }

  close(): void {
    this.#client.destroy();
  }
}

/** A streamed request body that fails (the source broke off, or its MD5 is wrong) aborts its request at once. Done
 *  in the client's request handler, so that no send() needs options of its own: with options the SDK builds its
 *  middleware stack again for every request, the largest single share (13 %) of what a copy of small objects
 *  allocates (bench/RESULTS.md, memory). */
function abortOnBodyError(client: S3Client): void {
  const handler = client.config.requestHandler;
  const handle = handler.handle.bind(handler);
  handler.handle = async (request, options = {}) => {
    const body = (request as { body?: unknown }).body;
    if (!(body instanceof Readable) || 'abortSignal' in options) return handle(request, options);
    const abort = new AbortController();
    const onError = (error: unknown) => abort.abort(error);
    if (body.errored) abort.abort(body.errored);
    else body.once('error', onError);
    try {
      return await handle(request, { ...options, abortSignal: abort.signal });
    } finally {
      body.off('error', onError);
    }
  };
}

/** Headers an object carries besides its body. */
export interface ObjectHeaders {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  CacheControl?: string;
  ContentLanguage?: string;
  Expires?: Date;
  Metadata?: Record<string, string>;
}


/** Why connect() failed, as the error that ends the run. A certificate that does not verify is configuration
 *  (exit 2); only what the start-up wait retried in vain is unreachable (exit 3). */
function connectError(error: unknown, s3: Config['s3']): FatalError {
  const name = (error as { name?: string; Code?: string }).name ?? '';
  const status = statusOf(error);
  const where = `${s3.endpoint} bucket ${s3.bucket}`;
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? '';
  if (name === 'NoSuchBucket' || (status === 404 && name !== 'NotFound')) return new FatalError(`S3 bucket "${s3.bucket}" does not exist at ${s3.endpoint}: check BUCKET_NAME (or create the bucket / ObjectBucketClaim)`);
  if (name === 'InvalidAccessKeyId') return new FatalError(`S3 at ${s3.endpoint} does not know the access key ${s3.accessKeyId} (InvalidAccessKeyId): check AWS_ACCESS_KEY_ID`);
  if (name === 'SignatureDoesNotMatch') return new FatalError(`S3 at ${s3.endpoint} rejected the signature (SignatureDoesNotMatch): check AWS_SECRET_ACCESS_KEY, and AWS_ACCESS_KEY_ID (some servers answer so for an unknown key)`);
  if (name === 'AccessDenied' || status === 403) return new FatalError(`S3 at ${where} denied access (${name || status}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY and the bucket's policy`);
  const certificate = certificateProblem(error);
  if (certificate) {
    return new FatalError(`the TLS certificate of S3 at ${s3.endpoint} does not verify (${certificate}): set S3_CA_FILE to the CA bundle that signed it (on OpenShift the service CA, /var/run/secrets/kubernetes.io/serviceaccount/service-ca.crt)`);
  }
  const detail = code || name || messageOf(error);
  if (isTransient(error)) return new UnreachableError(`cannot reach S3 at ${hostPort(s3.endpoint)} (${detail}): check BUCKET_HOST/BUCKET_PORT or S3_ENDPOINT and that the endpoint is reachable from here`);
  return new FatalError(`S3 at ${s3.endpoint} failed the listing of bucket ${s3.bucket} (${detail}): check BUCKET_HOST/BUCKET_PORT or S3_ENDPOINT, and BUCKET_REGION`);
}
