// Environment (and the flags that mirror it) → one typed Config; one clear line per bad variable.
import { cleanEnv, makeValidator, str, bool, num, EnvError, EnvMissingError } from 'envalid';
import { ConfigError } from './errors.ts';
import { parseIndexList } from './indexes.ts';

export type SwiftAuth =
  | { kind: 'v1'; authUrl: string; user: string; key: string; storageUrlOverride?: string }
  | { kind: 'token'; storageUrl: string; token: string }
  | { kind: 'v3'; authUrl: string; credentialId: string; credentialSecret: string; interface: string; region?: string; storageUrlOverride?: string };

export interface Config {
  /** `prefixes`: where each container's objects go in the bucket, below S3_PREFIX ("" is S3_PREFIX itself);
   *  `caFile`: SWIFT_CA_FILE, CAs trusted for every HTTPS request to Swift besides the system's. */
  swift: { auth: SwiftAuth; containers: string[]; prefixes: Record<string, string>; caFile?: string };
  s3: {
    endpoint: string;
    bucket: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
    prefix: string;
    caFile?: string;
    insecureSkipTlsVerify: boolean;
  };
  shard: { count: number; index: number; completionIndex: number };
  transfers: number;
  multipartThreshold: number;
  partSize: number;
  partConcurrency: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  bwlimit: number;
  compare: 'checksum' | 'size';
  takeover: 'hash' | 'recopy';
  keyRules: 'auto' | 's3' | 'nsfs';
  resyncLedger: 'auto' | 'off';
  deleteExtraneous: boolean;
  dryRun: boolean;
  requestTimeoutMs: number;
  listPageSize?: number;
  connectWaitMs: number;
  progressIntervalMs: number;
  shutdownGraceMs: number;
  bufferBudget: number;
  terminationMessagePath?: string;
  metricsPort?: number;
  logLevel: string;
  /** Every secret value, for scrubbing error text. */
  secrets: string[];
}

const MiB = 1024 * 1024;
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, ki: 1024, kib: 1024, m: MiB, mi: MiB, mib: MiB, g: 1024 * MiB, gi: 1024 * MiB, gib: 1024 * MiB };

/** "8MiB", "8M", "8388608" → bytes. */
export function parseBytes(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new Error('not a size');
  return Math.round(Number(match[1]) * unit);
}

const bytes = makeValidator<number>((input) => {
  try { return parseBytes(input); } catch { throw new Error('is not a size: use a number of bytes or a unit such as 16MiB, 512KiB, 1GiB'); }
});

const url = makeValidator<string>((input) => {
  let parsed: URL;
  try { parsed = new URL(input); } catch { throw new Error('is not a URL with a scheme (http:// or https://)'); }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`has scheme "${parsed.protocol}", use http:// or https://`);
  return input.replace(/\/+$/, '');
});

const positiveInt = (max: number) => makeValidator<number>((input) => {
  const value = Number(input);
  if (!/^\s*\d+\s*$/.test(input) || !Number.isSafeInteger(value) || value < 1 || value > max) throw new Error(`must be a whole number from 1 to ${max}`);
  return value;
});

const wholeNumber = makeValidator<number>((input) => {
  const value = Number(input);
  if (!/^\s*\d+\s*$/.test(input) || !Number.isSafeInteger(value)) throw new Error('must be a whole number, 0 or more');
  return value;
});

/** "users" or "users,archive=archive/": each container with the key prefix its objects get (none: the bucket's root,
 *  below S3_PREFIX). A container's keys never depend on which other containers a run copies. */
const containerList = makeValidator<{ name: string; prefix: string }[]>((input) => {
  const entries = input.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '' || entry.startsWith('='))) throw new Error('must be container names separated by commas, each optionally with =<prefix>, without empty entries');
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    const name = (at < 0 ? entry : entry.slice(0, at)).trim();
    let prefix = at < 0 ? '' : entry.slice(at + 1).trim();
    if (name.includes('/')) throw new Error(`names container "${name}": container names have no "/"`);
    if (prefix.startsWith('/')) throw new Error(`gives "${name}" the prefix "${prefix}": a key prefix does not start with "/"`);
    if (prefix && !prefix.endsWith('/')) prefix += '/';
    return { name, prefix };
  });
});

