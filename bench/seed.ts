// The benchmark's data sets, seeded into the bed's Swift from the project's reproducible CUBE-like data set.
import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { contentOf, cubeDataset, eachLimit, seededRandom, type DatasetObject } from '../test/support/dataset.ts';
import { putContainer, putObject, type SwiftAccount } from '../test/support/swift.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Fixed seeds: the same sets on every machine and every run. */
export const SEEDS = { small: 20_261_125, large: 20_261_126, tiny: 20_261_127, scale: 20_261_128 } as const;

export const smallSet = (count: number): DatasetObject[] => cubeDataset(count, 1 * KiB, 256 * KiB, SEEDS.small);
export const largeSet = (count: number): DatasetObject[] => cubeDataset(count, 100 * MiB, 300 * MiB, SEEDS.large);
export const tinySet = (count: number): DatasetObject[] => cubeDataset(count, 0, 1 * KiB, SEEDS.tiny);

/** The scale section's two folders: one whose every name has an astral character (an emoji), one of plain names. */
export const SCALE_FOLDERS = { astral: 'home/jane/uploads/📷 scans/', plain: 'home/jane/uploads/plain scans/' } as const;
export type ScaleFolder = keyof typeof SCALE_FOLDERS;

/** `count` objects of 0–1 KiB, all in one of the scale section's folders. */
export function folderSet(folder: ScaleFolder, count: number): DatasetObject[] {
  const random = seededRandom(SEEDS.scale + (folder === 'astral' ? 1 : 2));
  return Array.from({ length: count }, (_, index) => ({ name: `${SCALE_FOLDERS[folder]}scan_${index}.dcm`, size: Math.floor(random() * (KiB + 1)) }));
}

/** `count` objects of 0–1 KiB: a tenth in each of the two folders, the rest CUBE-like. A smaller set is a subset of
 *  a larger one: each part is the start of the same sequence. */
export function scaleSet(count: number): DatasetObject[] {
  const folder = Math.round(count / 10);
  return [...cubeDataset(count - 2 * folder, 0, 1 * KiB, SEEDS.scale), ...folderSet('astral', folder), ...folderSet('plain', folder)];
}

/** Creates `container` and puts every object; large objects two at a time, so the seeding holds at most ~600 MiB. */
export async function seed(account: SwiftAccount, container: string, objects: readonly DatasetObject[], log: (line: string) => void): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  await putContainer(account, container);
  const large = objects.some((object) => object.size > 16 * MiB);
  let done = 0;
  let bytes = 0;
  await eachLimit(objects, large ? 2 : 16, async (object) => {
    await putObject(account, container, object.name, contentOf(object));
    bytes += object.size;
    if (++done % 10_000 === 0 || (large && done % 2 === 0)) log(`  seeded ${done}/${objects.length} into ${container}`);
  });
  return { seconds: (performance.now() - started) / 1000, bytes };
}

/** PUTs every object into `bucket` at `concurrency`, with the metadata the copier writes: a bucket the copier could
 *  have filled, for a target whose objects cannot be written any faster than through its S3 API. */
export async function seedBucket(s3: S3Client, bucket: string, container: string, objects: readonly DatasetObject[], concurrency: number, log: (line: string) => void): Promise<{ seconds: number }> {
  const started = performance.now();
  let done = 0;
  await eachLimit(objects, concurrency, async (object) => {
    const body = contentOf(object);
    const md5chksum = createHash('md5').update(body).digest('base64');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.name, Body: body, ContentType: 'application/octet-stream', Metadata: { md5chksum, 'swift-container': container } }));
    if (++done % 10_000 === 0) log(`  put ${done}/${objects.length} into ${bucket} (${(done / ((performance.now() - started) / 1000)).toFixed(0)} objects/s)`);
  });
  return { seconds: (performance.now() - started) / 1000 };
}
