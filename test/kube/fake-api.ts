// A strict Kubernetes API server on 127.0.0.1 for the kube tests: Jobs, CronJobs, Pods and Events, refused where a real server refuses.
//
// What it serves (namespaced; {ns} in the URL; JSON only):
//   GET    /apis/batch/v1/namespaces/{ns}/jobs[?labelSelector=&fieldSelector=]   list, 400 on a bad selector
//   POST   /apis/batch/v1/namespaces/{ns}/jobs                                   create: defaults, generated selector, 422 Invalid
//   GET    /apis/batch/v1/namespaces/{ns}/jobs/{name}[/status]                   read, 404 NotFound
//   PUT    /apis/batch/v1/namespaces/{ns}/jobs/{name}/status                     status update: the whole Job, only .status kept
//   DELETE /apis/batch/v1/namespaces/{ns}/jobs/{name}[?propagationPolicy=]       Background/Foreground delete its pods; default orphans them
//   GET    /apis/batch/v1/namespaces/{ns}/cronjobs[/{name}[/status]]              list, read
//   POST   /apis/batch/v1/namespaces/{ns}/cronjobs                               create: SetDefaults_CronJob, status cleared, 422 Invalid
//   PUT    /apis/batch/v1/namespaces/{ns}/cronjobs/{name}/status                 status update (what the CronJob controller writes)
//   DELETE /apis/batch/v1/namespaces/{ns}/cronjobs/{name}[?propagationPolicy=]   batch/v1 deletes its dependents by default (its Jobs, their pods)
//   GET    /api/v1/namespaces/{ns}/pods[?labelSelector=&fieldSelector=]          list
//   POST   /api/v1/namespaces/{ns}/pods                                          create (generateName too): phase Pending, 422 Invalid
//   GET    /api/v1/namespaces/{ns}/pods/{name}[/status]                          read
//   PUT    /api/v1/namespaces/{ns}/pods/{name}/status                            status update (what a kubelet reports)
//   POST   /api/v1/namespaces/{ns}/pods/{name}/binding                           the scheduler's bind: spec.nodeName, PodScheduled=True
//   DELETE /api/v1/namespaces/{ns}/pods/{name}[?gracePeriodSeconds=]             graceful: deletionTimestamp; gone at once when unbound or terminal
//   GET    /api/v1/namespaces/{ns}/pods/{name}/log[?container=&tailLines=&limitBytes=]  the container's log as text
//          (set in .logs by pod name), chosen and refused as LogLocation (pkg/registry/core/pod/strategy.go) and the
//          kubelet do; 422 on a negative tailLines or a limitBytes below 1 (ValidatePodLogOptions)
//   GET    /api/v1/namespaces/{ns}/events[?labelSelector=&fieldSelector=]        list, the field labels of EventToSelectableFields
//   GET    /api/v1/namespaces/{ns}/events/{name}                                 read
//   POST   /api/v1/namespaces/{ns}/events, PATCH …/events/{name}                 what an event recorder writes (a repeat raises count)
// Pod creates pass the .admission plugins (the pod runner's LimitRanger and ResourceQuota) after defaulting: a
// refusal is a 403 Forbidden naming the pod by its generateName, as admission.NewForbidden does.
// A resource (or resource/subresource) in .forbidden is refused 403 for every verb, as RBAC's authorizer words it.
// Refusals are Status objects as apimachinery's errors.NewInvalid / NewBadRequest / NewNotFound / NewConflict build them.
// Objects seeded through startFakeApi() or assigned to .jobs/.pods/.events are stored as given, without validation.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomInt, randomUUID } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import {
  aggregate, errorBody, invalid, notSupported, parseSelector, required, SelectorSyntaxError, selectorMatches, textOf, type FieldError, type Json, type Labels,
} from './k8s-syntax.ts';
import { defaultJob, prepareJobForCreate, validateJob, validateJobStatusUpdate, type Job } from './k8s-job.ts';
import { DecodeError, defaultPodSpec, podQOSClass, validateObjectMeta, validatePodCreate, validatePodStatusUpdate } from './k8s-pod.ts';

export type { Json } from './k8s-syntax.ts';
export { parseSelector, SelectorSyntaxError } from './k8s-syntax.ts';
export { podForIndex, COMPLETION_INDEX } from './k8s-pod.ts';
export { indexesFormatError, parseIndexes, CONTROLLER_UID, JOB_NAME } from './k8s-job.ts';

export interface RecordedRequest { method: string; path: string; query: URLSearchParams; body?: Json }