/** Two containers whose key spaces overlap would list, and delete, each other's objects. */
function overlappingContainers(entries: { name: string; prefix: string }[]): string | undefined {
  for (const [i, a] of entries.entries()) {
    for (const b of entries.slice(i + 1)) {
      if (a.name === b.name) return `lists container "${a.name}" twice`;
      if (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix)) {
        const shown = (prefix: string) => (prefix ? `"${prefix}"` : 'the bucket root');
        return `maps "${a.name}" to ${shown(a.prefix)} and "${b.name}" to ${shown(b.prefix)}, which overlap: give each container its own prefix, e.g. SWIFT_CONTAINERS=${a.name}=${a.name}/,${b.name}=${b.name}/ (a container without =<prefix> goes to the bucket root)`;
      }
    }
  }
  return undefined;
}

const indexList = makeValidator<number[]>((input) => {
  try { return parseIndexList(input); } catch (error) { throw new Error(`is not an index list (${(error as Error).message})`); }
});

export interface VariableDoc { name: string; desc: string; example: string; secret?: boolean; default?: string }

/** Every variable the copier reads, in the order of the README's table. */
export const VARIABLES: VariableDoc[] = [
  { name: 'SWIFT_AUTH_URL', desc: 'Swift auth v1 URL (tempauth, docker-swift-onlyone)', example: 'http://swift.example.org:8080/auth/v1.0' },
  { name: 'SWIFT_USER', desc: 'Swift auth v1 user, account:user', example: 'chris:chris1234' },
  { name: 'SWIFT_KEY', desc: 'Swift auth v1 key', example: 'testing', secret: true },
  { name: 'SWIFT_STORAGE_URL', desc: 'Swift storage URL; with SWIFT_AUTH_TOKEN the source, with v1/v3 credentials an override of the URL the auth answer returns', example: 'https://swift.example.org/v1/AUTH_chris' },
  { name: 'SWIFT_AUTH_TOKEN', desc: 'an already issued Swift token (with SWIFT_STORAGE_URL)', example: 'gAAAAAB…', secret: true },
  { name: 'OS_AUTH_URL', desc: 'Keystone v3 URL for application credentials', example: 'https://keystone.example.org:5000/v3' },
  { name: 'OS_APPLICATION_CREDENTIAL_ID', desc: 'Keystone application credential id', example: '21dced0fd20347869b93710d2b98aae0' },
  { name: 'OS_APPLICATION_CREDENTIAL_SECRET', desc: 'Keystone application credential secret', example: 'my-secret', secret: true },
  { name: 'OS_INTERFACE', desc: 'catalog interface of the object-store endpoint', example: 'public', default: 'public' },
  { name: 'OS_REGION_NAME', desc: 'catalog region of the object-store endpoint (first one when empty)', example: 'RegionOne', default: '' },
  { name: 'SWIFT_CA_FILE', desc: 'extra CA bundle (PEM, one or more CAs) to trust for every HTTPS request to Swift (auth v1, Keystone, storage URL), e.g. the CA of the VM\'s TLS proxy', example: '/etc/swift-to-s3/swift-ca/ca.crt' },
  { name: 'SWIFT_CONTAINERS', desc: 'containers to copy, comma separated, each optionally =<key prefix> (without one: the bucket root, below S3_PREFIX); key spaces must not overlap', example: 'users', default: 'users' },
  { name: 'BUCKET_HOST', desc: 'S3 host (ObjectBucketClaim ConfigMap)', example: 's3.openshift-storage.svc' },
  { name: 'BUCKET_PORT', desc: 'S3 port (443 means https)', example: '443', default: '443' },
  { name: 'BUCKET_NAME', desc: 'destination bucket', example: 'cube-files-5f3c' },
  { name: 'BUCKET_REGION', desc: 'S3 region (empty means us-east-1)', example: 'us-east-1', default: '' },
  { name: 'AWS_ACCESS_KEY_ID', desc: 'S3 access key (ObjectBucketClaim Secret)', example: 'AKIAIOSFODNN7EXAMPLE' },
  { name: 'AWS_SECRET_ACCESS_KEY', desc: 'S3 secret key (ObjectBucketClaim Secret)', example: 'wJalrXUtnFEMI/K7MDENG', secret: true },
  { name: 'S3_ENDPOINT', desc: 'full S3 endpoint URL, overrides BUCKET_HOST/BUCKET_PORT', example: 'https://s3.openshift-storage.svc:443' },
  { name: 'S3_PREFIX', desc: 'key prefix in the bucket', example: 'migrated/', default: '' },
  { name: 'S3_CA_FILE', desc: 'extra CA bundle (PEM) to trust for S3, e.g. the OpenShift service CA', example: '/etc/pki/service-ca/service-ca.crt' },
  { name: 'S3_INSECURE_SKIP_TLS_VERIFY', desc: 'do not verify the S3 certificate (warned about on every run)', example: 'false', default: 'false' },
  { name: 'SHARD_COUNT', desc: 'number of shards', example: '16', default: '1' },
  { name: 'JOB_COMPLETION_INDEX', desc: 'this process\'s index (set by Kubernetes in Indexed Jobs)', example: '3', default: '0' },
  { name: 'SHARD_INDEXES', desc: 'shards to work on in a rerun: completion index i works on the i-th listed shard', example: '3,7,12-14' },
  { name: 'TRANSFERS', desc: 'objects in flight per process', example: '16', default: '16' },
  { name: 'MULTIPART_THRESHOLD', desc: 'objects above this size use a multipart upload; up to it one streamed PUT (rclone\'s cutoff too)', example: '200MiB', default: '200MiB' },
  { name: 'PART_SIZE', desc: 'multipart part size (grown to stay within 10,000 parts; at least 5MiB)', example: '32MiB', default: '16MiB' },
  { name: 'PART_CONCURRENCY', desc: 'parts of one object in flight', example: '4', default: '4' },
  { name: 'BUFFER_BUDGET', desc: 'memory for multipart part buffers (reused), shared by all transfers of a process', example: '128MiB', default: '32MiB' },
  { name: 'MAX_RETRIES', desc: 'retries of one request on a transient failure', example: '8', default: '8' },
  { name: 'RETRY_BASE_DELAY', desc: 'milliseconds of the first retry backoff (doubles each retry, with jitter, up to 20 s)', example: '250', default: '250' },
  { name: 'BWLIMIT', desc: 'bytes per second read from Swift per process, 0 for no limit', example: '50MiB', default: '0' },
  { name: 'COMPARE', desc: 'how to decide an object is already there: checksum (size and MD5) or size', example: 'checksum', default: 'checksum' },
  { name: 'TAKEOVER', desc: 'an object of the right size that another tool wrote without an MD5 the copier can read: hash (read it from the bucket, adopt it when its MD5 is Swift\'s) or recopy (from Swift)', example: 'hash', default: 'hash' },
  { name: 'KEY_RULES', desc: 'which keys the bucket can store under their own name: auto (nsfs when the server is NooBaa), nsfs (file-backed NooBaa: segments up to 255 bytes, no "./", "//", leading "/", trailing "/." or "/..", no object beside a directory of its name) or s3 (every key)', example: 'auto', default: 'auto' },
  { name: 'RESYNC_LEDGER', desc: 'auto: on a target whose ETags name versions (NooBaa\'s file-backed buckets), keep per shard in the bucket the ETag each object got when copied (under <prefix>.swift-to-s3/ledger/), so a resync settles unchanged objects without a HEAD each; off: a HEAD each, as on any S3', example: 'auto', default: 'auto' },
  { name: 'DELETE_EXTRANEOUS', desc: 'delete destination objects of this shard that are not in Swift', example: 'false', default: 'false' },
  { name: 'DRY_RUN', desc: 'list what would be copied and deleted, write nothing', example: 'false', default: 'false' },
  { name: 'LIST_PAGE_SIZE', desc: 'names per listing page on both sides (capped by the servers: Swift 10,000, S3 1,000)', example: '1000', default: 'the servers\' limits' },
  { name: 'REQUEST_TIMEOUT', desc: 'seconds without progress before a request is abandoned and retried', example: '60', default: '60' },
  { name: 'CONNECT_WAIT', desc: 'seconds to keep retrying Swift and S3 at start when they cannot be reached', example: '30', default: '30' },
  { name: 'PROGRESS_INTERVAL', desc: 'seconds between progress lines', example: '10', default: '10' },
  { name: 'SHUTDOWN_GRACE_SECONDS', desc: 'after SIGTERM, seconds to finish or abort in-flight uploads', example: '20', default: '20' },
  { name: 'TERMINATION_MESSAGE_PATH', desc: 'file that receives the JSON summary (Kubernetes keeps it)', example: '/dev/termination-log', default: '/dev/termination-log when writable' },
  { name: 'METRICS_PORT', desc: 'serve Prometheus metrics on this port', example: '9090' },
  { name: 'LOG_LEVEL', desc: 'pino log level', example: 'info', default: 'info' },
];

