// A kubelet for one pod on this host: builds the container's environment, files and command line the way the
// kubelet and the container runtime do, runs the image's program as a child process, and reports the container's
// end (exit code, reason, termination message) and the pod's status as the kubelet would write them.
//
// Sources (kubernetes/kubernetes): pkg/kubelet/kubelet_pods.go (makeEnvironmentVariables,
// podFieldSelectorRuntimeValue, the managed /etc/hosts), pkg/kubelet/container/helpers.go
// (ExpandContainerCommandAndArgs), third_party/forked/golang/expansion/expand.go, pkg/kubelet/envvars
// (service variables), pkg/volume/configmap (MakePayload), pkg/kubelet/kuberuntime/kuberuntime_container.go
// (getTerminationMessage, readLastStringFromContainerLogs) and pkg/kubelet/container/runtime.go (the limits).
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import { constants as osConstants } from 'node:os';
import { existsSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expand, mappingFuncFor } from './expansion.ts';
import type { Image } from './image.ts';
import type { Container, EnvVar, ObjectStore, Pod, Volume } from './objects.ts';

/** The pod never gets to run its container; the reason is the one `kubectl get pod` would show. */
export class PodStartError extends Error {
  readonly reason: 'CreateContainerConfigError' | 'FailedMount' | 'NotEmulated';
  constructor(reason: PodStartError['reason'], message: string) {
    super(`${reason}: ${message}`);
    this.reason = reason;
  }
}

export interface KubeletOptions {
  image: Image;
  /** A directory for this pod's volumes, termination message file and working directory. */
  podDir: string;
  /** The cluster's `kubernetes` Service in namespace default, whose variables every container gets. */
  kubernetesService?: { ip: string; port: number; portName?: string };
  podIP?: string;
  hostIP?: string;
  /** Before RelaxedEnvironmentVariableValidation (Kubernetes < 1.32, OpenShift < 4.19) envFrom keys that are not
   *  C-like names are skipped with an event; with it every key is taken. Default: the older rule, what NERC runs. */
  relaxedEnvNames?: boolean;
  /** Variables that hold a bare host name (the OBC's BUCKET_HOST), checked like the hosts of URLs. */
  hostVariables?: string[];
  timeoutMs?: number;
  /** The pod was deleted: SIGTERM now, SIGKILL when the grace period (the abort's reason, in seconds) is over. */
  terminate?: AbortSignal;
  /** Called once the container's process runs (the kubelet then reports it Running). */
  onStarted?: (startedAt: string) => void;
  /** Fault injection: variables that replace the pod's own (as a wrong Secret for this one pod would). */
  overrideEnv?: Record<string, string>;
}

export interface ContainerEnvironment {
  /** The variables the kubelet hands the runtime, in the kubelet's order of resolution. */
  env: Map<string, string>;
  /** Warning events the kubelet would record (InvalidEnvironmentVariableNames). */
  events: string[];
}

// pkg/kubelet/container/runtime.go
const MAX_TERMINATION_MESSAGE_LENGTH = 4 * 1024;
const MAX_TERMINATION_MESSAGE_LOG_LENGTH = 2 * 1024;
const MAX_TERMINATION_MESSAGE_LOG_LINES = 80;
// pkg/apis/core/v1/defaults.go SetDefaults_Container
const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/** utilvalidation.IsEnvVarName before relaxed validation: a C identifier that may also hold '-' and '.'. */
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** makeEnvironmentVariables: envFrom in order, then env in order (later wins), $(VAR) expanded against what is
 *  defined so far and the service variables; a missing non-optional source stops the container from starting. */
