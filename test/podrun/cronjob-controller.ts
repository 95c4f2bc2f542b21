// The CronJob controller for the pod runner: one sync of one CronJob of the (fake) API server when the test says, as
// Kubernetes' ControllerV2.sync does it on a CronJob's or a Job's change, or at a scheduled time. The schedule is not
// parsed: the test names the scheduled time a tick is for (what mostRecentScheduleTime would answer).
//
// Sources (kubernetes/kubernetes pkg/controller/cronjob): cronjob_controllerv2.go (sync, getJobsToBeReconciled,
// syncCronJob, cleanupFinishedJobs, removeOldestJobs, deleteJob, getJobName), utils.go (getJobFromTemplate2,
// inActiveList, inActiveListByName, byJobStartTime), injection.go (realJobControl.DeleteJob: Background).
import { ApiRefused, call, type Api } from './api.ts';
import { jobFromCronJob, rfc3339In } from './cluster.ts';
import type { Json } from './objects.ts';

const batchPath = (api: Api, resource: 'jobs' | 'cronjobs') => `/apis/batch/v1/namespaces/${encodeURIComponent(api.namespace)}/${resource}`;
const eventsPath = (api: Api) => `/api/v1/namespaces/${encodeURIComponent(api.namespace)}/events`;

interface ObjectReference { kind: string; namespace: string; name: string; uid: string; apiVersion: string; resourceVersion: string }
interface CronJobStatus { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string }
interface CronJob {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string };
  spec: { suspend?: boolean; concurrencyPolicy?: string; startingDeadlineSeconds?: number; successfulJobsHistoryLimit?: number; failedJobsHistoryLimit?: number; timeZone?: string };
  status: CronJobStatus;
}
interface Job {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; ownerReferences?: { kind?: string; name?: string; uid?: string; controller?: boolean }[] };
  status?: { startTime?: string; completionTime?: string; conditions?: { type: string; status: string }[] };
}

/** What one sync did: the Job it created, the Jobs it deleted, the CronJob as the API holds it after. */
export interface CronJobSync { created?: string; deleted: string[]; cronJob: Json }

/** A tick at the scheduled time `at` (the controller's clock `now`, by default that time too). */
export function scheduleOnce(api: Api, name: string, at: Date, now = at): Promise<CronJobSync | undefined> {
  return sync(api, name, at, now);
}

/** A sync with no schedule time due: what a Job's change (it finished) triggers. */
export function reconcileCronJob(api: Api, name: string, now = new Date()): Promise<CronJobSync | undefined> {
  return sync(api, name, undefined, now);
}

/** ControllerV2.sync: cleanup, then syncCronJob, one status update for both; a CronJob gone is nothing to do. */
async function sync(api: Api, name: string, scheduled: Date | undefined, now: Date): Promise<CronJobSync | undefined> {
  const stored = await getOrUndefined(api, `${batchPath(api, 'cronjobs')}/${encodeURIComponent(name)}`);
  if (!stored) return undefined;
  const cronJob = structuredClone(stored) as unknown as CronJob;
  cronJob.status = { ...cronJob.status };
  const jobs = await jobsToBeReconciled(api, cronJob);
  const before = JSON.stringify(cronJob.status);
  const deleted = await cleanupFinishedJobs(api, cronJob, jobs);
  const created = await syncCronJob(api, cronJob, jobs, scheduled, now);
  let after: Json = stored;
  if (deleted.length > 0 || JSON.stringify(cronJob.status) !== before) {
    after = await call(api, 'PUT', `${batchPath(api, 'cronjobs')}/${encodeURIComponent(name)}/status`, { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: api.namespace }, status: cronJob.status });
  }
  return { ...(created ? { created } : {}), deleted, cronJob: after };
}

/** getJobsToBeReconciled: every Job of the namespace whose controller reference names this CronJob — by name only,
 *  so a Job made by kubectl create job --from=cronjob/… (controller: true) is one of them. */
async function jobsToBeReconciled(api: Api, cronJob: CronJob): Promise<Job[]> {
  const list = await call(api, 'GET', batchPath(api, 'jobs'));
  return (list['items'] as Job[]).filter((job) => controllerOf(job)?.name === cronJob.metadata.name);
}

