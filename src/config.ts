// Environment (and the flags that mirror it) → one typed Config; one clear line per bad variable.
import { cleanEnv, makeValidator, str, bool, num, EnvError, EnvMissingError, type Spec, type ValidatorSpec } from 'envalid';
import { ConfigError } from './errors.ts';
import { formatIndexList, parseIndexList } from './indexes.ts';

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
  compare: Compare;
  takeover: Values['TAKEOVER'];
  keyRules: Values['KEY_RULES'];
  bucketKind: Values['BUCKET_KIND'];
  resyncLedger: Values['RESYNC_LEDGER'];
  trustLedgerHours: number;
  deleteExtraneous: boolean;
  dryRun: boolean;
  requestTimeoutMs: number;
  listPageSize?: number;
  connectWaitMs: number;
  outageWaitMs: number;
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

/** 16777216 → "16MiB": the largest unit that divides the size exactly. */
function showBytes(size: number): string {
  const unit = ([['GiB', 1024 * MiB], ['MiB', MiB], ['KiB', 1024]] as const).find(([, bytes]) => size > 0 && size % bytes === 0);
  return unit ? `${size / unit[1]}${unit[0]}` : String(size);
}

/** How a variable's text becomes its typed value (an envalid validator: its messages are what users read) and how
 *  --help and docs/configuration.md write a value. */
interface Kind<T> {
  // Methods, not function properties: their parameters are bivariant, so every Kind<T> is a Kind<unknown> in Variable.
  validator(spec: Spec<T>): ValidatorSpec<T>;
  show(value: T): string;
}

const kindOf = <T>(validator: (spec: Spec<T>) => ValidatorSpec<T>, show: (value: T) => string = String): Kind<T> => ({ validator, show });

const text = kindOf(str);

const boolean = kindOf(bool);

/** Any number envalid's num reads (parseFloat: "1.5", "-3"); which ones a variable accepts is checked after. */
const seconds = kindOf(num);

const oneOf = <const C extends readonly string[]>(choices: C): Kind<C[number]> => kindOf<C[number]>((spec) => str({ ...spec, choices }));

const bytes = kindOf(makeValidator<number>((input) => {
  try { return parseBytes(input); } catch { throw new Error('is not a size: use a number of bytes or a unit such as 16MiB, 512KiB, 1GiB'); }
}), showBytes);

const url = kindOf(makeValidator<string>((input) => {
  let parsed: URL;
  try { parsed = new URL(input); } catch { throw new Error('is not a URL with a scheme (http:// or https://)'); }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`has scheme "${parsed.protocol}", use http:// or https://`);
  return input.replace(/\/+$/, '');
}));

const positiveInt = (max: number) => kindOf(makeValidator<number>((input) => {
  const value = Number(input);
  if (!/^\s*\d+\s*$/.test(input) || !Number.isSafeInteger(value) || value < 1 || value > max) throw new Error(`must be a whole number from 1 to ${max}`);
  return value;
}));

const wholeNumber = kindOf(makeValidator<number>((input) => {
  const value = Number(input);
  if (!/^\s*\d+\s*$/.test(input) || !Number.isSafeInteger(value)) throw new Error('must be a whole number, 0 or more');
  return value;
}));

interface ContainerEntry { name: string; prefix: string }

/** "users" or "users,archive=archive/": each container with the key prefix its objects get (none: the bucket's root,
 *  below S3_PREFIX). A container's keys never depend on which other containers a run copies. */
const containerList = kindOf(makeValidator<ContainerEntry[]>((input) => {
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
}), (entries) => entries.map(({ name, prefix }) => (prefix ? `${name}=${prefix}` : name)).join(','));

const indexList = kindOf(makeValidator<number[]>((input) => {
  try { return parseIndexList(input); } catch (error) { throw new Error(`is not an index list (${(error as Error).message})`, { cause: error }); }
}), formatIndexList);

