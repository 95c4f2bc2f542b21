// The resync ledgers a copy by swift-to-s3 leaves in a NooBaa NSFS bucket, written straight into the bucket's
// directory beside objects seeded on disk (bench/seed-disk.ts): a bucket that swift-to-s3 filled has them, so its
// resyncs start from them. Without them each SHARD_COUNT's first resync settles every object by a HEAD (about 220
// objects/s of NooBaa here: 75 minutes a million), which the scale section measures once, on the smaller set.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { packKnown } from '../src/sync/known.ts';
import { entryLine, headerLine, trailerLine } from '../src/sync/ledger-format.ts';
import { writeGzippedLines } from '../src/sync/ledger-file.ts';
import { ledgerName } from '../src/sync/ledger.ts';
import { compareUtf8 } from '../src/order.ts';
import { shardOf } from '../src/sync/shard.ts';
import { contentOf, eachLimit, type DatasetObject } from '../test/support/dataset.ts';

interface Entry { name: string; etag: string; md5: string; size: number }

/** NooBaa NSFS's ETag of a file it serves (namespace_fs.js, _get_version_id_by_stat): its mtime in ns and inode, base
 *  36. The mtime is the nearest double to the nanoseconds, not the exact count (measured: 30 of 30 PUTs). */
export async function nsfsEtag(path: string): Promise<string> {
  const { mtimeNs, ino } = await stat(path, { bigint: true });
  return `mtime-${BigInt(Number(mtimeNs)).toString(36)}-ino-${ino.toString(36)}`;
}

async function entriesOf(bucketDir: string, objects: readonly DatasetObject[]): Promise<Entry[]> {
  const entries: Entry[] = [];
  await eachLimit(objects, 64, async (object) => {
    const md5 = createHash('md5').update(contentOf(object)).digest('hex');
    entries.push({ name: object.name, etag: await nsfsEtag(join(bucketDir, object.name)), md5, size: object.size });
  });
  return entries.sort((a, b) => compareUtf8(a.name, b.name));
}

/** Writes, for each SHARD_COUNT, every shard's complete ledger of `objects` (in `bucketDir` as NSFS stores them), as
 *  a copy that listed the bucket just now would have written it. */
export async function seedLedgers(bucketDir: string, container: string, objects: readonly DatasetObject[], shardCounts: readonly number[]): Promise<{ seconds: number; ledgers: number }> {
  const started = performance.now();
  const entries = await entriesOf(bucketDir, objects);
  const listedAt = new Date().toISOString();
  let ledgers = 0;
  for (const shardCount of shardCounts) {
    const shards = Array.from({ length: shardCount }, () => [] as Entry[]);
    for (const entry of entries) shards[shardOf(container, entry.name, shardCount)]!.push(entry);
    for (const [shard, mine] of shards.entries()) {
      const identity = { container, shard, shardCount };
      const path = join(bucketDir, ledgerName(identity));
      mkdirSync(dirname(path), { recursive: true, mode: 0o770 });
      await writeGzippedLines(path, [
        headerLine(identity, { complete: true, listedAt }),
        ...mine.map((entry) => entryLine(entry.name, packKnown(entry))),
        trailerLine(mine.length),
      ]);
      ledgers++;
    }
  }
  return { seconds: (performance.now() - started) / 1000, ledgers };
}
