// Retrying the failed shards of the last run: the helm upgrade a GitOps user commits, or the retry Job itself.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { formatIndexList } from '../indexes.ts';
import { COPIER_CONTAINER, failedIndexes, failureReason, jobOutcome, LABEL, runOf, shardMap, unfinishedIndexes } from './jobs.ts';

export interface RerunPlan {
  release: string;
  namespace: string;
  lastJob: string;
  lastRun: string;
  /** Reason of the last Job's Failed condition, e.g. FailedIndexes. */
  reason?: string;
  /** Completion indexes of the last Job that failed, and those it never finished because it stopped first. */
  failedIndexes: number[];
  unfinishedIndexes: number[];
  /** The shards of those indexes; shards is all of them: what the rerun copies. */
  failedShards: number[];
  unfinishedShards: number[];
  shards: number[];
  newRun: string;
  newJob: string;
  helmCommand: string;
}

export interface RerunRefusal { refused: string }

export interface RerunWhere { release: string; namespace: string; chart: string }

/**
 * What a rerun of the picked Job would do, or why there is nothing to rerun yet. The new run number is above the
 * highest of all the release's Jobs (releaseJobs), so that it names a Job that does not exist yet.
 */
export function planRerun(job: V1Job, pods: readonly V1Pod[], where: RerunWhere, releaseJobs: readonly V1Job[] = [job]): RerunPlan | RerunRefusal {
  const lastJob = job.metadata?.name ?? '';
  const lastRun = runOf(job);
  const described = `run ${lastRun || '?'} (Job ${lastJob})`;
  if (jobOutcome(job) === 'running') return { refused: `${described} is still running: wait until it ends (swift-to-s3 status --watch), then rerun its failed shards` };
  const failed = failedIndexes(job, pods);
  const unfinished = unfinishedIndexes(job, pods);
  if (failed.length === 0 && unfinished.length === 0) return { refused: `nothing failed in ${described}: there is no shard to rerun` };
  const toShard = shardMap(job);
  const shardsOf = (indexes: readonly number[]) => [...new Set(indexes.map(toShard))].sort((a, b) => a - b);
  const shards = shardsOf([...failed, ...unfinished]);
  const newRun = nextRunAbove(lastRun, releaseJobs);
  const reason = failureReason(job);
  return {
    release: where.release,
    namespace: where.namespace,
    lastJob,
    lastRun,
    ...(reason ? { reason } : {}),
    failedIndexes: failed,
    unfinishedIndexes: unfinished,
    failedShards: shardsOf(failed),
    unfinishedShards: shardsOf(unfinished),
    shards,
    newRun,
    newJob: nextJobName(job, newRun),
    helmCommand: helmUpgradeCommand(where, shards, newRun),
  };
}

export function isRefusal(plan: RerunPlan | RerunRefusal): plan is RerunRefusal {
  return 'refused' in plan;
}

/** One above the highest numeric run of the release's Jobs; a run label that is not a number gets "-retry-<n>". */
export function nextRunAbove(run: string, releaseJobs: readonly V1Job[]): string {
  const numeric = [run, ...releaseJobs.map(runOf)].filter((label) => /^\d+$/.test(label)).map(Number);
  if (/^\d+$/.test(run)) return String(Math.max(...numeric) + 1);
  let next = nextRun(run);
  const taken = new Set(releaseJobs.map(runOf));
  while (taken.has(next)) next = nextRun(next);
  return next;
}

/** The chart's run numbers count up; a run label that is not a number gets "-retry-1" (or its retry count + 1). */
export function nextRun(run: string): string {
  if (/^\d+$/.test(run)) return String(Number(run) + 1);
  const retry = /^(.*)-retry-(\d+)$/.exec(run);
  if (retry) return `${retry[1]}-retry-${Number(retry[2]) + 1}`;
  return run ? `${run}-retry-1` : 'retry-1';
}