/** syncCronJob: the active list and lastSuccessfulTime from the Jobs, then at most one new Job for the scheduled time. */
async function syncCronJob(api: Api, cronJob: CronJob, jobs: Job[], scheduled: Date | undefined, now: Date): Promise<string | undefined> {
  await reconcileActive(api, cronJob, jobs);
  if (cronJob.metadata.deletionTimestamp || cronJob.spec.suspend || !scheduled) return undefined;
  if (cronJob.status.lastScheduleTime && scheduled.getTime() < new Date(cronJob.status.lastScheduleTime).getTime()) {
    throw new Error('a tick before the last scheduled time: mostRecentScheduleTime never answers one');
  }
  const deadline = cronJob.spec.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && scheduled.getTime() + deadline * 1000 < now.getTime()) {
    await recordEvent(api, cronJob, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${scheduled.toUTCString().replace('GMT', '+0000')}`);
    return undefined;
  }
  const jobName = `${cronJob.metadata.name}-${Math.floor(scheduled.getTime() / 60_000)}`;
  if ((cronJob.status.active ?? []).some((ref) => ref.name === jobName) || cronJob.status.lastScheduleTime === rfc3339In(scheduled)) return undefined;
  if (cronJob.spec.concurrencyPolicy === 'Forbid' && (cronJob.status.active ?? []).length > 0) {
    await recordEvent(api, cronJob, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return undefined;
  }
  if (cronJob.spec.concurrencyPolicy === 'Replace') {
    for (const ref of [...(cronJob.status.active ?? [])]) await deleteJob(api, cronJob, ref);
  }
  return createScheduledJob(api, cronJob, scheduled);
}

/** The first half of syncCronJob: finished Jobs leave the active list (SawCompletedJob), the latest completion of a
 *  successful one is lastSuccessfulTime, an unfinished Job not in the list is UnexpectedJob, an active one gone is MissingJob. */
async function reconcileActive(api: Api, cronJob: CronJob, jobs: Job[]): Promise<void> {
  for (const job of jobs) {
    const found = inActiveList(cronJob, job.metadata.uid);
    const finished = finishedCondition(job);
    if (!found && !finished) {
      await recordEvent(api, cronJob, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
      continue;
    }
    if (!finished) continue;
    if (found) {
      deleteFromActiveList(cronJob, job.metadata.uid);
      await recordEvent(api, cronJob, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${finished}`);
    }
    const completed = job.status?.completionTime;
    if (finished === 'Complete' && completed && (!cronJob.status.lastSuccessfulTime || new Date(completed) > new Date(cronJob.status.lastSuccessfulTime))) {
      cronJob.status.lastSuccessfulTime = completed;
    }
  }
  const children = new Set(jobs.map((job) => job.metadata.uid));
  for (const ref of [...(cronJob.status.active ?? [])]) {
    if (children.has(ref.uid) || await getOrUndefined(api, `${batchPath(api, 'jobs')}/${encodeURIComponent(ref.name)}`)) continue;
    await recordEvent(api, cronJob, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
    deleteFromActiveList(cronJob, ref.uid);
  }
}

/** The end of syncCronJob: getJobFromTemplate2's Job created (AlreadyExists: adopted only if this CronJob controls it),
 *  its reference added to the active list, lastScheduleTime set. */
