#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// argv → one command. The only place that knows exit codes and prints for people.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, parseBytes, VARIABLE_DOCS, type Config } from './config.ts';
import { ConfigError, FatalError, UnreachableError, messageOf } from './errors.ts';
import type { KubeOutcome } from './kube/commands.ts';
import { retryPolicyOf, statusOf } from './retry.ts';
import { createLog, scrub, type Log } from './log.ts';
import { Stats } from './report/stats.ts';
import { startProgress } from './report/progress.ts';
import { onStall } from './report/stall.ts';
import { summarize, SUMMARY_LISTS } from './report/summary.ts';
import { writeTermination } from './report/termination.ts';
import { SwiftSource } from './swift/source.ts';
import { S3Target } from './s3/target.ts';
import { describeProfile } from './s3/profile.ts';
import { OutageWatch, bothSides, type Side } from './outage.ts';
import { runShard } from './sync/run.ts';
import { askForRelisting, verify } from './ops/verify.ts';
import { formatPlan, plan } from './ops/plan.ts';
import { removeOwnState } from './ops/finish.ts';

/** Exit codes, the contract with the Job's podFailurePolicy: 1 retries the index, 2 fails the Job (FailJob),
 *  3 fails only the index (FailIndex). */
export const EXIT = { ok: 0, objectsFailed: 1, fatal: 2, unreachable: 3 } as const;

/** The exit code of an error that ends the run. */
/** status and rerun: an index failed is like objects failed; a Job stuck on something to fix (an image, a Secret, a
 *  quota), no Job, nothing to rerun or an API problem is fatal. */
const KUBE_EXIT: Record<KubeOutcome, number> = { ok: EXIT.ok, failed: EXIT.objectsFailed, stuck: EXIT.fatal, problem: EXIT.fatal };
const exitOf = (error: FatalError): number => (error instanceof UnreachableError ? EXIT.unreachable : EXIT.fatal);

const COMMANDS: Record<string, { summary: string; run: (env: Record<string, string | undefined>, options: CommandOptions) => Promise<number> }> = {
  copy: { summary: 'copy one shard of the Swift container(s) into the bucket (default)', run: runCopy },
  verify: { summary: 'check one shard (or --all) of the bucket against Swift: keys, sizes, MD5s (--download: read both sides)', run: runVerify },
  plan: { summary: 'list both sides, write nothing: totals per shard, what would move, skew, a suggested SHARD_COUNT', run: runPlan },
  // The Kubernetes client costs ~80 MiB and 0.4 s to load (bench/RESULTS.md): only these two commands load it.
  status: { summary: 'per-index state of a release\'s Job in the cluster, totals, ETA, failed indexes (--watch)', run: async (_env, options) => KUBE_EXIT[await (await import('./kube/commands.ts')).statusCommand(kubeOptions(options))] },
  rerun: { summary: 'the helm upgrade that reruns the failed shards of the last run (--apply: create the retry Job)', run: async (_env, options) => KUBE_EXIT[await (await import('./kube/commands.ts')).rerunCommand(kubeOptions(options))] },
};

/** Options that are not settings of the copier: they belong to one command. */
const OPTION_FLAGS: Record<string, { key: string; takesValue: boolean; commands: string[]; desc: string }> = {
  '--json': { key: 'json', takesValue: false, commands: ['verify', 'plan', 'status', 'rerun'], desc: 'machine-readable output on stdout' },
  '--all': { key: 'all', takesValue: false, commands: ['verify'], desc: 'check every shard in this one process' },
  '--download': { key: 'download', takesValue: false, commands: ['verify'], desc: 'read both sides and compare the MD5 of the bytes' },
  '--finish': { key: 'finish', takesValue: false, commands: ['verify'], desc: 'with --all, once every object is proven: remove the copier\'s own state from the bucket (everything under <prefix>.swift-to-s3/: resync ledgers, probes), the cutover\'s last step' },
  '--trust-metadata': { key: 'trustMetadata', takesValue: false, commands: ['verify'], desc: 'where the ETag is not an MD5 (NooBaa, multipart), accept the md5chksum the copier wrote instead of hashing the stored bytes' },
  '--rate': { key: 'rate', takesValue: true, commands: ['plan'], desc: 'bytes per second one shard copies (e.g. 40MiB); measured from a short sample when not given' },
  '--hours': { key: 'hours', takesValue: true, commands: ['plan'], desc: 'target duration for the suggested shard count [default: 1]' },
  '--release': { key: 'release', takesValue: true, commands: ['status', 'rerun'], desc: 'Helm release name' },
  '--namespace': { key: 'namespace', takesValue: true, commands: ['status', 'rerun'], desc: 'namespace [default: the kubeconfig context\'s]' },
  '-n': { key: 'namespace', takesValue: true, commands: ['status', 'rerun'], desc: 'same as --namespace' },
  '--run': { key: 'run', takesValue: true, commands: ['status', 'rerun'], desc: 'run id [default: the newest run]' },
  '--watch': { key: 'watch', takesValue: false, commands: ['status'], desc: 'refresh until the Job ends' },
  '--interval': { key: 'interval', takesValue: true, commands: ['status'], desc: 'seconds between refreshes with --watch [default: 5]' },
  '--apply': { key: 'apply', takesValue: false, commands: ['rerun'], desc: 'create the retry Job now, instead of only printing the helm command' },
  '--chart': { key: 'chart', takesValue: true, commands: ['rerun'], desc: 'chart reference for the printed helm command [default: helm/swift-to-s3]' },
};