/**
 * The chart names Jobs <fullname>-<mode>-<run>: replace the run at the end. A Job made by the chart's CronJob
 * (named <fullname>-<mode>) is named <cronjob>-<minutes>: the retry takes the chart's form from the CronJob's name.
 * Anything else gets -retry-<n>.
 */
export function nextJobName(job: V1Job, newRun: string): string {
  const name = job.metadata?.name ?? '';
  const run = runOf(job);
  const cronJob = job.metadata?.ownerReferences?.find((owner) => owner.kind === 'CronJob')?.name;
  if (cronJob) return `${cronJob}-${newRun}`;
  if (run && name.endsWith(`-${run}`)) return `${name.slice(0, -run.length)}${newRun}`;
  const retry = /^(.*)-retry-(\d+)$/.exec(name);
  if (retry) return `${retry[1]}-retry-${Number(retry[2]) + 1}`;
  return `${name}-retry-1`;
}

/**
 * shards.only as a Helm list, quoted for the shell: a bare `--set shards.only=1,3` would make Helm read "3" as a
 * second key. The chart accepts the list form ({1,3-5}), as values.yaml documents.
 */
export function helmUpgradeCommand(where: RerunWhere, shards: readonly number[], newRun: string): string {
  const run = helmRun(newRun);
  return `helm upgrade ${shellWord(where.release)} ${shellWord(where.chart)} -n ${shellWord(where.namespace)} --reset-then-reuse-values --set 'shards.only={${formatIndexList(shards)}}' --set run=${run}`;
}