export interface Refusal { code: number; reason: string; message: string }

/** An admission plugin for a pod create: the pod (defaulted, not yet named) and the namespace's stored pods; may
 *  change the pod; answers the cause of a refusal ("exceeded quota: …") or undefined to admit it. */
export type PodAdmission = (pod: Json, pods: readonly Json[]) => string | undefined;

export interface FakeApi {
  url: string;
  /** Every request, in order of arrival, with the body as sent. */
  requests: RecordedRequest[];
  /** The stored objects; tests may replace or change them between requests. */
  jobs: Json[];
  cronJobs: Json[];
  pods: Json[];
  /** core/v1 Events, as the controllers' event recorders write them (fixtures.ts failedCreateEvent). */
  events: Json[];
  /** When set, every request is answered with this Status (e.g. 403 Forbidden). */
  refuse?: Refusal;
  /** Each pod's container log (by pod name), as the kubelet would serve it. */
  logs: Map<string, string>;
  /** Resources this user may not use, e.g. "pods/log" or "events": 403 as RBAC answers. */
  forbidden: Set<string>;
  /** Admission plugins for pod creates, in order: each may change the pod (a mutating plugin) or refuse it with a cause. */
  admission: PodAdmission[];
  /** A KubeConfig pointing at this server (plain HTTP, bearer token). */
  kubeConfig(namespace?: string): KubeConfig;
  close(): Promise<void>;
}

interface FakeState { requests: RecordedRequest[]; jobs: Json[]; cronJobs: Json[]; pods: Json[]; events: Json[]; refuse?: Refusal; resourceVersion: number; logs: Map<string, string>; forbidden: Set<string>; admission: PodAdmission[] }

export async function startFakeApi(objects: { jobs?: Json[]; cronJobs?: Json[]; pods?: Json[]; events?: Json[] } = {}): Promise<FakeApi> {
  const api: FakeState = { requests: [], jobs: [...(objects.jobs ?? [])], cronJobs: [...(objects.cronJobs ?? [])], pods: [...(objects.pods ?? [])], events: [...(objects.events ?? [])], resourceVersion: 10_000, logs: new Map(), forbidden: new Set(), admission: [] };
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
    get cronJobs() { return api.cronJobs; },
    set cronJobs(cronJobs: Json[]) { api.cronJobs = cronJobs; },
    get pods() { return api.pods; },
    set pods(pods: Json[]) { api.pods = pods; },
    get events() { return api.events; },
    set events(events: Json[]) { api.events = events; },
    get refuse() { return api.refuse; },
    set refuse(refusal) { api.refuse = refusal; },
    logs: api.logs,
    forbidden: api.forbidden,
    admission: api.admission,
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

/** A label selector as ?labelSelector= takes it (set-based too); throws SelectorSyntaxError where the server answers 400. */
export function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  return selectorMatches(parseSelector(selector), labels);
}

// --- routing -------------------------------------------------------------------------------------------------

interface Kind { apiVersion: string; kind: string; resource: string; group: string; collection: 'jobs' | 'cronJobs' | 'pods' | 'events' }
const JOB: Kind = { apiVersion: 'batch/v1', kind: 'Job', resource: 'jobs', group: 'batch', collection: 'jobs' };
const CRONJOB: Kind = { apiVersion: 'batch/v1', kind: 'CronJob', resource: 'cronjobs', group: 'batch', collection: 'cronJobs' };
const BATCH: Record<string, Kind> = { jobs: JOB, cronjobs: CRONJOB };
const POD: Kind = { apiVersion: 'v1', kind: 'Pod', resource: 'pods', group: '', collection: 'pods' };
const EVENT: Kind = { apiVersion: 'v1', kind: 'Event', resource: 'events', group: '', collection: 'events' };
const CORE: Record<string, Kind> = { pods: POD, events: EVENT };
const ROUTE = /^\/(?:apis\/batch\/v1|api\/v1)\/namespaces\/([^/]+)\/(jobs|cronjobs|pods|events)(?:\/([^/]+)(\/status|\/log|\/binding)?)?$/;

type Reply = [number, Json];

/** An HTTP-level refusal carried as an exception through the handlers. */
class Refused extends Error {
  readonly reply: Reply;
  constructor(reply: Reply) {
    super(String(reply[1].message));
    this.reply = reply;
  }
}

