// The pod runner's kubelet against Kubernetes' own test vectors (expand_test.go, kubelet_pods_test.go
// TestMakeEnvironmentVariables), and one pod run end to end with a stand-in image program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expand, mappingFuncFor } from './expansion.ts';
import { containerArgv, finishedPodStatus, makeEnvironmentVariables, pinnedHosts, PodStartError, runPod, terminationMessage } from './kubelet.ts';
import { readImage, type Image } from './image.ts';
import { ObjectStore, type Container, type Pod } from './objects.ts';
import { podForIndex } from '../kube/fake-api.ts';
import { repoRoot } from '../chart/helm.ts';

// third_party/forked/golang/expansion/expand_test.go doExpansionTest, every case.
const EXPANSION_CASES: [string, string, string][] = [
  ['whole string', '$(VAR_A)', 'A'],
  ['repeat', '$(VAR_A)-$(VAR_A)', 'A-A'],
  ['beginning', '$(VAR_A)-1', 'A-1'],
  ['middle', '___$(VAR_B)___', '___B___'],
  ['end', '___$(VAR_C)', '___C'],
  ['compound', '$(VAR_A)_$(VAR_B)_$(VAR_C)', 'A_B_C'],
  ['escape & expand', '$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
  ['compound escape', '$$(VAR_A)_$$(VAR_B)', '$(VAR_A)_$(VAR_B)'],
  ['mixed in escapes', 'f000-$$VAR_A', 'f000-$VAR_A'],
  ['backslash escape ignored', 'foo\\$(VAR_C)bar', 'foo\\Cbar'],
  ['backslash escape ignored', 'foo\\\\$(VAR_C)bar', 'foo\\\\Cbar'],
  ['lots of backslashes', 'foo\\\\\\\\$(VAR_A)bar', 'foo\\\\\\\\Abar'],
  ['nested var references', '$(VAR_A$(VAR_B))', '$(VAR_A$(VAR_B))'],
  ['nested var references second type', '$(VAR_A$(VAR_B)', '$(VAR_A$(VAR_B)'],
  ['value is a reference', '$(VAR_REF)', '$(VAR_A)'],
  ['value is a reference x 2', '%%$(VAR_REF)--$(VAR_REF)%%', '%%$(VAR_A)--$(VAR_A)%%'],
  ['empty var', 'foo$(VAR_EMPTY)bar', 'foobar'],
  ['unterminated expression', 'foo$(VAR_Awhoops!', 'foo$(VAR_Awhoops!'],
  ['expression without operator', 'f00__(VAR_A)__', 'f00__(VAR_A)__'],
  ['shell special vars pass through', '$?_boo_$!', '$?_boo_$!'],
  ['bare operators are ignored', '$VAR_A', '$VAR_A'],
  ['undefined vars are passed through', '$(VAR_DNE)', '$(VAR_DNE)'],
  ['multiple (even) operators, var undefined', '$$$$$$(BIG_MONEY)', '$$$(BIG_MONEY)'],
  ['multiple (even) operators, var defined', '$$$$$$(VAR_A)', '$$$(VAR_A)'],
  ['multiple (odd) operators, var undefined', '$$$$$$$(GOOD_ODDS)', '$$$$(GOOD_ODDS)'],
  ['multiple (odd) operators, var defined', '$$$$$$$(VAR_A)', '$$$A'],
  ['missing open expression', '$VAR_A)', '$VAR_A)'],
  ['shell syntax ignored', '${VAR_A}', '${VAR_A}'],
  ['trailing incomplete expression not consumed', '$(VAR_B)_______$(A', 'B_______$(A'],
  ['trailing incomplete expression, no content, is not consumed', '$(VAR_C)_______$(', 'C_______$('],
  ['operator at end of input string is preserved', '$(VAR_A)foobarzab$', 'Afoobarzab$'],
  ['shell escaped incomplete expr', 'foo-\\$(VAR_A', 'foo-\\$(VAR_A'],
  ['lots of $( in middle', '--$($($($($--', '--$($($($($--'],
  ['lots of $( in beginning', '$($($($($--foo$(', '$($($($($--foo$('],
  ['lots of $( at end', 'foo0--$($($($(', 'foo0--$($($($('],
  ['escaped operators in variable names are not escaped', '$(foo$$var)', '$(foo$$var)'],
  ['newline not expanded', '\n', '\n'],
];

test('$(VAR) expansion matches every case of Kubernetes\' expand_test.go, with one context and with two', () => {
  const single = mappingFuncFor(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['VAR_C', 'C'], ['VAR_REF', '$(VAR_A)'], ['VAR_EMPTY', '']]));
  const dual = mappingFuncFor(new Map([['VAR_A', 'A'], ['VAR_EMPTY', '']]), new Map([['VAR_B', 'B'], ['VAR_C', 'C'], ['VAR_REF', '$(VAR_A)']]));
  for (const [name, input, expected] of EXPANSION_CASES) {
    assert.equal(expand(input, single), expected, name);
    assert.equal(expand(input, dual), expected, `${name} (dual)`);
  }
});