/** The chart's run is a number; a run label that is not one cannot be carried over. */
function helmRun(newRun: string): string {
  return /^\d+$/.test(newRun) ? newRun : '<next run number>';
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

const SERVER_MANAGED_POD_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name'];

/**
 * The Job metadata the retry Job copies: only what the chart itself sets, never what a tool that did not make it
 * could recognise as its own. Helm adopts an object carrying its meta.helm.sh annotations; Argo CD tracks by an
 * annotation or by a label whose key each site chooses (instanceLabelKey: app.kubernetes.io/instance by default,
 * argocd.argoproj.io/instance or any other), and would prune a tracked object that is not in Git while it runs.
 * A deny list cannot know that key, so this is an allow list. The chart's own Prune=false and IgnoreExtraneous stay.
 */
const CHART_LABELS = new Set([LABEL.release, LABEL.run, LABEL.mode, LABEL.component, 'app.kubernetes.io/name', 'app.kubernetes.io/version', 'app.kubernetes.io/part-of']);
const CHART_ANNOTATIONS = new Set(['argocd.argoproj.io/sync-options', 'argocd.argoproj.io/compare-options']);
const isChartAnnotation = (key: string): boolean => CHART_ANNOTATIONS.has(key) || key.startsWith('swift-to-s3/');
export const RERUN_MANAGER = 'swift-to-s3';

/**
 * The retry Job: a copy of the last one working only on the failed shards (SHARD_INDEXES), under a new name and
 * run label, with only the chart's own labels and annotations, owned by no Helm release, Argo CD application or
 * CronJob, with everything the API server owns removed so that it can be created again.
 */
export function buildRetryJob(job: V1Job, plan: RerunPlan): V1Job {
  const copy = structuredClone(job);
  const spec = copy.spec!;
  const completions = plan.shards.length;
  const metadata = copy.metadata ?? {};
  const labels = Object.fromEntries(Object.entries(metadata.labels ?? {}).filter(([key]) => CHART_LABELS.has(key)));
  const annotations = Object.fromEntries(Object.entries(metadata.annotations ?? {}).filter(([key]) => isChartAnnotation(key)));
  copy.metadata = {
    name: plan.newJob,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    labels: { ...labels, [LABEL.managedBy]: RERUN_MANAGER, [LABEL.run]: plan.newRun },
    annotations: { ...annotations, 'swift-to-s3/rerun-of': plan.lastJob },
  };
  delete copy.status;
  delete spec.selector;
  delete spec.manualSelector;
  spec.completions = completions;
  spec.parallelism = Math.min(spec.parallelism ?? completions, completions);
  if (spec.maxFailedIndexes !== undefined) spec.maxFailedIndexes = Math.min(spec.maxFailedIndexes, completions);
  const template = spec.template;
  const podLabels = Object.fromEntries(Object.entries(template.metadata?.labels ?? {}).filter(([key]) => !SERVER_MANAGED_POD_LABELS.includes(key)));
  const { creationTimestamp: _, ...templateMetadata } = template.metadata ?? {};
  template.metadata = { ...templateMetadata, labels: { ...podLabels, [LABEL.run]: plan.newRun } };
  setShardIndexes(copy, formatIndexList(plan.shards));
  return copy;
}

function setShardIndexes(job: V1Job, shards: string): void {
  const containers = job.spec?.template.spec?.containers ?? [];
  const copier = containers.find((container) => container.name === COPIER_CONTAINER) ?? containers[0];
  if (!copier) throw new Error(`Job ${job.metadata?.name ?? ''} has no container`);
  const env = (copier.env ?? []).filter((variable) => variable.name !== 'SHARD_INDEXES');
  const at = env.findIndex((variable) => variable.name === 'SHARD_COUNT');
  env.splice(at < 0 ? env.length : at + 1, 0, { name: 'SHARD_INDEXES', value: shards });
  copier.env = env;
}

function whatFailed(plan: RerunPlan): string[] {
  const lastRun = `run ${plan.lastRun} (Job ${plan.lastJob})`;
  const shardsOf = (indexes: readonly number[], shards: readonly number[]) => {
    const [indexList, shardList] = [formatIndexList(indexes), formatIndexList(shards)];
    return `shards ${shardList}${indexList !== shardList ? ` (completion indexes ${indexList} of that rerun)` : ''}`;
  };
  const lines: string[] = [];
  if (plan.failedIndexes.length > 0) lines.push(`${lastRun} failed on ${shardsOf(plan.failedIndexes, plan.failedShards)}.`);
  if (plan.unfinishedIndexes.length > 0) {
    lines.push(`${lastRun} stopped${plan.reason ? ` (${plan.reason})` : ''} before finishing ${shardsOf(plan.unfinishedIndexes, plan.unfinishedShards)}: the rerun copies them too.`);
  }
  return lines;
}

/**
 * Lines for a person: what failed, then one next step. Without apply: the helm upgrade (or its values) that retries
 * the shards, or rerun --apply. With apply: the Job made, how to follow it, and the run the next upgrade must pass.
 */
export function formatRerun(plan: RerunPlan, created?: string): string[] {
  const shards = formatIndexList(plan.shards);
  const lines = whatFailed(plan);
  if (created) {
    const afterRun = /^\d+$/.test(plan.newRun) ? String(Number(plan.newRun) + 1) : '<a new run number>';
    lines.push(
      `created Job ${created} (run ${plan.newRun}, ${plan.shards.length} ${plan.shards.length === 1 ? 'index' : 'indexes'}, SHARD_INDEXES=${shards}), managed by swift-to-s3, not by Helm or Argo CD.`,
      `follow it: swift-to-s3 status --release ${plan.release} --namespace ${plan.namespace} --run ${plan.newRun} --watch`,
      `the next helm upgrade (or run in Git) must set run=${afterRun} or higher: run ${plan.newRun} is taken by this Job.`,
    );
    return lines;
  }
  lines.push(
    'Retry them with Helm (GitOps: put the same in the values in Git):',
    `  ${plan.helmCommand}`,
    `  (values: shards.only: "${shards}" and run: ${helmRun(plan.newRun)}; the next full run needs shards.only: "" again)`,
    `or create the retry Job directly, outside Helm and Argo CD: swift-to-s3 rerun --release ${plan.release} --namespace ${plan.namespace} --apply`,
  );
  return lines;
}
