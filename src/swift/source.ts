// The Swift side: authenticated requests over one keep-alive pool, container listings as async iterators,
// object reads as streams.
import { Agent, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import type { SwiftAuth } from '../config.ts';
import { BrokenSymlinkError, FatalError, HttpError, SourceGoneError, UnreachableError, messageOf, retryAfterMsOf } from '../errors.ts';
import { causeOf, isTransient, withRetry } from '../retry.ts';
import type { Operation } from '../report/stats.ts';
import { hostPort, type ClientOptions } from '../client-options.ts';
import { MD5_HEX, unquoteEtag } from '../md5.ts';
import { certificateProblem, trustedCas } from '../tls.ts';
import { authenticate, canReauthenticate, type SwiftSession } from './auth.ts';

/** One object as a container listing shows it. */
export interface SourceEntry {
  container: string;
  name: string;
  bytes: number;
  /** Plain MD5 of the content (hex) when Swift knows it; undefined for large objects. */
  md5?: string;
  /** The ETag a HEAD/GET answers (quoted MD5-of-segments for an SLO), used to recognise an unchanged large object;
   *  '' for an SLO whose listing does not carry it (written by an old Swift): a HEAD of the source tells it. */
  etag: string;
  lastModified: string;
  contentType: string;
  largeObject?: 'slo';
}

export interface SourceObject {
  headers: Record<string, string>;
  size: number;
  /** Plain MD5 (hex) for normal objects; undefined for SLO/DLO, whose ETag is not the body's MD5. */
  md5?: string;
  etag: string;
  largeObject?: 'slo' | 'dlo';
  body: Readable;
}

export interface SwiftSourceOptions extends ClientOptions {
  auth: SwiftAuth;
  /** SWIFT_CA_FILE: CAs trusted besides the system's, for every request (auth, Keystone, storage URL). */
  caFile?: string;
}

const SWIFT_LISTING_LIMIT = 10_000;
/** An outage probe that gets no answer in this long counts as one that failed. */
const PROBE_TIMEOUT_MS = 10_000;

/** Encodes an object or container name for a Swift path: UTF-8, each segment escaped, "/" kept, dot segments escaped
 *  so no client or proxy folds them. */
export function encodeSwiftPath(name: string): string {
  return name.split('/').map((segment) => (segment === '.' ? '%2E' : segment === '..' ? '%2E%2E' : encodeURIComponent(segment))).join('/');
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Swift keeps a header value as the bytes it was sent (clients send UTF-8); undici hands each byte over as one
 *  Latin-1 character. Bytes that are valid UTF-8 are read as UTF-8; others are kept as they came (Latin-1). */
export function decodeHeaderValue(value: string): string {
  // Nothing to decode in ASCII, nor where a character is above U+00FF (surrogates included): not one byte each.
  if (/^\p{ASCII}*$/u.test(value) || /[\u0100-\uffff]/.test(value)) return value;
  const bytes = Buffer.from(value, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : value;
}

/** An object's response headers as text, repeated ones joined. */
function swiftHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) headers[key] = decodeHeaderValue(Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

export class SwiftSource {
  readonly #options: SwiftSourceOptions;
  readonly #dispatcher: Agent;
  #session: SwiftSession | undefined;
  #reauth: Promise<SwiftSession> | undefined;
  #serverListingLimit = SWIFT_LISTING_LIMIT;
  readonly #containerCounts = new Map<string, { objects: number; bytes: number }>();

  constructor(options: SwiftSourceOptions) {
    this.#options = options;
    this.#dispatcher = new Agent({
      connections: options.connections,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connect: { timeout: Math.min(options.requestTimeoutMs, 10_000), ...(options.caFile ? { ca: trustedCas('SWIFT_CA_FILE', options.caFile) } : {}) },
    });
  }

  get storageUrl(): string {
    return this.#session?.storageUrl ?? '';
  }

  /** Authenticates and checks that every container exists. Problems here end the run: a FatalError (exit 2), or an
   *  UnreachableError (exit 3) when Swift still cannot be reached after CONNECT_WAIT. */
  async connect(containers: readonly string[]): Promise<void> {
    // At start the endpoint may not be reachable yet (the pod's network, a proxy being restarted): wait a bounded time.
    const policy = { ...this.#options.retry, maxRetries: 1_000, maxDelayMs: 2_000, giveUpAfterMs: this.#options.connectWaitMs };
    try {
      this.#session = await withRetry(() => this.#timed('swift_auth', () => authenticate(this.#dispatcher, this.#options.auth)), policy);
      for (const container of containers) {
        const response = await withRetry(() => this.#request('swift_head', 'HEAD', `/${encodeSwiftPath(container)}`), policy);
        await response.body.dump();
        if (response.statusCode === 404) throw new FatalError(`Swift container "${container}" does not exist in ${this.storageUrl}: check SWIFT_CONTAINERS`);
        if (response.statusCode === 401 || response.statusCode === 403) throw new FatalError(`Swift refused access to container "${container}" (${response.statusCode}): check the credentials' rights`);
        if (response.statusCode >= 300) throw new HttpError(`Swift HEAD of container "${container}" answered ${response.statusCode}`, response.statusCode);
        const counts = containerCountsOf(response.headers);
        if (counts) this.#containerCounts.set(container, counts);
      }
      this.#serverListingLimit = await this.#listingLimit();
    } catch (error) {
      throw connectError(error, this.#connectingTo());
    }
  }

  /** The server connect() was talking to: Keystone until a v3 login succeeded, else Swift. */
  #connectingTo(): Server {
    const auth = this.#options.auth;
    if (this.#session) return { name: 'Swift', url: this.#session.storageUrl, fix: 'SWIFT_AUTH_URL / SWIFT_STORAGE_URL' };
    if (auth.kind === 'v3') return { name: 'Keystone', url: auth.authUrl, fix: 'OS_AUTH_URL' };
    return { name: 'Swift', url: auth.kind === 'token' ? auth.storageUrl : auth.authUrl, fix: 'SWIFT_AUTH_URL / SWIFT_STORAGE_URL' };
  }

  /** A container's object count and bytes as a HEAD tells them now. */
  async countNow(container: string): Promise<{ objects: number; bytes: number } | undefined> {
    return this.#withRetry(`head ${container}`, async () => {
      const response = await this.#request('swift_head', 'HEAD', `/${encodeSwiftPath(container)}`);
      await response.body.dump();
      if (response.statusCode >= 300) throw new HttpError(`Swift HEAD of container "${container}" answered ${response.statusCode}`, response.statusCode, retryAfterMsOf(response.headers['retry-after']));
      return containerCountsOf(response.headers);
    });
  }

  /** A container's object count and bytes as its HEAD told them at connect() (the progress line's first totals). */
  containerCounts(container: string): { objects: number; bytes: number } | undefined {
    return this.#containerCounts.get(container);
  }

  /** Every object of a container, in Swift's (UTF-8 byte) order, one page at a time. */
  async *list(container: string, prefix = ''): AsyncGenerator<SourceEntry> {
    const limit = Math.min(this.#options.pageSize ?? SWIFT_LISTING_LIMIT, this.#serverListingLimit);
    let marker = '';
    for (;;) {
      const query = new URLSearchParams({ format: 'json', limit: String(limit), marker, ...(prefix ? { prefix } : {}) });
      const page = await this.#withRetry(`list ${container}`, async () => {
        const response = await this.#request('swift_list', 'GET', `/${encodeSwiftPath(container)}?${query.toString().replaceAll('+', '%20')}`);
        if (response.statusCode === 204) { await response.body.dump(); return []; }
        if (response.statusCode === 404) { await response.body.dump(); throw new FatalError(`Swift container "${container}" disappeared during the listing`); }
        if (response.statusCode !== 200) { await response.body.dump(); throw new HttpError(`Swift listing of "${container}" answered ${response.statusCode}`, response.statusCode, retryAfterMsOf(response.headers['retry-after'])); }
        return (await response.body.json()) as ListingRow[];
      });
      for (const row of page) {
        if (row.subdir !== undefined || row.name === undefined) continue;
        yield toEntry(container, row);
      }
      // Only an empty page ends the listing: a server (or a proxy before it) may cap pages below `limit` silently.
      if (page.length === 0) return;
      const last = page[page.length - 1]!;
      marker = last.name ?? last.subdir ?? '';
    }
  }

  /** Opens an object for reading. A missing object is a SourceGoneError; the caller retries on transient errors. */
  async get(container: string, name: string): Promise<SourceObject> {
    const response = await this.#request('swift_get', 'GET', `/${encodeSwiftPath(container)}/${encodeSwiftPath(name)}`);
    if (response.statusCode === 404) {
      await response.body.dump();
      // A symlink whose target is missing answers 404 too, naming the target: that is a failure, not a deletion.
      const target = header(response.headers, 'content-location');
      if (target) throw new BrokenSymlinkError(`a Swift symlink whose target ${target} does not exist`);
      throw new SourceGoneError('deleted from Swift after the listing (404 on GET)');
    }
    if (response.statusCode !== 200) { await response.body.dump(); throw new HttpError(`Swift GET answered ${response.statusCode}`, response.statusCode, retryAfterMsOf(response.headers['retry-after'])); }
    const headers = swiftHeaders(response.headers);
    const etag = unquoteEtag(headers.etag ?? '');
    const largeObject = headers['x-static-large-object']?.toLowerCase() === 'true' ? 'slo' : headers['x-object-manifest'] ? 'dlo' : undefined;
    const size = Number(headers['content-length'] ?? NaN);
    if (!Number.isSafeInteger(size)) {
      response.body.destroy();
      throw new HttpError('Swift GET answered without a Content-Length', 502);
    }
    return {
      headers, size, etag, body: response.body,
      ...(largeObject ? { largeObject } : MD5_HEX.test(etag) ? { md5: etag } : {}),
    };
  }

  /** The server's page limit from /info (a smaller one answers 412 to a bigger page); 10,000 when /info is off. */
  async #listingLimit(): Promise<number> {
    try {
      const base = new URL(this.storageUrl);
      const response = await this.#dispatcher.request({ origin: base.origin, path: '/info', method: 'GET' });
      if (response.statusCode !== 200) { await response.body.dump(); return SWIFT_LISTING_LIMIT; }
      const info = (await response.body.json()) as { swift?: { container_listing_limit?: number } };
      const limit = info.swift?.container_listing_limit;
      return typeof limit === 'number' && limit > 0 ? Math.min(limit, SWIFT_LISTING_LIMIT) : SWIFT_LISTING_LIMIT;
    } catch {
      return SWIFT_LISTING_LIMIT;
    }
  }

  /** HEAD of one object (used to tell a DLO manifest from a real empty object). */
  async head(container: string, name: string): Promise<Record<string, string> | undefined> {
    return this.#withRetry(`head ${name}`, async () => {
      const response = await this.#request('swift_head', 'HEAD', `/${encodeSwiftPath(container)}/${encodeSwiftPath(name)}`);
      await response.body.dump();
      if (response.statusCode === 404) return undefined;
      if (response.statusCode >= 300) throw new HttpError(`Swift HEAD answered ${response.statusCode}`, response.statusCode, retryAfterMsOf(response.headers['retry-after']));
      return swiftHeaders(response.headers);
    });
  }

  /** The segments an SLO manifest lists, as container and object names (nested SLOs are not followed). */
  async sloSegments(container: string, name: string): Promise<{ container: string; name: string }[]> {
    return this.#withRetry(`manifest ${name}`, async () => {
      const response = await this.#request('swift_get', 'GET', `/${encodeSwiftPath(container)}/${encodeSwiftPath(name)}?multipart-manifest=get`);
      if (response.statusCode === 404) { await response.body.dump(); return []; }
      if (response.statusCode !== 200) { await response.body.dump(); throw new HttpError(`Swift GET of the manifest answered ${response.statusCode}`, response.statusCode); }
      const rows = (await response.body.json()) as { name?: string }[];
      return rows.flatMap((row) => {
        const path = (row.name ?? '').replace(/^\//, '');
        const slash = path.indexOf('/');
        return slash > 0 ? [{ container: path.slice(0, slash), name: path.slice(slash + 1) }] : [];
      });
    });
  }

  /** Retries a whole step on transient failures, counting them. */
  #withRetry<T>(what: string, step: () => Promise<T>): Promise<T> {
    return withRetry(step, this.#options.retry, {
      onRetry: (error, attempt) => {
        this.#options.stats.countRetry(`swift_${causeOf(error)}`);
        this.#options.onRetry?.(what, error, attempt);
      },
      ...(this.#options.outage ? { outage: this.#options.outage } : {}),
    });
  }

  /** One small request (a HEAD of the account): resolves when Swift answers anything but 502/503/504, or a 401 to a
   *  token it has just issued (its token store is failing: Swift can serve no one). */
  async probe(): Promise<void> {
    const session = this.#session;
    let status = await this.#probeWith(session);
    if (status === 401 && session && canReauthenticate(this.#options.auth)) {
      status = await this.#probeWith(await this.#freshSession(session));
      if (status === 401) throw freshTokenRejected();
    }
    if ([502, 503, 504].includes(status)) throw new HttpError(`Swift HEAD of the account answered ${status}`, status);
  }

  async #probeWith(session: SwiftSession | undefined): Promise<number> {
    const base = new URL(session?.storageUrl ?? this.storageUrl);
    const response = await this.#dispatcher.request({ origin: base.origin, path: base.pathname, method: 'HEAD', headers: { 'x-auth-token': session?.token ?? '' }, headersTimeout: PROBE_TIMEOUT_MS });
    await response.body.dump();
    return response.statusCode;
  }

  async #timed<T>(operation: Operation, request: () => Promise<T>): Promise<T> {
    return this.#options.stats.timed(operation, request);
  }

  /** One authenticated request; a 401 authenticates again once (tokens expire) and repeats the request. */
  async #request(operation: Operation, method: 'GET' | 'HEAD', path: string): Promise<Dispatcher.ResponseData> {
    const session = this.#session;
    if (!session) throw new Error('SwiftSource used before connect()');
    const response = await this.#send(operation, method, session, path);
    if (response.statusCode !== 401 || !canReauthenticate(this.#options.auth)) {
      if (response.statusCode === 401) { await response.body.dump(); throw new FatalError('Swift answered 401 to the given SWIFT_AUTH_TOKEN: it is invalid or has expired; issue a new token'); }
      return response;
    }
    await response.body.dump();
    this.#options.stats.countRetry('swift_http_401');
    const fresh = await this.#freshSession(session);
    const again = await this.#send(operation, method, fresh, path);
    if (again.statusCode !== 401) return again;
    await again.body.dump();
    throw freshTokenRejected();
  }

  #send(operation: Operation, method: 'GET' | 'HEAD', session: SwiftSession, path: string): Promise<Dispatcher.ResponseData> {
    const base = new URL(session.storageUrl);
    return this.#timed(operation, () => this.#dispatcher.request({
      origin: base.origin, path: `${base.pathname.replace(/\/+$/, '')}${path}`, method,
      headers: { 'x-auth-token': session.token },
    }));
  }

  /** One re-authentication shared by every request that saw the same expired token. */
  async #freshSession(stale: SwiftSession): Promise<SwiftSession> {
    if (this.#session !== stale) return this.#session!;
    this.#reauth ??= this.#timed('swift_auth', () => authenticate(this.#dispatcher, this.#options.auth)).finally(() => { this.#reauth = undefined; });
    this.#session = await this.#reauth;
    return this.#session;
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}