export function makeEnvironmentVariables(pod: Pod, container: Container, store: ObjectStore, options: Pick<KubeletOptions, 'kubernetesService' | 'podIP' | 'hostIP' | 'relaxedEnvNames'> = {}): ContainerEnvironment {
  const namespace = pod.metadata.namespace ?? 'default';
  const events: string[] = [];
  const env = new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    if (!ref) continue;
    const kind = source.configMapRef ? 'configMap' : 'secret';
    const data = kind === 'configMap' ? configMapData(store, ref.name) : secretData(store, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new PodStartError('CreateContainerConfigError', `${kind.toLowerCase()} "${ref.name}" not found`);
    }
    const invalid: string[] = [];
    for (const [key, value] of data) {
      const name = `${source.prefix ?? ''}${key}`;
      if (!options.relaxedEnvNames && !ENV_VAR_NAME.test(name)) { invalid.push(name); continue; }
      env.set(name, value);
    }
    if (invalid.length > 0) {
      events.push(`InvalidEnvironmentVariableNames: Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind} ${namespace}/${ref.name} were skipped since they are considered invalid environment variable names.`);
    }
  }
  const serviceEnv = serviceVariables(options.kubernetesService);
  const mapping = mappingFuncFor(env, serviceEnv);
  for (const variable of container.env ?? []) {
    const value = resolve(variable, pod, store, mapping, options);
    if (value !== undefined) env.set(variable.name, value);
  }
  for (const [name, value] of serviceEnv) if (!env.has(name)) env.set(name, value);
  return { env, events };
}

/** One env entry's value; undefined when an optional source is missing (the variable is then left out). */
function resolve(variable: EnvVar, pod: Pod, store: ObjectStore, mapping: (name: string) => string, options: Pick<KubeletOptions, 'podIP' | 'hostIP'>): string | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  if (variable.value !== undefined && variable.value !== '') return expand(variable.value, mapping);
  const from = variable.valueFrom;
  if (!from) return '';
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath, options);
  if (from.configMapKeyRef || from.secretKeyRef) {
    const ref = (from.configMapKeyRef ?? from.secretKeyRef)!;
    const isConfigMap = from.configMapKeyRef !== undefined;
    const data = isConfigMap ? configMapData(store, ref.name) : secretData(store, ref.name);
    if (!data) {
      if (ref.optional) return undefined;
      throw new PodStartError('CreateContainerConfigError', `${isConfigMap ? 'configmap' : 'secret'} "${ref.name}" not found`);
    }
    const value = data.get(ref.key);
    if (value === undefined) {
      if (ref.optional) return undefined;
      throw new PodStartError('CreateContainerConfigError', `couldn't find key ${ref.key} in ${isConfigMap ? 'ConfigMap' : 'Secret'} ${namespace}/${ref.name}`);
    }
    return value;
  }
  throw new PodStartError('NotEmulated', `env ${variable.name}: resourceFieldRef is not emulated`);
}

/** podFieldSelectorRuntimeValue + fieldpath.ExtractFieldPathAsString for the paths a Job's pod uses. */
function fieldValue(pod: Pod, path: string, options: Pick<KubeletOptions, 'podIP' | 'hostIP'>): string {
  const subscript = /^metadata\.(labels|annotations)\['([^']*)'\]$/.exec(path);
  if (subscript) return pod.metadata[subscript[1] as 'labels' | 'annotations']?.[subscript[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? '';
    case 'status.podIP': case 'status.podIPs': return options.podIP ?? '10.128.2.15';
    case 'status.hostIP': case 'status.hostIPs': return options.hostIP ?? '10.0.0.21';
    default: throw new PodStartError('NotEmulated', `fieldRef ${path} is not emulated`);
  }
}

function configMapData(store: ObjectStore, name: string): Map<string, string> | undefined {
  const configMap = store.configMaps.get(name);
  return configMap ? new Map(Object.entries(configMap.data ?? {})) : undefined;
}

