// The copier image as a container runtime sees it, read from the Containerfile: its last stage's ENTRYPOINT, CMD,
// ENV and WORKDIR, and where the program it runs lives in this repository.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { execForm, keyValues, parseContainerfile, parseCopy } from '../container/containerfile.ts';
import { repoRoot } from '../chart/helm.ts';

export interface Image {
  entrypoint: string[];
  cmd: string[];
  env: Map<string, string>;
  workdir: string;
  /** The repository file that stands for a path inside the image, or undefined when the image has no such file here. */
  sourceOf(imagePath: string): string | undefined;
}

/**
 * The image's dist/*.js are tsc's output of src/*.ts (tsconfig.build.json: rootDir src, outDir dist), copied from
 * the build stage into the runtime stage's WORKDIR. The pod runner runs the TypeScript source with Node's type
 * stripping instead of a tsc build: the same program (tsconfig's erasableSyntaxOnly keeps it so), without a
 * compile step per test run; test/container/replay.test.ts is the test that builds and runs dist/ itself.
 */
export function readImage(containerfile = join(repoRoot, 'Containerfile')): Image {
  const stages = parseContainerfile(readFileSync(containerfile, 'utf8'));
  const runtime = stages[stages.length - 1];
  if (!runtime) throw new Error(`${containerfile}: no stage`);
  const env = new Map<string, string>();
  let workdir = '/';
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  const copiedDirs: string[] = [];
  for (const { op, args } of runtime.instructions) {
    if (op === 'WORKDIR') workdir = posix.resolve(workdir, args);
    else if (op === 'ENV') for (const [key, value] of keyValues(args)) env.set(key, value);
    else if (op === 'ENTRYPOINT') { entrypoint = execForm(args); cmd = []; }
    else if (op === 'CMD') cmd = execForm(args);
    else if (op === 'COPY') {
      const { flags, destination } = parseCopy(args);
      if (flags.has('from')) copiedDirs.push(posix.resolve(workdir, destination));
    }
  }
  const build = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
  const { rootDir, outDir } = build.compilerOptions;
  const distInImage = copiedDirs.find((dir) => posix.basename(dir) === outDir);
  return {
    entrypoint, cmd, env, workdir,
    sourceOf(imagePath) {
      if (!distInImage || !imagePath.startsWith(`${distInImage}/`) || !imagePath.endsWith('.js')) return undefined;
      return join(repoRoot, rootDir, imagePath.slice(distInImage.length + 1).replace(/\.js$/, '.ts'));
    },
  };
}
