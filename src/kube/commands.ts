// The status and rerun commands: find the release's Job in the cluster, report on it or retry its failed shards.
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { ApiException, KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { messageOf } from '../errors.ts';
import { createJob, indexRows, jobOutcome, listJobPods, listReleaseJobs, pickJob, runOf } from './jobs.ts';
import { readPodProgress } from './pod-progress.ts';
import { needsJobEvents, readJobEvents } from './waiting.ts';
import { buildStatusReport, formatStatus, statusOutcome, type Observed, type StatusReport } from './status.ts';
import { buildRetryJob, formatRerun, isRefusal, planRerun } from './rerun.ts';

export interface KubeCommandOptions {
  release: string;
  namespace: string;
  run?: string;
  watch: boolean;
  intervalSeconds: number;
  apply: boolean;
  json: boolean;
  chart: string;
  /** Default: KubeConfig.loadFromDefault() (kubeconfig file, KUBECONFIG, or in-cluster). */
  kubeConfig?: KubeConfig;
  print: (line: string) => void;
  printError: (line: string) => void;
}

/** How a command ended; src/cli.ts turns it into the exit code. failed: some index failed; stuck: the Job runs but no
 *  index can progress (an image not pulled, a Secret missing, a quota, no node); problem: no such Job, nothing to
 *  rerun, or the API could not be asked. */
export type KubeOutcome = 'ok' | 'failed' | 'stuck' | 'problem';

/** No Job of the release (or of the requested run): one line, exit code 2. */
class KubeProblem extends Error {}

/** ok: the Job succeeded or runs with no failed index; failed: some index failed; stuck: nothing can progress;
 *  problem: no such Job or an API problem. */
export async function statusCommand(options: KubeCommandOptions): Promise<KubeOutcome> {
  return withProblems(options, async (kubeConfig, namespace) => {
    for (;;) {
      const { job, pods } = await readRun(kubeConfig, namespace, options);
      const report = buildStatusReport(job, pods, { release: options.release, namespace }, new Date(), await observe(kubeConfig, namespace, job, pods));
      printReport(report, options);
      if (!options.watch || report.outcome !== 'running') return statusOutcome(report);
      await sleep(options.intervalSeconds * 1000);
      // Watching follows the Job first found, even if a newer run starts meanwhile.
      options = { ...options, run: report.run || options.run };
    }
  });
}

/**
 * Progress of running pods (pods/log) and, where an index of a running Job has no pod, the Job's events (list
 * events): each read as far as allowed, a refusal kept as the API's own message (a 403 names the permission missing).
 */
async function observe(kubeConfig: KubeConfig, namespace: string, job: V1Job, pods: V1Pod[]): Promise<Observed> {
  const { progress, refused } = await readPodProgress(kubeConfig, namespace, pods);
  const observed: Observed = refused === undefined ? { progress } : { progress, unreadable: apiMessage(refused) };
  if (jobOutcome(job) !== 'running' || !needsJobEvents(indexRows(job, pods))) return observed;
  const events = await readJobEvents(kubeConfig, namespace, job);
  return { ...observed, events: events.events, ...(events.refused === undefined ? {} : { eventsUnreadable: apiMessage(events.refused) }) };
}

/** ok: the helm command was printed (and with apply, the retry Job created); problem: nothing to rerun, or an API problem. */
export async function rerunCommand(options: KubeCommandOptions): Promise<KubeOutcome> {
  return withProblems(options, async (kubeConfig, namespace) => {
    const { job, pods, jobs } = await readRun(kubeConfig, namespace, options);
    const plan = planRerun(job, pods, { release: options.release, namespace, chart: options.chart }, jobs);
    if (isRefusal(plan)) {
      options.printError(plan.refused);
      return 'problem';
    }
    let created: string | undefined;
    if (options.apply) {
      const made = await createJob(kubeConfig, namespace, buildRetryJob(job, plan));
      created = made.metadata?.name ?? plan.newJob;
    }
    if (options.json) {
      options.print(JSON.stringify({ ...plan, applied: created !== undefined, ...(created ? { created } : {}) }, null, 2));
    } else {
      formatRerun(plan, created).forEach((line) => options.print(line));
    }
    return 'ok';
  });
}

async function withProblems(options: KubeCommandOptions, body: (kubeConfig: KubeConfig, namespace: string) => Promise<KubeOutcome>): Promise<KubeOutcome> {
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = options.kubeConfig ?? defaultKubeConfig();
  } catch (error) {
    options.printError(error instanceof KubeProblem ? error.message : `cannot load a kubeconfig (KUBECONFIG, ~/.kube/config or in-cluster): ${messageOf(error)}`);
    return 'problem';
  }
  const namespace = options.namespace || contextNamespace(kubeConfig) || 'default';
  try {
    return await body(kubeConfig, namespace);
  } catch (error) {
    if (error instanceof KubeProblem) options.printError(error.message);
    else if (error instanceof ApiException) options.printError(apiProblem(error, namespace));
    else options.printError(`cannot reach the Kubernetes API at ${kubeConfig.getCurrentCluster()?.server ?? '(no cluster)'}: ${networkProblem(error)}`);
    return 'problem';
  }
}

