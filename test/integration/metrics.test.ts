import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { testOnEachTarget } from '../support/targets.ts';
import { startCli } from '../support/cli.ts';
import { putObject } from '../support/swift.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

testOnEachTarget('METRICS_PORT serves Prometheus metrics of the running copy', async (_t, target) => {
  const { account, container } = await freshContainer();
  const { bucket } = await freshBucket(target);
  for (let i = 0; i < 6; i++) await putObject(account, container, `m-${i}`, Buffer.alloc(400_000, i));
  const port = await freePort();
  const { done } = startCli(['copy'], copierEnv(container, bucket, { METRICS_PORT: String(port), BWLIMIT: '1MiB', TRANSFERS: '2' }, { target }));
  let text = '';
  for (let attempt = 0; attempt < 100 && !/swift_to_s3_objects_total\{outcome="copied"\} [1-9]/.test(text); attempt++) {
    await sleep(100);
    text = await fetch(`http://127.0.0.1:${port}/metrics`).then((response) => response.text(), () => '');
  }
  assert.match(text, /swift_to_s3_objects_total\{outcome="copied"\} [1-9]/);
  assert.match(text, /swift_to_s3_bytes_copied_total [1-9]\d*/);
  assert.match(text, /swift_to_s3_requests_total\{operation="swift_get"\} [1-9]/);
  assert.match(text, /swift_to_s3_request_seconds_total\{operation="s3_put"\} \d/);
  assert.match(text, /swift_to_s3_transfers_in_flight \d/);
  assert.match(text, /# TYPE swift_to_s3_retries_total counter/);
  assert.match(text, /# TYPE swift_to_s3_outages_total counter/);
  assert.match(text, /# TYPE swift_to_s3_outage_seconds_total counter/);
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
});
