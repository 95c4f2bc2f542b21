// Retrying the failed shards of the last run: the helm upgrade a GitOps user commits, or the retry Job itself (for
// the catch-up CronJob, a Job of it); and what to delete afterwards so that Argo CD's application is Healthy again.
import type { V1Job, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { formatIndexList } from '../indexes.ts';
import { COPIER_CONTAINER, cronJobOrigin, failedIndexes, failureReason, jobOutcome, LABEL, RERUN_MANAGER, runOf, shardMap, unfinishedIndexes } from './jobs.ts';

/** The annotation a retry Job carries: the name of the Job it retries. */
export const RERUN_OF = 'swift-to-s3/rerun-of';

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
  /** The helm upgrade that retries the shards as a new run. None for a Job of the catch-up CronJob: there an upgrade
   *  with shards.only would make every scheduled resync copy only these shards, and run nothing now. */
  helmCommand?: string;
  /** The catch-up CronJob the last Job belongs to: the retry is a Job of it too. */
  cronJob?: string;
  /** The Job Helm or Argo CD renders that this failure goes back to: the last Job, or the one a retry was made from.
   *  Argo CD counts it in the application's health while it is there. None for the CronJob's Jobs. */
  renderedJob?: string;
}

export interface RerunRefusal { refused: string }

export interface RerunWhere { release: string; namespace: string; chart: string }

/**
 * What a rerun of the picked Job would do, or why there is nothing to rerun yet. The new run number is above the
 * highest of all the release's Jobs (releaseJobs), so that it names a Job that does not exist yet. A Job of the
 * catch-up CronJob is retried as <cronjob>-retry-<n>, run <run>-retry-<n>: it takes no run number of the chart's
 * (the cutover's next run stays free) and no name the chart gives a run's Job.
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
  const cronJob = cronJobOrigin(job)?.name;
  const { newRun, newJob } = cronJob ? cronJobRetry(job, cronJob, releaseJobs) : { newRun: nextRunAbove(lastRun, releaseJobs), newJob: '' };
  const reason = failureReason(job);
  const renderedJob = renderedOrigin(job, releaseJobs);
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
    newJob: newJob || nextJobName(job, newRun),
    ...(cronJob ? { cronJob } : { helmCommand: helmUpgradeCommand(where, shards, newRun) }),
    ...(renderedJob ? { renderedJob } : {}),
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
 * The chart names Jobs <fullname>-<mode>-<run>: replace the run at the end. Anything else gets -retry-<n>. (A Job of
 * the CronJob is retried under cronJobRetry's name.)
 */
export function nextJobName(job: V1Job, newRun: string): string {
  const name = job.metadata?.name ?? '';
  const run = runOf(job);
  if (run && name.endsWith(`-${run}`)) return `${name.slice(0, -run.length)}${newRun}`;
  const retry = /^(.*)-retry-(\d+)$/.exec(name);
  if (retry) return `${retry[1]}-retry-${Number(retry[2]) + 1}`;
  return `${name}-retry-1`;
}

/**
 * The retry of a CronJob's Job: <cronjob>-retry-<n> and run <run>-retry-<n>, n the first that names no Job of the
 * release and no run label. The CronJob's own Jobs are <cronjob>-<minutes since the epoch> and the chart's one-off
 * runs <fullname>-<mode>-<run>: neither ends in -retry-<n>.
 */
export function cronJobRetry(job: V1Job, cronJob: string, releaseJobs: readonly V1Job[]): { newRun: string; newJob: string } {
  const base = runOf(job).replace(/-retry-\d+$/, '');
  const names = new Set(releaseJobs.map((other) => other.metadata?.name));
  const runs = new Set(releaseJobs.map(runOf));
  for (let n = 1; ; n++) {
    const newRun = base ? `${base}-retry-${n}` : `retry-${n}`;
    const newJob = `${cronJob}-retry-${n}`;
    if (!names.has(newJob) && !runs.has(newRun)) return { newRun, newJob };
  }
}

/**
 * The Job Helm or Argo CD rendered that this one goes back to: the Job itself, or, for a retry rerun --apply made,
 * the Job it was made from (and so on back). None for a Job of the CronJob (nothing renders those), or when the origin
 * is gone.
 */