async function answer(api: FakeState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  const text = await readBody(request);
  let body: Json | undefined;
  try {
    body = text ? JSON.parse(text) as Json : undefined;
  } catch (error) {
    api.requests.push({ method, path: url.pathname, query: url.searchParams });
    return send(response, 400, status(400, 'BadRequest', `the request body is not valid JSON: ${String(error)}`));
  }
  api.requests.push({ method, path: url.pathname, query: url.searchParams, ...(body ? { body } : {}) });
  if (api.refuse) return send(response, api.refuse.code, status(api.refuse.code, api.refuse.reason, api.refuse.message));
  const route = ROUTE.exec(url.pathname);
  const kind = route && (url.pathname.startsWith('/apis/batch/v1/') ? BATCH[route[2]!] : CORE[route[2]!]);
  if (!route || !kind || (kind === EVENT && route[4]) || (route[4] === '/binding' && kind !== POD)) return send(response, 404, status(404, 'NotFound', `the server could not find the requested resource (${method} ${url.pathname})`));
  const [, namespace, , name, subresource] = route as unknown as [string, string, string, string | undefined, string | undefined];
  const denied = rbacRefusal(api, kind, method, decodeURIComponent(namespace), name && decodeURIComponent(name), subresource);
  if (denied) return send(response, 403, denied);
  if (subresource === '/log') {
    if (kind !== POD || !name) return send(response, 404, status(404, 'NotFound', `the server could not find the requested resource (${method} ${url.pathname})`));
    return podLog(api, decodeURIComponent(namespace), decodeURIComponent(name), method, url.searchParams, response);
  }
  try {
    if (subresource === '/binding') return send(response, ...bindPod(api, { method, namespace: decodeURIComponent(namespace), name: name && decodeURIComponent(name), status: false, query: url.searchParams, body, kind }));
    send(response, ...handle(api, { method, namespace: decodeURIComponent(namespace), name: name && decodeURIComponent(name), status: Boolean(subresource), query: url.searchParams, body, kind }));
  } catch (error) {
    if (error instanceof Refused) return send(response, ...error.reply);
    if (error instanceof DecodeError) return send(response, 400, status(400, 'BadRequest', error.message));
    throw error;
  }
}

interface Call { method: string; namespace: string; name?: string; status: boolean; query: URLSearchParams; body?: Json; kind: Kind }

function handle(api: FakeState, call: Call): Reply {
  const { method, name, kind } = call;
  if (!name && method === 'GET') return [200, list(api, call)];
  if (name && method === 'GET') return [200, stored(api, call).object];
  if (kind === EVENT && !name && method === 'POST') return createEvent(api, call);
  if (kind === EVENT && name && method === 'PATCH') return patchEvent(api, call);
  if (kind === EVENT) return [405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')];
  if (!name && method === 'POST') return kind === JOB ? createJob(api, call) : kind === CRONJOB ? createCronJob(api, call) : createPod(api, call);
  if (name && call.status && method === 'PUT') return updateStatus(api, call);
  if (name && !call.status && method === 'DELETE' && kind === JOB) return deleteJob(api, call);
  if (name && !call.status && method === 'DELETE' && kind === CRONJOB) return deleteCronJob(api, call);
  if (name && !call.status && method === 'DELETE' && kind === POD) return deletePod(api, call);
  return [405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')];
}

// --- list ----------------------------------------------------------------------------------------------------

/** Items of the namespace that match both selectors, in key order (namespace/name) as etcd returns them. */
function list(api: FakeState, call: Call): Json {
  const selector = parseOr400(() => parseSelector(call.query.get('labelSelector') ?? ''));
  const fields = parseOr400(() => parseFieldSelector(call.query.get('fieldSelector') ?? '', call.kind));
  const items = api[call.kind.collection]
    .filter((object) => metaOf(object).namespace === call.namespace)
    .filter((object) => selectorMatches(selector, metaOf(object).labels ?? {}))
    .filter((object) => fields.every(([path, operator, value]) => (fieldValue(object, path) === value) === (operator !== '!=')))
    .sort((a, b) => compareKeys(String(metaOf(a).name), String(metaOf(b).name)));
  return { apiVersion: call.kind.apiVersion, kind: `${call.kind.kind}List`, metadata: { resourceVersion: String(api.resourceVersion) }, items };
}

function parseOr400<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw new Refused([400, status(400, 'BadRequest', error.message)]);
    throw error;
  }
}

const FIELD_LABELS: Record<string, readonly string[]> = {
  jobs: ['metadata.name', 'metadata.namespace', 'status.successful'],
  cronjobs: ['metadata.name', 'metadata.namespace'],
  pods: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  // pkg/registry/core/event/strategy.go EventToSelectableFields; "source" is source.component.
  events: [
    'metadata.name', 'metadata.namespace', 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'source', 'type',
  ],
};

