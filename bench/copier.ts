// The copier as the image runs it: dist/ compiled once with tsc (no type stripping at load), started with the node
// flags of the Containerfile's ENTRYPOINT, which must be the flags of the CLI's shebang too; and the summary it logs.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

export interface BuiltCopier {
  /** The compiled CLI (its imports resolve from the project's node_modules, a parent directory). */
  cli: string;
  /** The node flags the image starts it with. */
  nodeFlags: string[];
}

/** What the bench reads of the summary a run logs last (stdout, the line with "summary"); the newer fields are
 *  absent from an older copier's. */
export interface CopierSummary {
  copied: number; unchanged: number; adopted?: number; failed: number; listed: number; inShard: number; seconds: number; requests: Record<string, number>;
  listingSeconds?: { swift: number; s3: number };
  memory?: { peakHeapMiB: number; peakRssMiB: number };
  ledger?: { known: number; settled: number; learned: number; written: number; trusted?: number };
}

export function summaryOf(stdout: string): CopierSummary {
  const line = stdout.split('\n').reverse().find((text) => text.includes('"summary"'));
  if (!line) throw new Error(`swift-to-s3 logged no summary:\n${stdout.slice(-2000)}`);
  return JSON.parse(line).summary as CopierSummary;
}

/** The flags between `node` and the script in the Containerfile's exec-form ENTRYPOINT. */
export function entrypointFlags(containerfile: string): string[] {
  const line = containerfile.split('\n').find((text) => /^ENTRYPOINT\s*\[/.test(text));
  if (!line) throw new Error('the Containerfile has no exec-form ENTRYPOINT [...]');
  const words = JSON.parse(line.slice(line.indexOf('['))) as string[];
  if (words[0] !== 'node' || !words[words.length - 1]?.endsWith('cli.js')) throw new Error(`unexpected ENTRYPOINT ${line}`);
  return words.slice(1, -1);
}

/** The flags after `node` in a `#!/usr/bin/env -S node …` shebang. */
export function shebangFlags(source: string): string[] {
  const first = source.split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  if (!match) throw new Error(`unexpected shebang ${first}`);
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

/** The image's node flags; an error when the Containerfile and the CLI's shebang disagree. */
export function imageNodeFlags(): string[] {
  const image = entrypointFlags(readFileSync(join(PROJECT, 'Containerfile'), 'utf8'));
  const shebang = shebangFlags(readFileSync(join(PROJECT, 'src/cli.ts'), 'utf8'));
  if (image.join(' ') !== shebang.join(' ')) {
    throw new Error(`the Containerfile's ENTRYPOINT runs node ${image.join(' ')} but src/cli.ts's shebang node ${shebang.join(' ')}: keep them in step`);
  }
  return image;
}

/** Compiles src/ into `dir` (under the project, so node_modules resolves) with the build's tsconfig. */
export function buildCopier(dir: string): BuiltCopier {
  const outDir = resolve(PROJECT, dir);
  if (!outDir.startsWith(PROJECT)) throw new Error(`${outDir} is outside ${PROJECT}: the built CLI would not find node_modules`);
  rmSync(outDir, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(PROJECT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: PROJECT, stdio: 'inherit' });
  return { cli: join(outDir, 'cli.js'), nodeFlags: imageNodeFlags() };
}
