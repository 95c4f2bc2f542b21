// The strict fake API refuses what a real Kubernetes API server refuses for Jobs and Pods, and takes what it takes:
// every fixture, and the Job the real chart renders.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchV1Api } from '@kubernetes/client-node';
import { helmBinary, helmVersions } from '../chart/helm.ts';
import { one, render, valuesArgs } from '../chart/render.ts';
import { matchesSelector, podForIndex, startFakeApi, type FakeApi, type Json } from './fake-api.ts';
import {
  completeRun, failedCreateEvent, failedRun, imagePullRun, job, legacyRun, missingSecretRun, NAMESPACE, pods, quotaRun, RELEASE, RELEASE_LABEL, rerunRun, runningRun, sendable,
  unschedulableRun, type JobFixture,
} from './fixtures.ts';

const fixtures: Record<string, JobFixture> = { failedRun, completeRun, runningRun, legacyRun, rerunRun, imagePullRun, missingSecretRun, unschedulableRun, quotaRun };

let api: FakeApi;
before(async () => { api = await startFakeApi(); });
after(() => api.close());

interface Answer { code: number; body: Json & { message?: string; reason?: string; details?: { causes?: { reason: string; field: string; message: string }[] } } }

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { code: response.status, body: await response.json() as Answer['body'] };
}

const jobsPath = (namespace = NAMESPACE) => `/apis/batch/v1/namespaces/${namespace}/jobs`;
const podsPath = (namespace = NAMESPACE) => `/api/v1/namespaces/${namespace}/pods`;

let serial = 0;
/** A chart-shaped Job as a client sends it, under a fresh name, with changes to its spec. */
function chartJob(change: (spec: Json & { template: { metadata: { labels: Record<string, string> }; spec: Json & { containers: Json[] } } }) => void = () => {}, name = `cube-files-copy-t${++serial}`): Json {
  const sent = sendable(job(failedRun)) as Json & { metadata: Json; spec: Parameters<typeof change>[0] };
  sent.metadata.name = name;
  change(sent.spec);
  return sent;
}

/** The field paths of a 422's causes, each with the start of its message. */
function causes(answer: Answer): string[] {
  assert.equal(answer.code, 422, JSON.stringify(answer.body));
  assert.equal(answer.body.reason, 'Invalid');
  return (answer.body.details?.causes ?? []).map((cause) => `${cause.field}: ${cause.message}`);
}

function assertCause(answer: Answer, field: string, message: RegExp): void {
  const found = causes(answer);
  assert.ok(found.some((cause) => cause.startsWith(`${field}: `) && message.test(cause)), `no cause ${field} ${message} in:\n${found.join('\n')}`);
}

async function created(body: Json, path = jobsPath()): Promise<Json & { metadata: Json; spec: Json; status: Json }> {
  const answer = await call('POST', path, body);
  assert.equal(answer.code, 201, JSON.stringify(answer.body));
  return answer.body as Json & { metadata: Json; spec: Json; status: Json };
}