/** fields.ParseSelector: key=value, key==value, key!=value; each key a field label the resource supports (JobToSelectableFields, pod GetAttrs). */
function parseFieldSelector(selector: string, kind: Kind): [string, string, string][] {
  return selector.split(',').map((term) => term.trim()).filter(Boolean).map((term) => {
    const match = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!match) throw new SelectorSyntaxError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, key, operator, value] = match as unknown as [string, string, string, string];
    if (!FIELD_LABELS[kind.resource]!.includes(key)) throw new SelectorSyntaxError(`field label not supported: ${key}`);
    return [key, operator, value];
  });
}

function fieldValue(object: Json, path: string): string {
  if (path === 'status.successful') return textOf(((object.status ?? {}) as Json).succeeded ?? 0);
  if (path === 'source') return fieldValue(object, 'source.component');
  const value = path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Json)[key] : undefined), object);
  return value === undefined ? '' : textOf(value);
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

// --- create ----------------------------------------------------------------------------------------------------

/** The create handler's steps for a Job: decode and default, namespace check, PrepareForCreate, validate, store. */
function createJob(api: FakeState, call: Call): Reply {
  const job = decoded(call) as Job;
  job.spec ??= {} as Job['spec'];
  defaultJob(job);
  nameFromGenerateName(api, call, job.metadata);
  prepareJobForCreate(job, randomUUID());
  return store(api, call, job, validateJob(job));
}

/** The same for a Pod; PrepareForCreate (pkg/registry/core/pod/strategy.go) sets phase Pending and the QoS class. */
function createPod(api: FakeState, call: Call): Reply {
  const pod = decoded(call);
  pod.spec ??= {};
  defaultPodSpec(pod.spec as Json);
  admitPod(api, call, pod);
  pod.status = { phase: 'Pending', qosClass: podQOSClass(pod.spec as Json) };
  const metadata = pod.metadata as Json;
  nameFromGenerateName(api, call, metadata);
  metadata.uid = randomUUID();
  return store(api, call, pod, validatePodCreate(pod));
}

/**
 * The same for a CronJob: SetDefaults_CronJob (pkg/apis/batch/v1/defaults.go), PrepareForCreate (status cleared,
 * generation 1), then validateCronJob.
 */
function createCronJob(api: FakeState, call: Call): Reply {
  const cronJob = decoded(call);
  const spec = (cronJob.spec ??= {}) as Json;
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const metadata = cronJob.metadata as Json;
  nameFromGenerateName(api, call, metadata);
  Object.assign(metadata, { uid: randomUUID(), generation: 1 });
  cronJob.status = {};
  return store(api, call, cronJob, validateCronJob(cronJob));
}

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

/** Of ValidateCronJobCreate (pkg/apis/batch/validation) what the controller relies on: the name leaves room for the
 *  Jobs' "-<minutes>" suffix, a schedule, a known concurrencyPolicy, limits not negative, a job template. */
function validateCronJob(cronJob: Json): FieldError[] {
  const metadata = cronJob.metadata as Json;
  const spec = cronJob.spec as Json;
  const errors = validateObjectMeta(metadata);
  const name = textOf(metadata.name ?? '');
  if (name.length > 52) errors.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  if (!spec.schedule) errors.push(required('spec.schedule'));
  if (!CONCURRENCY_POLICIES.includes(textOf(spec.concurrencyPolicy))) errors.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, CONCURRENCY_POLICIES));
  for (const field of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    if (typeof spec[field] === 'number' && spec[field] < 0) errors.push(invalid(`spec.${field}`, spec[field], 'must be greater than or equal to 0'));
  }
  if (!(spec.jobTemplate as Json | undefined)?.spec) errors.push(required('spec.jobTemplate.spec.template'));
  return errors;
}

/**
 * Decoding and rest.BeforeCreate's namespace rule (EnsureObjectNamespaceMatchesRequestNamespace in
 * k8s.io/apiserver): a body namespace other than the URL's is a 400; none takes the URL's. Server-owned metadata
 * is dropped as on create (uid, resourceVersion, timestamps).
 */
function decoded(call: Call): Json {
  const body = structuredClone(call.body);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Refused([400, status(400, 'BadRequest', 'the body of the request was empty or not an object')]);
  checkTypeMeta(body, call.kind);
  const metadata = (body.metadata ?? {}) as Json;
  if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== call.namespace) {
    throw new Refused([400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')]);
  }
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _created, deletionTimestamp: _deleted, generation: _generation, ...kept } = metadata;
  body.metadata = { ...kept, namespace: call.namespace };
  body.apiVersion = call.kind.apiVersion;
  body.kind = call.kind.kind;
  return body;
}