test('a variable refers to those declared before it (TestMapReference)', () => {
  const declared = new Map([['FOO', 'bar'], ['ZOO', '$(FOO)-1'], ['BLU', '$(ZOO)-2']]);
  const mapping = mappingFuncFor(declared);
  for (const [name, value] of [...declared]) declared.set(name, expand(value, mapping));
  assert.deepEqual(Object.fromEntries(declared), { FOO: 'bar', ZOO: 'bar-1', BLU: 'bar-1-2' });
});

// kubelet_pods_test.go TestMakeEnvironmentVariables: services "kubernetes" in default at 1.2.3.1:8081 (no port name).
const MASTER = { ip: '1.2.3.1', port: 8081 };
const MASTER_ENV = {
  KUBERNETES_SERVICE_HOST: '1.2.3.1', KUBERNETES_SERVICE_PORT: '8081', KUBERNETES_PORT: 'tcp://1.2.3.1:8081',
  KUBERNETES_PORT_8081_TCP: 'tcp://1.2.3.1:8081', KUBERNETES_PORT_8081_TCP_PROTO: 'tcp', KUBERNETES_PORT_8081_TCP_PORT: '8081', KUBERNETES_PORT_8081_TCP_ADDR: '1.2.3.1',
};

function podIn(namespace: string, container: Container): Pod {
  return { metadata: { name: 'dapi-test-pod-name', namespace, uid: 'abc', labels: {}, annotations: {} }, spec: { containers: [container], serviceAccountName: 'special', nodeName: 'node-name' } };
}

function storeWith(...manifests: Record<string, unknown>[]): ObjectStore {
  const store = new ObjectStore();
  for (const manifest of manifests) store.add(manifest);
  return store;
}

const envOf = (pod: Pod, store: ObjectStore, relaxedEnvNames = false) => Object.fromEntries(makeEnvironmentVariables(pod, pod.spec.containers[0]!, store, { kubernetesService: MASTER, relaxedEnvNames }).env);

const CONFIG_MAP = { kind: 'ConfigMap', metadata: { namespace: 'test1', name: 'test-config-map' }, data: { REPLACE_ME: 'FROM_CONFIG_MAP', DUPE_TEST: 'CONFIG_MAP' } };
const REFERRING: Container = {
  name: 'c',
  envFrom: [{ configMapRef: { name: 'test-config-map' } }, { prefix: 'p_', configMapRef: { name: 'test-config-map' } }],
  env: [{ name: 'TEST_LITERAL', value: 'test-test-test' }, { name: 'EXPANSION_TEST', value: '$(REPLACE_ME)' }, { name: 'DUPE_TEST', value: 'ENV_VAR' }],
};

test('envFrom a ConfigMap twice (plain and prefixed), env after it: later entries win and expand against earlier ones ("configmap")', () => {
  assert.deepEqual(envOf(podIn('test1', REFERRING), storeWith(CONFIG_MAP)), {
    TEST_LITERAL: 'test-test-test', REPLACE_ME: 'FROM_CONFIG_MAP', EXPANSION_TEST: 'FROM_CONFIG_MAP', DUPE_TEST: 'ENV_VAR',
    p_REPLACE_ME: 'FROM_CONFIG_MAP', p_DUPE_TEST: 'CONFIG_MAP', ...MASTER_ENV,
  });
});

