import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { listenLocally } from '../support/local-server.ts';

function assertOneClearLine(result: CliResult, pattern: RegExp, secrets: string[] = [], code = 2): void {
  assert.equal(result.code, code, `exit code ${code} expected:\n${result.stderr}\n${result.stdout}`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  for (const secret of secrets) assert.ok(!(result.stderr + result.stdout).includes(secret), `secret ${secret} leaked`);
}

testOnEachTarget('a wrong Swift key exits 2 with one line naming the user, and never prints the key', async (_t, target) => {
  const { container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  const result = await runCli(['copy'], copierEnv(container, bucket, { SWIFT_KEY: 'wrong-key-s3cr3t' }, { target }));
  assertOneClearLine(result, /Swift rejected user chris:chris1234 .*401.*SWIFT_USER and SWIFT_KEY/, ['wrong-key-s3cr3t', target.secretAccessKey]);
});

testOnEachTarget('a missing container exits 2 naming it', async (_t, target) => {
  const { bucket } = await freshBucket(target);
  const result = await runCli(['copy'], copierEnv('no-such-container', bucket, {}, { target }));
  assertOneClearLine(result, /container "no-such-container" does not exist.*SWIFT_CONTAINERS/);
});

/** Runs `copy` with `overrides` and CONNECT_WAIT=1, and checks it gave up soon with exit 3 (only this index fails)
 *  and one line, which the termination message carries too, for `status`. */
async function assertUnreachable(overrides: Record<string, string>, pattern: RegExp, container = 'users'): Promise<void> {
  const termination = join(mkdtempSync(join(tmpdir(), 'unreachable-')), 'termination-log');
  const started = Date.now();
  const result = await runCli(['copy'], copierEnv(container, 'bucket', { CONNECT_WAIT: '1', TERMINATION_MESSAGE_PATH: termination, ...overrides }));
  const seconds = (Date.now() - started) / 1000;
  assertOneClearLine(result, pattern, [], 3);
  assert.ok(seconds < 8, `gave up after ${seconds} s with CONNECT_WAIT=1`);
  assert.match(JSON.parse(readFileSync(termination, 'utf8')).failures[0].reason, pattern);
}

// Swift alone: the run ends before any bucket is reached, so no target is involved.
test('an unreachable Swift exits 3 naming host and port, after CONNECT_WAIT', async () => {
  await assertUnreachable({ SWIFT_AUTH_URL: 'http://127.0.0.1:9/auth/v1.0' }, /cannot reach Swift at 127\.0\.0\.1:9 .*ECONNREFUSED/);
});

test('a Swift that answers 503 to everything until CONNECT_WAIT is over exits 3 too', async (t) => {
  let asked = 0;
  const server = await listenLocally(createServer((_request, response) => { asked++; response.writeHead(503).end(); }), 60_000);
  t.after(() => server.close());
  await assertUnreachable({ SWIFT_AUTH_URL: `http://127.0.0.1:${server.port}/auth/v1.0` }, new RegExp(`cannot reach Swift at 127\\.0\\.0\\.1:${server.port} .*503`));
  assert.ok(asked > 1, `asked ${asked} time(s): the start-up wait retries`);
});

// Swift is the bed's and answers; the S3 endpoint is a closed port, so no target is involved either.
test('an unreachable S3 exits 3 naming host and port, after CONNECT_WAIT', async () => {
  const { container } = await freshContainer();
  await assertUnreachable({ S3_ENDPOINT: 'http://127.0.0.1:9' }, /cannot reach S3 at 127\.0\.0\.1:9 .*ECONNREFUSED/, container);
});

testOnEachTarget('a missing bucket and wrong S3 keys exit 2 with the variable to fix', async (_t, target) => {
  const { container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  assertOneClearLine(await runCli(['copy'], copierEnv(container, 'no-such-bucket-x', {}, { target })), /bucket "no-such-bucket-x" does not exist.*BUCKET_NAME/);
  assertOneClearLine(await runCli(['copy'], copierEnv(container, bucket, { AWS_SECRET_ACCESS_KEY: 'bad-secret-value' }, { target })), /SignatureDoesNotMatch.*AWS_SECRET_ACCESS_KEY/, ['bad-secret-value']);
  assertOneClearLine(await runCli(['copy'], copierEnv(container, bucket, { AWS_ACCESS_KEY_ID: 'nobody:none' }, { target })), /(InvalidAccessKeyId|denied access|SignatureDoesNotMatch).*AWS_ACCESS_KEY_ID/);
});

// Configuration is checked before any connection: no target is involved.
test('bad configuration values each give one line naming the variable and an example', async () => {
  const base = copierEnv('users', 'bucket');
  const cases: [Record<string, string>, RegExp][] = [
    [{ SWIFT_AUTH_URL: 'swift.example.org/auth/v1.0' }, /^swift-to-s3: SWIFT_AUTH_URL "swift.example.org\/auth\/v1.0" is not a URL with a scheme.*for example SWIFT_AUTH_URL=http/],
    [{ SHARD_COUNT: '0' }, /SHARD_COUNT "0" must be a whole number from 1/],
    [{ SHARD_COUNT: '4', JOB_COMPLETION_INDEX: '4' }, /JOB_COMPLETION_INDEX is 4, but SHARD_COUNT is 4/],
    [{ SHARD_COUNT: '4', SHARD_INDEXES: '1,x' }, /SHARD_INDEXES "1,x" is not an index list/],
    [{ SHARD_COUNT: '4', SHARD_INDEXES: '1,9' }, /SHARD_INDEXES names shard 9, but SHARD_COUNT is 4/],
    [{ PART_SIZE: '1MiB' }, /PART_SIZE is 1048576 bytes, S3 needs parts of at least 5MiB/],
    [{ TRANSFERS: 'many' }, /TRANSFERS "many" must be a whole number/],
    [{ COMPARE: 'mtime' }, /COMPARE "mtime" is not one of the allowed values/],
    [{ SWIFT_USER: 'chris' }, /SWIFT_USER "chris" has no account part/],
  ];
  for (const [overrides, pattern] of cases) {
    assertOneClearLine(await runCli(['copy'], { ...base, ...overrides }), pattern);
  }
  const { BUCKET_NAME: _, ...withoutBucket } = base;
  assertOneClearLine(await runCli(['copy'], withoutBucket), /BUCKET_NAME is not set.*for example BUCKET_NAME=/);
});

// No connection either: flags and help only.
test('secrets are refused as flags, and --help works for the command', async () => {
  assertOneClearLine(await runCli(['copy', '--swift-key', 'x'], {}), /--swift-key is not accepted: set SWIFT_KEY in the environment/);
  const help = await runCli(['copy', '--help'], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /SHARD_INDEXES\s+--shard-indexes/);
  assert.match(help.stdout, /Exit codes: 0/);
  assert.match(help.stdout, /^\s+3 Swift or S3 cannot be reached after CONNECT_WAIT/m);
});
