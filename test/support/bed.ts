// The test bed's endpoints (from test/bed/with-bed.ts) and fresh, uniquely named containers and buckets.
import { randomBytes } from 'node:crypto';
import { createBucket, testS3 } from './s3.ts';
import { putContainer, swiftLogin, type SwiftAccount } from './swift.ts';

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

export async function freshBucket(stem = 'bucket') {
  const b = bed();
  const s3 = testS3(b.s3Endpoint, b.s3AccessKeyId, b.s3SecretAccessKey);
  const bucket = uniqueName(stem);
  await createBucket(s3, bucket);
  return { s3, bucket };
}

/** The copier's environment for one container and bucket on the bed; `overrides` win. */
export function copierEnv(container: string, bucket: string, overrides: Record<string, string> = {}, endpoints: { swift?: string; s3?: string } = {}): Record<string, string> {
  const b = bed();
  return {
    SWIFT_AUTH_URL: endpoints.swift ? `${endpoints.swift}/auth/v1.0` : b.swiftAuthUrl,
    SWIFT_USER: b.swiftUser,
    SWIFT_KEY: b.swiftKey,
    SWIFT_CONTAINERS: container,
    S3_ENDPOINT: endpoints.s3 ?? b.s3Endpoint,
    BUCKET_NAME: bucket,
    AWS_ACCESS_KEY_ID: b.s3AccessKeyId,
    AWS_SECRET_ACCESS_KEY: b.s3SecretAccessKey,
    PROGRESS_INTERVAL: '5',
    RETRY_BASE_DELAY: '50',
    TRANSFERS: '8',
    ...overrides,
  };
}
