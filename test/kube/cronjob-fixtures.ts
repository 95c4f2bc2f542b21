// Jobs of the chart's catch-up CronJob as the API returns them, built on the one-off fixtures (fixtures.ts): named and
// owned as pkg/controller/cronjob/utils.go getJobFromTemplate2 makes them (<cronjob>-<minutes since the epoch>, the
// jobTemplate's labels, so the chart's run label on every one of them, the scheduled-timestamp annotation, a
// controller reference with blockOwnerDeletion from metav1.NewControllerRef), or as kubectl create job
// --from=cronjob/<name> makes one (the instantiate annotation; kubectl 1.31 sets controller too, measured).
import { job, jobName, pods, RELEASE, type JobFixture } from './fixtures.ts';
import type { Json } from './fake-api.ts';

export const CRONJOB = `${RELEASE}-copy`;
export const CRONJOB_UID = 'c0000000-0000-4000-8000-000000000001';
/** The chart's run when schedule was set: the jobTemplate's run label, shared by every Job of the CronJob. */
export const CHART_RUN = '1';

export interface CronJobFixture extends JobFixture {
  /** How the Job came to be: on the CronJob's schedule (the default), or by hand with a name of the person's choosing. */
  made?: { by: 'schedule' } | { by: 'hand'; name: string };
}

/** The Job's name: the CronJob controller's for its scheduled time (the fixture's createdAt), or the one given. */
export function cronJobJobName(fixture: CronJobFixture): string {
  const made = fixture.made ?? { by: 'schedule' };
  return made.by === 'hand' ? made.name : `${CRONJOB}-${Math.floor(new Date(fixture.createdAt).getTime() / 60_000)}`;
}

/**
 * The Job and its pods. fixture.run keeps uids and generated pod names apart (as each Job has its own); the run
 * label is the template's, CHART_RUN, on the Job, its pod template and its pods.
 */
export function cronJobObjects(fixture: CronJobFixture): { jobs: Json[]; pods: Json[] } {
  const name = cronJobJobName(fixture);
  const rename = (object: Json): Json => JSON.parse(JSON.stringify(object).replaceAll(`"${jobName(fixture.run)}`, `"${name}`)) as Json;
  const made = job(fixture);
  const renamedJob = rename(made) as Json & { metadata: Json & { labels: Record<string, string> }; spec: { template: { metadata: { labels: Record<string, string> } } } };
  renamedJob.metadata.labels['swift-to-s3/run'] = CHART_RUN;
  renamedJob.spec.template.metadata.labels['swift-to-s3/run'] = CHART_RUN;
  const byHand = fixture.made?.by === 'hand';
  renamedJob.metadata.annotations = byHand
    ? { 'cronjob.kubernetes.io/instantiate': 'manual' }
    : { 'batch.kubernetes.io/cronjob-scheduled-timestamp': fixture.createdAt };
  renamedJob.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'CronJob', name: CRONJOB, uid: CRONJOB_UID, controller: true, ...(byHand ? {} : { blockOwnerDeletion: true }) }];
  renamedJob.metadata.managedFields = [];
  const renamedPods = pods(fixture).map((pod) => {
    const copy = rename(pod) as Json & { metadata: { labels: Record<string, string> } };
    copy.metadata.labels['swift-to-s3/run'] = CHART_RUN;
    return copy;
  });
  return { jobs: [renamedJob], pods: renamedPods };
}

export function cronJobObjectsOf(...fixtures: CronJobFixture[]): { jobs: Json[]; pods: Json[] } {
  const all = fixtures.map(cronJobObjects);
  return { jobs: all.flatMap((objects) => objects.jobs), pods: all.flatMap((objects) => objects.pods) };
}

const MiB = 1048576;

/** The 06:00 resync (run 21 inside the fixtures only): shards 1 and 3 of 6 failed. */
export const failedResync: CronJobFixture = {
  run: 21, completions: 6, completedIndexes: '0,2,4-5', failedIndexes: '1,3', condition: { type: 'Failed', reason: 'FailedIndexes' },
  createdAt: '2025-06-01T06:00:00Z',
  pods: [
    { index: 0, phase: 'Succeeded', minute: 0, summary: { unchanged: 100, seconds: 60 } },
    { index: 1, phase: 'Failed', minute: 0, summary: { copied: 2, unchanged: 90, failed: 8, bytes: 2 * MiB } },
    { index: 1, phase: 'Failed', minute: 5, summary: { unchanged: 92, failed: 8 } },
    { index: 2, phase: 'Succeeded', minute: 0, summary: { copied: 3, unchanged: 97, bytes: 3 * MiB } },
    { index: 3, phase: 'Failed', minute: 0, summary: { unchanged: 99, failed: 1 } },
    { index: 3, phase: 'Failed', minute: 5, summary: { unchanged: 99, failed: 1 } },
    { index: 4, phase: 'Succeeded', minute: 0, summary: { unchanged: 100 } },
    { index: 5, phase: 'Succeeded', minute: 0, summary: { copied: 1, unchanged: 99, bytes: MiB } },
  ],
};

/** The 12:00 resync, later than any retry of the 06:00 one: every shard in place. */
export const laterResync: CronJobFixture = {
  run: 22, completions: 6, completedIndexes: '0-5', failedIndexes: '', condition: { type: 'Complete' },
  createdAt: '2025-06-01T12:00:00Z',
  pods: [0, 1, 2, 3, 4, 5].map((index) => ({ index, phase: 'Succeeded' as const, minute: 0, summary: { unchanged: 100 } })),
};

interface CronJobStatus { active?: { uid?: string }[]; lastScheduleTime?: string; lastSuccessfulTime?: string }

/**
 * The CronJob's status once its controller has seen these Jobs (cronjob_controllerv2.go syncCronJob): only the Jobs it
 * controls count (getJobsToBeReconciled: the controller reference names this CronJob); a finished one leaves
 * status.active, and one that succeeded raises lastSuccessfulTime to its completionTime, whether or not the
 * controller started it.
 */
export function cronJobStatusAfter(cronJob: Json, jobs: readonly Json[]): CronJobStatus {
  const name = (cronJob.metadata as Json).name;
  const status: CronJobStatus = structuredClone((cronJob.status ?? {}) as CronJobStatus);
  for (const job of jobs) {
    const metadata = job.metadata as Json & { uid?: string; ownerReferences?: { kind?: string; name?: string; controller?: boolean }[] };
    const controller = (metadata.ownerReferences ?? []).find((owner) => owner.controller === true);
    if (controller?.kind !== 'CronJob' || controller.name !== name) continue;
    const jobStatus = (job.status ?? {}) as { completionTime?: string; conditions?: { type: string; status: string }[] };
    const finished = (jobStatus.conditions ?? []).some((condition) => ['Complete', 'Failed'].includes(condition.type) && condition.status === 'True');
    if (finished) status.active = (status.active ?? []).filter((reference) => reference.uid !== metadata.uid);
    const succeeded = (jobStatus.conditions ?? []).some((condition) => condition.type === 'Complete' && condition.status === 'True');
    if (succeeded && jobStatus.completionTime && (!status.lastSuccessfulTime || jobStatus.completionTime > status.lastSuccessfulTime)) status.lastSuccessfulTime = jobStatus.completionTime;
  }
  return status;
}