function checkTypeMeta(body: Json, kind: Kind): void {
  if (body.apiVersion !== undefined && body.apiVersion !== kind.apiVersion) {
    throw new DecodeError(`the API version in the data (${textOf(body.apiVersion)}) does not match the expected API version (${kind.apiVersion})`);
  }
  if (body.kind !== undefined && body.kind !== kind.kind) {
    throw new DecodeError(`the kind in the data (${textOf(body.kind)}) does not match the expected kind (${kind.kind})`);
  }
}

/** Validation errors make a 422 Invalid; a taken name a 409 AlreadyExists; otherwise the object is stored. */
function store(api: FakeState, call: Call, object: Json, errors: FieldError[]): Reply {
  const metadata = object.metadata as Json;
  const name = textOf(metadata.name ?? '');
  if (errors.length > 0) throw new Refused([422, invalidStatus(call.kind, name, errors)]);
  if (api[call.kind.collection].some((other) => metaOf(other).namespace === call.namespace && metaOf(other).name === name)) {
    throw new Refused([409, status(409, 'AlreadyExists', `${qualified(call.kind)} "${name}" already exists`, details(call.kind, name))]);
  }
  metadata.resourceVersion = String(++api.resourceVersion);
  metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  api[call.kind.collection].push(object);
  return [201, object];
}

const NAME_CHARACTERS = 'bcdfghjklmnpqrstvwxz2456789';

/** rest.BeforeCreate: without a name, one is generated from generateName. */
function nameFromGenerateName(api: FakeState, call: Call, metadata: Json): void {
  if (!metadata.name && metadata.generateName) metadata.name = generateName(api, call, textOf(metadata.generateName));
}

/** names.SimpleNameGenerator: the prefix (cut to 58) and 5 random characters, tried until the name is free. */
function generateName(api: FakeState, call: Call, prefix: string): string {
  for (;;) {
    const name = `${prefix.slice(0, 58)}${Array.from({ length: 5 }, () => NAME_CHARACTERS[randomInt(NAME_CHARACTERS.length)]).join('')}`;
    if (!api[call.kind.collection].some((other) => metaOf(other).namespace === call.namespace && metaOf(other).name === name)) return name;
  }
}

// --- read, status update, delete -----------------------------------------------------------------------------

function stored(api: FakeState, call: Call): { object: Json; at: number } {
  const at = api[call.kind.collection].findIndex((object) => metaOf(object).namespace === call.namespace && metaOf(object).name === call.name);
  if (at < 0) throw new Refused([404, status(404, 'NotFound', `${qualified(call.kind)} "${call.name}" not found`, details(call.kind, call.name!))]);
  return { object: api[call.kind.collection][at]!, at };
}

/**
 * The status subresource: checkName (the body's name and namespace must be the URL's), 404 for a missing object, a
 * 409 Conflict on a stale resourceVersion (none given: an unconditional update, which both strategies allow), the
 * status strategy's PrepareForUpdate (spec and metadata stay the stored ones), then the status-update validation.
 */