/** Swift refused a token it had just issued. tempauth keeps tokens in memcached; while its proxy cannot reach memcached
 *  (a restart, or a minute of error limiting after a burst of timeouts) every token is refused, the fresh one too.
 *  Swift then serves no one, so this is an outage sign (a 503): the run waits for it as for Swift being away. */
function freshTokenRejected(): HttpError {
  return new HttpError('Swift refused the token it had just issued (401): its token store (memcached, for tempauth) is failing', 503);
}

/** A server of the Swift side, with the variables that point at it. */
interface Server { name: 'Swift' | 'Keystone'; url: string; fix: string }

/** Why connect() failed, as the error that ends the run. A certificate that does not verify is configuration
 *  (exit 2); only what the start-up wait retried in vain is unreachable (exit 3). */
function connectError(error: unknown, { name, url, fix }: Server): FatalError {
  if (error instanceof FatalError) return error;
  const certificate = certificateProblem(error);
  if (certificate) {
    return new FatalError(`the TLS certificate of ${name} at ${originOf(url)} does not verify (${certificate}): set SWIFT_CA_FILE to the CA bundle that signed it`);
  }
  if (isTransient(error)) {
    return new UnreachableError(`cannot reach ${name} at ${hostPort(url)} (${messageOf(error)}): check ${fix} and that ${name} is reachable from here`);
  }
  return new FatalError(`${name} at ${hostPort(url)} cannot be used (${messageOf(error)}): check ${fix}`);
}

