// A running pod's latest progress line, read from the tail of its log (pods/log, what `kubectl logs` reads): what
// status knows of an index before its pod ends and leaves its summary as the termination message.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

/** What status takes from a copier's progress line (src/report/progress.ts). */
export interface PodProgress {
  totals: 'estimated' | 'exact';
  objects: { done: number; total: number };
  bytes: { done: number; total: number };
  mibPerSecond: number | null;
  etaSeconds: number | null;
}

/** Lines read from the end of a log: progress comes every PROGRESS_INTERVAL, other lines are few (warnings). */
const TAIL_LINES = 200;
const LIMIT_BYTES = 256 * 1024;

/** The latest progress of each running pod, by pod name, and the first error where a log could not be read. */
export async function readPodProgress(kubeConfig: KubeConfig, namespace: string, pods: readonly V1Pod[]): Promise<{ progress: Map<string, PodProgress>; refused?: unknown }> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const progress = new Map<string, PodProgress>();
  let refused: { error: unknown } | undefined;
  await Promise.all(pods.filter((pod) => pod.status?.phase === 'Running').map(async (pod) => {
    const name = pod.metadata?.name ?? '';
    // The chart's container is "copier"; a pod with sidecars injected must name it, a pod of one need not.
    const container = pod.spec?.containers.some((each) => each.name === 'copier') ? { container: 'copier' } : {};
    try {
      const log = await core.readNamespacedPodLog({ name, namespace, ...container, tailLines: TAIL_LINES, limitBytes: LIMIT_BYTES });
      const latest = latestProgress(String(log));
      if (latest) progress.set(name, latest);
    } catch (error) {
      refused ??= { error };
    }
  }));
  return refused ? { progress, refused: refused.error } : { progress };
}

/** The last progress line of a copier's log (one JSON object per line, pino's), if any. */
export function latestProgress(log: string): PodProgress | undefined {
  const lines = log.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.includes('"progress"')) continue;
    try {
      const parsed = (JSON.parse(line) as { progress?: unknown }).progress;
      if (isProgress(parsed)) return pick(parsed);
    } catch {
      // A line cut by limitBytes, or not the copier's: look further back.
    }
  }
  return undefined;
}

function isProgress(value: unknown): value is PodProgress {
  const line = value as Partial<PodProgress> | undefined;
  return typeof line?.objects?.done === 'number' && typeof line.objects.total === 'number'
    && typeof line.bytes?.done === 'number' && typeof line.bytes.total === 'number';
}

function pick(line: PodProgress): PodProgress {
  return {
    totals: line.totals === 'exact' ? 'exact' : 'estimated',
    objects: { done: line.objects.done, total: line.objects.total },
    bytes: { done: line.bytes.done, total: line.bytes.total },
    mibPerSecond: typeof line.mibPerSecond === 'number' ? line.mibPerSecond : null,
    etaSeconds: typeof line.etaSeconds === 'number' ? line.etaSeconds : null,
  };
}
