// The embedded default: seeds a CUBE-like data set into the local Swift, copies it as four shards in parallel (as
// four pods of an Indexed Job would) into one S3 of the bed, then verifies every object. Run by `npm run demo`.
// The target is the real NooBaa data bucket (nbdb, what a default ObjectBucketClaim gives), else s3api;
// DEMO_TARGET=s3api, nbdb or nsfs (the NooBaa NSFS bucket) picks one.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bed, uniqueName } from '../test/support/bed.ts';
import { nbdb, nsfs, s3api, type Target, type TargetName } from '../test/support/targets.ts';
import { contentOf, cubeDataset, eachLimit } from '../test/support/dataset.ts';
import { createBucket, testS3 } from '../test/support/s3.ts';
import { putContainer, putObject, swiftLogin } from '../test/support/swift.ts';

const SHARDS = 4;
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function run(args: string[], env: Record<string, string>, label: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        try {
          const entry = JSON.parse(line);
          if (entry.summary || entry.report || entry.level !== 'info') console.log(`[${label}] ${entry.msg}`);
        } catch { console.log(`[${label}] ${line}`); }
      }
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const endpoints = bed();
const account = await swiftLogin(endpoints.swiftAuthUrl, endpoints.swiftUser, endpoints.swiftKey);
const container = 'users';
await putContainer(account, container);
const objects = [...cubeDataset(600, 0, 256 * 1024), { name: 'home/chris/uploads/big/brain-volume.nii', size: 24 * 1024 * 1024 }];
console.log(`seeding ${objects.length} CUBE-like objects into Swift container "${container}" ...`);
await eachLimit(objects, 8, (object) => putObject(account, container, object.name, contentOf(object)));

const onBed: Record<TargetName, () => Target | undefined> = { s3api, nbdb, nsfs };
const wanted = process.env.DEMO_TARGET;
if (wanted !== undefined && !Object.hasOwn(onBed, wanted)) { console.error(`DEMO_TARGET "${wanted}" must be s3api, nbdb or nsfs`); process.exit(2); }
const chosen = onBed[(wanted ?? 'nbdb') as TargetName]();
if (!chosen && wanted) { console.error(`DEMO_TARGET=${wanted}, but the bed has no ${wanted} (../shared/noobaa/${wanted} is absent; set ${wanted.toUpperCase()}_SCRIPT)`); process.exit(2); }
if (!chosen) console.log('the bed has no NooBaa data bucket (../shared/noobaa/nbdb is absent; set NBDB_SCRIPT): migrating into s3api instead');
const target = chosen ?? s3api();

const bucket = uniqueName('cube-files');
await createBucket(testS3(target.endpoint, target.accessKeyId, target.secretAccessKey), bucket);
const env = {
  SWIFT_AUTH_URL: endpoints.swiftAuthUrl, SWIFT_USER: endpoints.swiftUser, SWIFT_KEY: endpoints.swiftKey, SWIFT_CONTAINERS: container,
  S3_ENDPOINT: target.endpoint, BUCKET_NAME: bucket, AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
  SHARD_COUNT: String(SHARDS), MULTIPART_THRESHOLD: '16MiB', TRANSFERS: '8',
};
console.log(`copying into ${target.name} bucket "${bucket}" as ${SHARDS} shards in parallel ...`);
const codes = await Promise.all(Array.from({ length: SHARDS }, (_, index) => run(['copy'], { ...env, JOB_COMPLETION_INDEX: String(index) }, `${target.name} shard ${index}`)));
console.log(`${target.name}: shard exit codes: ${codes.join(' ')}`);
console.log(`${target.name}: verifying every object (keys, sizes, MD5s) ...`);
const verified = await run(['verify', '--all'], env, `${target.name} verify`);
const ok = codes.every((code) => code === 0) && verified === 0;
console.log(ok ? `${target.name}: ${objects.length} objects migrated and verified` : `${target.name}: FAILED`);
console.log(ok ? 'demo OK' : 'demo FAILED');
process.exit(ok ? 0 : 1);