async function createScheduledJob(api: Api, cronJob: CronJob, scheduled: Date): Promise<string | undefined> {
  const request = jobFromCronJob(cronJob as unknown as Json, scheduled, cronJob.metadata.uid);
  let job: Job;
  try {
    job = await call(api, 'POST', batchPath(api, 'jobs'), request) as unknown as Job;
    await recordEvent(api, cronJob, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
  } catch (error) {
    if (!(error instanceof ApiRefused) || error.code !== 409) {
      await recordEvent(api, cronJob, 'Warning', 'FailedCreate', `Error creating job: ${error instanceof ApiRefused ? String(error.status['message']) : String(error)}`);
      throw error;
    }
    job = await call(api, 'GET', `${batchPath(api, 'jobs')}/${encodeURIComponent(String((request['metadata'] as Json)['name']))}`) as unknown as Job;
    if (controllerOf(job)?.uid !== cronJob.metadata.uid || inActiveList(cronJob, job.metadata.uid)) return undefined;
  }
  const { name, namespace, uid, resourceVersion } = job.metadata;
  cronJob.status.active = [...(cronJob.status.active ?? []), { kind: 'Job', namespace, name, uid, apiVersion: 'batch/v1', resourceVersion }];
  cronJob.status.lastScheduleTime = rfc3339In(scheduled);
  return name;
}

/** cleanupFinishedJobs: of the finished Jobs, the oldest successful ones beyond successfulJobsHistoryLimit and the
 *  oldest failed ones beyond failedJobsHistoryLimit are deleted. Answers their names. */
async function cleanupFinishedJobs(api: Api, cronJob: CronJob, jobs: Job[]): Promise<string[]> {
  const { successfulJobsHistoryLimit: successLimit, failedJobsHistoryLimit: failedLimit } = cronJob.spec;
  const deleted: string[] = [];
  const groups: [Job[], number | undefined][] = [
    [jobs.filter((job) => finishedCondition(job) === 'Complete'), successLimit],
    [jobs.filter((job) => finishedCondition(job) === 'Failed'), failedLimit],
  ];
  for (const [finished, limit] of groups) {
    if (limit === undefined || limit === null) continue;
    for (const job of [...finished].sort(byJobStartTime).slice(0, Math.max(0, finished.length - limit))) {
      if (await deleteJob(api, cronJob, job.metadata)) deleted.push(job.metadata.name);
    }
  }
  return deleted;
}

/** deleteJob: the Job deleted in the background (its pods go with it), its reference out of the active list. */
async function deleteJob(api: Api, cronJob: CronJob, job: { name: string; uid: string }): Promise<boolean> {
  try {
    await call(api, 'DELETE', `${batchPath(api, 'jobs')}/${encodeURIComponent(job.name)}?propagationPolicy=Background`);
  } catch (error) {
    await recordEvent(api, cronJob, 'Warning', 'FailedDelete', `Deleted job: ${error instanceof ApiRefused ? String(error.status['message']) : String(error)}`);
    return false;
  }
  deleteFromActiveList(cronJob, job.uid);
  await recordEvent(api, cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${job.name}`);
  return true;
}

/** byJobStartTime: by status.startTime, Jobs without one last, the name breaking ties. */
export function byJobStartTime(a: Job, b: Job): number {
  const [startA, startB] = [a.status?.startTime, b.status?.startTime];
  if (!startA !== !startB) return startA ? -1 : 1;
  const difference = startA && startB ? new Date(startA).getTime() - new Date(startB).getTime() : 0;
  return difference !== 0 ? difference : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** jobutil.FinishedCondition: Complete or Failed, status True. */
function finishedCondition(job: Job): 'Complete' | 'Failed' | undefined {
  const condition = (job.status?.conditions ?? []).find((each) => (each.type === 'Complete' || each.type === 'Failed') && each.status === 'True');
  return condition?.type as 'Complete' | 'Failed' | undefined;
}

function controllerOf(job: Job) {
  return (job.metadata.ownerReferences ?? []).find((owner) => owner.controller === true);
}

function inActiveList(cronJob: CronJob, uid: string): boolean {
  return (cronJob.status.active ?? []).some((ref) => ref.uid === uid);
}

function deleteFromActiveList(cronJob: CronJob, uid: string): void {
  cronJob.status.active = (cronJob.status.active ?? []).filter((ref) => ref.uid !== uid);
}

async function getOrUndefined(api: Api, path: string): Promise<Json | undefined> {
  try {
    return await call(api, 'GET', path);
  } catch (error) {
    if (error instanceof ApiRefused && error.code === 404) return undefined;
    throw error;
  }
}

/** The event recorder (component cronjob-controller) on the CronJob; its correlator counts a repeat instead of a new event. */
async function recordEvent(api: Api, cronJob: CronJob, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
  const at = rfc3339In(new Date());
  const selector = encodeURIComponent(`involvedObject.uid=${cronJob.metadata.uid},reason=${reason}`);
  const seen = ((await call(api, 'GET', `${eventsPath(api)}?fieldSelector=${selector}`))['items'] as Json[]).find((event) => event['message'] === message);
  if (seen) {
    await call(api, 'PATCH', `${eventsPath(api)}/${encodeURIComponent(String((seen['metadata'] as Json)['name']))}`, { count: Number(seen['count'] ?? 1) + 1, lastTimestamp: at });
    return;
  }
  await call(api, 'POST', eventsPath(api), {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: `${cronJob.metadata.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}` },
    involvedObject: { kind: 'CronJob', namespace: api.namespace, name: cronJob.metadata.name, uid: cronJob.metadata.uid, apiVersion: 'batch/v1' },
    reason, message, source: { component: 'cronjob-controller' }, firstTimestamp: at, lastTimestamp: at, count: 1, type,
    eventTime: null, reportingComponent: 'cronjob-controller', reportingInstance: '',
  });
}