function secretData(store: ObjectStore, name: string): Map<string, string> | undefined {
  const secret = store.secrets.get(name);
  return secret ? new Map(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')])) : undefined;
}

/** pkg/kubelet/envvars FromServices for the master Service, which every pod gets (enableServiceLinks or not). */
function serviceVariables(service: KubeletOptions['kubernetesService'] = { ip: '172.30.0.1', port: 443, portName: 'https' }): Map<string, string> {
  const { ip, port, portName } = service;
  const url = `tcp://${ip}:${port}`;
  return new Map([
    ['KUBERNETES_SERVICE_HOST', ip], ['KUBERNETES_SERVICE_PORT', String(port)],
    ...(portName ? [[`KUBERNETES_SERVICE_PORT_${portName.toUpperCase().replaceAll('-', '_')}`, String(port)] as [string, string]] : []),
    ['KUBERNETES_PORT', url], [`KUBERNETES_PORT_${port}_TCP`, url], [`KUBERNETES_PORT_${port}_TCP_PROTO`, 'tcp'],
    [`KUBERNETES_PORT_${port}_TCP_PORT`, String(port)], [`KUBERNETES_PORT_${port}_TCP_ADDR`, ip],
  ]);
}

/** The process's argv: the pod's command replaces ENTRYPOINT (and drops CMD), its args replace CMD; both are
 *  $(VAR)-expanded against the kubelet's variables only, not the image's ENV. */
export function containerArgv(image: Pick<Image, 'entrypoint' | 'cmd'>, container: Container, env: ReadonlyMap<string, string>): string[] {
  const mapping = mappingFuncFor(env);
  const command = (container.command ?? []).map((word) => expand(word, mapping));
  const args = (container.args ?? []).map((word) => expand(word, mapping));
  if (command.length > 0) return [...command, ...args];
  return [...image.entrypoint, ...(container.args ? args : image.cmd)];
}

/** pkg/volume/configmap (and secret) MakePayload: the listed items, or every key; a missing key fails the mount. */
async function materializeVolume(volume: Volume, store: ObjectStore, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (volume.emptyDir) return;
  const source = volume.configMap ?? volume.secret;
  if (!source) throw new PodStartError('NotEmulated', `volume ${volume.name}: only configMap, secret and emptyDir volumes are emulated`);
  const isConfigMap = volume.configMap !== undefined;
  const name = volume.configMap?.name ?? volume.secret!.secretName;
  const data = isConfigMap ? configMapData(store, name) : secretData(store, name);
  if (!data) {
    if (source.optional) return;
    throw new PodStartError('FailedMount', `MountVolume.SetUp failed for volume "${volume.name}" : ${isConfigMap ? 'configmap' : 'secret'} "${name}" not found`);
  }
  const items = source.items ?? [...data.keys()].map((key) => ({ key, path: key }));
  for (const item of items) {
    const content = data.get(item.key);
    if (content === undefined) {
      if (source.optional) continue;
      throw new PodStartError('FailedMount', `MountVolume.SetUp failed for volume "${volume.name}" : ${isConfigMap ? 'configmap references non-existent config key' : 'references non-existent secret key'}: ${item.key}`);
    }
    await mkdir(dirname(join(dir, item.path)), { recursive: true });
    await writeFile(join(dir, item.path), content);
  }
}

interface Mount { containerPath: string; hostPath: string }

/**
 * The one approximation of the file system: the copier runs on this host, not in the image, so a path inside the
 * container means nothing here. Each volumeMount (and the termination message file the kubelet mounts at
 * terminationMessagePath) is a directory or file under podDir, and every variable and argument whose value is a
 * mounted path, or lies below one, is rewritten to the host path. A variable that is an absolute path under no
 * mount fails the pod instead (`strict`): it would name a file of the image, which this host does not have. The
 * image's program in argv is the one such path allowed; hostCommand maps it.
 */
function rewritePaths(values: Map<string, string>, mounts: Mount[], strict: boolean): Map<string, string> {
  const byDepth = [...mounts].sort((a, b) => b.containerPath.length - a.containerPath.length);
  const rewritten = new Map<string, string>();
  for (const [name, value] of values) {
    const mount = byDepth.find((m) => value === m.containerPath || value.startsWith(`${m.containerPath}/`));
    if (mount) rewritten.set(name, mount.hostPath + value.slice(mount.containerPath.length));
    else if (strict && value.startsWith('/')) throw new PodStartError('NotEmulated', `${name}=${value}: no volume of the pod is mounted there (the image's own files are not on this host)`);
    else rewritten.set(name, value);
  }
  return rewritten;
}

/**
 * Every host the copier will connect to (URLs in variables, and bare host variables) must be reachable from this
 * host as it would be from the pod: 127.0.0.1, or a name the pod spec's hostAliases pin to 127.0.0.1 (the kubelet
 * writes them into the pod's /etc/hosts; here a resolver hook given to node resolves the same names). A name left
 * to cluster DNS, or an address this host cannot stand in for, fails the pod with the variable's name.
 */
export function pinnedHosts(pod: Pod, env: ReadonlyMap<string, string>, hostVariables: readonly string[]): Map<string, string> {
  const aliases = new Map<string, string>([['localhost', '127.0.0.1']]);
  for (const alias of pod.spec.hostAliases ?? []) for (const name of alias.hostnames ?? []) aliases.set(name, alias.ip);
  const used = new Map<string, string>();
  for (const [name, value] of env) {
    const host = hostVariables.includes(name) ? value : urlHost(value);
    if (host === undefined || host === '') continue;
    const address = isIP(host) ? host : aliases.get(host);
    if (address === undefined) throw new PodStartError('NotEmulated', `${name}=${value}: host ${host} is not pinned by spec.hostAliases (in the cluster it would need DNS)`);
    if (address !== '127.0.0.1' && address !== '::1') throw new PodStartError('NotEmulated', `${name}=${value}: host ${host} is ${address}, where nothing on this host answers`);
    if (!isIP(host)) used.set(host, address);
  }
  return used;
}

/** The host of an http(s) URL: what the copier connects to (the service variables' tcp:// URLs are not its). */
function urlHost(value: string): string | undefined {
  if (!/^https?:\/\//i.test(value)) return undefined;
  try { return new URL(value).hostname.replace(/^\[(.*)\]$/, '$1'); } catch { return undefined; }
}

/** A node --import hook that resolves the pinned names, as the pod's /etc/hosts would. */
function resolverHook(pinned: ReadonlyMap<string, string>): string {
  const code = `import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
const pinned = new Map(${JSON.stringify([...pinned])});
const answer = (address, options) => {
  const family = address.includes(':') ? 6 : 4;
  return typeof options === 'object' && options !== null && options.all ? [[{ address, family }]] : [address, family];
};
const lookup = dns.lookup;
dns.lookup = function (host, options, callback) {
  if (typeof options === 'function') { callback = options; options = {}; }
  const address = pinned.get(host);
  if (address === undefined) return lookup.call(this, host, options, callback);
  process.nextTick(callback, null, ...answer(address, options));
};
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = async function (host, options) {
  const address = pinned.get(host);
  if (address === undefined) return lookupPromise.call(this, host, options);
  const [first, family] = answer(address, options);
  return family === undefined ? first : { address: first, family };
};
syncBuiltinESMExports();`;
  return `data:text/javascript,${encodeURIComponent(code)}`;
}

export interface ContainerRun {
  argv: string[];
  /** The process's environment (after the path rewriting). */
  env: Record<string, string>;
  events: string[];
  exitCode: number;
  /** The runtime's reason: Completed for exit 0, Error otherwise. */
  reason: 'Completed' | 'Error';
  message?: string;
  stdout: string;
  stderr: string;
  startedAt: string;
  finishedAt: string;
}

/** Runs the pod's one container to its end (restartPolicy Never). Throws PodStartError when it cannot start. */
export async function runPod(pod: Pod, store: ObjectStore, options: KubeletOptions): Promise<ContainerRun> {
  if ((pod.spec.initContainers ?? []).length > 0 || pod.spec.containers.length !== 1) throw new PodStartError('NotEmulated', 'only pods with one container and no init containers are emulated');
  const container = pod.spec.containers[0]!;
  const mounts = await mountVolumes(pod, container, store, options.podDir);
  const terminationPath = container.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH;
  const terminationFile = join(options.podDir, 'termination-log');
  await writeFile(terminationFile, '');
  mounts.push({ containerPath: terminationPath, hostPath: terminationFile });

  const { env, events } = makeEnvironmentVariables(pod, container, store, options);
  for (const [name, value] of Object.entries(options.overrideEnv ?? {})) env.set(name, value);
  const argv = containerArgv(options.image, container, env);
  // The runtime starts from the image's ENV and lets the container's variables win; it adds HOSTNAME.
  const processEnv = rewritePaths(new Map([...options.image.env, ...env, ['HOSTNAME', pod.spec.hostname ?? pod.metadata.name ?? '']]), mounts, true);
  const pinned = pinnedHosts(pod, processEnv, options.hostVariables ?? ['BUCKET_HOST']);
  const command = hostCommand(options.image, [...rewritePaths(new Map(argv.map((word, i) => [String(i), word])), mounts, false).values()], pinned);

  const startedAt = timestamp();
  options.onStarted?.(startedAt);
  const { code, stdout, stderr, log } = await execute(command, Object.fromEntries(processEnv), options.podDir, options.timeoutMs ?? 120_000, options.terminate);
  const finishedAt = timestamp();
  const message = terminationMessage(await readTail(terminationFile, MAX_TERMINATION_MESSAGE_LENGTH), container.terminationMessagePolicy ?? 'File', code, log);
  return { argv, env: Object.fromEntries(processEnv), events, exitCode: code, reason: code === 0 ? 'Completed' : 'Error', ...(message ? { message } : {}), stdout, stderr, startedAt, finishedAt };
}

async function mountVolumes(pod: Pod, container: Container, store: ObjectStore, podDir: string): Promise<Mount[]> {
  const volumes = new Map((pod.spec.volumes ?? []).map((volume) => [volume.name, volume]));
  const mounts: Mount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (!volume) throw new PodStartError('NotEmulated', `volumeMount ${mount.name}: no such volume`);
    const dir = join(podDir, 'volumes', volume.name);
    if (!existsSync(dir)) await materializeVolume(volume, store, dir);
    mounts.push({ containerPath: mount.mountPath.replace(/\/+$/, ''), hostPath: mount.subPath ? join(dir, mount.subPath) : dir });
  }
  return mounts;
}

/** argv as this host runs it: the image's node is this node, the image's program its TypeScript source. */
function hostCommand(image: Image, argv: string[], pinned: ReadonlyMap<string, string>): string[] {
  const [program, ...rest] = argv;
  if (program !== 'node') throw new PodStartError('NotEmulated', `the container runs ${program ?? '(nothing)'}; only the image's node is emulated`);
  const scriptAt = rest.findIndex((word) => !word.startsWith('-'));
  const script = rest[scriptAt];
  const source = script === undefined ? undefined : image.sourceOf(script);
  if (script === undefined || source === undefined || !existsSync(source)) throw new PodStartError('NotEmulated', `node would run ${script ?? '(no script)'}, which the image does not hold`);
  const flags = rest.slice(0, scriptAt);
  const hook = pinned.size > 0 ? ['--import', resolverHook(pinned)] : [];
  return [process.execPath, ...flags, ...hook, source, ...rest.slice(scriptAt + 1)];
}

async function execute(command: string[], env: Record<string, string>, cwd: string, timeoutMs: number, terminate?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string; log: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    // PATH is the one variable the image's base layer provides that the pod spec does not: this host's stands in.
    const child = spawn(command[0]!, command.slice(1), { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const log: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => { out.push(chunk); log.push(chunk); });
    child.stderr.on('data', (chunk: Buffer) => { err.push(chunk); log.push(chunk); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let graceTimer: NodeJS.Timeout | undefined;
    // killContainer: the stop signal, then SIGKILL once the grace period is over.
    const stop = () => {
      child.kill('SIGTERM');
      graceTimer = setTimeout(() => child.kill('SIGKILL'), Number(terminate?.reason ?? 30) * 1000);
    };
    if (terminate?.aborted) stop();
    else terminate?.addEventListener('abort', stop, { once: true });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      terminate?.removeEventListener('abort', stop);
      // A container killed by a signal exits 128 + the signal's number (137 for SIGKILL).
      const exit = code ?? 128 + (signal ? osConstants.signals[signal] : 0);
      resolvePromise({ code: exit, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), log: Buffer.concat(log) });
    });
  });
}

