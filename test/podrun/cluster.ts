// A namespace of a cluster for the rendered chart: the strict fake API server for Jobs and Pods, the ConfigMaps
// and Secrets the kubelet reads, and the controllers that fill in what the chart only asks for — NooBaa's bucket
// provisioner (an ObjectBucketClaim's ConfigMap and Secret), OpenShift's service CA operator (the CA bundle of an
// annotated ConfigMap) and the CronJob controller's Job from the jobTemplate (the controller: cronjob-controller.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApi, type FakeApi } from '../kube/fake-api.ts';
import { createJob, type Api, type RunPod } from './job-controller.ts';
import { finishedPodStatus, runPod, type ContainerRun } from './kubelet.ts';
import { readImage } from './image.ts';
import { ObjectStore, type Json, type Pod } from './objects.ts';

export interface BucketEndpoint { host: string; port: number; accessKeyId: string; secretAccessKey: string }

export interface Cluster {
  api: Api;
  fake: FakeApi;
  store: ObjectStore;
  /** A kubeconfig file for the CLI, pointing at the fake API server. */
  kubeconfig: string;
  /** Every pod the kubelet ran, with what it saw and how it ended. */
  runs: { pod: Pod; run: ContainerRun }[];
  close(): Promise<void>;
}

export async function startCluster(namespace: string): Promise<Cluster> {
  const fake = await startFakeApi();
  const dir = await mkdtemp(join(tmpdir(), 'podrun-cluster-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'test',
    clusters: [{ name: 'fake', cluster: { server: fake.url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'tester', user: { token: 'fake-token' } }],
    contexts: [{ name: 'test', context: { cluster: 'fake', user: 'tester', namespace } }],
  }));
  return {
    api: { url: fake.url, namespace }, fake, store: new ObjectStore(), kubeconfig, runs: [],
    close: async () => { await fake.close(); await rm(dir, { recursive: true, force: true }); },
  };
}

/**
 * What lib-bucket-provisioner (pkg/provisioner/resourcehandlers.go newBucketConfigMap, newCredentialsSecret, with
 * v1alpha1 AccessKeys.toMap) makes for a bound claim: a ConfigMap and a Secret named like the claim, the Secret
 * written with stringData. The bucket name is the claim's bucketName (composeBucketName).
 */
export function provisionClaim(store: ObjectStore, claim: Json, bucket: BucketEndpoint): void {
  const metadata = claim['metadata'] as { name: string };
  const spec = claim['spec'] as { bucketName?: string };
  if (!spec.bucketName) throw new Error('the test gives the claim a bucketName, so the provisioner need not generate one');
  store.add({ kind: 'ConfigMap', metadata: { name: metadata.name }, data: {
    BUCKET_NAME: spec.bucketName, BUCKET_HOST: bucket.host, BUCKET_PORT: String(bucket.port), BUCKET_REGION: '', BUCKET_SUBREGION: '',
  } });
  store.add({ kind: 'Secret', metadata: { name: metadata.name }, type: 'Opaque', stringData: { AWS_ACCESS_KEY_ID: bucket.accessKeyId, AWS_SECRET_ACCESS_KEY: bucket.secretAccessKey } });
}

const INJECT_CABUNDLE = 'service.beta.openshift.io/inject-cabundle';

/**
 * Stores the rendered objects as the API server and the controllers would leave them: ConfigMaps and Secrets for
 * the kubelet (a ConfigMap annotated for the service CA operator gets its key service-ca.crt), an
 * ObjectBucketClaim's provisioned ConfigMap and Secret, Jobs created through the API. Answers the created Jobs'
 * names and the CronJobs (their controller runs when the test says).
 */