export interface CommandOptions {
  /** The command options given (OPTION_FLAGS keys); switches are "true". */
  values: Record<string, string>;
  print: (line: string) => void;
  printError: (line: string) => void;
}

const isOn = (options: CommandOptions, key: string) => options.values[key] === 'true';

function kubeOptions(options: CommandOptions) {
  const { values } = options;
  if (!values.release) throw new ConfigError(['--release is required: the Helm release name, for example --release cube-files']);
  const interval = Number(values.interval ?? 5);
  if (!(interval > 0)) throw new ConfigError([`--interval "${values.interval}" must be a number of seconds above 0, for example --interval 10`]);
  return {
    release: values.release, namespace: values.namespace ?? '', ...(values.run ? { run: values.run } : {}),
    watch: isOn(options, 'watch'), intervalSeconds: interval, apply: isOn(options, 'apply'), json: isOn(options, 'json'),
    chart: values.chart ?? 'helm/swift-to-s3', print: options.print, printError: options.printError,
  };
}

function usage(command?: string): string {
  const lines = [
    `swift-to-s3 ${command ?? '<command>'} [--flag value ...]`,
    '',
    'Copies an OpenStack Swift store into an S3 bucket, one hash-partitioned shard per process.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`),
    '',
    'Every setting is an environment variable; each non-secret one also has a flag (--shard-count 4 = SHARD_COUNT=4).',
    'Secrets are read only from the environment, never from flags, so they never show in a process list.',
    '',
    ...VARIABLE_DOCS.map((variable) => `  ${variable.name.padEnd(34)} ${(variable.secret ? '(env only)' : variable.flag).padEnd(30)} ${variable.desc}${variable.default !== undefined ? ` [default: ${variable.default || 'empty'}]` : ''}`),
    '',
    'Command options:',
    ...Object.entries(OPTION_FLAGS).filter(([, option]) => !command || option.commands.includes(command)).map(([flag, option]) => `  ${(flag + (option.takesValue ? ' <value>' : '')).padEnd(34)} ${option.desc} (${option.commands.join(', ')})`),
    '',
    'Exit codes: 0 everything in the shard is in place; 1 some objects failed after retries (rerun the shard);',
    '            2 configuration, authentication, a certificate that does not verify, or a missing container or',
    '              bucket (fix and start again);',
    '            3 Swift or S3 cannot be reached after CONNECT_WAIT seconds (only this shard fails; rerun it).',
    'verify: exit 0 only when every source object is at the destination with the same size and MD5 and nothing',
    '        extra is there; 1 otherwise (2 and 3 as for copy). --all checks every shard in one process; --json prints the report.',
  ];
  return lines.join('\n');
}

interface ParsedArgs { command: string; env: Record<string, string>; help: boolean; values: Record<string, string> }

