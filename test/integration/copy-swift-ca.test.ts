// SWIFT_CA_FILE: the bed's Swift (and a Keystone) behind TLS reverse proxies with their own CAs, as the chart README
// puts CUBE's Swift behind nginx on its VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { bed, copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { startTlsFront, type TlsFront } from '../support/tls.ts';
import { listenLocally } from '../support/local-server.ts';
import { putObject, readAll } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';

/** The X-Storage-Url tempauth answers to an auth v1 request that came through `front`. */
async function storageUrlBehind(front: TlsFront): Promise<string> {
  const agent = new Agent({ connect: { ca: readFileSync(front.caFile, 'utf8') } });
  try {
    const answer = await agent.request({ origin: front.url, path: '/auth/v1.0', method: 'GET', headers: { 'x-auth-user': bed().swiftUser, 'x-auth-key': bed().swiftKey } });
    await answer.body.dump();
    assert.equal(answer.statusCode, 200);
    return String(answer.headers['x-storage-url']);
  } finally {
    await agent.close();
  }
}

function assertRefused(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, `exit code 2 expected:\n${result.stderr}\n${result.stdout}`);
  assert.equal(result.stderr.trim().split('\n').length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(result.stderr, pattern);
}

const gets = (front: TlsFront, prefix: string) => front.requests.filter((request) => request.method === 'GET' && request.path.startsWith(prefix)).map((request) => request.path).sort();

testOnEachTarget('Swift behind a TLS proxy with its own CA: exit 2 naming SWIFT_CA_FILE without it; with it auth, listing and reads all go through the proxy', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'a.txt', 'over TLS');
  await putObject(account, container, 'dir/b.bin', Buffer.alloc(70_000, 3));
  const front = await startTlsFront(bed().proxyPort);
  t.after(() => front.close());
  const accountPath = new URL(account.storageUrl).pathname;
  // tempauth builds the storage URL from the Host header the proxy keeps, but with its own scheme, http (it does not
  // read X-Forwarded-Proto): behind a TLS proxy it hands back a URL that does not work. So a user sets
  // SWIFT_STORAGE_URL to the proxy's https URL (helm/swift-to-s3/README.md, the VM side, step 4), as here.
  assert.equal(await storageUrlBehind(front), `${front.url.replace('https:', 'http:')}${accountPath}`);
  front.requests.splice(0); // from here on, only the copier's requests
  const env = copierEnv(container, bucket, { SWIFT_STORAGE_URL: `${front.url}${accountPath}`, CONNECT_WAIT: '2' }, { swift: front.url, target });

  assertRefused(await runCli(['copy'], env), /the TLS certificate of Swift at https:\/\/127\.0\.0\.1:\d+ does not verify \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): set SWIFT_CA_FILE/);
  assert.equal((await readAllS3(s3, bucket)).size, 0);

  const trusted = await runCli(['copy'], { ...env, SWIFT_CA_FILE: front.caFile });
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  // The refused run ended in the TLS handshake, before any request reached the proxy.
  assert.deepEqual(gets(front, '/auth/v1.0'), ['/auth/v1.0'], 'auth v1 went through the proxy');
  assert.equal(gets(front, `${accountPath}/${container}?`).length, 2, 'the listing (one page, then the empty page that ends it) went through the proxy');
  assert.deepEqual(gets(front, `${accountPath}/${container}/`), [`${accountPath}/${container}/a.txt`, `${accountPath}/${container}/dir/b.bin`]);
});

testOnEachTarget('Keystone and Swift behind two TLS proxies with different CAs: one SWIFT_CA_FILE holding both CAs serves both', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'k.txt', 'through Keystone over TLS');
  const swiftFront = await startTlsFront(bed().proxyPort);
  t.after(() => swiftFront.close());
  // No Keystone runs here: this server answers in Keystone's shape, with a real tempauth token and the Swift proxy's
  // https URL as the object-store endpoint, so the rest of the run is real.
  const catalog = [{ type: 'object-store', endpoints: [{ interface: 'public', region: 'RegionOne', url: `${swiftFront.url}${new URL(account.storageUrl).pathname}` }] }];
  const keystone = await listenLocally(createServer((request, response) => {
    request.resume();
    response.writeHead(201, { 'x-subject-token': account.token, 'content-type': 'application/json' }).end(JSON.stringify({ token: { catalog } }));
  }), 120_000);
  t.after(() => keystone.close());
  const keystoneFront = await startTlsFront(keystone.port);
  t.after(() => keystoneFront.close());
  const bundle = join(mkdtempSync(join(tmpdir(), 'swift-ca-')), 'bundle.pem');
  writeFileSync(bundle, readFileSync(swiftFront.caFile, 'utf8') + readFileSync(keystoneFront.caFile, 'utf8'));
  const { SWIFT_AUTH_URL: _u, SWIFT_USER: _s, SWIFT_KEY: _k, ...env } = copierEnv(container, bucket, { CONNECT_WAIT: '2' }, { target });
  const v3 = { ...env, OS_AUTH_URL: `${keystoneFront.url}/v3`, OS_APPLICATION_CREDENTIAL_ID: 'cred-id', OS_APPLICATION_CREDENTIAL_SECRET: 'app-secret-value' };

  assertRefused(await runCli(['copy'], { ...v3, SWIFT_CA_FILE: swiftFront.caFile }), /the TLS certificate of Keystone at https:\/\/127\.0\.0\.1:\d+ does not verify .*set SWIFT_CA_FILE/);

  const both = await runCli(['copy'], { ...v3, SWIFT_CA_FILE: bundle });
  assert.equal(both.code, 0, both.stderr);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  assert.deepEqual(keystoneFront.requests, [{ method: 'POST', path: '/v3/auth/tokens' }]);
  assert.deepEqual(gets(swiftFront, `${new URL(account.storageUrl).pathname}/${container}/`), [`${new URL(account.storageUrl).pathname}/${container}/k.txt`]);
});

// Refused before any connection: no target is involved.
test('a SWIFT_CA_FILE that cannot be read, or holds no certificate, exits 2 with one line naming it', async () => {
  const env = copierEnv('users', 'bucket');
  assertRefused(await runCli(['copy'], { ...env, SWIFT_CA_FILE: '/nonexistent/swift-ca.pem' }), /^swift-to-s3: cannot read SWIFT_CA_FILE \/nonexistent\/swift-ca\.pem: ENOENT/);
  const notPem = join(mkdtempSync(join(tmpdir(), 'swift-ca-')), 'ca.crt');
  writeFileSync(notPem, 'not a certificate\n');
  assertRefused(await runCli(['copy'], { ...env, SWIFT_CA_FILE: notPem }), /^swift-to-s3: SWIFT_CA_FILE \S+ca\.crt holds no PEM certificate/);
});
