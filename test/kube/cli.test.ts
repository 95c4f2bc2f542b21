// status and rerun through the real CLI, reading a kubeconfig file as a person would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { startFakeApi } from './fake-api.ts';
import { completeRun, failedRun, imagePullRun, NAMESPACE, objectsOf, RELEASE } from './fixtures.ts';

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

test('status of a Job that nothing can move on exits 2 through the CLI', async (t) => {
  const api = await startFakeApi(objectsOf(imagePullRun));
  t.after(() => api.close());
  const status = await runCli(['status', '--release', RELEASE], { KUBECONFIG: kubeconfigFile(api.url) });
  assert.equal(status.code, 2, status.stderr);
  assert.match(status.stdout, /^stuck: nothing can progress: ImagePullBackOff \(indexes 0-1\)/m);
});

test('status and rerun without any kubeconfig say so in one line and exit 2', async (t) => {
  // In a pod, client-node would take the service account instead: nothing to test there.
  if (existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) return t.skip('running in a pod with a service account');
  const home = mkdtempSync(join(tmpdir(), 'home-'));
  for (const command of ['status', 'rerun']) {
    const unset = await runCli([command, '--release', RELEASE], { HOME: home });
    assert.equal(unset.code, 2, unset.stderr);
    assert.equal(unset.stderr, 'swift-to-s3: no kubeconfig: set KUBECONFIG or log in (oc login / kubectl config)\n');
    assert.equal(unset.stdout, '');
  }
  const nothing = join(home, 'no-such-config');
  const missing = await runCli(['status', '--release', RELEASE], { HOME: home, KUBECONFIG: nothing });
  assert.equal(missing.code, 2, missing.stderr);
  assert.equal(missing.stderr, `swift-to-s3: no kubeconfig: KUBECONFIG names ${nothing}, which does not exist; set KUBECONFIG or log in (oc login / kubectl config)\n`);
  const empty = join(home, 'empty-config');
  writeFileSync(empty, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], users: [] }));
  const noContext = await runCli(['status', '--release', RELEASE], { HOME: home, KUBECONFIG: empty });
  assert.equal(noContext.code, 2, noContext.stderr);
  assert.equal(noContext.stderr, 'swift-to-s3: no cluster in the kubeconfig\'s current context: log in (oc login / kubectl config use-context)\n');
});