const NO_KUBECONFIG = 'no kubeconfig: set KUBECONFIG or log in (oc login / kubectl config)';

/**
 * The kubeconfig as kubectl finds it: KUBECONFIG, ~/.kube/config, or the pod's service account. With none of them
 * client-node falls back to http://localhost:8080, whose first request fails with "HTTP protocol is not allowed
 * when skipTLSVerify is not set": say what is missing instead.
 */
function defaultKubeConfig(): KubeConfig {
  const listed = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (listed.length > 0 && !listed.some((file) => existsSync(file))) throw new KubeProblem(`no kubeconfig: KUBECONFIG names ${listed.join(delimiter)}, which does not exist; set KUBECONFIG or log in (oc login / kubectl config)`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  if (isFallback(kubeConfig)) throw new KubeProblem(NO_KUBECONFIG);
  if (!kubeConfig.getCurrentCluster()) throw new KubeProblem('no cluster in the kubeconfig\'s current context: log in (oc login / kubectl config use-context)');
  return kubeConfig;
}

/** loadFromDefault's last resort (loadFromClusterAndUser with cluster "cluster" at http://localhost:8080, user "user"). */
function isFallback(kubeConfig: KubeConfig): boolean {
  const cluster = kubeConfig.getCurrentCluster();
  return kubeConfig.getCurrentContext() === 'loaded-context' && cluster?.name === 'cluster' && cluster.server === 'http://localhost:8080' && kubeConfig.getCurrentUser()?.name === 'user';
}

function contextNamespace(kubeConfig: KubeConfig): string | undefined {
  return kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
}

/** The Job of the requested (or newest) run of the release, with its pods. */
async function readRun(kubeConfig: KubeConfig, namespace: string, options: KubeCommandOptions): Promise<{ job: V1Job; pods: V1Pod[]; jobs: V1Job[] }> {
  const jobs = await listReleaseJobs(kubeConfig, namespace, options.release);
  if (jobs.length === 0) throw new KubeProblem(`no Job of release ${options.release} in namespace ${namespace}`);
  const job = pickJob(jobs, options.run);
  if (!job) {
    const runs = [...new Set(jobs.map(runOf))].join(', ');
    throw new KubeProblem(`no Job of release ${options.release} with run ${options.run} in namespace ${namespace} (runs there: ${runs})`);
  }
  return { job, pods: await listJobPods(kubeConfig, namespace, job), jobs };
}

function printReport(report: StatusReport, options: KubeCommandOptions): void {
  // Watching with --json prints one JSON document per line (NDJSON), one per refresh.
  if (options.json) options.print(options.watch ? JSON.stringify(report) : JSON.stringify(report, null, 2));
  else {
    if (options.watch) options.print(`--- ${new Date().toISOString()}`);
    formatStatus(report).forEach((line) => options.print(line));
  }
}

/** One line from an API error: the Status message the server sent, with what to check for the usual codes. */
function apiProblem(error: ApiException<unknown>, namespace: string): string {
  const message = apiMessage(error);
  const hint = error.code === 401 ? ' (log in again: the token is missing or expired)'
    : error.code === 403 ? ` (the account may not list Jobs and Pods or create Jobs in namespace ${namespace})`
      : '';
  return `Kubernetes API answered ${error.code}: ${message}${hint}`;
}

/** The Status message the server sent, else the error's first line. */
function apiMessage(error: unknown): string {
  return (error instanceof ApiException ? statusMessage(error.body) : undefined) ?? (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try { parsed = JSON.parse(body); } catch { return body.trim() ? body.trim().slice(0, 300) : undefined; }
  }
  if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') return (parsed as { message: string }).message;
  return undefined;
}

/** node-fetch says "request to <long URL> failed, reason: connect ECONNREFUSED …": the reason is what matters. */
function networkProblem(error: unknown): string {
  const message = messageOf(error);
  return /^request to \S+ failed, reason: (.*)$/s.exec(message)?.[1] ?? message;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
