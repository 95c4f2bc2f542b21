// One node's part in a pod's life, written through the API as the scheduler and the kubelet write it: the binding
// (spec.nodeName, PodScheduled), ContainerCreating, Running once the container started, then its end; a container
// that cannot start waits (CreateContainerConfigError) until the pod is deleted; a deleted pod's container gets
// SIGTERM and, after the grace period, SIGKILL.
//
// Sources (kubernetes/kubernetes): pkg/registry/core/pod/storage/storage.go (assignPod), pkg/kubelet/kubelet_pods.go
// (generateAPIPodStatus, convertToAPIContainerStatuses: ContainerCreating, and ContainerStatusUnknown for a container
// that never ran), pkg/kubelet/kuberuntime/kuberuntime_container.go (killContainer: the grace period from
// deletionGracePeriodSeconds), pkg/controller/podgc/gc_controller.go (gcUnscheduledTerminating: DeletionByPodGC).
import { call, type Api } from './api.ts';
import { PodStartError } from './kubelet.ts';
import type { Json, Pod } from './objects.ts';

/** What the node tells the pod's runner: when the pod is deleted (the abort's reason: its grace period in seconds),
 *  and what the runner tells the node: that the container has started. */
export interface PodIo { terminated: AbortSignal; started: (at: string) => void }

/** Runs one pod's container to its end and answers its exit code and the pod's final status (the kubelet's part). */
export type RunPod = (pod: Pod, io: PodIo) => Promise<{ exitCode: number; podStatus: Json }>;

export const NODE_NAME = 'worker-0';

const podsPath = (api: Api) => `/api/v1/namespaces/${encodeURIComponent(api.namespace)}/pods`;

/** A pod on the node: its status writes go through the API; terminate() is the kubelet seeing its deletionTimestamp. */
export interface NodePod { done: Promise<void>; terminate(graceSeconds: number): void }

export function startOnNode(api: Api, created: Json, runPod: RunPod): NodePod {
  const name = String((created['metadata'] as Json)['name']);
  const path = `${podsPath(api)}/${encodeURIComponent(name)}`;
  const abort = new AbortController();
  const putStatus = (status: Json) => call(api, 'PUT', `${path}/status`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: api.namespace }, status });
  const done = (async () => {
    try {
      await call(api, 'POST', `${path}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: NODE_NAME } });
    } catch {
      // Deleted before it was bound: PodGC fails such a pod (it never reaches a kubelet).
      await putStatus({ ...statusOf(await call(api, 'GET', path)), phase: 'Failed', conditions: [condition('DisruptionTarget', 'True', 'DeletionByPodGC', 'PodGC: node no longer exists')] });
      return;
    }
    const bound = await call(api, 'GET', path);
    const scheduled = (statusOf(bound)['conditions'] ?? []) as Json[];
    const container = ((bound['spec'] as Json)['containers'] as { name: string; image?: string }[])[0]!;
    const base = (phase: string, ready: boolean, state: Json): Json => ({
      ...statusOf(bound), phase, hostIP: '10.0.0.21', hostIPs: [{ ip: '10.0.0.21' }],
      conditions: [...scheduled, condition('Initialized', 'True'), condition('Ready', ready ? 'True' : 'False', ready ? undefined : 'ContainersNotReady'), condition('ContainersReady', ready ? 'True' : 'False', ready ? undefined : 'ContainersNotReady')],
      containerStatuses: [{ name: container.name, image: container.image ?? '', imageID: '', ready, restartCount: 0, started: ready, state }],
    });
    await putStatus(base('Pending', false, { waiting: { reason: 'ContainerCreating' } }));
    let running: Promise<unknown> = Promise.resolve();
    try {
      const { podStatus } = await runPod(bound as unknown as Pod, {
        terminated: abort.signal,
        started: (at) => { running = putStatus(base('Running', true, { running: { startedAt: at } })); },
      });
      await running;
      await putStatus({ ...podStatus, conditions: mergeConditions(scheduled, podStatus['conditions'] as Json[] | undefined) });
    } catch (error) {
      if (!(error instanceof PodStartError) || error.reason === 'NotEmulated') throw error;
      // The kubelet retries the container and reports why it waits; the pod stays until it is deleted.
      const waiting = error.reason === 'CreateContainerConfigError' ? { reason: error.reason, message: error.message.replace(/^CreateContainerConfigError: /, '') } : { reason: 'ContainerCreating' };
      await putStatus(base('Pending', false, { waiting }));
      await new Promise((resolve) => abort.signal.addEventListener('abort', resolve, { once: true }));
      const at = now();
      await putStatus(base('Failed', false, { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', startedAt: null, finishedAt: at } }));
    }
  })();
  return { done, terminate: (graceSeconds) => abort.abort(graceSeconds) };
}

function statusOf(pod: Json): Json {
  return (pod['status'] ?? {}) as Json;
}

/** The scheduler's PodScheduled condition stays; the kubelet's own conditions replace the rest. */
function mergeConditions(scheduled: Json[], kubelet: Json[] | undefined): Json[] {
  return [...scheduled, ...(kubelet ?? []).filter((each) => each['type'] !== 'PodScheduled')];
}

function condition(type: string, status: string, reason?: string, message?: string): Json {
  return { type, status, lastProbeTime: null, lastTransitionTime: now(), ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
