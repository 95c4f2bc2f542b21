// An Argo CD application's health and sync status, computed from the objects a test holds as Argo CD computes them,
// per Argo CD version (read in argoproj/argo-cd at v2.10.0 … v3.5.0 and argoproj/gitops-engine):
//   which live objects are the application's   gitops-engine pkg/cache/cluster.go GetManagedLiveObjs: those the
//                                             application tracks (the instance label, or the tracking-id annotation's
//                                             application) that have no owner references, and any live object a
//                                             rendered manifest names
//   the health of one object                  gitops-engine pkg/health/health.go GetResourceHealth: Job by
//                                             health_job.go; the built-in Lua checks of resource_customizations/:
//                                             batch/CronJob/health.lua from 3.2, objectbucket.io/ObjectBucketClaim from
//                                             3.3; any other kind has none and does not count
//   the application's health                  controller/health.go setApplicationHealth: hooks skipped; the
//                                             argocd.argoproj.io/ignore-healthcheck annotation is not known before 2.14,
//                                             read from the rendered manifest (res.Target) in 2.14–3.1 and from the live
//                                             object (res.Live) from 3.2 (commit d3de4435ce); a missing object does not
//                                             count; the worst of the rest (healthOrder: Healthy, Suspended,
//                                             Progressing, Missing, Degraded, Unknown)
//   the sync status, by presence only          controller/state.go: a rendered object not live is OutOfSync; a live one
//                                             no longer rendered is OutOfSync (it needs pruning) unless annotated
//                                             compare-options IgnoreExtraneous. Field diffs are not computed here.
import type { Json } from './fake-api.ts';