function updateStatus(api: FakeState, call: Call): Reply {
  const body = call.body ?? {};
  checkTypeMeta(body, call.kind);
  const metadata = (body.metadata ?? {}) as Json;
  if (metadata.name !== undefined && metadata.name !== call.name) {
    throw new Refused([400, status(400, 'BadRequest', `the name of the object (${textOf(metadata.name)}) does not match the name on the URL (${call.name})`)]);
  }
  if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== call.namespace) {
    throw new Refused([400, status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')]);
  }
  const { object: old, at } = stored(api, call);
  const current = String(metaOf(old).resourceVersion ?? '');
  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== '' && metadata.resourceVersion !== current) {
    throw new Refused([409, status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(call.kind)} "${call.name}": the object has been modified; please apply your changes to the latest version and try again`, details(call.kind, call.name!))]);
  }
  const next: Json = { ...structuredClone(old), status: structuredClone(body.status ?? {}) };
  // cronJobStatusStrategy.ValidateUpdate checks nothing.
  const errors = call.kind === JOB ? validateJobStatusUpdate(next as Job, old as Job) : call.kind === CRONJOB ? [] : validatePodStatusUpdate(next, old);
  if (errors.length > 0) throw new Refused([422, invalidStatus(call.kind, call.name!, errors)]);
  (next.metadata as Json).resourceVersion = String(++api.resourceVersion);
  api[call.kind.collection][at] = next;
  return [200, next];
}

/**
 * DELETE of a Job. batch/v1 orphans the pods unless propagationPolicy (query or DeleteOptions body) says
 * Background or Foreground (strategy.go DefaultGarbageCollectionPolicy); the garbage collector's work is done at once.
 */
function deleteJob(api: FakeState, call: Call): Reply {
  const { object, at } = stored(api, call);
  const policy = call.query.get('propagationPolicy') ?? textOf(call.body?.propagationPolicy ?? 'Orphan');
  return deleteWithDependents(api, call, object, at, policy);
}

/**
 * DELETE of a CronJob: batch/v1 deletes its dependents unless told to orphan them (cronJobStrategy
 * DefaultGarbageCollectionPolicy: OrphanDependents only for batch/v1beta1) — its Jobs, and with them their pods.
 */
function deleteCronJob(api: FakeState, call: Call): Reply {
  const { object, at } = stored(api, call);
  const policy = call.query.get('propagationPolicy') ?? textOf(call.body?.propagationPolicy ?? 'Background');
  return deleteWithDependents(api, call, object, at, policy);
}

function deleteWithDependents(api: FakeState, call: Call, object: Json, at: number, policy: string): Reply {
  if (!['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw new Refused([422, invalidStatus(call.kind, call.name!, [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', value: policy, detail: 'supported values: "Foreground", "Background", "Orphan"' }])]);
  }
  const uid = String(metaOf(object).uid ?? '');
  api[call.kind.collection].splice(at, 1);
  if (policy === 'Orphan') orphanDependents(api, uid);
  else collectGarbage(api, uid);
  return [200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details(call.kind, call.name!), uid } }];
}

type OwnerRef = { uid?: string };
const DEPENDENT_COLLECTIONS = ['jobs', 'pods'] as const;
const ownerRefsOf = (object: Json): OwnerRef[] => (metaOf(object).ownerReferences ?? []) as OwnerRef[];
const dropOwner = (object: Json, uid: string) => { (object.metadata as Json).ownerReferences = ownerRefsOf(object).filter((owner) => owner.uid !== uid); };

function orphanDependents(api: FakeState, uid: string): void {
  for (const collection of DEPENDENT_COLLECTIONS) for (const dependent of api[collection].filter((object) => ownerRefsOf(object).some((owner) => owner.uid === uid))) dropOwner(dependent, uid);
}

/**
 * The garbage collector, at once (garbagecollector.go attemptToDeleteItem): a dependent with another owner still
 * there loses only the reference to the gone one; any other is deleted in the background, its own dependents with it.
 */
function collectGarbage(api: FakeState, uid: string): void {
  const exists = (owner: string) => [...api.jobs, ...api.cronJobs, ...api.pods].some((object) => metaOf(object).uid === owner);
  for (const collection of DEPENDENT_COLLECTIONS) {
    for (const dependent of api[collection].filter((object) => ownerRefsOf(object).some((owner) => owner.uid === uid))) {
      if (ownerRefsOf(dependent).some((owner) => owner.uid !== uid && exists(String(owner.uid)))) {
        dropOwner(dependent, uid);
        continue;
      }
      const at = api[collection].indexOf(dependent);
      if (at < 0) continue; // gone already, with an owner deleted before it
      api[collection].splice(at, 1);
      collectGarbage(api, String(metaOf(dependent).uid ?? ''));
    }
  }
}

// --- pods: admission, binding, graceful deletion ------------------------------------------------------------

/** The admission chain: each plugin in order; a refusal is admission.NewForbidden (the name, else the generateName). */
function admitPod(api: FakeState, call: Call, pod: Json): void {
  const others = api.pods.filter((other) => metaOf(other).namespace === call.namespace);
  for (const plugin of api.admission) {
    const cause = plugin(pod, others);
    if (cause === undefined) continue;
    const metadata = pod.metadata as Json;
    const name = textOf(metadata.name || metadata.generateName || '');
    throw new Refused([403, status(403, 'Forbidden', `pods "${name}" is forbidden: ${cause}`, { name, kind: 'pods' })]);
  }
}

/** pods/binding (pkg/registry/core/pod/storage assignPod): sets spec.nodeName once, and PodScheduled=True. */
function bindPod(api: FakeState, call: Call): Reply {
  if (call.method !== 'POST' || !call.name) return [405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')];
  const { object } = stored(api, call);
  const node = textOf(((call.body?.target ?? {}) as Json).name ?? '');
  if (!node) throw new Refused([422, invalidStatus(call.kind, call.name, [{ type: 'FieldValueRequired', field: 'target.name', detail: 'Required value' }])]);
  const spec = object.spec as Json;
  if ((object.metadata as Json).deletionTimestamp) throw new Refused([409, status(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${call.name}": pod ${call.name} is being deleted, cannot be assigned to a host`)]);
  if (spec.nodeName) throw new Refused([409, status(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${call.name}": pod ${call.name} is already assigned to node "${textOf(spec.nodeName)}"`)]);
  spec.nodeName = node;
  const podStatus = (object.status ?? {}) as Json;
  const conditions = ((podStatus.conditions ?? []) as Json[]).filter((condition) => condition.type !== 'PodScheduled');
  object.status = { ...podStatus, conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] };
  (object.metadata as Json).resourceVersion = String(++api.resourceVersion);
  return [201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }];
}

