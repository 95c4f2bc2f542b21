// status and rerun through the real CLI, reading a kubeconfig file as a person would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { startFakeApi } from './fake-api.ts';
import { completeRun, failedRun, NAMESPACE, objectsOf, RELEASE } from './fixtures.ts';

function kubeconfigFile(server: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kubeconfig-')), 'config');
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'test',
    clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'tester', user: { token: 'fake-token-value' } }],
    contexts: [{ name: 'test', context: { cluster: 'fake', user: 'tester', namespace: NAMESPACE } }],
  }));
  return path;
}

test('status and rerun read KUBECONFIG and find the release through the CLI', async (t) => {
  const api = await startFakeApi(objectsOf(completeRun, failedRun));
  t.after(() => api.close());
  const env = { KUBECONFIG: kubeconfigFile(api.url) };
  const status = await runCli(['status', '--release', RELEASE], env);
  assert.equal(status.code, 1, status.stderr);
  assert.match(status.stdout, /failed indexes: 1,3/i);
  assert.ok(!status.stdout.includes('fake-token-value'));
  const rerun = await runCli(['rerun', '--release', RELEASE, '-n', NAMESPACE], env);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stdout, /helm upgrade cube-files helm\/swift-to-s3 -n cube --reset-then-reuse-values --set 'shards.only=\{1,3\}' --set run=3/);
  const missing = await runCli(['status'], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--release is required/);
  const wrongCommand = await runCli(['copy', '--watch'], env);
  assert.equal(wrongCommand.code, 2);
  assert.match(wrongCommand.stderr, /--watch does not apply to copy/);
});