const docOf = (name: string) => VARIABLES.find((variable) => variable.name === name)!;

function lineFor(name: string, error: Error, env: Record<string, string | undefined>): string {
  const doc = docOf(name);
  const example = `${name}=${doc.example}`;
  if (error instanceof EnvMissingError) return `${name} is not set: ${doc.desc}; for example ${example}`;
  const shown = doc.secret ? '' : ` "${env[name]}"`;
  const reason = error.message.replace(/^Invalid value for env var "\w+"(:)?\s*/, '').replace(/^Value ".*" not in choices/, 'is not one of the allowed values');
  return `${name}${shown} ${reason}; for example ${example}`;
}

function present(env: Record<string, string | undefined>, name: string): boolean {
  const value = env[name];
  return value !== undefined && value.trim() !== '';
}

/** Reads and checks the environment. Throws ConfigError with one line per problem. */
export function loadConfig(rawEnv: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as Kubernetes renders unset values "" and OBC ConfigMaps carry BUCKET_REGION "".
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const problems: string[] = [];
  const hasV1 = present(env, 'SWIFT_AUTH_URL') || present(env, 'SWIFT_USER') || present(env, 'SWIFT_KEY');
  const hasV3 = present(env, 'OS_AUTH_URL') || present(env, 'OS_APPLICATION_CREDENTIAL_ID') || present(env, 'OS_APPLICATION_CREDENTIAL_SECRET');
  const hasToken = present(env, 'SWIFT_AUTH_TOKEN');
  const hasEndpoint = present(env, 'S3_ENDPOINT');
  const optional = { default: undefined };

  const cleaned = cleanEnv(env, {
    SWIFT_AUTH_URL: url(hasV1 || (!hasV3 && !hasToken) ? {} : optional),
    SWIFT_USER: str(hasV1 ? {} : optional),
    SWIFT_KEY: str(hasV1 ? {} : optional),
    SWIFT_STORAGE_URL: url(hasToken ? {} : optional),
    SWIFT_AUTH_TOKEN: str(optional),
    OS_AUTH_URL: url(hasV3 ? {} : optional),
    OS_APPLICATION_CREDENTIAL_ID: str(hasV3 ? {} : optional),
    OS_APPLICATION_CREDENTIAL_SECRET: str(hasV3 ? {} : optional),
    OS_INTERFACE: str({ choices: ['public', 'internal', 'admin'], default: 'public' }),
    OS_REGION_NAME: str({ default: '' }),
    SWIFT_CA_FILE: str(optional),
    SWIFT_CONTAINERS: containerList({ default: [{ name: 'users', prefix: '' }] }),
    BUCKET_HOST: str(hasEndpoint ? optional : {}),
    BUCKET_PORT: positiveInt(65535)({ default: 443 }),
    BUCKET_NAME: str(),
    BUCKET_REGION: str({ default: '' }),
    AWS_ACCESS_KEY_ID: str(),
    AWS_SECRET_ACCESS_KEY: str(),
    S3_ENDPOINT: url(optional),
    S3_PREFIX: str({ default: '' }),
    S3_CA_FILE: str(optional),
    S3_INSECURE_SKIP_TLS_VERIFY: bool({ default: false }),
    SHARD_COUNT: positiveInt(100_000)({ default: 1 }),
    JOB_COMPLETION_INDEX: wholeNumber({ default: 0 }),
    SHARD_INDEXES: indexList(optional),
    TRANSFERS: positiveInt(1024)({ default: 16 }),
    MULTIPART_THRESHOLD: bytes({ default: 200 * MiB }),
    PART_SIZE: bytes({ default: 16 * MiB }),
    PART_CONCURRENCY: positiveInt(64)({ default: 4 }),
    BUFFER_BUDGET: bytes({ default: 32 * MiB }),
    MAX_RETRIES: wholeNumber({ default: 8 }),
    RETRY_BASE_DELAY: wholeNumber({ default: 250 }),
    BWLIMIT: bytes({ default: 0 }),
    COMPARE: str({ choices: ['checksum', 'size'], default: 'checksum' }),
    TAKEOVER: str({ choices: ['hash', 'recopy'], default: 'hash' }),
    KEY_RULES: str({ choices: ['auto', 's3', 'nsfs'], default: 'auto' }),
    RESYNC_LEDGER: str({ choices: ['auto', 'off'], default: 'auto' }),
    DELETE_EXTRANEOUS: bool({ default: false }),
    DRY_RUN: bool({ default: false }),
    LIST_PAGE_SIZE: positiveInt(10_000)(optional),
    REQUEST_TIMEOUT: num({ default: 60 }),
    CONNECT_WAIT: num({ default: 30 }),
    PROGRESS_INTERVAL: num({ default: 10 }),
    SHUTDOWN_GRACE_SECONDS: num({ default: 20 }),
    TERMINATION_MESSAGE_PATH: str(optional),
    METRICS_PORT: positiveInt(65535)(optional),
    LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }),
  }, {
    reporter: ({ errors }) => {
      for (const [name, error] of Object.entries(errors)) {
        if (error) problems.push(lineFor(name, error instanceof EnvError || error instanceof Error ? error : new Error(String(error)), env));
      }
    },
  });
  if (problems.length > 0) throw new ConfigError(problems);

  const complain = (name: string, what: string) => problems.push(`${name} ${what}; for example ${name}=${docOf(name).example}`);
  const overlap = overlappingContainers(cleaned.SWIFT_CONTAINERS);
  if (overlap) problems.push(`SWIFT_CONTAINERS ${overlap}`);
  if (cleaned.PART_SIZE < 5 * MiB) complain('PART_SIZE', `is ${cleaned.PART_SIZE} bytes, S3 needs parts of at least 5MiB`);
  if (cleaned.PART_SIZE > 5 * 1024 * MiB) complain('PART_SIZE', 'is above 5GiB, the S3 part size limit');
  if (cleaned.MULTIPART_THRESHOLD < 5 * MiB) complain('MULTIPART_THRESHOLD', 'must be at least 5MiB');
  if (cleaned.MULTIPART_THRESHOLD > 5 * 1024 * MiB) complain('MULTIPART_THRESHOLD', 'is above 5GiB, the largest single S3 PUT');
  for (const name of ['REQUEST_TIMEOUT', 'PROGRESS_INTERVAL', 'SHUTDOWN_GRACE_SECONDS'] as const) {
    if (!(cleaned[name] > 0)) complain(name, `is ${cleaned[name]}, must be a number of seconds above 0`);
  }

  const count = cleaned.SHARD_COUNT;
  const completionIndex = cleaned.JOB_COMPLETION_INDEX;
  let index = completionIndex;
  if (cleaned.SHARD_INDEXES) {
    const list = cleaned.SHARD_INDEXES;
    const outside = list.filter((shard) => shard >= count);
    if (outside.length > 0) complain('SHARD_INDEXES', `names shard ${outside[0]}, but SHARD_COUNT is ${count} (shards 0-${count - 1})`);
    if (completionIndex >= list.length) complain('JOB_COMPLETION_INDEX', `is ${completionIndex}, but SHARD_INDEXES lists only ${list.length} shard(s) (indexes 0-${list.length - 1})`);
    index = list[completionIndex] ?? 0;
  } else if (completionIndex >= count) {
    complain('JOB_COMPLETION_INDEX', `is ${completionIndex}, but SHARD_COUNT is ${count} (indexes 0-${count - 1})`);
  }

  let auth: SwiftAuth;
  const storageUrlOverride = cleaned.SWIFT_STORAGE_URL;
  if (hasV3 && !hasV1) {
    auth = {
      kind: 'v3', authUrl: cleaned.OS_AUTH_URL!, credentialId: cleaned.OS_APPLICATION_CREDENTIAL_ID!, credentialSecret: cleaned.OS_APPLICATION_CREDENTIAL_SECRET!,
      interface: cleaned.OS_INTERFACE, ...(cleaned.OS_REGION_NAME ? { region: cleaned.OS_REGION_NAME } : {}), ...(storageUrlOverride ? { storageUrlOverride } : {}),
    };
  } else if (hasToken && !hasV1) {
    auth = { kind: 'token', storageUrl: storageUrlOverride!, token: cleaned.SWIFT_AUTH_TOKEN! };
  } else {
    auth = { kind: 'v1', authUrl: cleaned.SWIFT_AUTH_URL!, user: cleaned.SWIFT_USER!, key: cleaned.SWIFT_KEY!, ...(storageUrlOverride ? { storageUrlOverride } : {}) };
    if (auth.user && !auth.user.includes(':')) complain('SWIFT_USER', `"${auth.user}" has no account part, auth v1 users are account:user`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const port = cleaned.BUCKET_PORT;
  const endpoint = cleaned.S3_ENDPOINT ?? `${port === 443 ? 'https' : 'http'}://${cleaned.BUCKET_HOST}${port === 443 || port === 80 ? '' : `:${port}`}`;
  let prefix = cleaned.S3_PREFIX;
  if (prefix && !prefix.endsWith('/')) prefix += '/';

  return {
    swift: {
      auth, containers: cleaned.SWIFT_CONTAINERS.map((entry) => entry.name), prefixes: Object.fromEntries(cleaned.SWIFT_CONTAINERS.map((entry) => [entry.name, entry.prefix])),
      ...(cleaned.SWIFT_CA_FILE ? { caFile: cleaned.SWIFT_CA_FILE } : {}),
    },
    s3: {
      endpoint,
      bucket: cleaned.BUCKET_NAME,
      region: cleaned.BUCKET_REGION || 'us-east-1',
      accessKeyId: cleaned.AWS_ACCESS_KEY_ID,
      secretAccessKey: cleaned.AWS_SECRET_ACCESS_KEY,
      prefix,
      ...(cleaned.S3_CA_FILE ? { caFile: cleaned.S3_CA_FILE } : {}),
      insecureSkipTlsVerify: cleaned.S3_INSECURE_SKIP_TLS_VERIFY,
    },
    shard: { count, index, completionIndex },
    transfers: cleaned.TRANSFERS,
    multipartThreshold: cleaned.MULTIPART_THRESHOLD,
    partSize: cleaned.PART_SIZE,
    partConcurrency: cleaned.PART_CONCURRENCY,
    maxRetries: cleaned.MAX_RETRIES,
    retryBaseDelayMs: cleaned.RETRY_BASE_DELAY,
    bwlimit: cleaned.BWLIMIT,
    compare: cleaned.COMPARE as 'checksum' | 'size',
    takeover: cleaned.TAKEOVER as 'hash' | 'recopy',
    keyRules: cleaned.KEY_RULES as 'auto' | 's3' | 'nsfs',
    resyncLedger: cleaned.RESYNC_LEDGER as 'auto' | 'off',
    deleteExtraneous: cleaned.DELETE_EXTRANEOUS,
    dryRun: cleaned.DRY_RUN,
    requestTimeoutMs: cleaned.REQUEST_TIMEOUT * 1000,
    ...(cleaned.LIST_PAGE_SIZE ? { listPageSize: cleaned.LIST_PAGE_SIZE } : {}),
    connectWaitMs: cleaned.CONNECT_WAIT * 1000,
    progressIntervalMs: cleaned.PROGRESS_INTERVAL * 1000,
    shutdownGraceMs: cleaned.SHUTDOWN_GRACE_SECONDS * 1000,
    bufferBudget: cleaned.BUFFER_BUDGET,
    ...(cleaned.TERMINATION_MESSAGE_PATH ? { terminationMessagePath: cleaned.TERMINATION_MESSAGE_PATH } : {}),
    ...(cleaned.METRICS_PORT ? { metricsPort: cleaned.METRICS_PORT } : {}),
    logLevel: cleaned.LOG_LEVEL,
    secrets: [cleaned.SWIFT_KEY, cleaned.SWIFT_AUTH_TOKEN, cleaned.OS_APPLICATION_CREDENTIAL_SECRET, cleaned.AWS_SECRET_ACCESS_KEY].filter((value): value is string => !!value),
  };
}