describe('creating a Job', () => {
  for (const [name, fixture] of Object.entries(fixtures)) {
    test(`the ${name} fixture is a Job the server creates, and it comes back with the selector and labels the fixture shows`, async () => {
      const sent = sendable(job(fixture)) as Json & { metadata: Json };
      sent.metadata.name = `${String(sent.metadata.name)}-${name.toLowerCase()}`;
      const answer = await created(sent);
      const uid = String(answer.metadata.uid);
      const fixtureSpec = job(fixture).spec as { selector: Json; template: { metadata: { labels: Record<string, string> } } };
      assert.deepEqual(Object.keys((answer.spec.selector as { matchLabels: Json }).matchLabels), Object.keys(fixtureSpec.selector.matchLabels as Json));
      const labels = (answer.spec.template as { metadata: { labels: Record<string, string> } }).metadata.labels;
      assert.deepEqual(Object.keys(labels).sort(), Object.keys(fixtureSpec.template.metadata.labels).sort());
      assert.equal(labels['batch.kubernetes.io/controller-uid'], uid);
      assert.equal(labels['job-name'], sent.metadata.name);
      assert.deepEqual(answer.status, {}, 'the status is reset on create');
      assert.equal(answer.spec.podReplacementPolicy, 'Failed');
    });

    test(`the ${name} fixture's status is one the server takes from the Job controller`, async () => {
      const sent = sendable(job(fixture)) as Json & { metadata: Json };
      sent.metadata.name = `${String(sent.metadata.name)}-${name.toLowerCase()}-status`;
      const made = await created(sent);
      const answer = await call('PUT', `${jobsPath()}/${String(sent.metadata.name)}/status`, { ...made, status: job(fixture).status });
      assert.equal(answer.code, 200, JSON.stringify(answer.body));
    });

    test(`the ${name} fixture's pods are pods the server creates`, async () => {
      for (const pod of pods(fixture)) {
        const { name: _name, uid: _uid, resourceVersion: _rv, creationTimestamp: _created, ...metadata } = pod.metadata as Json;
        const answer = await created({ ...pod, metadata, status: undefined }, podsPath());
        assert.match(String(answer.metadata.name), new RegExp(`^${String(metadata.generateName)}[bcdfghjklmnpqrstvwxz2456789]{5}$`));
        assert.equal(answer.status.phase, 'Pending', 'a new pod starts Pending whatever status it was sent with');
      }
    });
  }

  test('a Job that keeps the selector of the Job it was copied from is refused unless manualSelector is set', async () => {
    const kept = chartJob();
    (kept.spec as Json).selector = (job(failedRun).spec as Json).selector;
    const answer = await call('POST', jobsPath(), kept);
    assertCause(answer, 'spec.selector', /`selector` not auto-generated/);
    assertCause(answer, 'spec.template.metadata.labels', /`selector` does not match template `labels`/);
    assert.match(String(answer.body.message), /^Job\.batch "cube-files-copy-t\d+" is invalid: \[/);
    const manual = chartJob((spec) => {
      spec.manualSelector = true;
      spec.selector = { matchLabels: { [RELEASE_LABEL]: RELEASE, 'swift-to-s3/run': '2' } };
    });
    await created(manual);
  });

  test('pod template labels that a manual selector does not match are refused', async () => {
    const answer = await call('POST', jobsPath(), chartJob((spec) => {
      spec.manualSelector = true;
      spec.selector = { matchExpressions: [{ key: 'swift-to-s3/run', operator: 'In', values: ['7', '8'] }] };
    }));
    assertCause(answer, 'spec.template.metadata.labels', /`selector` does not match template `labels`/);
  });

  test('maxFailedIndexes above completions, or without backoffLimitPerIndex, is refused', async () => {
    assertCause(await call('POST', jobsPath(), chartJob((spec) => { spec.maxFailedIndexes = 7; })), 'spec.maxFailedIndexes', /Invalid value: 7: must be less than or equal to completions/);
    const withoutPerIndex = await call('POST', jobsPath(), chartJob((spec) => {
      delete spec.backoffLimitPerIndex;
      spec.maxFailedIndexes = 1;
      spec.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'copier', operator: 'In', values: [2] } }] };
    }));
    assertCause(withoutPerIndex, 'spec.backoffLimitPerIndex', /Required value: when maxFailedIndexes is specified/);
    await created(chartJob((spec) => { spec.maxFailedIndexes = 6; }));
  });

  test('a Job name whose pod hostnames or job-name label would pass 63 characters is refused', async () => {
    await created(chartJob(() => {}, 'j'.repeat(61)), jobsPath());
    const hostname = await call('POST', jobsPath(), chartJob(() => {}, 'j'.repeat(62)));
    assert.deepEqual(causes(hostname), [`metadata.name: Invalid value: "${'j'.repeat(62)}": will not able to create pod with invalid DNS label: ${'j'.repeat(62)}-5`]);
    const label = await call('POST', jobsPath(), chartJob(() => {}, 'j'.repeat(64)));
    assertCause(label, 'spec.template.labels', /must be no more than 63 characters/);
    assertCause(await call('POST', jobsPath(), chartJob(() => {}, 'j'.repeat(254))), 'metadata.name', /must be no more than 253 characters/);
    assertCause(await call('POST', jobsPath(), chartJob(() => {}, 'Cube_Files')), 'metadata.name', /RFC 1123 subdomain/);
  });

  test('a body namespace other than the URL\'s is a 400, none takes the URL\'s', async () => {
    const elsewhere = chartJob();
    (elsewhere.metadata as Json).namespace = 'other';
    const answer = await call('POST', jobsPath(), elsewhere);
    assert.equal(answer.code, 400);
    assert.equal(answer.body.reason, 'BadRequest');
    assert.equal(answer.body.message, 'the namespace of the provided object does not match the namespace sent on the request');
    const unset = chartJob();
    delete (unset.metadata as Json).namespace;
    assert.equal((await created(unset)).metadata.namespace, NAMESPACE);
  });

  test('FailIndex without backoffLimitPerIndex is refused', async () => {
    const answer = await call('POST', jobsPath(), chartJob((spec) => {
      delete spec.backoffLimitPerIndex;
      spec.backoffLimit = 6;
      spec.podFailurePolicy = { rules: [{ action: 'FailIndex', onExitCodes: { containerName: 'copier', operator: 'In', values: [3] } }] };
    }));
    assertCause(answer, 'spec.podFailurePolicy.rules[0].action', /Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set/);
  });

  test('a podFailurePolicy allows only podReplacementPolicy Failed', async () => {
    const answer = await call('POST', jobsPath(), chartJob((spec) => { spec.podReplacementPolicy = 'TerminatingOrFailed'; }));
    assert.deepEqual(causes(answer), ['spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: "Failed"']);
    await created(chartJob((spec) => { delete spec.podFailurePolicy; spec.podReplacementPolicy = 'TerminatingOrFailed'; }));
  });

  test('a Job\'s pods must not restart Always, and with a podFailurePolicy not at all', async () => {
    const template = (policy: string | undefined) => chartJob((spec) => {
      if (policy === undefined) delete spec.template.spec.restartPolicy; else spec.template.spec.restartPolicy = policy;
    });
    assertCause(await call('POST', jobsPath(), template(undefined)), 'spec.template.spec.restartPolicy', /Required value: valid values: "OnFailure", "Never"/);
    assertCause(await call('POST', jobsPath(), template('Always')), 'spec.template.spec.restartPolicy', /Required value/);
    assertCause(await call('POST', jobsPath(), template('OnFailure')), 'spec.template.spec.restartPolicy', /only "Never" is supported when podFailurePolicy is specified/);
  });

  test('Indexed needs completions; per-index backoff needs Indexed', async () => {
    assertCause(await call('POST', jobsPath(), chartJob((spec) => { delete spec.completions; })), 'spec.completions', /Required value: when completion mode is Indexed/);
    assertCause(await call('POST', jobsPath(), chartJob((spec) => { spec.completionMode = 'NonIndexed'; })), 'spec.backoffLimitPerIndex', /requires indexed completion mode/);
  });

  test('exit-code rules name a container of the pod, list ordered values, and never 0 with In', async () => {
    const answer = await call('POST', jobsPath(), chartJob((spec) => {
      spec.podFailurePolicy = { rules: [
        { action: 'FailJob', onExitCodes: { containerName: 'copy', operator: 'In', values: [2] } },
        { action: 'Count', onExitCodes: { operator: 'In', values: [3, 0, 1] } },
        { action: 'Ignore' },
      ] };
    }));
    assertCause(answer, 'spec.podFailurePolicy.rules[0].onExitCodes.containerName', /must be one of the container or initContainer names/);
    assertCause(answer, 'spec.podFailurePolicy.rules[1].onExitCodes.values[1]', /must not be 0 for the In operator/);
    assertCause(answer, 'spec.podFailurePolicy.rules[1].onExitCodes.values', /must be ordered/);
    assertCause(answer, 'spec.podFailurePolicy.rules[2]', /specifying one of OnExitCodes and OnPodConditions is required/);
  });

  test('the pod template is validated as a pod spec: container names and images, env names, mounted volumes', async () => {
    const answer = await call('POST', jobsPath(), chartJob((spec) => {
      const [copier] = spec.template.spec.containers as [Json];
      delete copier.image;
      copier.env = [{ name: '1_BAD' }, { name: 'SWIFT_KEY', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }];
      copier.volumeMounts = [{ name: 'swift-ca', mountPath: '/etc/ca' }];
      spec.template.spec.containers.push({ name: 'Copier', image: 'x' });
    }));
    assertCause(answer, 'spec.template.spec.containers[0].image', /Required value/);
    assertCause(answer, 'spec.template.spec.containers[0].env[0].name', /valid environment variable name/);
    assertCause(answer, 'spec.template.spec.containers[0].env[1].valueFrom', /may not be specified when `value` is not empty/);
    assertCause(answer, 'spec.template.spec.containers[0].volumeMounts[0].name', /Not found: "swift-ca"/);
    assertCause(answer, 'spec.template.spec.containers[1].name', /RFC 1123 label/);
  });

  test('a name taken in the namespace is a 409 AlreadyExists; a wrong apiVersion or a string count is a 400', async () => {
    const first = chartJob();
    await created(first);
    const again = await call('POST', jobsPath(), first);
    assert.equal(again.code, 409);
    assert.equal(again.body.message, `jobs.batch "${String((first.metadata as Json).name)}" already exists`);
    const wrongVersion = await call('POST', jobsPath(), { ...chartJob(), apiVersion: 'v1' });
    assert.equal(wrongVersion.code, 400);
    const stringCount = await call('POST', jobsPath(), chartJob((spec) => { spec.completions = '6'; }));
    assert.equal(stringCount.code, 400);
  });

  test('client-node sees a refusal as an ApiException with the Status and its causes', async () => {
    const batch = api.kubeConfig().makeApiClient(BatchV1Api);
    await assert.rejects(batch.createNamespacedJob({ namespace: NAMESPACE, body: chartJob((spec) => { spec.maxFailedIndexes = 9; }) }), (error: { code?: number; body?: string }) => {
      assert.equal(error.code, 422);
      const body = JSON.parse(String(error.body)) as Answer['body'];
      assert.deepEqual(body.details?.causes?.map((cause) => cause.field), ['spec.maxFailedIndexes']);
      return true;
    });
  });
});

