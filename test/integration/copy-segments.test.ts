import assert from 'node:assert/strict';
import { copierEnv, freshBucket, freshContainer } from '../support/bed.ts';
import { runCli, summaryOf } from '../support/cli.ts';
import { readAllS3 } from '../support/s3.ts';
import { putDlo, putObject, putSlo, readAll } from '../support/swift.ts';
import { testOnEachTarget } from '../support/targets.ts';

testOnEachTarget('a segments container copied with its parent: referenced segments arrive assembled, every other object is copied', async (_t, target) => {
  const { account, container } = await freshContainer('seg');
  const segmentsContainer = `${container}_segments`;
  const { s3, bucket } = await freshBucket(target);
  await putSlo(account, container, 'volume.nii', [Buffer.alloc(6000, 1), Buffer.alloc(1000, 2)]);
  await putDlo(account, container, 'series.dcm', [Buffer.alloc(3000, 3), Buffer.alloc(500, 4)]);
  await putObject(account, container, 'plain.txt', 'plain');
  // Not referenced by any manifest: a file put there by hand, and the leftover segment of an SLO since deleted.
  await putObject(account, segmentsContainer, 'notes/readme.txt', 'kept by a user');
  await putObject(account, segmentsContainer, 'gone.nii/slo/0000', Buffer.alloc(4000, 5));
  const env = copierEnv(container, bucket, {}, { target });
  const config = { ...env, SWIFT_CONTAINERS: `${container}=files/,${segmentsContainer}=${segmentsContainer}/` };

  const runs = await Promise.all([0, 1].map((index) => runCli(['copy'], { ...config, SHARD_COUNT: '2', JOB_COMPLETION_INDEX: String(index) })));
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const total = (field: 'copied' | 'listed' | 'inShard') => runs.reduce((sum, run) => sum + summaryOf(run)[field], 0);
  const segments = runs.reduce((sum, run) => sum + (summaryOf(run).segments as number), 0);
  assert.equal(segments, 4, 'two SLO and two DLO segments, accounted for');
  assert.equal(total('copied'), 5, '3 objects of the container, 2 unreferenced ones of its segments container');
  assert.equal(total('inShard'), 9, 'every object of both containers is in exactly one shard');

  const source = await readAll(account, container);
  const leftovers = await readAll(account, segmentsContainer);
  const stored = await readAllS3(s3, bucket);
  for (const name of source.keys()) assert.deepEqual(stored.get(`files/${name}`), source.get(name), name);
  for (const name of ['notes/readme.txt', 'gone.nii/slo/0000']) assert.deepEqual(stored.get(`${segmentsContainer}/${name}`), leftovers.get(name), name);
  assert.equal(stored.size, 5, 'no referenced segment is copied a second time');

  const verified = await runCli(['verify', '--all', '--json'], config);
  assert.equal(verified.code, 0, verified.stdout);
  const report = JSON.parse(verified.stdout) as { checked: number; segments: number; matched: number };
  assert.equal(report.segments, 4);
  assert.equal(report.matched, 5);
});
