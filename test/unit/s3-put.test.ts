// S3Target.put against a server that reads a body and never answers: a body that fails ends the request at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { PassThrough } from 'node:stream';
import { Stats } from '../../src/report/stats.ts';
import { S3Target } from '../../src/s3/target.ts';
import { listenLocally } from '../support/local-server.ts';

/** A server that drains every request body and never answers; `received` and `closed` count requests that arrived
 *  and requests whose connection ended. */
async function silentServer() {
  let received = 0;
  let closed = 0;
  const server = createServer((request) => {
    received++;
    request.resume();
    request.on('close', () => closed++);
  });
  const { port, close } = await listenLocally(server, 60_000);
  return { endpoint: `http://127.0.0.1:${port}`, received: () => received, closed: () => closed, close };
}

async function until(condition: () => boolean): Promise<void> {
  for (let wait = 0; wait < 400 && !condition(); wait++) await new Promise((resolve) => setTimeout(resolve, 20));
}

function targetAt(endpoint: string): S3Target {
  return new S3Target({
    s3: { endpoint, bucket: 'bucket', region: 'us-east-1', accessKeyId: 'key', secretAccessKey: 'secret', prefix: '', insecureSkipTlsVerify: false },
    connections: 4, requestTimeoutMs: 60_000, connectWaitMs: 1_000, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 }, stats: new Stats(),
  });
}

test('a PUT whose body fails mid-way rejects with the body\'s error at once, not after the 60 s socket timeout', { timeout: 30_000 }, async () => {
  const server = await silentServer();
  const target = targetAt(server.endpoint);
  try {
    const body = new PassThrough();
    const put = target.put('key', body, 1_000_000, {});
    body.write(Buffer.alloc(1000));
    // Mid-way means the request is under way: break the body only once the server has it (a loaded machine may take
    // longer than any fixed delay to sign and connect).
    await until(() => server.received() === 1);
    assert.equal(server.received(), 1, 'the request reached the server');
    body.destroy(new Error('the source broke off'));
    await assert.rejects(put, /the source broke off/);
    await until(() => server.closed() === 1);
    assert.equal(server.closed(), 1, 'the request was ended, not left open');
  } finally {
    target.close();
    await server.close();
  }
});

test('a PUT whose body failed before the request started rejects with that error', { timeout: 10_000 }, async () => {
  const server = await silentServer();
  const target = targetAt(server.endpoint);
  try {
    const body = new PassThrough();
    body.on('error', () => undefined);
    body.destroy(new Error('wrong MD5'));
    await assert.rejects(target.put('key', body, 10, {}), /wrong MD5/);
  } finally {
    target.close();
    await server.close();
  }
});
