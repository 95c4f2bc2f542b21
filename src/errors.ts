// Named errors: each carries what the CLI needs to pick an exit code and print one clear line.

/** Bad or missing configuration: exit 2, one line per problem, no stack. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.lines = lines;
  }
}

/** A problem that no retry of this shard can fix (authentication, a missing container or bucket, a certificate
 *  that does not verify): exit 2 so the Job stops at once. */
export class FatalError extends Error {
  override name = 'FatalError';
}

/** Swift or S3 still cannot be reached when CONNECT_WAIT is over: it ends the shard like a FatalError, but exits 3,
 *  so only this index fails (a network blip on one pod's way must not stop every index). */
export class UnreachableError extends FatalError {
  override name = 'UnreachableError';
}

/** An HTTP answer that is not a success, from either side; retryAfterMs from its Retry-After header, if any. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status: number, retryAfterMs?: number) {
    super(message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Retry-After in seconds (RFC 9110 also allows an HTTP date, which Swift's middlewares do not send) as milliseconds. */
export function retryAfterMsOf(value: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(value) ? value[0] : value);
  return value !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** The bytes read do not match what the source announced (length or MD5): restart the object. */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

/** A multipart upload that vanished before it completed (its CompleteMultipartUpload found none, and the key does not
 *  hold what it was writing): the object is sent again whole. */
export class UploadGoneError extends Error {
  override name = 'UploadGoneError';
}

/** The destination cannot store this key as it is named (a file-backed NooBaa bucket's path rules): reported by
 *  name at once, never retried. */
export class KeyRuleError extends Error {
  override name = 'KeyRuleError';
}

/** A Swift symlink whose target is gone: reported by name (exit 1), never counted as a deletion. */
export class BrokenSymlinkError extends Error {
  override name = 'BrokenSymlinkError';
}

/** The source object disappeared between listing and read: skipped, not failed. */
export class SourceGoneError extends Error {
  override name = 'SourceGoneError';
}

/** A stored resync ledger that is not exactly one of ours for this container and shard: read as empty. */
export class LedgerError extends Error {
  override name = 'LedgerError';
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (error as { code?: unknown }).code;
    const base = error.message || error.name;
    if (cause instanceof Error && cause.message && !base.includes(cause.message)) return `${base}: ${cause.message}`;
    if (typeof code === 'string' && code && !base.includes(code)) return `${base} (${code})`;
    return base;
  }
  return String(error);
}
