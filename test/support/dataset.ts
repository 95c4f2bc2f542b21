// A reproducible CUBE-like data set (fixed seed): the names and sizes ChRIS keeps in its Swift container.

/** mulberry32: a tiny, well-known seeded PRNG, so the same seed gives the same data on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DatasetObject { name: string; size: number }

const USERS = ['chris', 'rudolph', 'jennings', 'gaurav', 'sandip'];
const PLUGINS = ['pl-dircopy', 'pl-dcm2niix', 'pl-fshack', 'pl-mri10yr06mo01da_normal', 'pl-simpledsapp'];

/** `count` objects of `minSize`..`maxSize` bytes in CUBE's layout: home/<user>/feeds/feed_<n>/<plugin>_<n>/data/..., uploads, SHARED, PUBLIC, PIPELINES, SERVICES/PACS. */
export function cubeDataset(count: number, minSize: number, maxSize: number, seed = 20261125): DatasetObject[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const objects = new Map<string, number>();
  for (let i = 0; objects.size < count; i++) {
    const user = pick(USERS);
    const roll = random();
    const name =
      roll < 0.7 ? `home/${user}/feeds/feed_${1 + Math.floor(random() * 200)}/${pick(PLUGINS)}_${1 + Math.floor(random() * 900)}/data/slice_${i}.dcm`
      : roll < 0.85 ? `home/${user}/uploads/study ${Math.floor(random() * 50)}/scan_${i}.nii.gz`
      : roll < 0.9 ? `SHARED/${user}_link_${i}.chrislink`
      : roll < 0.94 ? `PUBLIC/feed_${i}.chrislink`
      : roll < 0.97 ? `PIPELINES/${user}/pipeline_${i}.yml`
      : `SERVICES/PACS/MINICHRISORTHANC/${1000 + Math.floor(random() * 9000)}-Anonymized/MR-Brain_${i}/0000${i % 10}.dcm`;
    objects.set(name, minSize + Math.floor(random() * (maxSize - minSize + 1)));
  }
  return [...objects].map(([name, size]) => ({ name, size }));
}

/** Deterministic content for an object: the same name and size always give the same bytes. */
export function contentOf(object: DatasetObject, seed = 1): Buffer {
  const random = seededRandom(seed ^ hashName(object.name));
  const buffer = Buffer.allocUnsafe(object.size);
  for (let offset = 0; offset < object.size; offset += 4) {
    const word = Math.floor(random() * 4294967296);
    if (offset + 4 <= object.size) buffer.writeUInt32LE(word, offset);
    else for (let i = offset; i < object.size; i++) buffer[i] = (word >>> ((i - offset) * 8)) & 0xff;
  }
  return buffer;
}

function hashName(name: string): number {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}