test('envFrom a Secret reads its base64 data, as the API returns it ("secret")', () => {
  const secretContainer: Container = { ...REFERRING, envFrom: [{ secretRef: { name: 'test-secret' } }, { prefix: 'p_', secretRef: { name: 'test-secret' } }] };
  const secret = { kind: 'Secret', metadata: { namespace: 'test1', name: 'test-secret' }, data: { REPLACE_ME: Buffer.from('FROM_SECRET').toString('base64'), DUPE_TEST: Buffer.from('SECRET').toString('base64') } };
  assert.deepEqual(envOf(podIn('test1', secretContainer), storeWith(secret)), {
    TEST_LITERAL: 'test-test-test', REPLACE_ME: 'FROM_SECRET', EXPANSION_TEST: 'FROM_SECRET', DUPE_TEST: 'ENV_VAR',
    p_REPLACE_ME: 'FROM_SECRET', p_DUPE_TEST: 'SECRET', ...MASTER_ENV,
  });
});

test('a Secret written with stringData is read back as the API server stores it (stringData over data)', () => {
  const store = storeWith({ kind: 'Secret', metadata: { name: 's' }, data: { A: Buffer.from('old').toString('base64'), B: Buffer.from('kept').toString('base64') }, stringData: { A: 'new' } });
  const pod = podIn('test1', { name: 'c', envFrom: [{ secretRef: { name: 's' } }] });
  assert.equal(envOf(pod, store)['A'], 'new');
  assert.equal(envOf(pod, store)['B'], 'kept');
});

test('a missing ConfigMap or Secret, or a missing key, keeps the container from starting unless it is optional', () => {
  const missing = podIn('test1', { name: 'c', envFrom: [{ configMapRef: { name: 'test-config-map' } }] });
  assert.throws(() => envOf(missing, new ObjectStore()), (error: unknown) => error instanceof PodStartError && error.reason === 'CreateContainerConfigError' && /configmap "test-config-map" not found/.test(error.message));
  const optional = podIn('test', { name: 'c', envFrom: [{ configMapRef: { name: 'missing-config-map', optional: true } }] });
  assert.deepEqual(envOf(optional, new ObjectStore()), MASTER_ENV);
  const secretRef = (optional?: boolean): Pod => podIn('test1', { name: 'c', env: [{ name: 'POD_NAME', valueFrom: { secretKeyRef: { name: 'test-secret', key: 'key', ...(optional === undefined ? {} : { optional }) } } }] });
  const secret = storeWith({ kind: 'Secret', metadata: { namespace: 'test1', name: 'test-secret' }, data: { a: Buffer.from('b').toString('base64') } });
  assert.deepEqual(envOf(secretRef(true), secret), MASTER_ENV);
  assert.deepEqual(envOf(secretRef(true), new ObjectStore()), MASTER_ENV);
  assert.throws(() => envOf(secretRef(), secret), /CreateContainerConfigError: couldn't find key key in Secret test1\/test-secret/);
  assert.throws(() => envOf(secretRef(), new ObjectStore()), /CreateContainerConfigError: secret "test-secret" not found/);
  const configMapKey = podIn('test', { name: 'c', env: [{ name: 'POD_NAME', valueFrom: { configMapKeyRef: { name: 'test-config-map', key: 'key', optional: true } } }] });
  assert.deepEqual(envOf(configMapKey, storeWith({ ...CONFIG_MAP, data: { a: 'b' } })), MASTER_ENV);
});

test('envFrom keys that are not variable names are skipped with an event before relaxed validation, and kept after it', () => {
  const pod = podIn('test', { name: 'c', envFrom: [{ configMapRef: { name: 'test-config-map' } }] });
  const store = storeWith({ ...CONFIG_MAP, metadata: { name: 'test-config-map' }, data: { 1234: 'abc', '1z': 'abc', key: 'value' } });
  const strict = makeEnvironmentVariables(pod, pod.spec.containers[0]!, store, { kubernetesService: MASTER });
  assert.deepEqual(Object.fromEntries(strict.env), { key: 'value', ...MASTER_ENV });
  assert.deepEqual(strict.events, ['InvalidEnvironmentVariableNames: Keys [1234, 1z] from the EnvFrom configMap test/test-config-map were skipped since they are considered invalid environment variable names.']);
  assert.deepEqual(envOf(pod, store, true), { 1234: 'abc', '1z': 'abc', key: 'value', ...MASTER_ENV });
  const prefixed = podIn('test', { name: 'c', envFrom: [{ prefix: 'p_', configMapRef: { name: 'test-config-map' } }] });
  assert.equal(envOf(prefixed, store)['p_1234'], 'abc', 'configmap_invalid_keys_valid: p_1234 is a valid name');
});

test('fieldRef reads the pod: name, namespace, service account, node, and the completion index the Job controller adds', () => {
  const pod = podIn('downward-api', { name: 'c', env: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.serviceAccountName'].map((fieldPath, i) => ({ name: `V${i}`, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } })) });
  const env = envOf(pod, new ObjectStore());
  assert.deepEqual([env['V0'], env['V1'], env['V2'], env['V3']], ['dapi-test-pod-name', 'downward-api', 'node-name', 'special']);

  const job = { metadata: { name: 'cube-files-copy-1', namespace: 'cube', uid: 'u-1' }, spec: { completions: 3, backoffLimitPerIndex: 1, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'copier', image: 'i', env: [{ name: 'SHARD', value: 'shard-$(JOB_COMPLETION_INDEX)' }] }] } } } };
  const indexed = podForIndex(job, 2) as unknown as Pod;
  const indexedEnv = Object.fromEntries(makeEnvironmentVariables(indexed, indexed.spec.containers[0]!, new ObjectStore()).env);
  assert.equal(indexedEnv['JOB_COMPLETION_INDEX'], '2');
  assert.equal(indexedEnv['SHARD'], 'shard-$(JOB_COMPLETION_INDEX)', 'JOB_COMPLETION_INDEX is appended after the template\'s env, so earlier entries cannot refer to it');
});