function renderedOrigin(job: V1Job, releaseJobs: readonly V1Job[]): string | undefined {
  const seen = new Set<string>();
  for (let current: V1Job | undefined = job; current; ) {
    const name = current.metadata?.name ?? '';
    if (cronJobOrigin(current) || seen.has(name)) return undefined;
    if (current.metadata?.labels?.[LABEL.managedBy] !== RERUN_MANAGER) return name;
    seen.add(name);
    const from: string | undefined = current.metadata?.annotations?.[RERUN_OF];
    current = releaseJobs.find((other) => other.metadata?.name === from);
  }
  return undefined;
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

/**
 * The retry Job: a copy of the last one working only on the failed shards (SHARD_INDEXES), under a new name and
 * run label, with only the chart's own labels and annotations, owned by no Helm release or Argo CD application, with
 * everything the API server owns removed so that it can be created again. A retry of the catch-up CronJob's Job is
 * the CronJob's, as its scheduled Jobs are (a controller reference): its history limits keep it, deleting the CronJob
 * deletes it, and its success is the CronJob's status.lastSuccessfulTime (cronjob_controllerv2.go syncCronJob counts
 * every Job it controls), by which Argo CD ≥ 3.2 judges the CronJob's health. No blockOwnerDeletion: setting it needs
 * update on the CronJob's finalizers (the OwnerReferencesPermissionEnforcement admission plugin, on in OpenShift).
 */
export function buildRetryJob(job: V1Job, plan: RerunPlan): V1Job {
  const copy = structuredClone(job);
  const spec = copy.spec!;
  const completions = plan.shards.length;
  const metadata = copy.metadata ?? {};
  const labels = Object.fromEntries(Object.entries(metadata.labels ?? {}).filter(([key]) => CHART_LABELS.has(key)));
  const annotations = Object.fromEntries(Object.entries(metadata.annotations ?? {}).filter(([key]) => isChartAnnotation(key)));
  const owner = plan.cronJob ? cronJobController(job) : undefined;
  copy.metadata = {
    name: plan.newJob,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    labels: { ...labels, [LABEL.managedBy]: RERUN_MANAGER, [LABEL.run]: plan.newRun },
    annotations: { ...annotations, [RERUN_OF]: plan.lastJob },
    ...(owner ? { ownerReferences: [owner] } : {}),
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

/** The CronJob as the controller of a Job, from the reference the last Job has (a scheduled or a by-hand one). */
function cronJobController(job: V1Job): V1OwnerReference | undefined {
  const origin = cronJobOrigin(job);
  return origin && { apiVersion: origin.apiVersion, kind: 'CronJob', name: origin.name, uid: origin.uid, controller: true };
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
  const lastRun = `run ${plan.lastRun} (Job ${plan.lastJob}${plan.cronJob ? ` of CronJob ${plan.cronJob}` : ''})`;
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
 * Lines for a person: what failed, then one next step, then what to delete once the retry succeeded. Without apply:
 * the helm upgrade (or its values) that retries the shards, or rerun --apply; for the catch-up CronJob, rerun --apply
 * only. With apply: the Job made, how to follow it, and the run the next upgrade must pass.
 */
export function formatRerun(plan: RerunPlan, created?: string): string[] {
  const lines = whatFailed(plan);
  if (plan.cronJob) return [...lines, ...(created ? cronJobRetryMade(plan, plan.cronJob, created) : cronJobRetryAdvice(plan, plan.cronJob))];
  const shards = formatIndexList(plan.shards);
  if (created) {
    const afterRun = /^\d+$/.test(plan.newRun) ? String(Number(plan.newRun) + 1) : '<a new run number>';
    lines.push(
      `created Job ${created} (run ${plan.newRun}, ${indexCount(plan)}, SHARD_INDEXES=${shards}), managed by swift-to-s3, not by Helm or Argo CD.`,
      `follow it: swift-to-s3 status --release ${plan.release} --namespace ${plan.namespace} --run ${plan.newRun} --watch`,
      `the next helm upgrade (or run in Git) must set run=${afterRun} or higher: run ${plan.newRun} is taken by this Job.`,
      ...(plan.renderedJob ? appliedCleanup(plan, plan.renderedJob) : []),
    );
  } else {
    lines.push(
      'Retry them with Helm (GitOps: put the same in the values in Git):',
      `  ${plan.helmCommand ?? ''}`,
      `  (values: shards.only: "${shards}" and run: ${helmRun(plan.newRun)}; the next full run needs shards.only: "" again)`,
      ...(plan.renderedJob ? upgradeCleanup(plan, plan.renderedJob) : []),
      `or create the retry Job directly, outside Helm and Argo CD: swift-to-s3 rerun --release ${plan.release} --namespace ${plan.namespace} --apply`,
    );
  }
  return [...lines, ...retryCleanup(plan)];
}

function indexCount(plan: RerunPlan): string {
  return `${plan.shards.length} ${plan.shards.length === 1 ? 'index' : 'indexes'}`;
}

const IGNORE_HEALTH = 'argocd.argoproj.io/ignore-healthcheck=true';

/**
 * After a new run from Helm or Git: the failed Job has left the rendered output, and Argo CD keeps it (Prune=false)
 * and counts it in the application's health (controller/health.go: IgnoreExtraneous changes only the sync status).
 * Argo CD ≥ 3.2 skips a live object annotated ignore-healthcheck; 2.14-3.1 read that annotation from Git's manifest
 * only, which a Job that left Git no longer has; 2.10-2.13 know no such annotation.
 */
function upgradeCleanup(plan: RerunPlan, rendered: string): string[] {
  return [
    `  once run ${helmRun(plan.newRun)} has succeeded, delete Job ${rendered}: oc delete job ${rendered} -n ${plan.namespace}`,
    '  (Argo CD keeps old runs, Prune=false, and counts them in the application\'s health whatever IgnoreExtraneous says: a failed one keeps it Degraded;',
    `  to keep it for the record instead, Argo CD ≥ 3.2 leaves it out after: oc annotate job ${rendered} -n ${plan.namespace} ${IGNORE_HEALTH})`,
  ];
}

/** After rerun --apply: the failed Job is still the one Helm or Argo CD renders for the current run. */
function appliedCleanup(plan: RerunPlan, rendered: string): string[] {
  return [
    `keep Job ${rendered}: it is still the run Helm or Argo CD renders, and deleted, the next sync (or an upgrade with the same run) creates it again and copies every shard.`,
    `once the retry has succeeded, Argo CD ≥ 3.2 leaves Job ${rendered} out of the application's health after: oc annotate job ${rendered} -n ${plan.namespace} ${IGNORE_HEALTH}`
      + ' (older versions count it until a new run in Git leaves it behind: delete it then)',
  ];
}

/** A failed retry Job made by rerun --apply: no Helm release or application has it. */
function retryCleanup(plan: RerunPlan): string[] {
  if (plan.cronJob || plan.renderedJob === plan.lastJob) return [];
  return [`Job ${plan.lastJob} was made by swift-to-s3 rerun and counts in no application's health: delete it when its record is no longer needed: oc delete job ${plan.lastJob} -n ${plan.namespace}`];
}

/** The catch-up CronJob's failed shards: its next resync copies every shard anyway; a Job of it retries them now. */
function cronJobRetryAdvice(plan: RerunPlan, cronJob: string): string[] {
  return [
    `The next scheduled resync copies every shard again, these included. To retry them now, in a Job of CronJob ${cronJob} for these shards only (its schedule stays as it is):`,
    `  swift-to-s3 rerun --release ${plan.release} --namespace ${plan.namespace} --apply`,
    'Not helm upgrade with shards.only: the CronJob would copy only these shards on every schedule from then on, and nothing would run now.',
  ];
}

/**
 * The CronJob's retry Job made. The CronJob's concurrencyPolicy looks only at the Jobs it started itself
 * (status.active): a scheduled resync may run beside the retry, which is harmless (both skip what is in place).
 */
function cronJobRetryMade(plan: RerunPlan, cronJob: string, created: string): string[] {
  return [
    `created Job ${created} (run ${plan.newRun}, ${indexCount(plan)}, SHARD_INDEXES=${formatIndexList(plan.shards)}), a Job of CronJob ${cronJob} as its scheduled ones are: `
      + 'its history limits keep it, and clearing schedule deletes it with them.',
    `follow it: swift-to-s3 status --release ${plan.release} --namespace ${plan.namespace} --run ${plan.newRun} --watch`,
    'a scheduled resync may start beside it (the CronJob\'s concurrencyPolicy sees only the Jobs it started); both skip what is in place.',
    `once it has succeeded, it is the CronJob's last successful Job: Argo CD ≥ 3.2, which judges a CronJob by that, shows CronJob ${cronJob} (and so the application) Healthy again.`,
  ];
}
