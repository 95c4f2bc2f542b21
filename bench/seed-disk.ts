// Seeding at a million objects: the objects streamed to bench/seed-disk.py, which writes them straight onto the bed's
// disks (Swift through its own DiskFile and ContainerBroker; a NooBaa NSFS bucket as the files and xattrs NooBaa
// keeps), a few processes at once. Measured on the bed: Swift's bulk upload (PUT ?extract-archive=tar) took 11 ms of
// Swift's CPU per object, about 60 objects/s here; this path is several times faster.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { contentOf, type DatasetObject } from '../test/support/dataset.ts';

const SCRIPT = fileURLToPath(new URL('./seed-disk.py', import.meta.url));
/** The Python that runs the bed's Swift servers (its packages), not whichever python3 comes first on PATH. */
const PYTHON = '/usr/bin/python3';
/** Objects per write to a seeder's stdin. */
const BATCH = 256;

export type DiskTarget =
  | { kind: 'swift'; bedDir: string; account: string; container: string }
  | { kind: 'nsfs'; bucketDir: string; container: string };

/** One object as seed-disk.py reads it: the lengths of its name and body, then both. */
function frame(object: DatasetObject): Buffer {
  const name = Buffer.from(object.name);
  const body = contentOf(object);
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32LE(name.length, 0);
  lengths.writeUInt32LE(body.length, 4);
  return Buffer.concat([lengths, name, body]);
}

function argsOf(target: DiskTarget): string[] {
  return target.kind === 'swift' ? ['swift', target.bedDir, target.account, target.container] : ['nsfs', target.bucketDir, target.container];
}

/** Writes every `every`-th object from `first` to the seeder, waiting when its pipe is full. */
async function feed(child: ChildProcessWithoutNullStreams, objects: readonly DatasetObject[], first: number, every: number, exited: Promise<unknown>): Promise<void> {
  let batch: Buffer[] = [];
  const flush = async () => {
    const full = !child.stdin.write(Buffer.concat(batch));
    batch = [];
    if (full) await Promise.race([once(child.stdin, 'drain'), exited]);
  };
  for (let at = first; at < objects.length; at += every) {
    batch.push(frame(objects[at]!));
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  child.stdin.end();
}

/** One seeder process for its share of `objects`; it must say it wrote exactly that share. */
async function seedShare(target: DiskTarget, objects: readonly DatasetObject[], first: number, every: number): Promise<void> {
  const child = spawn(PYTHON, [SCRIPT, ...argsOf(target)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A seeder that dies leaves its pipe broken: its exit code tells why, not the EPIPE.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done(code ?? -1));
  });
  await feed(child, objects, first, every, exited);
  const code = await exited;
  const expected = Math.ceil((objects.length - first) / every);
  const written = code === 0 ? (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { objects?: number }).objects : undefined;
  if (written !== expected) throw new Error(`seed-disk.py ${argsOf(target).join(' ')} exited ${code} having written ${written ?? '?'} of ${expected} objects:\n${stderr.slice(-3000)}`);
}

/** Writes `objects` onto `target`'s disk with `processes` seeders at once. */
export async function seedOnDisk(target: DiskTarget, objects: readonly DatasetObject[], processes = 2): Promise<{ seconds: number }> {
  const started = performance.now();
  const count = Math.max(1, Math.min(processes, objects.length));
  await Promise.all(Array.from({ length: count }, (_, first) => seedShare(target, objects, first, count)));
  return { seconds: (performance.now() - started) / 1000 };
}