/** Two containers whose key spaces overlap would list, and delete, each other's objects. */
function overlappingContainers(entries: ContainerEntry[]): string | undefined {
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

/** Which logins, and whether an S3 endpoint, the environment names (by presence alone): they decide what is required. */
interface Given { v1: boolean; v3: boolean; token: boolean; endpoint: boolean }

/** One variable: everything else (the envalid spec, --help, the check of docs/configuration.md, the boolean flags) is derived from it. */
interface Variable<T = unknown> {
  kind: Kind<T>;
  desc: string;
  example: string;
  /** The value when the variable is unset or "". */
  default?: NonNullable<T>;
  /** What the docs say when the default is decided at run time rather than a value. */
  defaultText?: string;
  /** Needed always, or when the given logins need it; with neither this nor a default the variable is optional. */
  required?: true | ((given: Given) => boolean);
  /** Read only from the environment (no flag) and never shown in an error line. */
  secret?: true;
}

/** Every variable the copier reads, in the order of --help and the table in docs/configuration.md. */
const VARIABLES = {
  SWIFT_AUTH_URL: { kind: url, required: (given) => given.v1 || (!given.v3 && !given.token), desc: 'Swift auth v1 URL (tempauth, docker-swift-onlyone)', example: 'http://swift.example.org:8080/auth/v1.0' },
  SWIFT_USER: { kind: text, required: (given) => given.v1, desc: 'Swift auth v1 user, account:user', example: 'chris:chris1234' },
  SWIFT_KEY: { kind: text, required: (given) => given.v1, secret: true, desc: 'Swift auth v1 key', example: 'testing' },
  SWIFT_STORAGE_URL: { kind: url, required: (given) => given.token, desc: 'Swift storage URL; with SWIFT_AUTH_TOKEN the source, with v1/v3 credentials an override of the URL the auth answer returns', example: 'https://swift.example.org/v1/AUTH_chris' },
  SWIFT_AUTH_TOKEN: { kind: text, secret: true, desc: 'an already issued Swift token (with SWIFT_STORAGE_URL)', example: 'gAAAAAB…' },
  OS_AUTH_URL: { kind: url, required: (given) => given.v3, desc: 'Keystone v3 URL for application credentials', example: 'https://keystone.example.org:5000/v3' },
  OS_APPLICATION_CREDENTIAL_ID: { kind: text, required: (given) => given.v3, desc: 'Keystone application credential id', example: '21dced0fd20347869b93710d2b98aae0' },
  OS_APPLICATION_CREDENTIAL_SECRET: { kind: text, required: (given) => given.v3, secret: true, desc: 'Keystone application credential secret', example: 'my-secret' },
  OS_INTERFACE: { kind: oneOf(['public', 'internal', 'admin']), default: 'public', desc: 'catalog interface of the object-store endpoint', example: 'public' },
  OS_REGION_NAME: { kind: text, default: '', desc: 'catalog region of the object-store endpoint (first one when empty)', example: 'RegionOne' },
  SWIFT_CA_FILE: { kind: text, desc: 'extra CA bundle (PEM, one or more CAs) to trust for every HTTPS request to Swift (auth v1, Keystone, storage URL), e.g. the CA of the VM\'s TLS proxy', example: '/etc/swift-to-s3/swift-ca/ca.crt' },
  SWIFT_CONTAINERS: { kind: containerList, default: [{ name: 'users', prefix: '' }], desc: 'containers to copy, comma separated, each optionally =<key prefix> (without one: the bucket root, below S3_PREFIX); key spaces must not overlap', example: 'users' },
  BUCKET_HOST: { kind: text, required: (given) => !given.endpoint, desc: 'S3 host (ObjectBucketClaim ConfigMap)', example: 's3.openshift-storage.svc' },
  BUCKET_PORT: { kind: positiveInt(65535), default: 443, desc: 'S3 port (443 means https)', example: '443' },
  BUCKET_NAME: { kind: text, required: true, desc: 'destination bucket', example: 'cube-files-5f3c' },
  BUCKET_REGION: { kind: text, default: '', desc: 'S3 region (empty means us-east-1)', example: 'us-east-1' },
  AWS_ACCESS_KEY_ID: { kind: text, required: true, desc: 'S3 access key (ObjectBucketClaim Secret)', example: 'AKIAIOSFODNN7EXAMPLE' },
  AWS_SECRET_ACCESS_KEY: { kind: text, required: true, secret: true, desc: 'S3 secret key (ObjectBucketClaim Secret)', example: 'wJalrXUtnFEMI/K7MDENG' },
  S3_ENDPOINT: { kind: url, desc: 'full S3 endpoint URL, overrides BUCKET_HOST/BUCKET_PORT', example: 'https://s3.openshift-storage.svc:443' },
  S3_PREFIX: { kind: text, default: '', desc: 'key prefix in the bucket', example: 'migrated/' },
  S3_CA_FILE: { kind: text, desc: 'extra CA bundle (PEM) to trust for S3, e.g. the OpenShift service CA', example: '/etc/pki/service-ca/service-ca.crt' },
  S3_INSECURE_SKIP_TLS_VERIFY: { kind: boolean, default: false, desc: 'do not verify the S3 certificate (warned about on every run)', example: 'false' },
  SHARD_COUNT: { kind: positiveInt(100_000), default: 1, desc: 'number of shards', example: '16' },
  JOB_COMPLETION_INDEX: { kind: wholeNumber, default: 0, desc: 'this process\'s index (set by Kubernetes in Indexed Jobs)', example: '3' },
  SHARD_INDEXES: { kind: indexList, desc: 'shards to work on in a rerun: completion index i works on the i-th listed shard', example: '3,7,12-14' },
  TRANSFERS: { kind: positiveInt(1024), default: 16, desc: 'objects in flight per process', example: '16' },
  MULTIPART_THRESHOLD: { kind: bytes, default: 200 * MiB, desc: 'objects above this size use a multipart upload; up to it one streamed PUT (rclone\'s cutoff too)', example: '200MiB' },
  PART_SIZE: { kind: bytes, default: 16 * MiB, desc: 'multipart part size (grown to stay within 10,000 parts; at least 5MiB)', example: '32MiB' },
  PART_CONCURRENCY: { kind: positiveInt(64), default: 4, desc: 'parts of one object in flight', example: '4' },
  BUFFER_BUDGET: { kind: bytes, default: 32 * MiB, desc: 'memory for multipart part buffers (reused), shared by all transfers of a process', example: '128MiB' },
  MAX_RETRIES: { kind: wholeNumber, default: 8, desc: 'retries of one request on a transient failure', example: '8' },
  RETRY_BASE_DELAY: { kind: wholeNumber, default: 250, desc: 'milliseconds of the first retry backoff (doubles each retry, with jitter, up to 20 s)', example: '250' },
  BWLIMIT: { kind: bytes, default: 0, desc: 'bytes per second read from Swift per process, 0 for no limit', example: '50MiB' },
  COMPARE: { kind: oneOf(['checksum', 'size']), default: 'checksum', desc: 'how to decide an object is already there: checksum (size and MD5) or size', example: 'checksum' },
  TAKEOVER: { kind: oneOf(['hash', 'recopy']), default: 'hash', desc: 'an object of the right size that another tool wrote without an MD5 the copier can read: hash (read it from the bucket, adopt it when its MD5 is Swift\'s) or recopy (from Swift)', example: 'hash' },
  BUCKET_KIND: { kind: oneOf(['auto', 's3', 'noobaa-data', 'noobaa-nsfs']), default: 'auto', desc: 'what the bucket does with keys, Content-MD5, ETags and listings: auto (learned at start from its answers to a few small objects written and deleted under <prefix>.swift-to-s3/probe/; read-only commands look at listed ETags), or the kind itself: s3, noobaa-data (a default ObjectBucketClaim) or noobaa-nsfs (an NSFS bucket class)', example: 'auto' },
  KEY_RULES: { kind: oneOf(['auto', 's3', 'noobaa', 'nsfs']), default: 'auto', desc: 'which keys the bucket can store under their own name: auto (as the bucket showed, see BUCKET_KIND), noobaa (any NooBaa: no "_$folder$"), nsfs (file-backed NooBaa: also segments up to 255 bytes, no "./", "//", leading "/", trailing "/." or "/..", "/.folder" at the end, no object beside a directory of its name) or s3 (every key)', example: 'auto' },
  RESYNC_LEDGER: { kind: oneOf(['auto', 'off']), default: 'auto', desc: 'auto: on a target whose listed ETags name the object (both NooBaa kinds, any S3 whose ETags are MD5s), keep per shard in the bucket the ETag each object had when copied or last listed (under <prefix>.swift-to-s3/ledger/), so a resync settles unchanged objects without a HEAD each and (TRUST_LEDGER_HOURS) without listing the bucket in every shard; off: the bucket listed by every shard on every run, a HEAD where its listing does not settle an object', example: 'auto' },
  TRUST_LEDGER_HOURS: { kind: wholeNumber, default: 24, desc: 'with a resync ledger: for this many hours after a run that listed the bucket in full, a resync lists only Swift and marches it against the ledger (objects the ledger does not settle get a HEAD each; the bucket is not listed, so a change made to the bucket by others is seen at the next full listing, or by verify; a run with DELETE_EXTRANEOUS, or the first after a failed verify, lists it); 0: list the bucket on every run', example: '24' },
  DELETE_EXTRANEOUS: { kind: boolean, default: false, desc: 'delete destination objects of this shard that are not in Swift', example: 'false' },
  DRY_RUN: { kind: boolean, default: false, desc: 'list what would be copied and deleted, write nothing', example: 'false' },
  LIST_PAGE_SIZE: { kind: positiveInt(10_000), defaultText: 'the servers\' limits', desc: 'names per listing page on both sides (capped by the servers: Swift 10,000, S3 1,000)', example: '1000' },
  REQUEST_TIMEOUT: { kind: seconds, default: 60, desc: 'seconds without progress before a request is abandoned and retried', example: '60' },
  CONNECT_WAIT: { kind: seconds, default: 30, desc: 'seconds to keep retrying Swift and S3 at start when they cannot be reached', example: '30' },
  OUTAGE_WAIT: { kind: seconds, default: 600, desc: 'seconds to wait out an outage of Swift or S3 during the run (requests failing to connect, or with 502/503/504, while a probe fails too): new work on that side pauses, a probe asks when it is back, failed requests keep their retries; past it the run ends as unreachable (exit 3), the unfinished objects named', example: '600' },
  PROGRESS_INTERVAL: { kind: seconds, default: 10, desc: 'seconds between progress lines', example: '10' },
  SHUTDOWN_GRACE_SECONDS: { kind: seconds, default: 20, desc: 'after SIGTERM, seconds to finish or abort in-flight uploads', example: '20' },
  TERMINATION_MESSAGE_PATH: { kind: text, defaultText: '/dev/termination-log when writable', desc: 'file that receives the JSON summary (Kubernetes keeps it)', example: '/dev/termination-log' },
  METRICS_PORT: { kind: positiveInt(65535), desc: 'serve Prometheus metrics on this port', example: '9090' },
  LOG_LEVEL: { kind: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', desc: 'pino log level', example: 'info' },
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;
const NAMES = Object.keys(VARIABLES) as VariableName[];

/** What loadConfig reads back: each variable's value in its kind's type, undefined only where it may be absent. */
type Values = {
  [N in VariableName]: (typeof VARIABLES)[N] extends { kind: Kind<infer T> }
    ? (typeof VARIABLES)[N] extends { default: unknown } | { required: true } ? T : T | undefined
    : never;
};

/** How the copier decides an object is already there (sync/decide.ts). */
export type Compare = Values['COMPARE'];

/** A variable as --help and docs/configuration.md show it. */
export interface VariableDoc {
  name: VariableName;
  /** The flag that mirrors it; a secret's flag is refused, to say it belongs in the environment. */
  flag: string;
  desc: string;
  example: string;
  /** The default as written, "" for empty; undefined when there is none. */
  default: string | undefined;
  secret: boolean;
  /** A switch: its flag may stand alone (--dry-run). */
  boolean: boolean;
}

function docOf(name: VariableName, variable: Variable): VariableDoc {
  const shown = variable.defaultText ?? (variable.default === undefined ? undefined : variable.kind.show(variable.default));
  return {
    name, flag: `--${name.toLowerCase().replaceAll('_', '-')}`, desc: variable.desc, example: variable.example,
    default: shown, secret: variable.secret === true, boolean: variable.kind === boolean,
  };
}

export const VARIABLE_DOCS: readonly VariableDoc[] = NAMES.map((name) => docOf(name, VARIABLES[name]));

/** The envalid spec of one variable: its default, or required when the given logins need it, or else optional. */
function envalidSpecOf(variable: Variable, given: Given): ValidatorSpec<unknown> {
  if (variable.default !== undefined) return variable.kind.validator({ default: variable.default });
  const required = variable.required === true || variable.required?.(given) === true;
  return variable.kind.validator(required ? {} : { default: undefined });
}

function lineFor(name: VariableName, error: Error, env: Record<string, string | undefined>): string {
  const variable: Variable = VARIABLES[name];
  const example = `${name}=${variable.example}`;
  if (error instanceof EnvMissingError) return `${name} is not set: ${variable.desc}; for example ${example}`;
  const shown = variable.secret ? '' : ` "${env[name]}"`;
  const reason = error.message.replace(/^Invalid value for env var "\w+"(:)?\s*/, '').replace(/^Value ".*" not in choices/, 'is not one of the allowed values');
  return `${name}${shown} ${reason}; for example ${example}`;
}

function present(env: Record<string, string | undefined>, name: VariableName): boolean {
  const value = env[name];
  return value !== undefined && value.trim() !== '';
}

function givenIn(env: Record<string, string | undefined>): Given {
  return {
    v1: present(env, 'SWIFT_AUTH_URL') || present(env, 'SWIFT_USER') || present(env, 'SWIFT_KEY'),
    v3: present(env, 'OS_AUTH_URL') || present(env, 'OS_APPLICATION_CREDENTIAL_ID') || present(env, 'OS_APPLICATION_CREDENTIAL_SECRET'),
    token: present(env, 'SWIFT_AUTH_TOKEN'),
    endpoint: present(env, 'S3_ENDPOINT'),
  };
}

/** Each variable through envalid, one line in problems per bad or missing one. */
function readValues(env: Record<string, string | undefined>, given: Given, problems: string[]): Values {
  const specs = Object.fromEntries(NAMES.map((name) => [name, envalidSpecOf(VARIABLES[name], given)]));
  const cleaned: Readonly<Record<string, unknown>> = cleanEnv(env, specs, {
    reporter: ({ errors }) => {
      for (const [name, error] of Object.entries(errors)) {
        if (error) problems.push(lineFor(name as VariableName, error instanceof EnvError || error instanceof Error ? error : new Error(String(error)), env));
      }
    },
  });
  // What VARIABLES says, and envalid did: each value of its kind, absent only when neither defaulted nor required.
  return cleaned as Values;
}

/** Reads and checks the environment. Throws ConfigError with one line per problem. */
export function loadConfig(rawEnv: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as Kubernetes renders unset values "" and OBC ConfigMaps carry BUCKET_REGION "".
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const problems: string[] = [];
  const given = givenIn(env);
  const cleaned = readValues(env, given, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const complain = (name: VariableName, what: string) => problems.push(`${name} ${what}; for example ${name}=${VARIABLES[name].example}`);
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
  if (given.v3 && !given.v1) {
    auth = {
      kind: 'v3', authUrl: cleaned.OS_AUTH_URL!, credentialId: cleaned.OS_APPLICATION_CREDENTIAL_ID!, credentialSecret: cleaned.OS_APPLICATION_CREDENTIAL_SECRET!,
      interface: cleaned.OS_INTERFACE, ...(cleaned.OS_REGION_NAME ? { region: cleaned.OS_REGION_NAME } : {}), ...(storageUrlOverride ? { storageUrlOverride } : {}),
    };
  } else if (given.token && !given.v1) {
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
    compare: cleaned.COMPARE,
    takeover: cleaned.TAKEOVER,
    keyRules: cleaned.KEY_RULES,
    bucketKind: cleaned.BUCKET_KIND,
    resyncLedger: cleaned.RESYNC_LEDGER,
    trustLedgerHours: cleaned.TRUST_LEDGER_HOURS,
    deleteExtraneous: cleaned.DELETE_EXTRANEOUS,
    dryRun: cleaned.DRY_RUN,
    requestTimeoutMs: cleaned.REQUEST_TIMEOUT * 1000,
    ...(cleaned.LIST_PAGE_SIZE ? { listPageSize: cleaned.LIST_PAGE_SIZE } : {}),
    connectWaitMs: cleaned.CONNECT_WAIT * 1000,
    outageWaitMs: cleaned.OUTAGE_WAIT * 1000,
    progressIntervalMs: cleaned.PROGRESS_INTERVAL * 1000,
    shutdownGraceMs: cleaned.SHUTDOWN_GRACE_SECONDS * 1000,
    bufferBudget: cleaned.BUFFER_BUDGET,
    ...(cleaned.TERMINATION_MESSAGE_PATH ? { terminationMessagePath: cleaned.TERMINATION_MESSAGE_PATH } : {}),
    ...(cleaned.METRICS_PORT ? { metricsPort: cleaned.METRICS_PORT } : {}),
    logLevel: cleaned.LOG_LEVEL,
    secrets: VARIABLE_DOCS.filter((doc) => doc.secret).map((doc) => cleaned[doc.name]).filter((value): value is string => typeof value === 'string' && value !== ''),
  };
}