function originOf(url: string): string {
  try { return new URL(url).origin; } catch { return url; }
}

/** X-Container-Object-Count and X-Container-Bytes-Used, when the HEAD carried both. */
function containerCountsOf(headers: Dispatcher.ResponseData['headers']): { objects: number; bytes: number } | undefined {
  const objects = Number(header(headers, 'x-container-object-count') ?? NaN);
  const bytes = Number(header(headers, 'x-container-bytes-used') ?? NaN);
  return Number.isSafeInteger(objects) && Number.isSafeInteger(bytes) && objects >= 0 && bytes >= 0 ? { objects, bytes } : undefined;
}

interface ListingRow { name?: string; subdir?: string; bytes?: number; hash?: string; last_modified?: string; content_type?: string; slo_etag?: string }

/** Splits a listed content type into the type and its `swift_bytes` parameter, which Swift's SLO middleware appends
 *  to a manifest's content type (the SLO's whole size). */
function splitSwiftBytes(contentType: string): { type: string; swiftBytes?: number } {
  const match = /;\s*swift_bytes=(\d+)\s*(?=;|$)/.exec(contentType);
  if (!match) return { type: contentType };
  return { type: contentType.slice(0, match.index) + contentType.slice(match.index + match[0].length), swiftBytes: Number(match[1]) };
}

function toEntry(container: string, row: ListingRow): SourceEntry {
  const hash = row.hash ?? '';
  // Swift 2.19+ lists an SLO with its slo_etag; an older one shows it by ";swift_bytes=<size>" left in the content
  // type, with bytes and hash of the manifest itself. Such a row has no ETag of the SLO: '' leaves it to a HEAD.
  const { type, swiftBytes } = splitSwiftBytes(row.content_type ?? '');
  const slo = row.slo_etag !== undefined || swiftBytes !== undefined;
  return {
    container,
    name: row.name!,
    bytes: swiftBytes ?? row.bytes ?? 0,
    etag: row.slo_etag !== undefined ? unquoteEtag(row.slo_etag) : slo ? '' : hash,
    lastModified: row.last_modified ?? '',
    contentType: type,
    ...(slo ? { largeObject: 'slo' as const } : MD5_HEX.test(hash) ? { md5: hash } : {}),
  };
}