function parseArgs(argv: string[]): ParsedArgs {
  const parsed: ParsedArgs = { command: 'copy', env: {}, help: false, values: {} };
  let sawCommand = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') { parsed.help = true; continue; }
    const optionName = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const option = OPTION_FLAGS[optionName];
    if (option) {
      if (!option.takesValue) { parsed.values[option.key] = 'true'; continue; }
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (value === undefined) throw new ConfigError([`${optionName} needs a value: see swift-to-s3 --help`]);
      parsed.values[option.key] = value;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (sawCommand) throw new ConfigError([`unexpected argument "${arg}": see swift-to-s3 --help`]);
      if (!(arg in COMMANDS)) throw new ConfigError([`unknown command "${arg}": use one of ${Object.keys(COMMANDS).join(', ')}`]);
      parsed.command = arg;
      sawCommand = true;
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const variable = VARIABLE_DOCS.find((candidate) => candidate.flag === flag);
    if (!variable) throw new ConfigError([`unknown flag ${flag}: see swift-to-s3 --help`]);
    if (variable.secret) throw new ConfigError([`${flag} is not accepted: set ${variable.name} in the environment, so the secret never shows in a process list`]);
    let value = inline;
    if (value === undefined) {
      const following = argv[i + 1];
      if (variable.boolean && (following === undefined || following.startsWith('--') || !/^(true|false|1|0|yes|no)$/i.test(following))) value = 'true';
      else if (following === undefined) throw new ConfigError([`${flag} needs a value; for example ${flag} ${variable.example}`]);
      else { value = following; i++; }
    }
    parsed.env[variable.name] = value;
  }
  return parsed;
}

function clientsFor(config: Config, stats: Stats, log: Log) {
  const retry = retryPolicyOf(config);
  const pageSize = config.listPageSize ? { pageSize: config.listPageSize } : {};
  const onRetry = (what: string, error: unknown, attempt: number) => log.warn({ what, attempt, err: scrub(messageOf(error), config.secrets) }, 'retrying request');
  const watch = (side: Side, probe: () => Promise<void>) => new OutageWatch({ side, probe, waitMs: config.outageWaitMs, log, counts: stats.outages[side] });
  const swiftOutage = watch('swift', () => source.probe());
  const s3Outage = watch('s3', () => target.probe());
  const source: SwiftSource = new SwiftSource({ auth: config.swift.auth, ...(config.swift.caFile ? { caFile: config.swift.caFile } : {}), connections: config.transfers + 2, requestTimeoutMs: config.requestTimeoutMs, connectWaitMs: config.connectWaitMs, retry, stats, onRetry, outage: swiftOutage, ...pageSize });
  const target: S3Target = new S3Target({ s3: config.s3, connections: config.transfers * config.partConcurrency + 2, requestTimeoutMs: config.requestTimeoutMs, connectWaitMs: config.connectWaitMs, retry, stats, onRetry, outage: s3Outage, ...pageSize });
  return { source, target, outage: bothSides(swiftOutage, s3Outage) };
}

/** Connects to the bucket and learns once what it does (a probe that writes, unless `write` is false), said in one line. */
async function connectTarget(target: S3Target, config: Config, log: Log, write: boolean): Promise<void> {
  await target.connect();
  const profile = await target.learnProfile(config.bucketKind, { write, prefix: config.s3.prefix });
  log.info({ bucket: describeProfile(profile) }, `the bucket is ${profile.kind} (from ${profile.from}): keys ${target.keyRules(config.keyRules)}, ${profile.md5Etags && profile.checksContentMd5 ? 'its ETags prove the bytes' : 'the bytes are hashed here'}, listed ${profile.listing === 'subtrees' ? 'as subtrees' : 'by pages'}`);
}

