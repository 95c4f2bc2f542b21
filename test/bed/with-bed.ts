// Runs one command with the local Swift + S3 test bed up, passing its endpoints as BED_* variables.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startBed } from './bed.ts';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: node test/bed/with-bed.ts <command> [args...]');
  process.exit(2);
}
const dir = resolve(process.env.BED_DIR ?? '.bed/swift');
const bed = await startBed(dir);
console.error(`test bed: Swift and S3 on 127.0.0.1:${bed.proxyPort} (data in ${dir})`);
const env = {
  ...process.env,
  BED_SWIFT_AUTH_URL: bed.swiftAuthUrl,
  BED_SWIFT_USER: bed.swiftUser,
  BED_SWIFT_KEY: bed.swiftKey,
  BED_S3_ENDPOINT: bed.s3Endpoint,
  BED_S3_ACCESS_KEY_ID: bed.s3AccessKeyId,
  BED_S3_SECRET_ACCESS_KEY: bed.s3SecretAccessKey,
};
const [program, ...args] = command as [string, ...string[]];
const child = spawn(program, args, { stdio: 'inherit', env });
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code: number = await new Promise((done) => child.on('exit', (status, signal) => done(status ?? (signal ? 1 : 0))));
await bed.stop();
process.exit(code);