/** tail.ReadAtMost: the last `max` bytes of the file, or undefined when there is no file. */
async function readTail(path: string, max: number): Promise<Buffer | undefined> {
  let handle;
  try { handle = await open(path, 'r'); } catch { return undefined; }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, max);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer;
  } finally {
    await handle.close();
  }
}

/**
 * getTerminationMessage + the fallback in convertToKubeContainerStatus: the file's last 4 KiB; with
 * FallbackToLogsOnError, when the container failed (exit code ≠ 0) and the file is missing or empty, the log's
 * last 80 lines, of which the last 2 KiB (a ring buffer keeps the end).
 */
export function terminationMessage(file: Buffer | undefined, policy: 'File' | 'FallbackToLogsOnError', exitCode: number, log: Buffer): string {
  const fromFile = file?.toString('utf8') ?? '';
  if (fromFile.length > 0 || policy !== 'FallbackToLogsOnError' || exitCode === 0) return fromFile;
  return lastLines(log, MAX_TERMINATION_MESSAGE_LOG_LINES).subarray(-MAX_TERMINATION_MESSAGE_LOG_LENGTH).toString('utf8');
}

/** The last `count` lines of a log (TailLines); a trailing newline ends the last line rather than starting one. */
function lastLines(log: Buffer, count: number): Buffer {
  let start = log.length > 0 && log[log.length - 1] === 0x0a ? log.length - 1 : log.length;
  for (let lines = 0; lines < count; lines++) {
    const newline = start > 0 ? log.lastIndexOf(0x0a, start - 1) : -1;
    if (newline < 0) return log;
    start = newline;
  }
  return log.subarray(start + 1);
}