async function runCopy(env: Record<string, string | undefined>, options: CommandOptions): Promise<number> {
  const config = loadConfig(env);
  const log = createLog(config.logLevel);
  if (config.s3.insecureSkipTlsVerify) log.warn('S3_INSECURE_SKIP_TLS_VERIFY is on: the S3 certificate is not verified; set S3_CA_FILE instead');
  const stats = new Stats();
  const { source, target, outage } = clientsFor(config, stats, log);
  const stopping = new AbortController();
  const openUploads = new Map<string, { key: string; uploadId: string }>();
  let graceTimer: NodeJS.Timeout | undefined;
  const finish = (interrupted: boolean): number => {
    const summary = summarize(stats, config.shard, { dryRun: config.dryRun, interrupted });
    log.info({ summary }, `summary: ${summary.copied} copied, ${summary.unchanged} unchanged, ${summary.adopted} adopted, ${summary.skipped} skipped, ${summary.deleted} deleted, ${summary.failed} failed of ${summary.inShard} in shard ${summary.shard}/${summary.shardCount}`);
    try { writeTermination(config.terminationMessagePath, summary, SUMMARY_LISTS); } catch (error) { log.warn({ err: messageOf(error) }, 'could not write the termination message'); }
    return summary.failed > 0 || interrupted ? EXIT.objectsFailed : EXIT.ok;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) return;
    log.warn({ signal, graceSeconds: config.shutdownGraceMs / 1000 }, 'stopping: no new objects; in-flight transfers get the grace period');
    stopping.abort();
    graceTimer = setTimeout(() => {
      log.warn({ open: openUploads.size }, 'grace period over: aborting open multipart uploads');
      // allSettled never rejects: the exit always comes.
      void Promise.allSettled([...openUploads.values()].map(({ key, uploadId }) => target.abortMultipart(key, uploadId)))
        .then(() => process.exit(finish(true)));
    }, config.shutdownGraceMs);
    graceTimer.unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // The event loop emptied while the shard was not done (a bug): report it with what was done, exit 1, never 13.
  const disarmStall = onStall(() => {
    const reason = 'internal error: the copy stopped making progress with work pending (a bug in swift-to-s3; please report it)';
    stats.failed++;
    stats.failures.push({ key: '', reason });
    log.error(reason);
    process.exit(finish(true));
  });
  const stopProgress = startProgress(stats, log, config.progressIntervalMs);
  const metrics = config.metricsPort ? await (await import('./report/metrics.ts')).serveMetrics(stats, config.metricsPort).catch((error: unknown) => {
    throw new FatalError(`cannot serve metrics on METRICS_PORT ${config.metricsPort}: ${messageOf(error)}`);
  }) : undefined;
  log.info({ shard: config.shard, containers: config.swift.containers, bucket: config.s3.bucket, endpoint: config.s3.endpoint, dryRun: config.dryRun }, 'starting');
  try {
    await source.connect(config.swift.containers);
    await connectTarget(target, config, log, !config.dryRun);
    const { interrupted } = await runShard({ config, source, target, stats, log, stopping: stopping.signal, openUploads, outage });
    return finish(interrupted || stopping.signal.aborted);
  } catch (error) {
    const ending = endingOf(error);
    if (!ending) throw error;
    const line = scrub(ending.message, config.secrets);
    options.printError(line);
    // The objects under way when the run ended, by name: an outage past OUTAGE_WAIT stops them unfinished.
    const unfinished = [...stats.unfinished].map((key) => ({ key, reason: `not finished: ${line}` }));
    for (const { key } of unfinished) log.error({ key }, 'object not finished: the run ended');
    const summary = { ...summarize(stats, config.shard, { dryRun: config.dryRun, interrupted: false }), failures: [{ key: '', reason: line }, ...unfinished, ...stats.failures] };
    log.info({ summary }, `summary: ended early (${ending.name}): ${summary.copied} copied, ${unfinished.length} unfinished, ${summary.failed} failed of ${summary.inShard} listed so far in shard ${summary.shard}/${summary.shardCount}`);
    try { writeTermination(config.terminationMessagePath, summary, SUMMARY_LISTS); } catch { /* best effort */ }
    return ending.exit;
  } finally {
    disarmStall();
    stopProgress();
    metrics?.close();
    if (graceTimer) clearTimeout(graceTimer);
    await source.close().catch(() => undefined);
    target.close();
  }
}

/** How an error that ends a copy is told: a FatalError as it says; a server's answer that the retries did not get
 *  past (a listing that keeps failing) in one line, exit 1, the index to be run again; anything else is a bug. */
function endingOf(error: unknown): { message: string; name: string; exit: number } | undefined {
  if (error instanceof FatalError) return { message: error.message, name: error.name, exit: exitOf(error) };
  if (statusOf(error) !== undefined) return { message: `${messageOf(error)}, and still after its retries (MAX_RETRIES): the index can be run again`, name: 'gave up', exit: EXIT.objectsFailed };
  return undefined;
}

async function runPlan(env: Record<string, string | undefined>, options: CommandOptions): Promise<number> {
  const config = loadConfig(env);
  const log = createLog(config.logLevel, process.stderr);
  let rate: number | undefined;
  if (options.values.rate !== undefined) {
    try { rate = parseBytes(options.values.rate); } catch { throw new ConfigError([`--rate "${options.values.rate}" is not a size per second, for example --rate 40MiB`]); }
  }
  const hours = Number(options.values.hours ?? 1);
  if (!(hours > 0)) throw new ConfigError([`--hours "${options.values.hours}" must be a number above 0, for example --hours 2`]);
  const stats = new Stats();
  const { source, target } = clientsFor(config, stats, log);
  try {
    await source.connect(config.swift.containers);
    // A bucket that cannot be read (a wrong secret, no such bucket): the Swift side is still planned, and the exit
    // code says the plan is not one a run could start from (2, or 3 when S3 cannot be reached).
    let unread: FatalError | undefined;
    try {
      await connectTarget(target, config, log, false);
    } catch (error) {
      if (!(error instanceof FatalError)) throw error;
      unread = error;
    }
    const report = await plan({ config, source, target: unread ? undefined : target, ...(rate !== undefined ? { rate } : {}), targetSeconds: hours * 3600 });
    if (isOn(options, 'json')) options.print(JSON.stringify(report, null, 2));
    else formatPlan(report).forEach((line) => options.print(line));
    if (!unread) return EXIT.ok;
    options.printError(`planned the Swift side only, the bucket cannot be read: ${scrub(unread.message, config.secrets)}`);
    return exitOf(unread);
  } finally {
    await source.close().catch(() => undefined);
    target.close();
  }
}