export async function apply(cluster: Cluster, manifests: Json[], world: { bucket?: BucketEndpoint; serviceCaPem: string }): Promise<{ jobs: string[]; cronJobs: Json[] }> {
  const jobs: string[] = [];
  const cronJobs: Json[] = [];
  for (const manifest of manifests) {
    const kind = manifest['kind'];
    const annotations = ((manifest['metadata'] as Json | undefined)?.['annotations'] ?? {}) as Record<string, string>;
    if (kind === 'ConfigMap') {
      cluster.store.add(annotations[INJECT_CABUNDLE] === 'true' ? { ...manifest, data: { ...(manifest['data'] as Json | undefined), 'service-ca.crt': world.serviceCaPem } } : manifest);
    } else if (kind === 'Secret') {
      cluster.store.add(manifest);
    } else if (kind === 'ObjectBucketClaim') {
      if (!world.bucket) throw new Error('the chart made an ObjectBucketClaim, but this test gives no bucket endpoint for it');
      provisionClaim(cluster.store, manifest, world.bucket);
    } else if (kind === 'Job') {
      jobs.push(String(((await createJob(cluster.api, manifest))['metadata'] as Json)['name']));
    } else if (kind === 'CronJob') {
      cronJobs.push(manifest);
    }
  }
  return { jobs, cronJobs };
}

/**
 * The CronJob controller's Job for one scheduled time (pkg/controller/cronjob/utils.go getJobFromTemplate2): named
 * <cronjob>-<minutes since the epoch>, the jobTemplate's labels and annotations plus the scheduled-timestamp
 * annotation (RFC 3339 in the CronJob's timeZone), owned by the CronJob, the jobTemplate's spec.
 */
export function jobFromCronJob(cronJob: Json, scheduled: Date, cronJobUid: string): Json {
  const metadata = cronJob['metadata'] as { name: string };
  const spec = cronJob['spec'] as { timeZone?: string; jobTemplate: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Json } };
  const template = spec.jobTemplate;
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: `${metadata.name}-${Math.floor(scheduled.getTime() / 60_000)}`,
      labels: { ...template.metadata?.labels },
      annotations: { ...template.metadata?.annotations, 'batch.kubernetes.io/cronjob-scheduled-timestamp': rfc3339In(scheduled, spec.timeZone) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: metadata.name, uid: cronJobUid, controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(template.spec),
  };
}

/** Go's time.Format(time.RFC3339) of the time in a zone: whole seconds, "Z" for a zero offset, else ±hh:mm. */
export function rfc3339In(at: Date, timeZone = 'UTC'): string {
  const zoneName = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((part) => part.type === 'timeZoneName')!.value;
  const [, sign = '+', hours = '00', minutes = '00'] = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(zoneName) ?? [];
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
  const local = new Date(Math.floor(at.getTime() / 1000) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
  return offsetMinutes === 0 ? `${local}Z` : `${local}${sign}${hours}:${minutes}`;
}

export interface KubeletHooks {
  /** Runs before the pod's container starts (a test may arm a fault, or hold the pod until it says). */
  before?: (pod: Pod) => void | Promise<void>;
  /** Fault injection: variables that replace this pod's own. */
  overrideEnv?: (pod: Pod) => Record<string, string> | undefined;
}

/** The kubelet for the cluster's pods: each pod in a folder of its own, its run recorded. */
export function kubeletOf(cluster: Cluster, hooks: KubeletHooks | ((pod: Pod) => void) = {}): RunPod {
  const { before, overrideEnv } = typeof hooks === 'function' ? { before: hooks, overrideEnv: undefined } : hooks;
  const image = readImage();
  return async (pod, io) => {
    await before?.(pod);
    const podDir = await mkdtemp(join(tmpdir(), `pod-${pod.metadata.name ?? ''}-`));
    try {
      const extra = overrideEnv?.(pod);
      const run = await runPod(pod, cluster.store, { image, podDir, timeoutMs: 90_000, terminate: io.terminated, onStarted: io.started, ...(extra ? { overrideEnv: extra } : {}) });
      cluster.runs.push({ pod, run });
      return { exitCode: run.exitCode, podStatus: finishedPodStatus(pod, run) };
    } finally {
      await rm(podDir, { recursive: true, force: true });
    }
  };
}