test('the command line: args replace CMD, command replaces ENTRYPOINT and drops CMD, both expanded against the kubelet\'s variables', () => {
  const image = { entrypoint: ['node', '--max-semi-space-size=2', '/app/dist/cli.js'], cmd: ['copy'] };
  const env = new Map([['MODE', 'verify']]);
  assert.deepEqual(containerArgv(image, { name: 'c' }, env), ['node', '--max-semi-space-size=2', '/app/dist/cli.js', 'copy']);
  assert.deepEqual(containerArgv(image, { name: 'c', args: ['$(MODE)', '$$(MODE)'] }, env), ['node', '--max-semi-space-size=2', '/app/dist/cli.js', 'verify', '$(MODE)']);
  assert.deepEqual(containerArgv(image, { name: 'c', command: ['sh', '-c'] }, env), ['sh', '-c']);
  assert.deepEqual(containerArgv(image, { name: 'c', args: [] }, env), ['node', '--max-semi-space-size=2', '/app/dist/cli.js'], 'an empty args list still replaces CMD');
});

test('the Containerfile gives the entrypoint, CMD and ENV, and /app/dist/cli.js is src/cli.ts here', () => {
  const image = readImage();
  assert.deepEqual(image.entrypoint.slice(-1), ['/app/dist/cli.js']);
  assert.equal(image.entrypoint[0], 'node');
  assert.deepEqual(image.cmd, ['copy']);
  assert.equal(image.env.get('TERMINATION_MESSAGE_PATH'), '/dev/termination-log');
  assert.equal(image.sourceOf('/app/dist/cli.js'), join(repoRoot, 'src', 'cli.ts'));
  assert.ok(existsSync(image.sourceOf('/app/dist/cli.js')!));
  assert.equal(image.sourceOf('/usr/bin/node'), undefined);
});

