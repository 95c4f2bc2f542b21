// One retry policy for both sides: what is transient, exponential backoff with full jitter, a limit.
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError, IntegrityError, UploadGoneError } from './errors.ts';

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Stop retrying once this much time has passed since the first attempt (start-up waits use it). */
  giveUpAfterMs?: number;
}

/** The policy the settings ask for (MAX_RETRIES, RETRY_BASE_DELAY), capped at 20 s between tries. */
export function retryPolicyOf(settings: { maxRetries: number; retryBaseDelayMs: number }): RetryPolicy {
  return { maxRetries: settings.maxRetries, baseDelayMs: settings.retryBaseDelayMs, maxDelayMs: 20_000 };
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_ABORTED',
]);
const TRANSIENT_S3_CODES = new Set(['InternalError', 'SlowDown', 'ServiceUnavailable', 'RequestTimeout', 'TimeoutError', 'RequestTimeTooSkewed', 'ThrottlingException', 'IncompleteBody', 'BadDigest']);

/** The HTTP status of an error from either side, when it has one. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpError) return error.status;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

function* causes(error: unknown): Generator<unknown> {
  for (let current = error, depth = 0; current && depth < 6; current = (current as { cause?: unknown }).cause, depth++) yield current;
}

/** True when the same request may succeed if tried again. */
export function isTransient(error: unknown): boolean {
  for (const current of causes(error)) {
    if (current instanceof IntegrityError || current instanceof UploadGoneError) return true;
    const { code, name } = current as { code?: unknown; name?: unknown };
    // Before the status: BadDigest (a body that arrived changed) and RequestTimeout come as 400.
    if (typeof name === 'string' && (TRANSIENT_S3_CODES.has(name) || name === 'AbortError' || name === 'TimeoutError')) return true;
    const status = statusOf(current);
    if (status !== undefined && status !== 200) return status >= 500 || status === 429 || status === 408;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if ((current as { $retryable?: unknown }).$retryable) return true;
  }
  return false;
}

/** A short name for the kind of failure, used to count retries by cause. */
export function causeOf(error: unknown): string {
  for (const current of causes(error)) {
    const status = statusOf(current);
    if (status !== undefined) return `http_${status}`;
    const { code, name } = current as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return code.toLowerCase();
    if (current instanceof IntegrityError) return 'integrity';
    if (current instanceof UploadGoneError) return 'upload_gone';
    if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  }
  return 'other';
}

export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.random() * ceiling;
  return retryAfterMs === undefined ? jittered : Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs));
}

/** What the retries of one request ask of the sides it talks to (outage.ts). */
export interface OutageGate {
  /** Waits while an outage is on; rejects with an UnreachableError once it has lasted OUTAGE_WAIT. */
  whenUp(): Promise<void>;
  /** True when `error` is an outage's, not the request's own (it is tried again, its retries kept). */
  isOutage(error: unknown): Promise<boolean>;
}

export interface RetryHooks {
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  outage?: OutageGate;
}

/** Runs `attempt` until it succeeds, fails with a non-transient error, or the retries are used up. A failure that is
 *  an outage's waits for the side to be back and spends no retry. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const started = Date.now();
  for (let n = 0; ; n++) {
    await hooks.outage?.whenUp();
    try {
      return await attempt(n);
    } catch (error) {
      if (hooks.outage && !hooks.signal?.aborted && await hooks.outage.isOutage(error)) { n--; continue; }
      if (n >= policy.maxRetries || !isTransient(error) || hooks.signal?.aborted) throw error;
      const retryAfter = error instanceof HttpError ? error.retryAfterMs : undefined;
      const delay = backoffDelay(n, policy, retryAfter);
      if (policy.giveUpAfterMs !== undefined && Date.now() + delay - started > policy.giveUpAfterMs) throw error;
      hooks.onRetry?.(error, n + 1, delay);
      await sleep(delay);
    }
  }
}
