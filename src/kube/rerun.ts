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

/** What a rerun of the last Job would do, or why there is nothing to rerun yet. */
export function planRerun(job: V1Job, pods: readonly V1Pod[], where: RerunWhere): RerunPlan | RerunRefusal {
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
  const newRun = nextRun(lastRun);
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
    newJob: nextJobName(lastJob, lastRun, newRun),
    helmCommand: helmUpgradeCommand(where, shards, newRun),
  };
}

export function isRefusal(plan: RerunPlan | RerunRefusal): plan is RerunRefusal {
  return 'refused' in plan;
}

/** The chart's run numbers count up; a run label that is not a number gets "-retry-1" (or its retry count + 1). */
export function nextRun(run: string): string {
  if (/^\d+$/.test(run)) return String(Number(run) + 1);
  const retry = /^(.*)-retry-(\d+)$/.exec(run);
  if (retry) return `${retry[1]}-retry-${Number(retry[2]) + 1}`;
  return run ? `${run}-retry-1` : 'retry-1';
}

/** The chart names Jobs <fullname>-<mode>-<run>: replace the run at the end, or append -retry-<n>. */
export function nextJobName(name: string, run: string, newRun: string): string {
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
  return `helm upgrade ${shellWord(where.release)} ${shellWord(where.chart)} -n ${shellWord(where.namespace)} --reuse-values --set 'shards.only={${formatIndexList(shards)}}' --set run=${run}`;
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
 * The retry Job: a copy of the last one working only on the failed shards (SHARD_INDEXES), under a new name and
 * run label, with everything the API server owns removed so that it can be created again.
 */
export function buildRetryJob(job: V1Job, plan: RerunPlan): V1Job {
  const copy = structuredClone(job);
  const spec = copy.spec!;
  const completions = plan.shards.length;
  const metadata = copy.metadata ?? {};
  copy.metadata = {
    name: plan.newJob,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    labels: { ...metadata.labels, [LABEL.run]: plan.newRun },
    annotations: { ...metadata.annotations, 'swift-to-s3/rerun-of': plan.lastJob },
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

/** Lines for a person: what failed, the command to commit, and (with apply) what was created and how to follow it. */
export function formatPlan(plan: RerunPlan, created?: string): string[] {
  const shards = formatIndexList(plan.shards);
  const lines = [...whatFailed(plan),
    'To retry them the GitOps way, commit this change (or run it):',
    `  ${plan.helmCommand}`,
    `  (in a values file: shards.only: "${shards}" and run: ${helmRun(plan.newRun)})`,
  ];
  if (created) {
    lines.push(
      `created Job ${created} (run ${plan.newRun}, ${plan.shards.length} ${plan.shards.length === 1 ? 'index' : 'indexes'}, SHARD_INDEXES=${shards}).`,
      `follow it: swift-to-s3 status --release ${plan.release} --namespace ${plan.namespace} --run ${plan.newRun} --watch`,
      `the next helm upgrade needs a run number above ${plan.newRun}: the Job name ${created} is taken.`,
    );
  } else {
    lines.push('or let swift-to-s3 create the retry Job now with rerun --apply.');
  }
  return lines;
}
