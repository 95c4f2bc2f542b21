// Pods for the strict fake API: the server's defaults, its create and status-update validation, and the pod the
// Job controller creates for one completion index. Ported from kubernetes/kubernetes; each rule names its source.
import { isIP } from 'node:net';
import {
  duplicate, forbidden, invalid, isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, nameIsDNSSubdomain, notFound,
  notSupported, required, textOf, validateAnnotations, validateLabels, type FieldError, type Json, type Labels,
} from './k8s-syntax.ts';

/** A body the server could not decode (bad JSON types, bad quantities): it answers 400 BadRequest, not 422. */
export class DecodeError extends Error {}

type Container = Json & { name?: string; image?: string; env?: Json[]; envFrom?: Json[]; volumeMounts?: Json[]; ports?: Json[]; resources?: { requests?: Labels; limits?: Labels } };
type PodSpec = Json & { containers?: Container[]; initContainers?: Container[]; volumes?: Json[]; restartPolicy?: string; hostAliases?: { ip?: string; hostnames?: string[] }[] };

// --- defaults: pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_ContainerPort --

/** Fills what the server fills while decoding, in place; the validation below runs on the defaulted object. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) defaultContainer(container);
  for (const volume of spec.volumes ?? []) {
    // SetDefaults_Volume: a volume without a source is an emptyDir; ConfigMap and Secret volumes default mode 0644.
    if (!Object.keys(volume).some((key) => key !== 'name')) volume.emptyDir = {};
    for (const source of ['configMap', 'secret'] as const) if (volume[source]) (volume[source] as Json).defaultMode ??= 420;
  }
}

function defaultContainer(container: Container): void {
  container.imagePullPolicy ??= imageTag(String(container.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  for (const port of container.ports ?? []) port.protocol ??= 'TCP';
  for (const variable of container.env ?? []) {
    const fieldRef = (variable.valueFrom as Json | undefined)?.fieldRef as Json | undefined;
    if (fieldRef) fieldRef.apiVersion ??= 'v1';
  }
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, quantity] of Object.entries(container.resources?.[kind] ?? {})) {
      if (parseQuantity(String(quantity)) === undefined) throw new DecodeError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (${kind}.${name}: ${String(quantity)})`);
    }
  }
}

/** parsers.ParseImageName: no tag and no digest means "latest". */
function imageTag(image: string): string {
  if (image.includes('@')) return '';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : 'latest';
}

const SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** resource.ParseQuantity, enough to compare requests with limits. */
export function parseQuantity(text: string): number | undefined {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.exec(text);
  if (!match) return undefined;
  const suffix = match[2] ?? '';
  const scale = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix]!;
  return Number(match[1]) * scale;
}

// --- validation: pkg/apis/core/validation/validation.go --------------------------------------------------------