/**
 * DELETE of a pod (rest.BeforeDelete with the pod strategy's CheckGracefulDelete): the grace period is the
 * request's gracePeriodSeconds, else the pod's terminationGracePeriodSeconds; 0 for a pod on no node or already
 * terminal. With a grace period, or finalizers left, the pod stays with deletionTimestamp (now + grace) and
 * deletionGracePeriodSeconds for the kubelet to act on; otherwise it is gone.
 */
function deletePod(api: FakeState, call: Call): Reply {
  const { object, at } = stored(api, call);
  const metadata = object.metadata as Json;
  const spec = (object.spec ?? {}) as Json;
  const phase = ((object.status ?? {}) as Json).phase;
  const asked = call.query.get('gracePeriodSeconds') ?? call.body?.gracePeriodSeconds;
  let grace = asked !== undefined && asked !== null ? Number(asked) : Number(spec.terminationGracePeriodSeconds ?? 30);
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
  const finalizers = (metadata.finalizers ?? []) as string[];
  if (metadata.deletionTimestamp) {
    // A second delete may only shorten the grace period.
    if (grace < Number(metadata.deletionGracePeriodSeconds ?? 0)) Object.assign(metadata, { deletionGracePeriodSeconds: grace, deletionTimestamp: secondsFromNow(grace) });
  } else if (grace > 0 || finalizers.length > 0) {
    Object.assign(metadata, { deletionTimestamp: secondsFromNow(grace), deletionGracePeriodSeconds: grace });
  }
  if (grace === 0 && finalizers.length === 0) {
    api.pods.splice(at, 1);
  } else {
    metadata.resourceVersion = String(++api.resourceVersion);
  }
  return [200, object];
}

