import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bed, copierEnv, freshBucket, freshContainer, proxyFor } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { putObject, readAll, swiftLogin } from '../support/swift.ts';
import { readAllS3 } from '../support/s3.ts';

testOnEachTarget('an already issued token with SWIFT_STORAGE_URL is enough to copy', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'a.txt', 'token auth');
  const { SWIFT_AUTH_URL: _u, SWIFT_USER: _s, SWIFT_KEY: _k, ...env } = copierEnv(container, bucket, {}, { target });
  const result = await runCli(['copy'], { ...env, SWIFT_STORAGE_URL: account.storageUrl, SWIFT_AUTH_TOKEN: account.token });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!result.stdout.includes(account.token) && !result.stderr.includes(account.token), 'the token is never printed');
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
});

testOnEachTarget('SWIFT_STORAGE_URL overrides the storage URL that auth v1 hands back', async (t, target) => {
  const { account, container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  await putObject(account, container, 'b.txt', 'override');
  // Authenticating through the proxy makes tempauth answer with the proxy's address; the override must win.
  const proxy = await proxyFor(target);
  t.after(() => proxy.close());
  const result = await runCli(['copy'], copierEnv(container, bucket, { SWIFT_STORAGE_URL: account.storageUrl }, { swift: proxy.url, target }));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(proxy.count('swift_auth'), 1);
  assert.equal(proxy.count('swift_container_get') + proxy.count('swift_object_get'), 0, 'storage requests went to the override');
  assert.equal(summaryOf(result).copied, 1);
});

testOnEachTarget('Keystone v3 application credentials: token from X-Subject-Token, storage URL from the catalog', async (t, target) => {
  const { account, container } = await freshContainer();
  const { s3, bucket } = await freshBucket(target);
  await putObject(account, container, 'c.txt', 'keystone');
  // No Keystone runs here: this server answers POST /v3/auth/tokens in Keystone's shape, handing out a real
  // tempauth token and the real Swift as the object-store endpoint, so the rest of the run is real.
  const requests: unknown[] = [];
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    requests.push({ method: request.method, url: request.url, body: JSON.parse(body || '{}') });
    const credential = JSON.parse(body).auth?.identity?.application_credential;
    if (request.url !== '/v3/auth/tokens' || credential?.secret !== 'app-secret-value') { response.writeHead(401).end(); return; }
    const fresh = await swiftLogin(bed().swiftAuthUrl, bed().swiftUser, bed().swiftKey);
    response.writeHead(201, { 'x-subject-token': fresh.token, 'content-type': 'application/json' }).end(JSON.stringify({
      token: { methods: ['application_credential'], expires_at: '2099-01-01T00:00:00Z', catalog: [
        { type: 'identity', name: 'keystone', endpoints: [{ interface: 'public', region: 'RegionOne', url: 'http://127.0.0.1:1/v3' }] },
        { type: 'object-store', name: 'swift', endpoints: [
          { interface: 'internal', region: 'RegionOne', url: 'http://127.0.0.1:2/v1/AUTH_wrong' },
          { interface: 'public', region: 'RegionOne', url: fresh.storageUrl },
        ] },
      ] },
    }));
  };
  // A failure of the stand-in shows in the test's output and cuts the copier's request off.
  const keystone = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => { console.error('keystone stand-in failed:', error); response.destroy(); });
  });
  await new Promise<void>((resolve) => keystone.listen(0, '127.0.0.1', resolve));
  t.after(() => keystone.close());
  const { SWIFT_AUTH_URL: _u, SWIFT_USER: _s, SWIFT_KEY: _k, ...env } = copierEnv(container, bucket, {}, { target });
  const keystoneUrl = `http://127.0.0.1:${(keystone.address() as AddressInfo).port}/v3`;
  const good = await runCli(['copy'], { ...env, OS_AUTH_URL: keystoneUrl, OS_APPLICATION_CREDENTIAL_ID: 'cred-id', OS_APPLICATION_CREDENTIAL_SECRET: 'app-secret-value' });
  assert.equal(good.code, 0, good.stderr);
  assert.deepEqual(await readAllS3(s3, bucket), await readAll(account, container));
  assert.deepEqual((requests[0] as { body: unknown }).body, { auth: { identity: { methods: ['application_credential'], application_credential: { id: 'cred-id', secret: 'app-secret-value' } } } });
  const bad = await runCli(['copy'], { ...env, OS_AUTH_URL: keystoneUrl, OS_APPLICATION_CREDENTIAL_ID: 'cred-id', OS_APPLICATION_CREDENTIAL_SECRET: 'wrong-app-secret' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Swift rejected application credential cred-id .*OS_APPLICATION_CREDENTIAL_SECRET/);
  assert.ok(!bad.stderr.includes('wrong-app-secret') && !bad.stdout.includes('wrong-app-secret'));
});

testOnEachTarget('the summary goes to TERMINATION_MESSAGE_PATH as JSON within 4 KiB, and BWLIMIT caps the read rate', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  await putObject(account, container, 'two-mib.bin', Buffer.alloc(2 * 1024 * 1024, 7));
  const path = join(mkdtempSync(join(tmpdir(), 'term-')), 'termination-log');
  const result = await runCli(['copy'], copierEnv(container, bucket, { TERMINATION_MESSAGE_PATH: path, BWLIMIT: '1MiB' }, { target }));
  assert.equal(result.code, 0, result.stderr);
  const text = readFileSync(path, 'utf8');
  assert.ok(Buffer.byteLength(text) <= 4096);
  const summary = JSON.parse(text);
  assert.equal(summary.copied, 1);
  assert.equal(summary.bytes, 2 * 1024 * 1024);
  // 2 MiB at 1 MiB/s cannot finish in under a second (even with a burst of a full second's budget).
  assert.ok(summary.seconds >= 0.9, `took ${summary.seconds} s`);
});
