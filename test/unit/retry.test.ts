// The one retry policy: which failures are tried again, how long it waits, when it stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokenSymlinkError, ConfigError, FatalError, HttpError, IntegrityError, KeyRuleError, SourceGoneError, UploadGoneError, retryAfterMsOf } from '../../src/errors.ts';
import { backoffDelay, causeOf, isTransient, retryPolicyOf, withRetry, type RetryPolicy } from '../../src/retry.ts';

/** An error as the AWS SDK throws it: a name and the HTTP status in $metadata. */
function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

test('server trouble, throttling, timeouts, resets and damaged bytes are retried', () => {
  for (const status of [500, 502, 503, 504, 429, 408]) assert.equal(isTransient(new HttpError('x', status)), true, `HTTP ${status}`);
  for (const [name, status] of [['InternalError', 500], ['SlowDown', 503], ['ServiceUnavailable', 503], ['RequestTimeout', 400], ['BadDigest', 400]] as const) {
    // A body that arrived changed (BadDigest) or too slowly (RequestTimeout) comes as 400 and is sent again.
    assert.equal(isTransient(s3Error(name, status)), true, `${name} ${status}`);
  }
  for (const name of ['RequestTimeout', 'BadDigest', 'IncompleteBody', 'SlowDown']) assert.equal(isTransient(Object.assign(new Error(name), { name })), true, `${name} without a status`);
  for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT']) assert.equal(isTransient(networkError(code)), true, code);
  assert.equal(isTransient(new IntegrityError('length')), true, 'bytes that do not match are read again');
  assert.equal(isTransient(new UploadGoneError('gone', { cause: s3Error('NoSuchUpload', 404) })), true, 'a vanished upload is sent again, its 404 notwithstanding');
  assert.equal(isTransient(Object.assign(new Error('t'), { name: 'TimeoutError' })), true);
  assert.equal(isTransient(Object.assign(new Error('sdk'), { $retryable: { throttling: true } })), true);
  assert.equal(isTransient(new Error('outer', { cause: new Error('middle', { cause: networkError('ECONNRESET') }) })), true, 'a cause further down counts');
});

test('refusals and mistakes are not retried: 4xx, unknown errors, and the named errors that report an object', () => {
  for (const status of [400, 401, 403, 404, 409, 412, 416]) assert.equal(isTransient(new HttpError('x', status)), false, `HTTP ${status}`);
  for (const [name, status] of [['AccessDenied', 403], ['NoSuchBucket', 404], ['NoSuchKey', 404], ['InvalidDigest', 400]] as const) assert.equal(isTransient(s3Error(name, status)), false, name);
  for (const error of [new Error('plain'), new KeyRuleError('path'), new BrokenSymlinkError('gone'), new SourceGoneError('gone'), new FatalError('auth'), new ConfigError(['bad']), networkError('ENOTFOUND')]) {
    assert.equal(isTransient(error), false, `${error.name}: ${error.message}`);
  }
  assert.equal(isTransient(undefined), false);
});

test('each cause of retry has a short name for the counters', () => {
  assert.equal(causeOf(new HttpError('x', 503)), 'http_503');
  assert.equal(causeOf(s3Error('InternalError', 500)), 'http_500');
  assert.equal(causeOf(networkError('ECONNRESET')), 'econnreset');
  assert.equal(causeOf(new IntegrityError('md5')), 'integrity');
  assert.equal(causeOf(new UploadGoneError('gone', { cause: s3Error('NoSuchUpload', 404) })), 'upload_gone');
  assert.equal(causeOf(Object.assign(new Error('t'), { name: 'AbortError' })), 'timeout');
  assert.equal(causeOf(new Error('something')), 'other');
});

test('backoff is full jitter under an exponential ceiling capped at maxDelayMs; Retry-After is honoured up to the cap', () => {
  const policy: RetryPolicy = { maxRetries: 10, baseDelayMs: 100, maxDelayMs: 2_000 };
  for (let attempt = 0; attempt < 8; attempt++) {
    const ceiling = Math.min(2_000, 100 * 2 ** attempt);
    const delays = Array.from({ length: 400 }, () => backoffDelay(attempt, policy));
    assert.ok(delays.every((delay) => delay >= 0 && delay <= ceiling), `attempt ${attempt}: within [0, ${ceiling}]`);
    assert.ok(Math.max(...delays) > ceiling * 0.8 && Math.min(...delays) < ceiling * 0.2, `attempt ${attempt}: spread over the range (jitter)`);
  }
  assert.ok(backoffDelay(0, policy, 1_500) >= 1_500, 'never sooner than the server asked');
  assert.equal(backoffDelay(0, policy, 60_000), 2_000, 'but never past the cap');
  assert.deepEqual(retryPolicyOf({ maxRetries: 5, retryBaseDelayMs: 250 }), { maxRetries: 5, baseDelayMs: 250, maxDelayMs: 20_000 });
});

test('withRetry tries again after transient failures, up to maxRetries, and reports every retry', async () => {
  const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 };
  const retries: number[] = [];
  let calls = 0;
  const value = await withRetry((n) => {
    calls++;
    return n < 2 ? Promise.reject(new HttpError('busy', 503)) : Promise.resolve('done');
  }, policy, { onRetry: (_error, attempt) => retries.push(attempt) });
  assert.equal(value, 'done');
  assert.equal(calls, 3);
  assert.deepEqual(retries, [1, 2]);

  calls = 0;
  await assert.rejects(withRetry(() => { calls++; return Promise.reject(new HttpError('busy', 503)); }, policy), /busy/);
  assert.equal(calls, 4, 'the first try and three retries');
});

test('withRetry stops at once on a non-transient error, when aborted, and past giveUpAfterMs', async () => {
  let calls = 0;
  await assert.rejects(withRetry(() => { calls++; return Promise.reject(new HttpError('denied', 403)); }, { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 1 }), /denied/);
  assert.equal(calls, 1);

  const stop = new AbortController();
  stop.abort();
  calls = 0;
  await assert.rejects(withRetry(() => { calls++; return Promise.reject(new HttpError('busy', 503)); }, { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 1 }, { signal: stop.signal }), /busy/);
  assert.equal(calls, 1, 'a stopping shard does not retry');

  calls = 0;
  await assert.rejects(withRetry(() => { calls++; return Promise.reject(networkError('ECONNREFUSED')); }, { maxRetries: 1_000, baseDelayMs: 20, maxDelayMs: 20, giveUpAfterMs: 100 }), /ECONNREFUSED/);
  assert.ok(calls >= 2 && calls < 200, `gave up after about 100 ms, not after 1,000 retries (${calls} tries)`);
});

test("Retry-After in seconds becomes the wait's lower bound; anything else is ignored", () => {
  assert.equal(retryAfterMsOf('3'), 3_000);
  assert.equal(retryAfterMsOf(['0']), 0);
  assert.equal(retryAfterMsOf(undefined), undefined);
  assert.equal(retryAfterMsOf('Wed, 21 Oct 2015 07:28:00 GMT'), undefined);
  assert.equal(retryAfterMsOf('-1'), undefined);
});
