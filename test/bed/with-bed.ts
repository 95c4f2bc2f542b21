// Runs one command with the local test bed up: Swift with its s3api, a real NooBaa data bucket (nbdb) and a real
// NooBaa NSFS bucket (nsfs), the three started at once; their endpoints reach the command as BED_* variables.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startBed, type Bed } from './bed.ts';
import { startNoobaa, type Noobaa, type NoobaaKind } from './noobaa.ts';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node test/bed/with-bed.ts <command> [args...]');
  process.exit(2);
}
const dir = resolve(process.env.BED_DIR ?? '.bed/swift');
const dirOf = (kind: NoobaaKind) => `${dir}-${kind}`;
const started = performance.now();
const kinds = ['nbdb', 'nsfs'] as const;
let swiftSeconds = 0;
const swift = startBed(dir).then((value) => { swiftSeconds = (performance.now() - started) / 1000; return value; });
const settled = await Promise.allSettled([swift, ...kinds.map((kind) => startNoobaa(kind, dirOf(kind)))]);
const running = settled.flatMap((result) => (result.status === 'fulfilled' && !('absent' in result.value) ? [result.value] : []));
const stopAll = () => Promise.all(running.map((server) => server.stop()));
const failed = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
if (failed.length > 0) {
  for (const error of failed) console.error(error instanceof Error ? error.message : String(error));
  await stopAll();
  process.exit(2);
}
const [bed, ...noobaas] = settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as [Bed, ...(Noobaa | { absent: string })[]];
console.error(`test bed: Swift and s3api on 127.0.0.1:${bed.proxyPort} (data in ${dir}; up in ${swiftSeconds.toFixed(1)} s)`);
const LABELS: Record<NoobaaKind, string> = { nbdb: 'NooBaa data bucket (nbdb)', nsfs: 'NooBaa NSFS (nsfs)' };
const noobaaEnv: Record<string, string> = {};
const absent: string[] = [];
for (const [index, kind] of kinds.entries()) {
  const noobaa = noobaas[index]!;
  if ('absent' in noobaa) {
    console.error(`test bed: ${LABELS[kind]} SKIPPED: ${noobaa.absent}; the copy tests do not run on ${kind}`);
    absent.push(kind);
    continue;
  }
  console.error(`test bed: ${LABELS[kind]} on ${noobaa.endpoint} (data in ${dirOf(kind)}; up in ${noobaa.startSeconds.toFixed(1)} s)`);
  const prefix = `BED_${kind.toUpperCase()}`;
  Object.assign(noobaaEnv, {
    [`${prefix}_ENDPOINT`]: noobaa.endpoint, [`${prefix}_ACCESS_KEY_ID`]: noobaa.accessKeyId, [`${prefix}_SECRET_ACCESS_KEY`]: noobaa.secretAccessKey,
  });
}
if (absent.length > 0 && process.env.BED_REQUIRE_NOOBAA === '1') {
  console.error(`test bed: both NooBaas are required here (BED_REQUIRE_NOOBAA=1), but ${absent.join(' and ')} is missing`);
  await stopAll();
  process.exit(2);
}
const env: NodeJS.ProcessEnv = {
  ...process.env,
  BED_SWIFT_AUTH_URL: bed.swiftAuthUrl,
  BED_SWIFT_USER: bed.swiftUser,
  BED_SWIFT_KEY: bed.swiftKey,
  BED_S3_ENDPOINT: bed.s3Endpoint,
  BED_S3_ACCESS_KEY_ID: bed.s3AccessKeyId,
  BED_S3_SECRET_ACCESS_KEY: bed.s3SecretAccessKey,
  ...noobaaEnv,
};
for (const kind of absent) for (const name of ['ENDPOINT', 'ACCESS_KEY_ID', 'SECRET_ACCESS_KEY']) delete env[`BED_${kind.toUpperCase()}_${name}`];
const [program, ...args] = command as [string, ...string[]];
const child = spawn(program, args, { stdio: 'inherit', env });
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code: number = await new Promise((done) => child.on('exit', (status, signal) => done(status ?? (signal ? 1 : 0))));
await stopAll();
process.exit(code);