/** ValidatePodSpec, the rules a Job's pods can meet (containers, volumes, env, restartPolicy, DNS, hostAliases). */
export function validatePodSpec(spec: PodSpec, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.terminationGracePeriodSeconds === undefined) errors.push(required(`${field}.terminationGracePeriodSeconds`));
  const volumes = validateVolumes(spec.volumes ?? [], `${field}.volumes`, errors);
  errors.push(...validateContainers(spec.containers ?? [], volumes, `${field}.containers`));
  errors.push(...validateInitContainers(spec.initContainers ?? [], spec.containers ?? [], volumes, `${field}.initContainers`));
  errors.push(...oneOf(spec.restartPolicy, ['Always', 'OnFailure', 'Never'], `${field}.restartPolicy`));
  errors.push(...oneOf(spec.dnsPolicy, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'], `${field}.dnsPolicy`));
  errors.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`));
  if (spec.serviceAccountName) errors.push(...nameIsDNSSubdomain(textOf(spec.serviceAccountName), false).map((message) => invalid(`${field}.serviceAccountName`, spec.serviceAccountName, message)));
  if (spec.hostname) errors.push(...isDNS1123Label(textOf(spec.hostname)).map((message) => invalid(`${field}.hostname`, spec.hostname, message)));
  if (spec.subdomain) errors.push(...isDNS1123Label(textOf(spec.subdomain)).map((message) => invalid(`${field}.subdomain`, spec.subdomain, message)));
  (spec.hostAliases ?? []).forEach((alias, index) => errors.push(...validateHostAlias(alias, `${field}.hostAliases[${index}]`)));
  (spec.imagePullSecrets as Json[] | undefined ?? []).forEach((secret, index) => {
    if (Object.keys(secret).some((key) => key !== 'name')) errors.push(invalid(`${field}.imagePullSecrets[${index}]`, secret, 'only name may be set'));
  });
  if (spec.activeDeadlineSeconds !== undefined && (Number(spec.activeDeadlineSeconds) < 1 || Number(spec.activeDeadlineSeconds) > 2 ** 31 - 1)) {
    errors.push(invalid(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, `must be between 1 and ${2 ** 31 - 1}, inclusive`));
  }
  return errors;
}

/** validateRestartPolicy / validateDNSPolicy: required, and one of the supported values. */
function oneOf(value: unknown, supported: readonly string[], field: string): FieldError[] {
  if (value === undefined || value === '') return [required(field)];
  return supported.includes(textOf(value)) ? [] : [notSupported(field, value, supported)];
}

/** ValidateHostAliases: an IP address and DNS-1123 subdomain host names. */
function validateHostAlias(alias: { ip?: string; hostnames?: string[] }, field: string): FieldError[] {
  const errors: FieldError[] = isIP(alias.ip ?? '') ? [] : [invalid(`${field}.ip`, alias.ip ?? '', 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
  (alias.hostnames ?? []).forEach((hostname, index) => errors.push(...isDNS1123Subdomain(hostname).map((message) => invalid(`${field}.hostnames[${index}]`, hostname, message))));
  return errors;
}

/** ValidateVolumes: DNS-1123 label names, unique, exactly one source; ConfigMap and Secret volumes name their object. */
function validateVolumes(volumes: Json[], field: string, errors: FieldError[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((volume, index) => {
    const at = `${field}[${index}]`;
    const name = textOf(volume.name ?? '');
    if (!name) errors.push(required(`${at}.name`));
    else errors.push(...isDNS1123Label(name).map((message) => invalid(`${at}.name`, name, message)));
    if (names.has(name)) errors.push(duplicate(`${at}.name`, name));
    names.add(name);
    const sources = Object.keys(volume).filter((key) => key !== 'name');
    if (sources.length > 1) errors.push(forbidden(`${at}.${sources[1]}`, `may not specify more than 1 volume type`));
    const configMap = volume.configMap as Json | undefined;
    if (configMap && !configMap.name) errors.push(required(`${at}.configMap.name`));
    const secret = volume.secret as Json | undefined;
    if (secret && !secret.secretName) errors.push(required(`${at}.secret.secretName`));
    for (const [kind, source] of [['configMap', configMap], ['secret', secret]] as const) {
      ((source?.items as Json[] | undefined) ?? []).forEach((item, itemIndex) => {
        if (!item.key) errors.push(required(`${at}.${kind}.items[${itemIndex}].key`));
        if (!item.path) errors.push(required(`${at}.${kind}.items[${itemIndex}].path`));
      });
    }
  });
  return names;
}

/** validateContainers: at least one; names unique; each one validateContainerCommon. */
function validateContainers(containers: Container[], volumes: Set<string>, field: string): FieldError[] {
  if (containers.length === 0) return [required(field)];
  const names = new Set<string>();
  return containers.flatMap((container, index) => {
    const at = `${field}[${index}]`;
    const errors = validateContainerCommon(container, volumes, at);
    if (names.has(String(container.name))) errors.push(duplicate(`${at}.name`, container.name));
    names.add(String(container.name));
    if (container.restartPolicy !== undefined) errors.push(forbidden(`${at}.restartPolicy`, 'may not be set for non-init containers'));
    return errors;
  });
}

/** validateInitContainers: names unique across init and regular containers. */
function validateInitContainers(containers: Container[], others: Container[], volumes: Set<string>, field: string): FieldError[] {
  const names = new Set(others.map((container) => String(container.name)));
  return containers.flatMap((container, index) => {
    const at = `${field}[${index}]`;
    const errors = validateContainerCommon(container, volumes, at);
    if (names.has(String(container.name))) errors.push(duplicate(`${at}.name`, container.name));
    names.add(String(container.name));
    return errors;
  });
}

/** validateContainerCommon: name, image, terminationMessagePolicy, env, envFrom, volumeMounts, pull policy, resources. */
function validateContainerCommon(container: Container, volumes: Set<string>, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!container.name) errors.push(required(`${field}.name`));
  else errors.push(...isDNS1123Label(container.name).map((message) => invalid(`${field}.name`, container.name, message)));
  if (!container.image) errors.push(required(`${field}.image`));
  errors.push(...oneOf(container.terminationMessagePolicy, ['File', 'FallbackToLogsOnError'], `${field}.terminationMessagePolicy`));
  errors.push(...oneOf(container.imagePullPolicy, ['Always', 'IfNotPresent', 'Never'], `${field}.imagePullPolicy`));
  (container.env ?? []).forEach((variable, index) => errors.push(...validateEnvVar(variable, `${field}.env[${index}]`)));
  (container.envFrom ?? []).forEach((source, index) => errors.push(...validateEnvFrom(source, `${field}.envFrom[${index}]`, `${field}.envFrom`)));
  errors.push(...validateVolumeMounts(container.volumeMounts ?? [], volumes, `${field}.volumeMounts`));
  errors.push(...validateRequestsWithinLimits(container.resources, `${field}.resources`));
  return errors;
}

/**
 * IsEnvVarName as Kubernetes 1.29 (OpenShift 4.16) applies it: letters, digits, '_', '-', '.', not starting with a
 * digit. Later versions relax it behind RelaxedEnvironmentVariableValidation; the chart must pass on 1.29.
 */
function isEnvVarName(name: string): string[] {
  return /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name) ? [] : ["a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"];
}

/** ValidateEnv + validateEnvVarValueFrom: a name, and value or exactly one valueFrom source. */
function validateEnvVar(variable: Json, field: string): FieldError[] {
  const errors: FieldError[] = [];
  const name = textOf(variable.name ?? '');
  if (!name) errors.push(required(`${field}.name`));
  else errors.push(...isEnvVarName(name).map((message) => invalid(`${field}.name`, name, message)));
  const valueFrom = variable.valueFrom as Json | undefined;
  if (!valueFrom) return errors;
  const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((key) => valueFrom[key] !== undefined);
  if (sources.length === 0) errors.push(invalid(`${field}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (variable.value) errors.push(invalid(`${field}.valueFrom`, '', 'may not be specified when `value` is not empty'));
  else if (sources.length > 1) errors.push(invalid(`${field}.valueFrom`, '', 'may not have more than one field specified at a time'));
  for (const kind of ['configMapKeyRef', 'secretKeyRef'] as const) {
    const ref = valueFrom[kind] as Json | undefined;
    if (!ref) continue;
    errors.push(...nameIsDNSSubdomain(textOf(ref.name ?? ''), false).map((message) => invalid(`${field}.valueFrom.${kind}.name`, ref.name ?? '', message)));
    if (!ref.key) errors.push(required(`${field}.valueFrom.${kind}.key`));
    else errors.push(...isConfigMapKey(textOf(ref.key)).map((message) => invalid(`${field}.valueFrom.${kind}.key`, ref.key, message)));
  }
  const fieldRef = valueFrom.fieldRef as Json | undefined;
  if (fieldRef && !fieldRef.fieldPath) errors.push(required(`${field}.valueFrom.fieldRef.fieldPath`));
  return errors;
}

/** ValidateEnvFrom: an optional env-name prefix and exactly one of configMapRef or secretRef, each naming its object. */
function validateEnvFrom(source: Json, field: string, listField: string): FieldError[] {
  const errors: FieldError[] = [];
  if (source.prefix) errors.push(...isEnvVarName(textOf(source.prefix)).map((message) => invalid(`${field}.prefix`, source.prefix, message)));
  const refs = (['configMapRef', 'secretRef'] as const).filter((key) => source[key] !== undefined);
  if (refs.length === 0) errors.push(invalid(listField, '', 'must specify one of: `configMapRef` or `secretRef`'));
  else if (refs.length > 1) errors.push(invalid(listField, '', 'may not have more than one field specified at a time'));
  for (const key of refs) {
    const name = textOf((source[key] as Json).name ?? '');
    if (!name) errors.push(required(`${field}.${key}.name`));
    else errors.push(...nameIsDNSSubdomain(name, true).map((message) => invalid(`${field}.${key}.name`, name, message)));
  }
  return errors;
}

/** ValidateVolumeMounts: a known volume, a mount path, each path once. */
function validateVolumeMounts(mounts: Json[], volumes: Set<string>, field: string): FieldError[] {
  const paths = new Set<string>();
  return mounts.flatMap((mount, index) => {
    const at = `${field}[${index}]`;
    const errors: FieldError[] = [];
    const name = textOf(mount.name ?? '');
    if (!name) errors.push(required(`${at}.name`));
    if (!volumes.has(name)) errors.push(notFound(`${at}.name`, name));
    const path = textOf(mount.mountPath ?? '');
    if (!path) errors.push(required(`${at}.mountPath`));
    if (paths.has(path)) errors.push(invalid(`${at}.mountPath`, path, 'must be unique'));
    paths.add(path);
    return errors;
  });
}

/** ValidateContainerResourceRequirements: a request may not exceed its limit. */
function validateRequestsWithinLimits(resources: Container['resources'], field: string): FieldError[] {
  return Object.entries(resources?.requests ?? {}).flatMap(([name, request]) => {
    const limit = resources?.limits?.[name];
    if (limit === undefined || parseQuantity(String(request))! <= parseQuantity(String(limit))!) return [];
    return [invalid(`${field}.requests`, String(request), `must be less than or equal to ${name} limit of ${String(limit)}`)];
  });
}

/** apimachinery ValidateObjectMeta for a namespaced object on create (the name is generated before this runs). */
export function validateObjectMeta(metadata: Json, field = 'metadata'): FieldError[] {
  const errors: FieldError[] = [];
  const generateName = metadata.generateName === undefined ? '' : textOf(metadata.generateName);
  if (generateName) errors.push(...nameIsDNSSubdomain(generateName, true).map((message) => invalid(`${field}.generateName`, generateName, message)));
  const name = metadata.name === undefined ? '' : textOf(metadata.name);
  if (!name) errors.push(required(`${field}.name`, 'name or generateName is required'));
  else errors.push(...nameIsDNSSubdomain(name, false).map((message) => invalid(`${field}.name`, name, message)));
  if (!metadata.namespace) errors.push(required(`${field}.namespace`));
  errors.push(...validateLabels(metadata.labels, `${field}.labels`));
  errors.push(...validateAnnotations(metadata.annotations, `${field}.annotations`));
  errors.push(...validateOwnerReferences((metadata.ownerReferences ?? []) as OwnerReference[], `${field}.ownerReferences`));
  return errors;
}

interface OwnerReference { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }

/**
 * ValidateOwnerReferences (apimachinery pkg/api/validation/objectmeta.go): each reference has a version, a kind, a
 * name and a uid, no Event owns anything, and at most one reference is the controller.
 */
function validateOwnerReferences(references: OwnerReference[], field: string): FieldError[] {
  const errors: FieldError[] = [];
  let controller = '';
  for (const reference of references) {
    const version = (reference.apiVersion ?? '').split('/').at(-1) ?? '';
    if (!version) errors.push(invalid(`${field}.apiVersion`, reference.apiVersion ?? '', 'version must not be empty'));
    if (!reference.kind) errors.push(invalid(`${field}.kind`, reference.kind ?? '', 'kind must not be empty'));
    if (!reference.name) errors.push(invalid(`${field}.name`, reference.name ?? '', 'name must not be empty'));
    if (!reference.uid) errors.push(invalid(`${field}.uid`, reference.uid ?? '', 'uid must not be empty'));
    if (reference.apiVersion === 'v1' && reference.kind === 'Event') errors.push(invalid(field, reference, '/v1, Kind=Event is disallowed from being an owner'));
    if (reference.controller !== true) continue;
    const name = `${reference.kind ?? ''}/${reference.name ?? ''}`;
    if (controller) errors.push(invalid(field, references, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${name}`));
    else controller = name;
  }
  return errors;
}

/** ValidatePodCreate: metadata, the spec, and (pods only, not templates) no blanks around an image reference. */
export function validatePodCreate(pod: Json): FieldError[] {
  const spec = (pod.spec ?? {}) as PodSpec;
  const errors = [...validateObjectMeta((pod.metadata ?? {}) as Json), ...validatePodSpec(spec, 'spec')];
  (spec.containers ?? []).forEach((container, index) => {
    const image = String(container.image ?? '');
    if (image !== image.trim()) errors.push(invalid(`spec.containers[${index}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return errors;
}

/**
 * ValidatePodStatusUpdate, the rule a runner can break: with restartPolicy Never (or a container that exited 0 under
 * OnFailure), a terminated container may not go back to waiting or running (ValidateContainerStateTransition).
 */
export function validatePodStatusUpdate(next: Json, old: Json): FieldError[] {
  const restartPolicy = String(((old.spec ?? {}) as PodSpec).restartPolicy ?? 'Always');
  if (restartPolicy === 'Always') return [];
  const statuses = (pod: Json) => (((pod.status ?? {}) as Json).containerStatuses ?? []) as { name: string; state?: { terminated?: { exitCode?: number } } }[];
  const errors: FieldError[] = [];
  statuses(old).forEach((oldStatus, index) => {
    const terminated = oldStatus.state?.terminated;
    if (!terminated || (terminated.exitCode !== 0 && restartPolicy === 'OnFailure')) return;
    const now = statuses(next).find((status) => status.name === oldStatus.name);
    if (now && !now.state?.terminated) errors.push(forbidden(`status.containerStatuses[${index}].state`, 'may not be transitioned to non-terminated state'));
  });
  return errors;
}

/** qos.GetPodQOS: BestEffort without requests or limits, Guaranteed when every container's requests equal its cpu and memory limits. */
export function podQOSClass(spec: PodSpec): string {
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const resources = containers.map((container) => container.resources ?? {});
  if (resources.every((r) => Object.keys(r.requests ?? {}).length === 0 && Object.keys(r.limits ?? {}).length === 0)) return 'BestEffort';
  const guaranteed = resources.every((r) => ['cpu', 'memory'].every((name) => {
    const limit = r.limits?.[name];
    const request = r.requests?.[name] ?? limit;
    return limit !== undefined && parseQuantity(String(request)) === parseQuantity(String(limit));
  }));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

// --- the Job controller's pod for one index: pkg/controller/job/job_controller.go manageJob, indexed_job_utils.go --

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/**
 * The pod body the Job controller POSTs for completion index `index` of a created Indexed Job: the template with
 * JOB_COMPLETION_INDEX (addCompletionIndexEnvVariables, from the index label as with PodIndexLabel), the index
 * annotation and label, hostname <job>-<index>, generateName <job>-<index>- (podGenerateNameWithIndex), the
 * job-index-failure-count annotation with backoffLimitPerIndex (addIndexFailureCountAnnotation), the job-tracking
 * finalizer and the controller owner reference (CreatePodsWithGenerateName).
 */
export function podForIndex(job: Json, index: number, failuresOfIndex = 0): Json {
  const metadata = job.metadata as Json & { name: string; uid: string; namespace: string };
  const spec = job.spec as Json & { template: { metadata?: Json; spec: PodSpec }; backoffLimitPerIndex?: number };
  const template = structuredClone(spec.template);
  for (const container of [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])]) {
    if ((container.env ?? []).some((variable) => variable.name === 'JOB_COMPLETION_INDEX')) continue;
    container.env = [...(container.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.labels['${COMPLETION_INDEX}']` } } }];
  }
  const annotations: Labels = { ...(template.metadata?.annotations as Labels | undefined), [COMPLETION_INDEX]: String(index) };
  if (spec.backoffLimitPerIndex !== undefined) annotations['batch.kubernetes.io/job-index-failure-count'] = String(failuresOfIndex);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: podGenerateNameWithIndex(metadata.name, index),
      namespace: metadata.namespace,
      labels: { ...(template.metadata?.labels as Labels | undefined), [COMPLETION_INDEX]: String(index) },
      annotations,
      finalizers: ['batch.kubernetes.io/job-tracking'],
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: metadata.name, uid: metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: { ...template.spec, hostname: `${metadata.name}-${index}` },
  };
}

/** podGenerateNameWithIndex: <job>-<index>-, shortened to leave room for the 5 random characters. */
function podGenerateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = `${jobName}${suffix}`;
  return prefix.length > 58 ? `${prefix.slice(0, 58 - suffix.length)}${suffix}` : prefix;
}
