// Replays the Containerfile without a container engine: each stage's WORKDIR, COPY and RUN steps run in a clean
// temporary folder (absolute paths of the image mapped under it), then the image's ENTRYPOINT runs `--help` as an
// arbitrary OpenShift UID in group 0, as restricted-v2 would start it, and with the args the chart renders for each
// mode. The test follows the file: change a step there and the replay changes with it.
//
// Two steps are stood in for, both said where they happen: the build stage's full `npm ci` (all dev dependencies,
// ~400 MB) is the repository's own node_modules, linked, since the repository was installed by that same command;
// and `npm cache clean` is skipped, as here it would empty the developer's npm cache rather than the image's.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { chartDir, helmBinary, helmVersions, type HelmVersion } from '../chart/helm.ts';
import type { Manifest } from '../chart/k8s-validate.ts';
import { render, valuesArgs, valuesFiles } from '../chart/render.ts';
import { contextFilter, execForm, keyValues, parseContainerfile, parseCopy, type Stage } from './containerfile.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const openShiftUid = 1000680000;

interface StageState { stage: Stage; root: string; workdir: string; env: Map<string, string>; labels: Map<string, string>; user: string; entrypoint: string[]; cmd: string[] }

/** The path inside the replayed image of stage root for an image path (absolute, or relative to workdir). */
function inImage(state: StageState, path: string): string {
  const absolute = posix.isAbsolute(path) ? path : posix.join(state.workdir, path);
  return join(state.root, absolute);
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(result.status, 0, `RUN ${command} failed:\n${result.stdout}\n${result.stderr}`);
}

async function replay(stages: Stage[], root: string): Promise<Map<string, StageState>> {
  const sendsToBuild = contextFilter(await readFile(join(repoRoot, '.containerignore'), 'utf8'));
  const states = new Map<string, StageState>();
  for (const stage of stages) {
    const state: StageState = { stage, root: join(root, `stage-${stage.name}`), workdir: '/', env: new Map(), labels: new Map(), user: '0', entrypoint: [], cmd: [] };
    await mkdir(state.root, { recursive: true });
    states.set(stage.name, state);
    for (const { op, args } of stage.instructions) {
      switch (op) {
        case 'WORKDIR':
          state.workdir = posix.resolve(state.workdir, args);
          await mkdir(inImage(state, '.'), { recursive: true });
          break;
        case 'COPY': {
          const { flags, sources, destination } = parseCopy(args);
          const from = flags.get('from');
          const source = from ? states.get(from) : undefined;
          if (from && !source) throw new Error(`COPY --from=${from}: no such stage`);
          const target = inImage(state, destination);
          for (const path of sources) {
            const origin = source ? inImage(source, path) : join(repoRoot, path);
            const into = destination.endsWith('/') && !(await stat(origin)).isDirectory() ? join(target, posix.basename(path)) : target;
            await cp(origin, into, {
              recursive: true,
              filter: (file) => source !== undefined || sendsToBuild(relative(repoRoot, file).split('\\').join('/')) || file === repoRoot,
            });
          }
          break;
        }
        case 'RUN': {
          const cwd = inImage(state, '.');
          const env = { ...process.env, ...Object.fromEntries(state.env), PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };
          for (const part of args.split('&&').map((p) => p.trim())) {
            if (/^npm cache clean\b/.test(part)) continue;
            if (/^npm ci\b/.test(part) && !/--omit=dev/.test(part)) {
              await symlink(join(repoRoot, 'node_modules'), join(cwd, 'node_modules'));
              continue;
            }
            const mapped = part.replace(/(^|\s)(\/[\w./-]*)/g, (_, space: string, path: string) => `${space}${join(state.root, path)}`);
            run(/^npm ci\b/.test(mapped) ? `${mapped} --prefer-offline` : mapped, cwd, env);
          }
          break;
        }
        case 'ENV':
          for (const [key, value] of keyValues(args)) state.env.set(key, value);
          break;
        case 'LABEL':
          for (const [key, value] of keyValues(args)) state.labels.set(key, value);
          break;
        case 'USER':
          state.user = args;
          break;
        case 'ENTRYPOINT':
          state.entrypoint = execForm(args);
          break;
        case 'CMD':
          state.cmd = execForm(args);
          break;
        case 'ARG':
          break;
        default:
          throw new Error(`the replay does not know ${op}: teach it, or keep the Containerfile to WORKDIR/COPY/RUN/ENV/LABEL/USER/ARG/ENTRYPOINT/CMD`);
      }
    }
  }
  return states;
}