export type ArgoVersion = '2.10' | '2.13' | '2.14' | '3.0' | '3.1' | '3.2' | '3.3';
export const ARGO_VERSIONS: readonly ArgoVersion[] = ['2.10', '2.13', '2.14', '3.0', '3.1', '3.2', '3.3'];
export type Health = 'Healthy' | 'Suspended' | 'Progressing' | 'Missing' | 'Degraded' | 'Unknown';
const HEALTH_ORDER: readonly Health[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

export interface Application {
  name: string;
  namespace: string;
  version: ArgoVersion;
  /** label: the default before 3.0 (application.instanceLabelKey, app.kubernetes.io/instance); annotation: from 3.0. */
  tracking: 'label' | 'annotation';
}

export interface ApplicationView {
  health: Health;
  /** The objects whose health made the application's, as "Kind/name". */
  causes: string[];
  sync: 'Synced' | 'OutOfSync';
  /** Rendered but not live, and live but no longer rendered (not IgnoreExtraneous): what makes it OutOfSync. */
  missing: string[];
  needsPruning: string[];
}

const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const TRACKING_ID = 'argocd.argoproj.io/tracking-id';
const IGNORE_HEALTHCHECK = 'argocd.argoproj.io/ignore-healthcheck';

interface Meta { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: unknown[] }

const metaOf = (object: Json): Meta => (object.metadata ?? {});
const groupOf = (object: Json): string => {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
};
const keyOf = (object: Json, namespace: string): string => `${groupOf(object)}/${String(object.kind)}/${metaOf(object).namespace ?? namespace}/${metaOf(object).name ?? ''}`;
const label = (object: Json): string => `${String(object.kind)}/${metaOf(object).name ?? ''}`;

/** What Argo CD's sync writes on an object it applies: its tracking, by label or by annotation (resource_tracking.go). */
export function applied(app: Application, manifest: Json): Json {
  const copy = structuredClone(manifest);
  const metadata = (copy.metadata ??= {}) as Meta;
  metadata.namespace ??= app.namespace;
  if (app.tracking === 'label') metadata.labels = { ...metadata.labels, [INSTANCE_LABEL]: app.name };
  else metadata.annotations = { ...metadata.annotations, [TRACKING_ID]: `${app.name}:${groupOf(copy)}/${String(copy.kind)}:${metadata.namespace}/${metadata.name ?? ''}` };
  return copy;
}

function tracks(app: Application, object: Json): boolean {
  const meta = metaOf(object);
  if (app.tracking === 'label') return meta.labels?.[INSTANCE_LABEL] === app.name;
  return meta.annotations?.[TRACKING_ID]?.split(':')[0] === app.name;
}

/** The application as Argo CD shows it, from the rendered manifests (Git) and every live object in its namespace. */
export function viewOf(app: Application, rendered: readonly Json[], live: readonly Json[]): ApplicationView {
  const liveByKey = new Map(live.map((object) => [keyOf(object, app.namespace), object]));
  const targets = new Map(rendered.map((object) => [keyOf(object, app.namespace), object]));
  const managed = new Map<string, { target?: Json; live?: Json }>();
  for (const [key, target] of targets) managed.set(key, { target, live: liveByKey.get(key) });
  for (const [key, object] of liveByKey) {
    if (managed.has(key) || !tracks(app, object) || (metaOf(object).ownerReferences ?? []).length > 0) continue;
    managed.set(key, { live: object });
  }
  let health: Health = 'Healthy';
  let causes: string[] = [];
  for (const { target, live: object } of managed.values()) {
    if (object && isHook(object)) continue;
    if (ignoresHealth(app.version, target, object)) continue;
    if (!object) continue; // Missing: the sync status says so, the health does not count it
    const status = healthOf(app.version, object);
    if (!status) continue;
    if (HEALTH_ORDER.indexOf(status) > HEALTH_ORDER.indexOf(health)) { health = status; causes = [label(object)]; }
    else if (status === health && status !== 'Healthy') causes.push(label(object));
  }
  const missing = [...managed.values()].filter((resource) => resource.target && !resource.live).map((resource) => label(resource.target!));
  const needsPruning = [...managed.values()]
    .filter((resource) => !resource.target && resource.live && !(metaOf(resource.live).annotations?.['argocd.argoproj.io/compare-options'] ?? '').split(',').map((option) => option.trim()).includes('IgnoreExtraneous'))
    .map((resource) => label(resource.live!));
  return { health, causes, sync: missing.length + needsPruning.length > 0 ? 'OutOfSync' : 'Synced', missing, needsPruning };
}

function isHook(object: Json): boolean {
  const annotations = metaOf(object).annotations ?? {};
  return 'argocd.argoproj.io/hook' in annotations || 'helm.sh/hook' in annotations;
}

/** controller/health.go, per version: which object's annotation (if any) can leave it out of the health. */
function ignoresHealth(version: ArgoVersion, target: Json | undefined, live: Json | undefined): boolean {
  if (atLeast(version, '3.2')) return metaOf(live ?? {}).annotations?.[IGNORE_HEALTHCHECK] === 'true';
  if (atLeast(version, '2.14')) return metaOf(target ?? {}).annotations?.[IGNORE_HEALTHCHECK] === 'true';
  return false;
}

function healthOf(version: ArgoVersion, object: Json): Health | undefined {
  if ((object.metadata as Json | undefined)?.deletionTimestamp) return 'Progressing';
  const group = groupOf(object);
  if (group === 'batch' && object.kind === 'Job') return jobHealth(object);
  if (group === 'batch' && object.kind === 'CronJob') return atLeast(version, '3.2') ? cronJobHealth(object) : undefined;
  if (group === 'objectbucket.io' && object.kind === 'ObjectBucketClaim') return atLeast(version, '3.3') ? claimHealth(object) : undefined;
  return undefined;
}

/** health_job.go getBatchv1JobHealth: Failed → Degraded, Complete → Healthy, Suspended → Suspended, else Progressing. */
function jobHealth(job: Json): Health {
  const conditions = (((job.status ?? {}) as Json).conditions ?? []) as { type: string; status: string }[];
  let failed = false;
  let complete = false;
  let suspended = false;
  for (const condition of conditions) {
    if (condition.type === 'Failed') { failed = true; complete = true; }
    if (condition.type === 'Complete') complete = true;
    if (condition.type === 'Suspended') { complete = true; suspended ||= condition.status === 'True'; }
  }
  return !complete ? 'Progressing' : failed ? 'Degraded' : suspended ? 'Suspended' : 'Healthy';
}

/** resource_customizations/batch/CronJob/health.lua (3.2 on; RFC 3339 times compare as strings there too). */
function cronJobHealth(cronJob: Json): Health {
  if (((cronJob.spec ?? {}) as Json).suspend === true) return 'Healthy';
  const status = cronJob.status as { lastScheduleTime?: string; lastSuccessfulTime?: string; active?: unknown[] } | undefined;
  if (!status) return 'Progressing';
  if (!status.lastScheduleTime || !status.lastSuccessfulTime) return 'Healthy';
  if ((status.active ?? []).length > 0) return 'Healthy';
  return status.lastSuccessfulTime < status.lastScheduleTime ? 'Degraded' : 'Healthy';
}

/** resource_customizations/objectbucket.io/ObjectBucketClaim/health.lua (3.3 on). */
function claimHealth(claim: Json): Health {
  const phase = ((claim.status ?? {}) as Json).phase;
  return phase === 'Bound' ? 'Healthy' : phase === 'Failed' ? 'Degraded' : 'Progressing';
}

function atLeast(version: ArgoVersion, floor: ArgoVersion): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const [floorMajor, floorMinor] = floor.split('.').map(Number) as [number, number];
  return major > floorMajor || (major === floorMajor && minor >= floorMinor);
}
