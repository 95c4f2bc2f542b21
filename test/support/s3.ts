// S3 helpers for tests: a client for the test bed, bucket set-up, and an independent read-back of every object.
import { createHash } from 'node:crypto';
import {
  S3Client, CreateBucketCommand, ListObjectsV2Command, GetObjectCommand, DeleteObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { isOwnState } from '../../src/sync/own-state.ts';

export function testS3(endpoint: string, accessKeyId: string, secretAccessKey: string): S3Client {
  return new S3Client({
    endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Every key under a prefix; with `ledgers: false` (the default) not the copier's own state (resync ledgers on
 *  NooBaa NSFS, another run's probe in flight), which is not objects of a container (the ledger and probe tests look). */
export async function listKeys(s3: S3Client, bucket: string, prefix = '', { ledgers = false } = {}): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token, EncodingType: 'url' }));
    for (const item of page.Contents ?? []) keys.push(decodeURIComponent(item.Key!.replaceAll('+', ' ')));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return ledgers ? keys : keys.filter((key) => !isOwnState(key));
}

/** Every object under a prefix, downloaded and hashed: the independent view of the destination. */
export async function readAllS3(s3: S3Client, bucket: string, prefix = ''): Promise<Map<string, { size: number; md5: string }>> {
  const out = new Map<string, { size: number; md5: string }>();
  for (const key of await listKeys(s3, bucket, prefix)) {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await answer.Body!.transformToByteArray());
    out.set(key.slice(prefix.length), { size: body.length, md5: createHash('md5').update(body).digest('hex') });
  }
  return out;
}

export async function headObject(s3: S3Client, bucket: string, key: string) {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

export async function deleteKey(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

export async function openUploadCount(s3: S3Client, bucket: string): Promise<number> {
  const answer = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (answer.Uploads ?? []).length;
}