function secondsFromNow(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

// --- events ------------------------------------------------------------------------------------------------------

/** An event recorder's create: the involved object's namespace must be the event's (ValidateEventCreate), a reason given. */
function createEvent(api: FakeState, call: Call): Reply {
  const event = decoded(call);
  nameFromGenerateName(api, call, event.metadata as Json);
  const involved = (event.involvedObject ?? {}) as Json;
  const errors: FieldError[] = [];
  if (involved.namespace !== undefined && involved.namespace !== call.namespace) errors.push({ type: 'FieldValueInvalid', field: 'involvedObject.namespace', value: textOf(involved.namespace), detail: 'does not match event.namespace' });
  if (!event.reason) errors.push({ type: 'FieldValueRequired', field: 'reason', detail: 'Required value' });
  return store(api, call, event, errors);
}

/** The recorder's repeat of an event: a merge patch of count, lastTimestamp and message. */
function patchEvent(api: FakeState, call: Call): Reply {
  const { object, at } = stored(api, call);
  const next: Json = { ...object };
  for (const [key, value] of Object.entries(call.body ?? {})) if (key !== 'metadata') next[key] = value;
  next.metadata = { ...metaOf(object), resourceVersion: String(++api.resourceVersion) };
  api.events[at] = next;
  return [200, next];
}

// --- RBAC ------------------------------------------------------------------------------------------------------

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** A 403 for a resource in .forbidden: errors.NewForbidden around the RBAC authorizer's reason (no name on a list or create). */
function rbacRefusal(api: FakeState, kind: Kind, method: string, namespace: string, name: string | undefined, subresource: string | undefined): Json | undefined {
  const resource = `${kind.resource}${subresource ?? ''}`;
  if (!api.forbidden.has(resource)) return undefined;
  const verb = method === 'GET' ? (name ? 'get' : 'list') : VERBS[method] ?? method.toLowerCase();
  const named = name && method !== 'POST' ? name : '';
  const reason = `User "tester" cannot ${verb} resource "${resource}" in API group "${kind.group}" in the namespace "${namespace}"`;
  return status(403, 'Forbidden', `${qualified(kind)}${named ? ` "${named}"` : ''} is forbidden: ${reason}`, { ...(named ? { name: named } : {}), ...(kind.group ? { group: kind.group } : {}), kind: kind.resource });
}

// --- Status objects --------------------------------------------------------------------------------------------

interface Meta { name?: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Labels; ownerReferences?: unknown[] }

function metaOf(object: Json): Meta {
  return object.metadata ?? {};
}

/** GroupResource.String(): jobs.batch, pods. */
function qualified(kind: Kind): string {
  return kind.group ? `${kind.resource}.${kind.group}` : kind.resource;
}

function details(kind: Kind, name: string): Json {
  return { name, ...(kind.group ? { group: kind.group } : {}), kind: kind.resource };
}

/** errors.NewInvalid: 422, reason Invalid, one cause per field error (its reason, message and field). */
function invalidStatus(kind: Kind, name: string, errors: FieldError[]): Json {
  const groupKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const causes = errors.map((error) => ({ reason: error.type, message: errorBody(error), field: error.field }));
  return status(422, 'Invalid', `${groupKind} "${name}" is invalid: ${aggregate(errors)}`, { name, ...(kind.group ? { group: kind.group } : {}), kind: kind.kind, causes });
}

// --- pods/log ------------------------------------------------------------------------------------------------

/** GET pods/{name}/log (after RBAC): the pod, PodLogOptions validation, the container (LogLocation), and what the
 *  kubelet answers for a container that has not started; the log text, its last tailLines lines, at most limitBytes. */
function podLog(api: FakeState, namespace: string, name: string, method: string, query: URLSearchParams, response: ServerResponse): void {
  if (method !== 'GET') return send(response, 405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  const pod = api.pods.find((object) => metaOf(object).namespace === namespace && metaOf(object).name === name);
  if (!pod) return send(response, 404, status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
  const tailLines = query.has('tailLines') ? Number(query.get('tailLines')) : undefined;
  const limitBytes = query.has('limitBytes') ? Number(query.get('limitBytes')) : undefined;
  const invalid = [
    ...(tailLines !== undefined && !(tailLines >= 0) ? [`tailLines: Invalid value: ${query.get('tailLines')}: must be greater than or equal to 0`] : []),
    ...(limitBytes !== undefined && !(limitBytes >= 1) ? [`limitBytes: Invalid value: ${query.get('limitBytes')}: must be greater than 0`] : []),
  ];
  if (invalid.length > 0) return send(response, 422, status(422, 'Invalid', `PodLogOptions "${name}" is invalid: ${invalid.join(', ')}`, { name, kind: 'PodLogOptions' }));
  const spec = (pod['spec'] ?? {}) as { containers?: { name: string }[]; nodeName?: string };
  const names = (spec.containers ?? []).map((container) => container.name);
  let container = query.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) {
      const choose = names.length === 0 ? '' : `, choose one of: [${names.join(' ')}]`;
      return send(response, 400, status(400, 'BadRequest', `a container name must be specified for pod ${name}${choose}`));
    }
    container = names[0]!;
  } else if (!names.includes(container)) {
    return send(response, 400, status(400, 'BadRequest', `container ${container} is not valid for pod ${name}`));
  }
  // No node yet: LogLocation returns no location, and the server an empty log.
  if (!spec.nodeName) return sendText(response, '');
  const statuses = ((pod['status'] ?? {}) as { containerStatuses?: { name: string; state?: { waiting?: { reason?: string }; running?: Json; terminated?: Json } }[] }).containerStatuses ?? [];
  const state = statuses.find((entry) => entry.name === container)?.state;
  if (!state?.running && !state?.terminated) {
    return send(response, 400, status(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ${state?.waiting?.reason ?? 'ContainerCreating'}`));
  }
  let text = api.logs.get(name) ?? '';
  if (tailLines !== undefined) {
    const lines = text.split(/(?<=\n)/);
    text = tailLines === 0 ? '' : lines.slice(-tailLines).join('');
  }
  if (limitBytes !== undefined) text = Buffer.from(text).subarray(0, limitBytes).toString('utf8');
  sendText(response, text);
}

function sendText(response: ServerResponse, text: string): void {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end(text);
}

function status(code: number, reason: string, message: string, statusDetails?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(statusDetails ? { details: statusDetails } : {}), code };
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