test('termination message: the file\'s last 4 KiB; on failure with FallbackToLogsOnError and no file, the log\'s last 80 lines within 2 KiB', () => {
  const log = Buffer.from(Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
  assert.equal(terminationMessage(Buffer.from('{"copied":1}'), 'FallbackToLogsOnError', 1, log), '{"copied":1}');
  assert.equal(terminationMessage(Buffer.alloc(0), 'FallbackToLogsOnError', 0, log), '', 'success never falls back');
  assert.equal(terminationMessage(undefined, 'File', 1, log), '', 'File never falls back');
  const tail = terminationMessage(Buffer.alloc(0), 'FallbackToLogsOnError', 2, log);
  assert.ok(tail.startsWith('line 20\n') && tail.endsWith('line 99\n'), tail.slice(0, 40));
  const long = Buffer.from(Array.from({ length: 10 }, (_, i) => `${String(i).repeat(500)}\n`).join(''));
  const cut = terminationMessage(undefined, 'FallbackToLogsOnError', 1, long);
  assert.equal(Buffer.byteLength(cut), 2048);
  assert.ok(cut.endsWith(`${'9'.repeat(500)}\n`));
});

test('hosts: 127.0.0.1 and names hostAliases pin to it pass; a name left to DNS or another address fails naming the variable', () => {
  const pod = (hostAliases: { ip: string; hostnames: string[] }[]): Pod => ({ metadata: {}, spec: { containers: [{ name: 'c' }], hostAliases } });
  const env = new Map([['SWIFT_AUTH_URL', 'https://swift.cube.example:8443/auth/v1.0'], ['S3_ENDPOINT', 'http://127.0.0.1:9000'], ['BUCKET_HOST', 'localhost'], ['NOTE', 'not a url']]);
  assert.deepEqual([...pinnedHosts(pod([{ ip: '127.0.0.1', hostnames: ['swift.cube.example'] }]), env, ['BUCKET_HOST'])], [['swift.cube.example', '127.0.0.1'], ['localhost', '127.0.0.1']]);
  assert.throws(() => pinnedHosts(pod([]), env, ['BUCKET_HOST']), /SWIFT_AUTH_URL=.*swift\.cube\.example is not pinned by spec\.hostAliases/);
  assert.throws(() => pinnedHosts(pod([{ ip: '10.0.0.9', hostnames: ['swift.cube.example'] }]), env, ['BUCKET_HOST']), /swift\.cube\.example is 10\.0\.0\.9/);
  assert.throws(() => pinnedHosts(pod([]), new Map([['BUCKET_HOST', 's3.openshift-storage.svc']]), ['BUCKET_HOST']), /BUCKET_HOST=s3\.openshift-storage\.svc: host s3\.openshift-storage\.svc is not pinned/);
});

/** A stand-in image whose program reports what it was given: argv, environment, a mounted file, a resolved name. */
async function standInImage(dir: string): Promise<Image> {
  const program = join(dir, 'program.mjs');
  await writeFile(program, `import { readFileSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
const resolved = await lookup('swift.cube.example').then((a) => a.address, (e) => e.code);
console.log(JSON.stringify({ argv: process.argv.slice(2), env: process.env, ca: readFileSync(process.env.CA_FILE, 'utf8'), resolved, cwd: process.cwd() }));
if (process.env.MESSAGE) writeFileSync(process.env.TERMINATION_MESSAGE_PATH, process.env.MESSAGE);
console.error('about to exit');
process.exit(Number(process.env.EXIT ?? 0));
`);
  return { entrypoint: ['node', '/app/dist/program.js'], cmd: ['run'], env: new Map([['NODE_ENV', 'production'], ['TERMINATION_MESSAGE_PATH', '/dev/termination-log']]), workdir: '/app', sourceOf: (path) => (path === '/app/dist/program.js' ? program : undefined) };
}

function standInPod(env: { name: string; value: string }[]): Pod {
  return {
    metadata: { name: 'job-0-abcde', namespace: 'cube', labels: {}, annotations: {} },
    spec: {
      hostname: 'job-0',
      hostAliases: [{ ip: '127.0.0.1', hostnames: ['swift.cube.example'] }],
      volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'ca', configMap: { name: 'service-ca', items: [{ key: 'service-ca.crt', path: 'service-ca.crt' }] } }],
      containers: [{
        name: 'copier', image: 'i', args: ['copy', '--x'], terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError',
        env: [{ name: 'CA_FILE', value: '/etc/ca/service-ca.crt' }, { name: 'AUTH', value: 'http://swift.cube.example:8080/auth/v1.0' }, ...env],
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'ca', mountPath: '/etc/ca', readOnly: true }],
      }],
    },
  };
}

