// status's run totals and ETA from the shard totals and expected shares the copiers report when they end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { buildStatusReport, formatStatus } from '../../src/kube/status.ts';
import { job, NAMESPACE, pods, RELEASE, runningRun, type JobFixture } from './fixtures.ts';

const MiB = 1048576;
/** Each pod saw Swift's counts: 720 objects and 720 MiB over 6 shards, 120 and 120 MiB expected of each. */
const expected = { objects: 120, bytes: 120 * MiB };
const where = { release: RELEASE, namespace: NAMESPACE };

/** runningRun, with summaries as this version writes them: indexes 0 and 2 copied their 100 MiB in 5 minutes. */
const reporting: JobFixture = {
  ...runningRun,
  pods: [
    { index: 0, phase: 'Succeeded', minute: 0, summary: { copied: 100, bytes: 100 * MiB, seconds: 300, totals: { objects: 100, bytes: 100 * MiB, exact: true }, expected } },
    { index: 1, phase: 'Running', minute: 0 },
    { index: 2, phase: 'Succeeded', minute: 0, summary: { copied: 100, bytes: 100 * MiB, seconds: 300, totals: { objects: 100, bytes: 100 * MiB, exact: true }, expected } },
    { index: 3, phase: 'Failed', minute: 0, summary: { copied: 1, failed: 1, bytes: MiB, seconds: 10, totals: { objects: 100, bytes: 100 * MiB, exact: true }, expected } },
    { index: 3, phase: 'Running', minute: 2 },
  ],
};

function read(fixture: JobFixture): { job: V1Job; pods: V1Pod[] } {
  return {
    job: ObjectSerializer.deserialize(job(fixture), 'V1Job') as V1Job,
    pods: pods(fixture).map((pod) => ObjectSerializer.deserialize(pod, 'V1Pod') as V1Pod),
  };
}

test('status counts the run\'s totals from the indexes that reported them and the expected share for the others', () => {
  const { job, pods } = read(reporting);
  const report = buildStatusReport(job, pods, where, new Date('2025-06-02T10:05:00Z'));
  assert.deepEqual(report.expected, { objects: 3 * 100 + 3 * 120, bytes: (3 * 100 + 3 * 120) * MiB, estimatedIndexes: 3 });
  assert.ok(formatStatus(report).includes('run totals: 660 objects, 660.0 MiB (3 of 6 indexes expected from Swift\'s container counts)'));
});

test('status\'s ETA: a shard takes its expected bytes at the finished shards\' pace, less what its pod has run', () => {
  // 3 s per MiB: a 120 MiB shard takes 360 s. At 10:05 index 1 has run 300 s (60 left), index 3's second pod 180 s
  // (180 left), and indexes 4 and 5 have not started (360 each), with a slot each: the last ends in 360 s.
  const { job, pods } = read(reporting);
  const now = new Date('2025-06-02T10:05:00Z');
  assert.equal(buildStatusReport(job, pods, where, now).etaSeconds, 360);
  // Two slots for 60 + 180 + 360 + 360 seconds of work: 480 s.
  assert.equal(buildStatusReport({ ...job, spec: { ...job.spec!, parallelism: 2 } }, pods, where, now).etaSeconds, 480);
});

test('status keeps its ETA by finished indexes when the pods did not report their totals (an earlier version)', () => {
  const { job, pods } = read(runningRun);
  const report = buildStatusReport(job, pods, where, new Date('2025-06-02T10:20:00Z'));
  assert.equal(report.expected, undefined);
  assert.equal(report.etaSeconds, 2400);
  assert.ok(!formatStatus(report).some((line) => line.startsWith('run totals')));
});
