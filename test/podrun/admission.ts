// The namespace's LimitRange and ResourceQuota as the API server's admission applies them to a pod create: the
// LimitRanger fills in default requests and limits and refuses a container above a maximum; the ResourceQuota
// refuses a pod whose requests or limits, added to what the namespace's live pods use, would pass a hard limit.
//
// Sources (kubernetes/kubernetes): plugin/pkg/admission/limitranger/admission.go (defaultContainerResourceRequirements,
// mergeContainerResources and its kubernetes.io/limit-ranger annotation, the "maximum … usage per Container" check),
// plugin/pkg/admission/resourcequota/controller.go (checkRequest: Constraints, then used + requested against hard,
// "exceeded quota: %s, requested: %s, used: %s, limited: %s" with prettyPrint's sorted key=value lists),
// pkg/quota/v1/evaluator/core/pods.go (PodUsageFunc, QuotaV1Pod: a terminal pod, or one past its deletion grace, uses
// nothing; Constraints: "must specify limits.cpu for: copier").
import type { PodAdmission } from '../kube/fake-api.ts';
import { parseQuantity } from '../kube/k8s-pod.ts';
import type { Json } from './objects.ts';

type ResourceList = Record<string, string>;
interface Resources { requests?: ResourceList; limits?: ResourceList }
interface ContainerView { name: string; resources?: Resources }

/** One LimitRange item of type Container (what NERC sets: default, defaultRequest, max). */
export interface LimitRangeItem { default?: ResourceList; defaultRequest?: ResourceList; max?: ResourceList }

/** The LimitRanger for one LimitRange: defaults first (mutating), then the maximum (validating). */
export function limitRanger(item: LimitRangeItem): PodAdmission {
  return (pod) => {
    const spec = pod['spec'] as { containers: ContainerView[]; initContainers?: ContainerView[] };
    const set: string[] = [];
    for (const container of spec.containers) set.push(...mergeContainerResources(container, item, 'container'));
    for (const container of spec.initContainers ?? []) set.push(...mergeContainerResources(container, item, 'init container'));
    if (set.length > 0) {
      const metadata = pod['metadata'] as { annotations?: Record<string, string> };
      metadata.annotations = { ...metadata.annotations, 'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${set.join('; ')}` };
    }
    const errors: string[] = [];
    for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
      for (const [name, max] of Object.entries(item.max ?? {})) {
        const limit = container.resources?.limits?.[name];
        if (limit === undefined) errors.push(`maximum ${name} usage per Container is ${max}.  No limit is specified`);
        else if (quantity(limit) > quantity(max)) errors.push(`maximum ${name} usage per Container is ${max}, but limit is ${limit}`);
      }
    }
    return errors.length === 0 ? undefined : errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  };
}

/** mergeContainerResources: each default the container lacks is set; answers the annotation's parts for it. */
function mergeContainerResources(container: ContainerView, item: LimitRangeItem, kind: string): string[] {
  const resources = (container.resources ??= {});
  const fill = (target: 'requests' | 'limits', defaults: ResourceList | undefined): string[] => {
    const names = Object.keys(defaults ?? {}).filter((name) => resources[target]?.[name] === undefined).sort();
    if (names.length > 0) resources[target] = { ...resources[target], ...Object.fromEntries(names.map((name) => [name, defaults![name]!])) };
    return names;
  };
  const limits = fill('limits', item.default);
  const requests = fill('requests', item.defaultRequest ?? item.default);
  return [
    ...(requests.length > 0 ? [`${requests.join(', ')} request for ${kind} ${container.name}`] : []),
    ...(limits.length > 0 ? [`${limits.join(', ')} limit for ${kind} ${container.name}`] : []),
  ];
}

/** A ResourceQuota: its name and hard limits (pods, requests.cpu, limits.cpu, requests.memory, limits.memory, …). */
export interface ResourceQuota { name: string; hard: ResourceList }