test('a pod runs the image\'s program with exactly the built environment, its files mounted, its names pinned, and ends as the kubelet reports it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'podrun-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const image = await standInImage(dir);
  const store = storeWith({ kind: 'ConfigMap', metadata: { name: 'service-ca' }, data: { 'service-ca.crt': '-----BEGIN CERTIFICATE-----\n' } });

  const ok = await runPod(standInPod([{ name: 'MESSAGE', value: '{"copied":3}' }]), store, { image, podDir: join(dir, 'ok') });
  const seen = JSON.parse(ok.stdout) as { argv: string[]; env: Record<string, string>; ca: string; resolved: string; cwd: string };
  assert.deepEqual(seen.argv, ['copy', '--x']);
  assert.equal(seen.ca, '-----BEGIN CERTIFICATE-----\n');
  assert.equal(seen.resolved, '127.0.0.1', 'hostAliases resolve in the process');
  assert.equal(seen.env['NODE_ENV'], 'production', 'the image\'s ENV');
  assert.equal(seen.env['HOSTNAME'], 'job-0');
  assert.equal(seen.env['KUBERNETES_SERVICE_HOST'], '172.30.0.1');
  assert.ok(seen.env['TERMINATION_MESSAGE_PATH']!.startsWith(join(dir, 'ok')), 'the termination path is the pod\'s file');
  assert.deepEqual(Object.keys(seen.env).filter((name) => !/^(KUBERNETES_|PATH$|NODE_ENV$|HOSTNAME$|TERMINATION_MESSAGE_PATH$|CA_FILE$|AUTH$|MESSAGE$)/.test(name)), [], 'nothing of this host\'s environment leaks in');
  assert.equal(ok.exitCode, 0);
  assert.equal(ok.reason, 'Completed');
  assert.equal(ok.message, '{"copied":3}');

  const crashed = await runPod(standInPod([{ name: 'EXIT', value: '2' }]), store, { image, podDir: join(dir, 'crashed') });
  assert.equal(crashed.exitCode, 2);
  assert.equal(crashed.reason, 'Error');
  assert.match(crashed.message ?? '', /about to exit\n$/, 'no message file: the log tail');
  const status = finishedPodStatus(standInPod([]), crashed) as { phase: string; containerStatuses: { state: { terminated: { exitCode: number; reason: string } } }[] };
  assert.equal(status.phase, 'Failed');
  assert.deepEqual([status.containerStatuses[0]!.state.terminated.exitCode, status.containerStatuses[0]!.state.terminated.reason], [2, 'Error']);
});

test('a pod whose volume, variable or host cannot be provided does not start, and says why', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'podrun-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const image = await standInImage(dir);
  const good = storeWith({ kind: 'ConfigMap', metadata: { name: 'service-ca' }, data: { 'service-ca.crt': 'x' } });
  await assert.rejects(runPod(standInPod([]), new ObjectStore(), { image, podDir: join(dir, 'a') }), /FailedMount: .*configmap "service-ca" not found/);
  await assert.rejects(runPod(standInPod([]), storeWith({ kind: 'ConfigMap', metadata: { name: 'service-ca' }, data: { 'ca.crt': 'x' } }), { image, podDir: join(dir, 'b') }), /FailedMount: .*non-existent config key: service-ca.crt/);
  await assert.rejects(runPod(standInPod([{ name: 'BUNDLE', value: '/etc/pki/tls/cert.pem' }]), good, { image, podDir: join(dir, 'c') }), /BUNDLE=\/etc\/pki\/tls\/cert\.pem: no volume of the pod is mounted there/);
  await assert.rejects(runPod(standInPod([{ name: 'S3', value: 'https://s3.openshift-storage.svc' }]), good, { image, podDir: join(dir, 'd') }), /S3=https:\/\/s3\.openshift-storage\.svc: host s3\.openshift-storage\.svc is not pinned/);
});