describe('the container image, replayed from the Containerfile', () => {
  let root = '';
  let image: StageState;
  let stages: Stage[] = [];

  before(async () => {
    stages = parseContainerfile(await readFile(join(repoRoot, 'Containerfile'), 'utf8'));
    root = await mkdtemp(join(tmpdir(), 'swift-to-s3-image-'));
    await chmod(root, 0o755); // like an image's /, the unprivileged user may walk through it
    const states = await replay(stages, root);
    const last = stages[stages.length - 1];
    assert.ok(last);
    image = states.get(last.name) as StageState;
  });
  after(async () => { if (root) await rm(root, { recursive: true, force: true }); });

  test('builds in two stages, the image from the build stage\'s output only', () => {
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    const copies = image.stage.instructions.filter((i) => i.op === 'COPY').map((i) => parseCopy(i.args).flags.get('from')).filter(Boolean);
    assert.deepEqual(copies, [stages[0]?.name], 'the runtime stage copies from the build stage');
  });

  test('runs node /app/dist/cli.js copy as a non-root user, and is labelled', () => {
    assert.deepEqual(image.entrypoint, ['node', '--max-semi-space-size=4', '--heap-growing-percent=50', '/app/dist/cli.js']);
    assert.deepEqual(image.cmd, ['copy']);
    assert.match(image.user, /^[1-9][0-9]*$/, 'a numeric non-root USER');
    for (const label of ['title', 'description', 'source', 'licenses', 'version']) {
      assert.ok(image.labels.get(`org.opencontainers.image.${label}`), `label org.opencontainers.image.${label}`);
    }
  });

  test('holds only the built CLI and production dependencies', async () => {
    const app = inImage(image, '/app');
    assert.deepEqual((await readdir(app)).sort(), ['dist', 'node_modules', 'package-lock.json', 'package.json']);
    assert.ok(existsSync(join(app, 'dist', 'cli.js')));
    assert.ok(existsSync(join(app, 'node_modules', 'envalid')), 'a production dependency is there');
    for (const dev of ['typescript', 'kubernetes-models', '@aws-cdk', 'node']) {
      assert.ok(!existsSync(join(app, 'node_modules', dev)), `dev dependency ${dev} is not in the image`);
    }
    const ours = (await readdir(inImage(image, '/'), { recursive: true })).map(String).filter((path) => !path.startsWith('app/node_modules/'));
    assert.deepEqual(ours.filter((path) => /(^|\/)(test|\.bed|\.git|helm|src)(\/|$)/.test(path)), [], 'no tests, test bed, git, chart or sources');
    assert.deepEqual(ours.filter((path) => path.endsWith('.ts')), [], 'no TypeScript');
  });

  test('gives group 0 the owner rights, for an arbitrary UID in group 0', async () => {
    for (const path of ['/app', '/app/dist/cli.js', '/app/node_modules']) {
      const info = await stat(inImage(image, path));
      assert.equal(info.gid, 0, `${path} is in group 0`);
      assert.equal((info.mode >> 3) & 0o7, (info.mode >> 6) & 0o7, `${path}: group rights equal owner rights`);
    }
  });

  test('the build context sends no secrets, test data or local installs', () => {
    const sends = contextFilter(readFileSync(join(repoRoot, '.containerignore'), 'utf8'));
    for (const kept of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/cli.ts']) assert.ok(sends(kept), kept);
    for (const left of ['test/chart/chart.test.ts', 'test/bed/bed.ts', '.bed/helm/v3/helm', 'node_modules/typescript/package.json', 'dist/cli.js', '.git/config', 'helm/swift-to-s3/values.yaml', '.env', 'src/.env', 'src/sync/shard.test.ts', 'src/ca.pem']) {
      assert.ok(!sends(left), `${left} stays out of the build context`);
    }
  });

  test(`node dist/cli.js --help exits 0 and prints usage as UID ${openShiftUid}, group 0`, async (t) => {
    if (process.getuid?.() !== 0) t.diagnostic('not root: running as the current user instead of an OpenShift UID');
    const { code, output } = await runImage(image, ['--help']);
    assert.equal(code, 0, `exit ${code}\n${output}`);
    assert.match(output, /swift-to-s3/);
  });

  // The chart's container sets args: [mode] and no command: the image's ENTRYPOINT must be the CLI and its CMD a
  // mode, or the pods run something else than the chart says. Rendered by real Helm, run in the replayed image.
  test('the chart runs the image\'s ENTRYPOINT with args [mode] for every mode its schema allows', async () => {
    const schema = JSON.parse(await readFile(join(chartDir, 'values.schema.json'), 'utf8')) as { properties: { mode: { enum: string[] } } };
    const modes = schema.properties.mode.enum;
    assert.ok(modes.length > 0, 'the schema lists the modes');
    const values = parse(await readFile(join(chartDir, 'values.yaml'), 'utf8')) as { mode: string };
    assert.deepEqual(image.cmd, [values.mode], 'the image alone does what the chart does by default');
    const helm = await helmBinary(helmVersions[0] as HelmVersion);
    for (const mode of modes) {
      const copiers = copierContainers(await render(helm, [...valuesArgs(valuesFiles[0]), '--set', `mode=${mode}`]));
      assert.ok(copiers.length > 0, `mode=${mode}: the chart renders a copier container`);
      for (const copier of copiers) {
        assert.equal(copier['command'], undefined, `mode=${mode}: no command, so the image's ENTRYPOINT runs`);
        assert.deepEqual(copier['args'], [mode], `mode=${mode}: args replace the image's CMD`);
      }
      const { code, output } = await runImage(image, [mode, '--help']);
      assert.equal(code, 0, `ENTRYPOINT ${mode} --help: exit ${code}\n${output}`);
      assert.match(output, new RegExp(`swift-to-s3 ${mode} `), `the CLI knows the command ${mode}`);
    }
  });
});

/** Every container named copier in rendered manifests, wherever its pod template sits (Job, CronJob). */
function copierContainers(manifests: Manifest[]): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record['containers'])) {
      found.push(...(record['containers'] as Record<string, unknown>[]).filter((c) => c['name'] === 'copier'));
    }
    Object.values(record).forEach(walk);
  };
  walk(manifests);
  return found;
}

/** Runs the replayed image's ENTRYPOINT with args, as an OpenShift UID in group 0 where the test runs as root. */
async function runImage(state: StageState, args: string[]): Promise<{ code: number | null; output: string }> {
  const [program, ...entrypointArgs] = state.entrypoint;
  assert.equal(program, 'node');
  const argv = [...entrypointArgs.map((a) => (isAbsolute(a) ? inImage(state, a) : a)), ...args];
  const child = spawn(process.execPath, argv, {
    cwd: inImage(state, '/'),
    env: { PATH: '/usr/bin:/bin', HOME: '/tmp', ...Object.fromEntries(state.env) },
    ...(process.getuid?.() === 0 ? { uid: openShiftUid, gid: 0 } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, output };
}