/** The quota's admission; `used` is what the namespace's pods use now (the quota controller's status.used, caught up). */
export function resourceQuota(quota: ResourceQuota): PodAdmission {
  return (pod, pods) => {
    const hardNames = Object.keys(quota.hard);
    const missing = missingResources(pod, hardNames);
    if (missing) return `failed quota: ${quota.name}: must specify ${missing}`;
    const requested = mask(podUsage(pod), hardNames);
    const used = usedBy(pods, hardNames);
    const exceeded = Object.keys(requested).filter((name) => (used[name] ?? 0) + requested[name]! > quantity(quota.hard[name]!)).sort();
    if (exceeded.length === 0) return undefined;
    const print = (values: Record<string, number | string>) => exceeded.map((name) => `${name}=${typeof values[name] === 'string' ? values[name] : formatQuantity(name, values[name] ?? 0)}`).join(',');
    return `exceeded quota: ${quota.name}, requested: ${print(requested)}, used: ${print(used)}, limited: ${print(quota.hard)}`;
  };
}

/** What the quota's status.used says: every live pod's usage, summed, for the hard names (0 when none). */
export function usedBy(pods: readonly Json[], names: readonly string[]): Record<string, number> {
  const used = Object.fromEntries(names.map((name) => [name, 0]));
  for (const pod of pods) {
    if (!countsForQuota(pod)) continue;
    for (const [name, value] of Object.entries(mask(podUsage(pod), names))) used[name] = (used[name] ?? 0) + value;
  }
  return used;
}

/** QuotaV1Pod: a terminal pod, or one whose deletion grace period has passed, is not charged. */
function countsForQuota(pod: Json): boolean {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod['metadata'] as { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  if (deletionTimestamp && deletionGracePeriodSeconds !== undefined && Date.now() > new Date(deletionTimestamp).getTime() + deletionGracePeriodSeconds * 1000) return false;
  return true;
}

/** PodUsageFunc: the pod counts 1 in pods and count/pods; requests (also as bare cpu and memory) and limits summed over its containers. */
function podUsage(pod: Json): Record<string, number> {
  const containers = (pod['spec'] as { containers: ContainerView[] }).containers;
  const usage: Record<string, number> = { pods: 1, 'count/pods': 1 };
  const add = (name: string, value: string | undefined) => { if (value !== undefined) usage[name] = (usage[name] ?? 0) + quantity(value); };
  for (const { resources = {} } of containers) {
    for (const name of ['cpu', 'memory', 'ephemeral-storage']) {
      add(`requests.${name}`, resources.requests?.[name]);
      add(name, resources.requests?.[name]);
      add(`limits.${name}`, resources.limits?.[name]);
    }
  }
  return usage;
}

/** The pod evaluator's Constraints: a quota on cpu or memory requests or limits needs each container to state them. */
function missingResources(pod: Json, hardNames: readonly string[]): string | undefined {
  const required = hardNames.filter((name) => /^(requests\.|limits\.)?(cpu|memory)$/.test(name));
  const containers = (pod['spec'] as { containers: ContainerView[] }).containers;
  const missing = new Map<string, string[]>();
  for (const name of required) {
    const [kind, resource] = name.includes('.') ? name.split('.') as ['requests' | 'limits', string] : ['requests' as const, name];
    const lacking = containers.filter((container) => container.resources?.[kind]?.[resource] === undefined).map((container) => container.name).sort();
    if (lacking.length > 0) missing.set(name, lacking);
  }
  if (missing.size === 0) return undefined;
  return [...missing.keys()].sort().map((name) => `${name} for: ${missing.get(name)!.join(',')}`).join('; ');
}

function mask(values: Record<string, number>, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => names.includes(name)));
}

function quantity(text: string): number {
  const value = parseQuantity(text);
  if (value === undefined) throw new Error(`not a quantity: ${text}`);
  return value;
}

/** resource.Quantity's canonical String(): CPU in whole cores or millicores, memory in the largest exact binary unit. */
export function formatQuantity(name: string, value: number): string {
  if (/memory|storage/.test(name)) {
    for (const [suffix, size] of [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
      if (value !== 0 && value % size === 0) return `${value / size}${suffix}`;
    }
    return String(value);
  }
  const milli = Math.round(value * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
