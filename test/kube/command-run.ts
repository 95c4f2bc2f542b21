// One of the CLI's cluster commands (status, rerun) run against the fake API, with what it printed.
import type { KubeCommandOptions, KubeOutcome } from '../../src/kube/commands.ts';
import type { FakeApi } from './fake-api.ts';
import { NAMESPACE, RELEASE } from './fixtures.ts';

export interface Run { code: KubeOutcome; out: string[]; err: string[] }

export async function run(command: (options: KubeCommandOptions) => Promise<KubeOutcome>, api: FakeApi, overrides: Partial<KubeCommandOptions> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command({
    release: RELEASE, namespace: NAMESPACE, watch: false, intervalSeconds: 5, apply: false, json: false, chart: 'helm/swift-to-s3',
    kubeConfig: api.kubeConfig(), print: (line) => out.push(line), printError: (line) => err.push(line), ...overrides,
  });
  return { code, out, err };
}
