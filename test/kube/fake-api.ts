// A small Kubernetes API server on 127.0.0.1 for the kube tests: lists Jobs and Pods by label selector, creates Jobs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';

export type Json = Record<string, unknown>;

export interface RecordedRequest { method: string; path: string; query: URLSearchParams; body?: Json }

export interface FakeApi {
  url: string;
  /** Every request, in order of arrival. */
  requests: RecordedRequest[];
  /** The stored objects; tests may replace or change them between requests. */
  jobs: Json[];
  pods: Json[];
  /** When set, every request is answered with this Status (e.g. 403 Forbidden). */
  refuse?: { code: number; reason: string; message: string };
  /** A KubeConfig pointing at this server (plain HTTP, bearer token). */
  kubeConfig(namespace?: string): KubeConfig;
  close(): Promise<void>;
}

const JOBS = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/;
const PODS = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/;

export async function startFakeApi(objects: { jobs?: Json[]; pods?: Json[] } = {}): Promise<FakeApi> {
  const api: FakeState = { requests: [], jobs: [...(objects.jobs ?? [])], pods: [...(objects.pods ?? [])] };
  const server = createServer((request, response) => {
    void answer(api, request, response).catch((error: unknown) => send(response, 500, status(500, 'InternalError', String(error))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get requests() { return api.requests; },
    get jobs() { return api.jobs; },
    set jobs(jobs: Json[]) { api.jobs = jobs; },
    get pods() { return api.pods; },
    set pods(pods: Json[]) { api.pods = pods; },
    get refuse() { return api.refuse; },
    set refuse(refusal) { api.refuse = refusal; },
    kubeConfig: (namespace?: string) => kubeConfigFor(url, namespace),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export function kubeConfigFor(server: string, namespace?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester', ...(namespace ? { namespace } : {}) }],
    currentContext: 'fake',
  });
  return kubeConfig;
}

interface FakeState { requests: RecordedRequest[]; jobs: Json[]; pods: Json[]; refuse?: { code: number; reason: string; message: string } }

async function answer(api: FakeState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const text = await readBody(request);
  const body = text ? JSON.parse(text) as Json : undefined;
  api.requests.push({ method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, ...(body ? { body } : {}) });
  if (api.refuse) return send(response, api.refuse.code, status(api.refuse.code, api.refuse.reason, api.refuse.message));
  const jobs = JOBS.exec(url.pathname);
  const pods = PODS.exec(url.pathname);
  const selector = url.searchParams.get('labelSelector') ?? '';
  if (jobs && request.method === 'GET') return send(response, 200, list('batch/v1', 'JobList', select(api.jobs, jobs[1]!, selector)));
  if (pods && request.method === 'GET') return send(response, 200, list('v1', 'PodList', select(api.pods, pods[1]!, selector)));
  if (jobs && request.method === 'POST' && body) return send(response, ...createJob(api, jobs[1]!, body));
  send(response, 404, status(404, 'NotFound', `the server could not find the requested resource (${request.method} ${url.pathname})`));
}

function createJob(api: { jobs: Json[] }, namespace: string, body: Json): [number, Json] {
  const metadata = (body.metadata ?? {}) as Json;
  const name = String(metadata.name ?? '');
  if (api.jobs.some((job) => metaOf(job).name === name && metaOf(job).namespace === namespace)) {
    return [409, status(409, 'AlreadyExists', `jobs.batch "${name}" already exists`, { name, group: 'batch', kind: 'jobs' })];
  }
  const created = { ...body, metadata: { ...metadata, namespace, uid: randomUUID(), resourceVersion: '1000', creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }, status: {} };
  api.jobs.push(created);
  return [201, created];
}

function metaOf(object: Json): { name?: string; namespace?: string; labels?: Record<string, string> } {
  return (object.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };
}

/** Equality (`a=b`, `a==b`), inequality (`a!=b`) and existence (`a`, `!a`) selectors, comma-joined. */
export function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  return selector.split(',').map((term) => term.trim()).filter(Boolean).every((term) => {
    const inequality = /^([^!=]+)!=(.*)$/.exec(term);
    if (inequality) return labels[inequality[1]!.trim()] !== inequality[2]!.trim();
    const equality = /^([^!=]+)==?(.*)$/.exec(term);
    if (equality) return labels[equality[1]!.trim()] === equality[2]!.trim();
    if (term.startsWith('!')) return !(term.slice(1) in labels);
    return term in labels;
  });
}

function select(objects: Json[], namespace: string, selector: string): Json[] {
  return objects.filter((object) => metaOf(object).namespace === namespace && matchesSelector(metaOf(object).labels ?? {}, selector));
}

function list(apiVersion: string, kind: string, items: Json[]): Json {
  return { apiVersion, kind, metadata: { resourceVersion: '999' }, items };
}

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function send(response: ServerResponse, code: number, body: Json): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
