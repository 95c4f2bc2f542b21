// The benchmark's data sets, seeded into the bed's Swift from the project's reproducible CUBE-like data set.
import { contentOf, cubeDataset, eachLimit, type DatasetObject } from '../test/support/dataset.ts';
import { putContainer, putObject, type SwiftAccount } from '../test/support/swift.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Fixed seeds: the same sets on every machine and every run. */
export const SEEDS = { small: 20_261_125, large: 20_261_126, tiny: 20_261_127 } as const;

export const smallSet = (count: number): DatasetObject[] => cubeDataset(count, 1 * KiB, 256 * KiB, SEEDS.small);
export const largeSet = (count: number): DatasetObject[] => cubeDataset(count, 100 * MiB, 300 * MiB, SEEDS.large);
export const tinySet = (count: number): DatasetObject[] => cubeDataset(count, 0, 1 * KiB, SEEDS.tiny);

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
