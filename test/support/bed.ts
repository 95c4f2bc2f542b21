// The test bed's endpoints (from test/bed/with-bed.ts) and fresh, uniquely named containers and buckets.
import { randomBytes } from 'node:crypto';
import { createBucket, testS3 } from './s3.ts';
import { putContainer, swiftLogin, type SwiftAccount } from './swift.ts';
import { s3api, type Target } from './targets.ts';
import { startCountingProxy, type CountingProxy, type FaultRule } from './counting-proxy.ts';

export interface TestBed {
  swiftAuthUrl: string; swiftUser: string; swiftKey: string;
  s3Endpoint: string; s3AccessKeyId: string; s3SecretAccessKey: string;
  proxyPort: number;
}

export function bed(): TestBed {
  const need = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the tests with "npm test" (test/bed/with-bed.ts starts Swift and S3)`);
    return value;
  };
  const s3Endpoint = need('BED_S3_ENDPOINT');
  return {
    swiftAuthUrl: need('BED_SWIFT_AUTH_URL'), swiftUser: need('BED_SWIFT_USER'), swiftKey: need('BED_SWIFT_KEY'),
    s3Endpoint, s3AccessKeyId: need('BED_S3_ACCESS_KEY_ID'), s3SecretAccessKey: need('BED_S3_SECRET_ACCESS_KEY'),
    proxyPort: Number(new URL(s3Endpoint).port),
  };
}

export function uniqueName(stem: string): string {
  return `${stem}-${randomBytes(4).toString('hex')}`;
}

export async function freshContainer(stem = 'users'): Promise<{ account: SwiftAccount; container: string }> {
  const b = bed();
  const account = await swiftLogin(b.swiftAuthUrl, b.swiftUser, b.swiftKey);
  const container = uniqueName(stem);
  await putContainer(account, container);
  return { account, container };
}

/** A new, empty bucket on `target` (s3api when not given) and an independent client for it. */
export async function freshBucket(target: Target = s3api(), stem = 'bucket') {
  const s3 = testS3(target.endpoint, target.accessKeyId, target.secretAccessKey);
  const bucket = uniqueName(stem);
  await createBucket(s3, bucket);
  return { s3, bucket, target };
}

/** The copier's environment for one container and bucket on the bed (on `endpoints.target`, s3api when not
 *  given; `endpoints.s3` replaces only its URL, e.g. with a counting proxy's); `overrides` win. */
export function copierEnv(container: string, bucket: string, overrides: Record<string, string> = {}, endpoints: { swift?: string; s3?: string; target?: Target } = {}): Record<string, string> {
  const b = bed();
  const target = endpoints.target ?? s3api();
  return {
    SWIFT_AUTH_URL: endpoints.swift ? `${endpoints.swift}/auth/v1.0` : b.swiftAuthUrl,
    SWIFT_USER: b.swiftUser,
    SWIFT_KEY: b.swiftKey,
    SWIFT_CONTAINERS: container,
    S3_ENDPOINT: endpoints.s3 ?? target.endpoint,
    BUCKET_NAME: bucket,
    AWS_ACCESS_KEY_ID: target.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
    PROGRESS_INTERVAL: '5',
    RETRY_BASE_DELAY: '50',
    TRANSFERS: '8',
    ...overrides,
  };
}

/** A counting (and fault-injecting) proxy in front of Swift and `target`: point SWIFT_AUTH_URL and S3_ENDPOINT at its url. */
export function proxyFor(target: Target, rules: FaultRule[] = [], lifetimeMs?: number): Promise<CountingProxy> {
  return startCountingProxy({ swift: bed().proxyPort, s3: target.port }, rules, lifetimeMs);
}