async function runVerify(env: Record<string, string | undefined>, options: CommandOptions): Promise<number> {
  if (isOn(options, 'finish') && !isOn(options, 'all')) throw new ConfigError(['--finish needs --all: the copier\'s state is removed only once every shard is verified, for example: swift-to-s3 verify --all --finish']);
  const config = loadConfig(env);
  // With --json, stdout carries only the report; the log goes to stderr.
  const log = createLog(config.logLevel, isOn(options, 'json') ? process.stderr : undefined);
  const stats = new Stats();
  const { source, target } = clientsFor(config, stats, log);
  try {
    await source.connect(config.swift.containers);
    await connectTarget(target, config, log, false);
    const report = await verify({ config, source, target, log, all: isOn(options, 'all'), download: isOn(options, 'download'), trustMetadata: isOn(options, 'trustMetadata') });
    const { proven } = report;
    const headline = `verify ${report.ok ? 'OK' : 'FAILED'}: shard ${report.shard}/${report.shardCount}: ${report.checked} checked, ${report.matched} matched (proven by ETag ${proven.etag}, by stored bytes ${proven.bytes}, by metadata ${proven.metadata}, by download ${proven.download}), ${report.missing} missing, ${report.different} different, ${report.extraneous} extraneous, ${report.foreign} not written for this container`;
    log.info({ report }, headline);
    if (!report.ok && ledgerMayStandForBucket(target)) await askForRelisting(config, target, log);
    try {
      writeTermination(config.terminationMessagePath, report, ['differences']);
    } catch (error) { log.warn({ err: messageOf(error) }, 'could not write the termination message'); }
    if (isOn(options, 'finish')) {
      if (report.ok) log.info({ removed: await removeOwnState(config, target, log) }, 'finished: the bucket holds only the containers\' objects');
      else log.warn('not finished: verify failed, so the copier\'s state stays in the bucket for the next run');
    }
    if (isOn(options, 'json')) options.print(JSON.stringify(report, null, 2));
    return report.ok ? EXIT.ok : EXIT.objectsFailed;
  } finally {
    await source.close().catch(() => undefined);
    target.close();
  }
}

/** A copy of this bucket may keep resync ledgers and skip the bucket's listing (TRUST_LEDGER_HOURS, sync/run.ts
 *  runLedgers), whatever this verify's own settings: changes made behind its back are then unseen until a full listing. */
function ledgerMayStandForBucket(target: S3Target): boolean {
  return target.etagsNameObjects();
}

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const printError = (line: string) => process.stderr.write(`swift-to-s3: ${line}\n`);
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    if (error instanceof ConfigError) { error.lines.forEach(printError); return EXIT.fatal; }
    throw error;
  }
  if (parsed.help) { print(usage(parsed.command)); return EXIT.ok; }
  for (const [flag, option] of Object.entries(OPTION_FLAGS)) {
    if (parsed.values[option.key] !== undefined && argv.some((arg) => arg === flag || arg.startsWith(`${flag}=`)) && !option.commands.includes(parsed.command)) {
      printError(`${flag} does not apply to ${parsed.command}: it is an option of ${option.commands.join(', ')}`);
      return EXIT.fatal;
    }
  }
  const secrets = VARIABLE_DOCS.filter((variable) => variable.secret).map((variable) => env[variable.name] ?? '');
  try {
    return await COMMANDS[parsed.command]!.run({ ...env, ...parsed.env }, { values: parsed.values, print, printError });
  } catch (error) {
    if (error instanceof ConfigError) { error.lines.forEach((line) => printError(scrub(line, secrets))); return EXIT.fatal; }
    if (error instanceof FatalError) { printError(scrub(error.message, secrets)); return exitOf(error); }
    printError(`internal error: ${scrub(messageOf(error), secrets)} (set LOG_LEVEL=debug for details)`);
    if (env.LOG_LEVEL === 'debug') process.stderr.write(`${scrub(String((error as Error)?.stack), secrets)}\n`);
    return EXIT.objectsFailed;
  }
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