describe('listing by label selector', () => {
  let listApi: FakeApi;
  before(async () => {
    listApi = await startFakeApi({ jobs: [job(completeRun), job(failedRun), job(legacyRun)] });
  });
  after(() => listApi.close());

  const names = async (selector: string) => {
    const response = await fetch(`${listApi.url}${jobsPath()}?labelSelector=${encodeURIComponent(selector)}`);
    return { code: response.status, body: await response.json() as { items?: { metadata: { name: string } }[]; message?: string; reason?: string } };
  };

  test('equality, set-based and existence selectors select as the server does, in name order', async () => {
    assert.deepEqual((await names(`${RELEASE_LABEL}=${RELEASE},app.kubernetes.io/component=copier`)).body.items?.map((item) => item.metadata.name), ['cube-files-copy-1', 'cube-files-copy-2', 'cube-files-copy-5']);
    assert.deepEqual((await names('swift-to-s3/run in (1, 5)')).body.items?.map((item) => item.metadata.name), ['cube-files-copy-1', 'cube-files-copy-5']);
    assert.deepEqual((await names('swift-to-s3/run notin (1),!nothing')).body.items?.map((item) => item.metadata.name), ['cube-files-copy-2', 'cube-files-copy-5']);
    assert.deepEqual((await names('swift-to-s3/run!=2,swift-to-s3/mode')).body.items?.length, 2);
    assert.deepEqual((await names('')).body.items?.length, 3);
  });

  test('a selector the server cannot parse is a 400 BadRequest', async () => {
    for (const selector of ['a=b=c', 'a in (b', 'a in b', '!a=b', 'x/y/z=1', 'a=b,', 'a=' + 'v'.repeat(64), '=b']) {
      const answer = await names(selector);
      assert.equal(answer.code, 400, `${selector}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.reason, 'BadRequest');
    }
  });

  test('matchesSelector speaks the same language, and refuses the same syntax', () => {
    const labels = { 'swift-to-s3/run': '3', 'app.kubernetes.io/component': 'copier' };
    assert.equal(matchesSelector(labels, 'swift-to-s3/run in (2,3),app.kubernetes.io/component'), true);
    assert.equal(matchesSelector(labels, 'swift-to-s3/run notin (3)'), false);
    assert.equal(matchesSelector(labels, '!swift-to-s3.io/release'), true);
    assert.equal(matchesSelector(labels, 'swift-to-s3/run==3,swift-to-s3/mode!=verify'), true);
    assert.throws(() => matchesSelector(labels, 'a in (b'), /expected/);
  });

  test('an unsupported field selector is a 400', async () => {
    const response = await fetch(`${listApi.url}${jobsPath()}?fieldSelector=${encodeURIComponent('spec.completions=6')}`);
    assert.equal(response.status, 400);
    const byName = await fetch(`${listApi.url}${jobsPath()}?fieldSelector=${encodeURIComponent('metadata.name=cube-files-copy-2')}`);
    assert.deepEqual(((await byName.json()) as { items: unknown[] }).items.length, 1);
  });
});

describe('the status subresource of a Job', () => {
  let current: Json & { metadata: Json; spec: Json; status: Json };
  const name = 'cube-files-copy-status';
  before(async () => { current = await created(chartJob(() => {}, name)); });

  const put = (status: Json, metadata: Json = {}) => call('PUT', `${jobsPath()}/${name}/status`, { ...current, metadata: { ...current.metadata, ...metadata }, status });
  const start = { startTime: '2025-06-01T10:00:00Z', active: 6, ready: 0, failed: 0, succeeded: 0, failedIndexes: '', uncountedTerminatedPods: {} };

  test('completedIndexes and failedIndexes must read like "1,3-5", increase, stay below completions and not overlap', async () => {
    for (const [completedIndexes, problem] of [['3,1', /non-increasing order/], ['5-3', /non-increasing order/], ['1,6', /too large index: "6"/], ['a', /cannot convert string to integer/], ['1-2-3', /at most two parts/]] as const) {
      assertCause(await put({ ...start, completedIndexes }), 'status.completedIndexes', problem);
    }
    assertCause(await put({ ...start, completedIndexes: '0-2', failedIndexes: '2' }), 'status.failedIndexes', /overlap at index: 2/);
    const answer = await put({ ...start, completedIndexes: '0,2-3', failedIndexes: '1', succeeded: 3, failed: 2, active: 1 });
    assert.equal(answer.code, 200, JSON.stringify(answer.body));
    current = answer.body as typeof current;
  });

  test('a finished Job needs its decision condition, a start, no active pods, and Complete its completionTime', async () => {
    const failed = { type: 'Failed', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' };
    assertCause(await put({ ...current.status, conditions: [failed] }), 'status.conditions', /without the FailureTarget=true condition/);
    assertCause(await put({ ...current.status, conditions: [{ ...failed, type: 'FailureTarget' }, failed] }), 'status.active', /active>0 is invalid for finished job/);
    const complete = { type: 'Complete', status: 'True', reason: 'CompletionsReached' };
    assertCause(await put({ ...current.status, active: 0, conditions: [{ ...complete, type: 'SuccessCriteriaMet' }, complete] }), 'status.completionTime', /completionTime is required for Complete jobs/);
    assertCause(await put({ ...current.status, active: 0, completionTime: '2025-06-01T10:30:00Z', conditions: [complete] }), 'status.conditions', /without the SuccessCriteriaMet=true condition/);
  });

  test('counters do not go down and terminal conditions do not go away', async () => {
    assertCause(await put({ ...current.status, failed: 1 }), 'status.failed', /cannot decrease the failed counter/);
    const ended = { ...current.status, active: 0, ready: 0, completedIndexes: '0,2-5', succeeded: 5, conditions: [
      { type: 'FailureTarget', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' },
      { type: 'Failed', status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' },
    ] };
    const answer = await put(ended);
    assert.equal(answer.code, 200, JSON.stringify(answer.body));
    current = answer.body as typeof current;
    assertCause(await put({ ...ended, conditions: [] }), 'status.conditions', /cannot disable the terminal Failed=True condition/);
  });

  test('a stale resourceVersion is a 409, another name in the body a 400, a missing Job a 404', async () => {
    const stale = await put(current.status, { resourceVersion: '1' });
    assert.equal(stale.code, 409);
    assert.equal(stale.body.reason, 'Conflict');
    const renamed = await put(current.status, { name: 'other' });
    assert.equal(renamed.code, 400);
    const missing = await call('PUT', `${jobsPath()}/nothing-here/status`, { status: {} });
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'jobs.batch "nothing-here" not found');
  });

  test('the status subresource keeps the stored spec whatever the body says', async () => {
    const answer = await call('PUT', `${jobsPath()}/${name}/status`, { ...current, spec: { ...current.spec, completions: 1 } });
    assert.equal(answer.code, 200, JSON.stringify(answer.body));
    assert.equal((answer.body.spec as Json).completions, 6);
    assert.equal((await call('GET', `${jobsPath()}/${name}`)).body.status !== undefined, true);
  });

  test('the failedIndexes of a Job without backoffLimitPerIndex are refused', async () => {
    const legacy = await created(chartJob((spec) => {
      delete spec.backoffLimitPerIndex;
      spec.podFailurePolicy = { rules: [{ action: 'Count', onExitCodes: { containerName: 'copier', operator: 'In', values: [1, 3] } }] };
    }, 'cube-files-copy-legacy-status'));
    const answer = await call('PUT', `${jobsPath()}/cube-files-copy-legacy-status/status`, { ...legacy, status: { failedIndexes: '1' } });
    assertCause(answer, 'status.failedIndexes', /cannot set non-null failedIndexes when backoffLimitPerIndex is null/);
  });
});

describe('pods', () => {
  test('a pod needs named containers with images, a known restartPolicy, and labels and names of the right length', async () => {
    const answer = await call('POST', podsPath(), {
      metadata: { name: 'p'.repeat(254), labels: { 'job-name': 'j'.repeat(64) } },
      spec: { restartPolicy: 'Sometimes', containers: [{ image: ' ghcr.io/x ' }, { name: 'b' }] },
    });
    assertCause(answer, 'metadata.name', /must be no more than 253 characters/);
    assertCause(answer, 'metadata.labels', /must be no more than 63 characters/);
    assertCause(answer, 'spec.restartPolicy', /Unsupported value: "Sometimes"/);
    assertCause(answer, 'spec.containers[0].name', /Required value/);
    assertCause(answer, 'spec.containers[0].image', /must not have leading or trailing whitespace/);
    assertCause(answer, 'spec.containers[1].image', /Required value/);
    assert.match(String(answer.body.message), /^Pod "p+" is invalid: /);
  });

  test('a pod\'s status may not bring a terminated container back with restartPolicy Never', async () => {
    const made = await created({ metadata: { name: 'one-shot' }, spec: { restartPolicy: 'Never', containers: [{ name: 'copier', image: 'ghcr.io/fnndsc/swift-to-s3:0.1.0' }] } }, podsPath());
    const terminated = { phase: 'Failed', containerStatuses: [{ name: 'copier', state: { terminated: { exitCode: 1, reason: 'Error' } } }] };
    const path = `${podsPath()}/one-shot/status`;
    const ended = await call('PUT', path, { ...made, status: terminated });
    assert.equal(ended.code, 200);
    const back = await call('PUT', path, { ...ended.body, status: { phase: 'Running', containerStatuses: [{ name: 'copier', state: { running: {} } }] } });
    assertCause(back, 'status.containerStatuses[0].state', /may not be transitioned to non-terminated state/);
    assert.equal(((await call('GET', `${podsPath()}/one-shot`)).body.status as Json).phase, 'Failed');
  });

  test('the statuses of pods that never start are statuses a kubelet or the scheduler may write', async () => {
    for (const fixture of [imagePullRun, missingSecretRun, unschedulableRun]) {
      for (const pod of pods(fixture)) {
        const { name: _name, uid: _uid, resourceVersion: _rv, creationTimestamp: _created, ...metadata } = pod.metadata as Json;
        const made = await created({ ...pod, metadata, status: undefined }, podsPath());
        const answer = await call('PUT', `${podsPath()}/${String(made.metadata.name)}/status`, { ...made, status: pod.status });
        assert.equal(answer.code, 200, JSON.stringify(answer.body));
        assert.deepEqual(answer.body.status, pod.status);
      }
    }
  });

  test('deleting a Job deletes its pods with propagationPolicy Background and orphans them without', async () => {
    for (const [policy, left] of [['Background', 0], [undefined, 1]] as const) {
      const made = await created(chartJob(() => {}, `cube-files-copy-delete-${policy ?? 'orphan'}`.toLowerCase()));
      const pod = await created(podForIndex(made, 0), podsPath());
      const deleted = await call('DELETE', `${jobsPath()}/${String(made.metadata.name)}${policy ? `?propagationPolicy=${policy}` : ''}`);
      assert.equal(deleted.code, 200);
      assert.equal(deleted.body.status, 'Success');
      assert.equal((await call('GET', `${jobsPath()}/${String(made.metadata.name)}`)).code, 404);
      const remaining = (await call('GET', `${podsPath()}?labelSelector=${encodeURIComponent(`batch.kubernetes.io/controller-uid=${String(made.metadata.uid)}`)}`)).body.items as Json[];
      assert.equal(remaining.length, left, `${policy ?? 'default'}: ${String(pod.metadata.name)}`);
      if (left) assert.deepEqual((remaining[0]!.metadata as Json).ownerReferences, []);
    }
  });
});

describe('a pod\'s log', () => {
  const text = async (path: string) => { const response = await fetch(`${api.url}${path}`); return { code: response.status, type: response.headers.get('content-type'), body: await response.text() }; };

  test('is the container\'s text, its last tailLines lines, at most limitBytes; refused as the API server and kubelet refuse', async () => {
    const spec = { restartPolicy: 'Never', containers: [{ name: 'copier', image: 'ghcr.io/fnndsc/swift-to-s3:0.1.0' }] };
    await created({ metadata: { name: 'logging' }, spec }, podsPath());
    const path = `${podsPath()}/logging/log`;
    assert.equal((await text(path)).body, '', 'no node yet: an empty log');
    api.pods = api.pods.map((pod) => ((pod['metadata'] as Json).name === 'logging' ? { ...pod, spec: { ...(pod['spec'] as Json), nodeName: 'worker-0' } } : pod));
    const waiting = await call('GET', path);
    assert.equal(waiting.code, 400);
    assert.equal(waiting.body.message, 'container "copier" in pod "logging" is waiting to start: ContainerCreating');
    api.pods = api.pods.map((pod) => ((pod['metadata'] as Json).name === 'logging' ? { ...pod, status: { phase: 'Running', containerStatuses: [{ name: 'copier', state: { running: {} } }] } } : pod));
    api.logs.set('logging', 'one\ntwo\nthree\n');
    assert.deepEqual(await text(path), { code: 200, type: 'text/plain', body: 'one\ntwo\nthree\n' });
    assert.equal((await text(`${path}?tailLines=2`)).body, 'two\nthree\n');
    assert.equal((await text(`${path}?tailLines=2&limitBytes=5`)).body, 'two\nt');
    assert.equal((await text(`${path}?container=copier&tailLines=0`)).body, '');
    const wrong = await call('GET', `${path}?container=sidecar`);
    assert.deepEqual([wrong.code, wrong.body.message], [400, 'container sidecar is not valid for pod logging']);
    const invalid = await call('GET', `${path}?tailLines=-1&limitBytes=0`);
    assert.equal(invalid.code, 422);
    assert.equal(invalid.body.message, 'PodLogOptions "logging" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0');
    assert.equal((await call('GET', `${podsPath()}/nobody/log`)).code, 404);
    api.forbidden.add('pods/log');
    try {
      const forbidden = await call('GET', path);
      assert.deepEqual([forbidden.code, forbidden.body.reason], [403, 'Forbidden']);
    } finally {
      api.forbidden.delete('pods/log');
    }
  });
});

describe('the Job the chart renders', () => {
  for (const version of helmVersions) {
    test(`the copier Job rendered by Helm ${version.name} from noobaa-default.yaml is created, and so is the pod of each index`, async () => {
      const helm = await helmBinary(version);
      const rendered = one(await render(helm, valuesArgs('noobaa-default.yaml')), 'Job');
      const made = await created(rendered);
      const completions = Number(made.spec.completions);
      assert.ok(completions > 0);
      for (const index of [0, completions - 1]) {
        const pod = await created(podForIndex(made, index), podsPath());
        assert.equal((pod.metadata as { labels: Record<string, string> }).labels['batch.kubernetes.io/job-completion-index'], String(index));
        assert.equal(pod.spec.hostname, `${String(made.metadata.name)}-${index}`);
      }
      await call('DELETE', `${jobsPath()}/${String(made.metadata.name)}?propagationPolicy=Background`);
    });
  }
});

describe('events', () => {
  let eventsApi: FakeApi;
  const other = { ...imagePullRun, run: 12 };
  before(async () => {
    eventsApi = await startFakeApi({ events: [failedCreateEvent(quotaRun, 2, { count: 5 }), failedCreateEvent(quotaRun, 3), failedCreateEvent(other, 0)] });
  });
  after(() => eventsApi.close());

  const list = async (fieldSelector: string) => {
    const response = await fetch(`${eventsApi.url}/api/v1/namespaces/${NAMESPACE}/events?fieldSelector=${encodeURIComponent(fieldSelector)}`);
    return { code: response.status, body: await response.json() as Json & { items?: { message: string; involvedObject: { name: string } }[]; message?: string } };
  };

  test('a Job\'s events are listed by the field labels of EventToSelectableFields, and others are a 400', async () => {
    const quota = await list('involvedObject.kind=Job,involvedObject.name=cube-files-copy-11');
    assert.equal(quota.body.kind, 'EventList');
    assert.deepEqual(quota.body.items?.map((event) => event.message.match(/"(.*)"/)?.[1]), ['cube-files-copy-11-2-', 'cube-files-copy-11-3-']);
    assert.equal((await list('reason=FailedCreate,source=job-controller,type=Warning')).body.items?.length, 3);
    assert.equal((await list('involvedObject.name!=cube-files-copy-11')).body.items?.length, 1);
    const unsupported = await list('count=5');
    assert.equal(unsupported.code, 400);
    assert.equal(unsupported.body.message, 'field label not supported: count');
  });

  test('a resource this user may not use is a 403 in RBAC\'s words, for events and for any other', async () => {
    eventsApi.forbidden.add('events');
    eventsApi.forbidden.add('jobs');
    try {
      const events = await list('involvedObject.name=cube-files-copy-11');
      assert.equal(events.code, 403);
      assert.deepEqual(events.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `events is forbidden: User "tester" cannot list resource "events" in API group "" in the namespace "${NAMESPACE}"`, reason: 'Forbidden', details: { kind: 'events' }, code: 403 });
      const jobs = await fetch(`${eventsApi.url}${jobsPath()}/cube-files-copy-11`);
      assert.equal(((await jobs.json()) as { message: string }).message, `jobs.batch "cube-files-copy-11" is forbidden: User "tester" cannot get resource "jobs" in API group "batch" in the namespace "${NAMESPACE}"`);
    } finally {
      eventsApi.forbidden.clear();
    }
  });
});
