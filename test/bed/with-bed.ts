// Runs one command with the local test bed up: Swift with its s3api, and a real NooBaa NSFS as the second S3
// server; their endpoints reach the command as BED_* variables.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startBed } from './bed.ts';
import { startNoobaa } from './noobaa.ts';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node test/bed/with-bed.ts <command> [args...]');
  process.exit(2);
}
const dir = resolve(process.env.BED_DIR ?? '.bed/swift');
const noobaaDir = `${dir}-noobaa`;
const [bed, noobaa] = await Promise.all([startBed(dir), startNoobaa(noobaaDir)]);
console.error(`test bed: Swift and s3api on 127.0.0.1:${bed.proxyPort} (data in ${dir})`);
const noobaaEnv: Record<string, string> = {};
if ('absent' in noobaa) {
  if (process.env.BED_REQUIRE_NOOBAA === '1') {
    console.error(`test bed: NooBaa is required here (BED_REQUIRE_NOOBAA=1) but ${noobaa.absent}`);
    await bed.stop();
    process.exit(2);
  }
  console.error(`test bed: NooBaa half SKIPPED: ${noobaa.absent}; every copy test runs on s3api only`);
} else {
  console.error(`test bed: NooBaa NSFS on ${noobaa.endpoint} (data in ${noobaaDir})`);
  Object.assign(noobaaEnv, {
    BED_NOOBAA_ENDPOINT: noobaa.endpoint, BED_NOOBAA_ACCESS_KEY_ID: noobaa.accessKeyId, BED_NOOBAA_SECRET_ACCESS_KEY: noobaa.secretAccessKey,
  });
}
const env = {
  ...process.env,
  BED_SWIFT_AUTH_URL: bed.swiftAuthUrl,
  BED_SWIFT_USER: bed.swiftUser,
  BED_SWIFT_KEY: bed.swiftKey,
  BED_S3_ENDPOINT: bed.s3Endpoint,
  BED_S3_ACCESS_KEY_ID: bed.s3AccessKeyId,
  BED_S3_SECRET_ACCESS_KEY: bed.s3SecretAccessKey,
  ...noobaaEnv,
};
const [program, ...args] = command as [string, ...string[]];
const child = spawn(program, args, { stdio: 'inherit', env });
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code: number = await new Promise((done) => child.on('exit', (status, signal) => done(status ?? (signal ? 1 : 0))));
await Promise.all([bed.stop(), 'absent' in noobaa ? undefined : noobaa.stop()]);
process.exit(code);
