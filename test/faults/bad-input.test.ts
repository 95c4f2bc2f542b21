// The rest of the bad-input catalogue: certificates, keys the target refuses, and secrets that must never show.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bed, copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf, type CliResult } from '../support/cli.ts';
import { startTlsFront } from '../support/tls.ts';
import { putObject, readAll } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';

testOnEachTarget('a certificate that does not verify: exit 2 pointing at S3_CA_FILE; with S3_CA_FILE it works; skipping verification warns', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'tls.txt', 'over TLS');
  const front = await startTlsFront(target.port);
  t.after(() => front.close());
  const env = copierEnv(container, bucket, { CONNECT_WAIT: '2' }, { s3: front.url, target });

  const refused = await runCli(['copy'], env);
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stderr.trim().split('\n').length, 1);
  assert.match(refused.stderr, /TLS certificate of S3 at https:\/\/127\.0\.0\.1:\d+ does not verify .*set S3_CA_FILE/);

  const trusted = await runCli(['copy'], { ...env, S3_CA_FILE: front.caFile });
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));

  const insecure = await runCli(['copy'], { ...env, S3_INSECURE_SKIP_TLS_VERIFY: 'true' });
  assert.equal(insecure.code, 0, insecure.stderr);
  assert.match(insecure.stdout, /"level":"warn".*S3_INSECURE_SKIP_TLS_VERIFY is on/);

  const missingCa = await runCli(['copy'], { ...env, S3_CA_FILE: '/nonexistent/ca.pem' });
  assert.equal(missingCa.code, 2);
  assert.match(missingCa.stderr, /cannot read S3_CA_FILE \/nonexistent\/ca\.pem/);
});

testOnEachTarget('a key the target refuses (too long with the prefix) fails that object alone, by name, and exits 1; a data bucket stores it', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  const long = `${'x'.repeat(1000)}.bin`;
  await putObject(account, container, long, 'long name');
  await putObject(account, container, 'short.bin', 'short name');
  const result = await runCli(['copy'], copierEnv(container, bucket, { S3_PREFIX: 'a-prefix-that-pushes-the-key-past-1024-bytes' }, { target }));
  if (target.name === 'nbdb') {
    // A NooBaa data bucket has no 1,024-byte limit (keys up to about 2,600 bytes, ../shared/noobaa/README-db.md).
    assert.equal(result.code, 0, result.stderr);
    assert.equal(summaryOf(result).copied, 2);
    assert.equal((await readAllS3(s3, bucket)).size, 2);
    return;
  }
  assert.equal(result.code, 1, result.stderr);
  const summary = summaryOf(result);
  assert.equal(summary.failed, 1);
  assert.equal(summary.copied, 1);
  // NooBaa NSFS takes keys over 1024 bytes; it refuses this one for its 1004-byte path segment (a file name).
  const refusal = target.name === 's3api' ? /x{100}.*(KeyTooLong|too long|400)/i : /x{100}.*(path segment|InternalError)/i;
  assert.match(JSON.stringify(summary.failures), refusal);
  assert.deepEqual([...(await readAllS3(s3, bucket)).keys()], ['a-prefix-that-pushes-the-key-past-1024-bytes/short.bin']);
});

testOnEachTarget('credentials appear nowhere: stdout, stderr or termination message of succeeding and failing runs', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  await putObject(account, container, 'a.txt', 'a');
  const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
  const wrong = { swift: 'WrongSwiftKey-9f8e7d', s3: 'WrongS3Secret-1a2b3c' };
  const runs: [string, Record<string, string>][] = [
    ['success at debug level', copierEnv(container, bucket, { LOG_LEVEL: 'debug' }, { target })],
    ['wrong Swift key', copierEnv(container, bucket, { SWIFT_KEY: wrong.swift }, { target })],
    ['wrong S3 secret', copierEnv(container, bucket, { AWS_SECRET_ACCESS_KEY: wrong.s3 }, { target })],
    ['bad value beside secrets', copierEnv(container, bucket, { SHARD_COUNT: 'x', SWIFT_KEY: wrong.swift, AWS_SECRET_ACCESS_KEY: wrong.s3 }, { target })],
    ['verify', copierEnv(container, bucket, {}, { target })],
  ];
  const secrets = [bed().swiftKey, target.secretAccessKey, wrong.swift, wrong.s3];
  for (const [index, [name, env]] of runs.entries()) {
    const path = join(dir, `termination-${index}`);
    const result: CliResult = await runCli([name === 'verify' ? 'verify' : 'copy'], { ...env, TERMINATION_MESSAGE_PATH: path });
    let termination = '';
    try { termination = readFileSync(path, 'utf8'); } catch { /* not every failure writes one */ }
    for (const secret of secrets) {
      for (const [where, text] of [['stdout', result.stdout], ['stderr', result.stderr], ['termination message', termination]] as const) {
        assert.ok(!text.includes(secret), `${name}: "${secret}" leaked into ${where}`);
      }
    }
  }
});