/** The pod's status as the kubelet writes it once its one container ended (restartPolicy Never). */
export function finishedPodStatus(pod: Pod, run: ContainerRun, options: Pick<KubeletOptions, 'podIP' | 'hostIP'> = {}): Record<string, unknown> {
  const container = pod.spec.containers[0]!;
  const phase = run.exitCode === 0 ? 'Succeeded' : 'Failed';
  const condition = (type: string, status: string, reason?: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: run.finishedAt, ...(reason ? { reason } : {}) });
  const podIP = options.podIP ?? '10.128.2.15';
  const hostIP = options.hostIP ?? '10.0.0.21';
  return {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', 'False'), condition('Initialized', 'True'), condition('Ready', 'False', 'PodCompleted'),
      condition('ContainersReady', 'False', 'PodCompleted'), condition('PodScheduled', 'True'),
    ],
    hostIP, hostIPs: [{ ip: hostIP }], podIP, podIPs: [{ ip: podIP }], startTime: run.startedAt, qosClass: 'Burstable',
    containerStatuses: [{
      name: container.name, image: container.image ?? '', imageID: `${container.image ?? ''}@sha256:${'0'.repeat(64)}`,
      containerID: `cri-o://${'c'.repeat(64)}`, ready: false, restartCount: 0, started: false, lastState: {},
      state: { terminated: { exitCode: run.exitCode, reason: run.reason, ...(run.message ? { message: run.message } : {}), startedAt: run.startedAt, finishedAt: run.finishedAt, containerID: `cri-o://${'c'.repeat(64)}` } },
    }],
  };
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
