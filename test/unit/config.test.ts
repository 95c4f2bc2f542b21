import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, VARIABLE_DOCS } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';

const GOOD = {
  SWIFT_AUTH_URL: 'http://swift.example.org:8080/auth/v1.0', SWIFT_USER: 'chris:chris1234', SWIFT_KEY: 'k3y-value',
  BUCKET_HOST: 's3.openshift-storage.svc', BUCKET_NAME: 'cube', AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's3cr3t-value',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.lines;
  }
}

/** A malformed value for every variable that has a form to get wrong. */
const MALFORMED: Record<string, string> = {
  SWIFT_AUTH_URL: 'swift.example.org/auth', SWIFT_STORAGE_URL: 'ftp://x/v1/AUTH_a', OS_AUTH_URL: 'keystone:5000',
  OS_INTERFACE: 'private', SWIFT_CONTAINERS: 'users,,other', BUCKET_PORT: '70000', S3_ENDPOINT: 's3.example.org',
  S3_INSECURE_SKIP_TLS_VERIFY: 'perhaps', SHARD_COUNT: '0', JOB_COMPLETION_INDEX: '-1', SHARD_INDEXES: '3-1',
  TRANSFERS: 'lots', MULTIPART_THRESHOLD: '1MiB', PART_SIZE: '12 parsecs', PART_CONCURRENCY: '0', BUFFER_BUDGET: 'big',
  MAX_RETRIES: 'x', RETRY_BASE_DELAY: '1.5', BWLIMIT: 'fast', COMPARE: 'mtime', TAKEOVER: 'trust', KEY_RULES: 'posix', BUCKET_KIND: 'minio', OUTAGE_WAIT: 'soon', RESYNC_LEDGER: 'on', TRUST_LEDGER_HOURS: '-1', DELETE_EXTRANEOUS: 'maybe',
  DRY_RUN: 'sure', LIST_PAGE_SIZE: '0', REQUEST_TIMEOUT: '0', CONNECT_WAIT: 'x', PROGRESS_INTERVAL: '-5',
  SHUTDOWN_GRACE_SECONDS: 'never', METRICS_PORT: '99999', LOG_LEVEL: 'loud',
};

/** Variables that take any text: only their absence can be wrong. */
const FREE_TEXT = new Set(['SWIFT_USER', 'SWIFT_KEY', 'SWIFT_AUTH_TOKEN', 'OS_APPLICATION_CREDENTIAL_ID', 'OS_APPLICATION_CREDENTIAL_SECRET',
  'OS_REGION_NAME', 'BUCKET_HOST', 'BUCKET_NAME', 'BUCKET_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_PREFIX', 'S3_CA_FILE', 'SWIFT_CA_FILE',
  'TERMINATION_MESSAGE_PATH']);

test('the good example configuration loads', () => {
  const config = loadConfig(GOOD);
  assert.equal(config.s3.endpoint, 'https://s3.openshift-storage.svc');
  assert.equal(config.s3.region, 'us-east-1');
  assert.deepEqual(config.swift.containers, ['users']);
});

test('every variable with a form has a malformed case, and each gives one line naming it with an example', () => {
  for (const variable of VARIABLE_DOCS) {
    if (FREE_TEXT.has(variable.name)) continue;
    const bad = MALFORMED[variable.name];
    assert.ok(bad !== undefined, `no malformed case for ${variable.name}`);
    const extra: Record<string, string> = variable.name.startsWith('OS_') && variable.name !== 'OS_INTERFACE' ? { OS_APPLICATION_CREDENTIAL_ID: 'id', OS_APPLICATION_CREDENTIAL_SECRET: 'x', OS_AUTH_URL: 'http://k:5000/v3' } : {};
    const lines = problemsOf({ ...GOOD, ...extra, [variable.name]: bad });
    assert.equal(lines.length, 1, `${variable.name}=${bad}: ${lines.join(' / ')}`);
    assert.match(lines[0]!, new RegExp(`^${variable.name}\\b.*for example ${variable.name}=`), lines[0]);
    for (const secret of [GOOD.SWIFT_KEY, GOOD.AWS_SECRET_ACCESS_KEY]) assert.ok(!lines[0]!.includes(secret));
  }
});

test('every default, as --help and the README write it, reads back as the default', () => {
  const decidedAtRunTime = new Set(['LIST_PAGE_SIZE', 'TERMINATION_MESSAGE_PATH']);
  for (const variable of VARIABLE_DOCS) {
    if (variable.default === undefined || decidedAtRunTime.has(variable.name)) continue;
    assert.deepEqual(loadConfig({ ...GOOD, [variable.name]: variable.default }), loadConfig(GOOD), `${variable.name}=${variable.default}`);
  }
});

test('the flags that may stand alone are the boolean variables', () => {
  assert.deepEqual(VARIABLE_DOCS.filter((variable) => variable.boolean).map((variable) => variable.name), ['S3_INSECURE_SKIP_TLS_VERIFY', 'DELETE_EXTRANEOUS', 'DRY_RUN']);
});

test('every required variable, when missing, gives one line naming it', () => {
  for (const name of ['SWIFT_AUTH_URL', 'SWIFT_USER', 'SWIFT_KEY', 'BUCKET_HOST', 'BUCKET_NAME', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    const { [name]: _, ...rest } = GOOD as Record<string, string>;
    const lines = problemsOf(rest);
    assert.equal(lines.length, 1, `${name}: ${lines.join(' / ')}`);
    assert.match(lines[0]!, new RegExp(`^${name} is not set: .*for example ${name}=`));
  }
});


test('SWIFT_CONTAINERS gives each container its key prefix; a bare name is the bucket root, whatever else is listed', () => {
  const prefixes = (value: string) => loadConfig({ ...GOOD, SWIFT_CONTAINERS: value }).swift.prefixes;
  assert.deepEqual(prefixes('users'), { users: '' });
  assert.deepEqual(prefixes('users=u,archive=old/archive'), { users: 'u/', archive: 'old/archive/' }, 'the "/" is added');
  assert.deepEqual(prefixes('a=a/,b=b/'), prefixes('b=b/,a=a/'));
  assert.equal(prefixes('a=a/').a, prefixes('a=a/,b=b/').a, 'a key never depends on the other containers of the run');
});

test('SWIFT_CONTAINERS whose key spaces overlap are refused with one line that says how to fix it', () => {
  for (const value of ['a,b', 'users,users_segments', 'a=x/,b=x/', 'a=x/,b=x/y/', 'a,a=a/']) {
    const lines = problemsOf({ ...GOOD, SWIFT_CONTAINERS: value });
    assert.equal(lines.length, 1, `${value}: ${lines.join(' / ')}`);
    assert.match(lines[0]!, /^SWIFT_CONTAINERS (maps .* which overlap: give each container its own prefix, e\.g\. SWIFT_CONTAINERS=|lists container)/, lines[0]);
  }
});
