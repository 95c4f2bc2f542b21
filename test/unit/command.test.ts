// The swift-to-s3 command on a user's machine, got the way the README says: its code block runs as written in a copy
// of the checkout (npm ci stood in for by the checkout's own node_modules, linked), from a shell whose PATH has the
// machine's node first, then the command answers --help from another folder and `status` says in one line that
// there is no kubeconfig. Builds the CLI once (tsc, about 10 s); needs npm, as the README does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const HEADING = '## The `swift-to-s3` command on your machine';

/** The README's code block that gets the command, line by line. */
function documentedBlock(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n${HEADING}\n`);
  assert.ok(at >= 0, `the README has a section "${HEADING}"`);
  const block = readme.slice(at).split('```sh\n')[1]?.split('```')[0];
  assert.ok(block, 'that section shows the commands in a sh block');
  return block.trim().split('\n');
}

let root = '';
let checkout = '';
let elsewhere = '';
let env: NodeJS.ProcessEnv = {};

/** Runs a bash script with aliases on, as an interactive shell would, in the user's environment. */
function bash(script: string, cwd: string) {
  return spawnSync('bash', ['-c', `shopt -s expand_aliases\n${script}`], { cwd, env, encoding: 'utf8', timeout: 180_000 });
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'command-'));
  checkout = join(root, 'swift-to-s3');
  elsewhere = join(root, 'elsewhere');
  await mkdir(checkout);
  await mkdir(join(root, 'home'));
  await mkdir(elsewhere);
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) await cp(join(repoRoot, file), join(checkout, file));
  await cp(join(repoRoot, 'src'), join(checkout, 'src'), { recursive: true });
  await symlink(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'));
  // The machine's PATH without any node_modules/.bin (npm test puts the checkout's first): its node is whatever
  // the machine has, so only the documented way decides which Node runs the command. No kubeconfig anywhere.
  const path = (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter).filter((dir) => !dir.endsWith(join('node_modules', '.bin'))).join(delimiter);
  env = { PATH: path, HOME: join(root, 'home'), LANG: 'C.UTF-8', npm_config_offline: 'true', npm_config_update_notifier: 'false' };
});

after(async () => { await rm(root, { recursive: true, force: true }); });

test('package.json\'s bin is dist/cli.js, which npm run build writes', async () => {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
  assert.deepEqual(pkg.bin, { 'swift-to-s3': 'dist/cli.js' });
  assert.match(pkg.scripts['build'] ?? '', /tsc -p tsconfig\.build\.json/);
});

test('the README\'s way to get the command builds it and answers --help from another folder, and status without a kubeconfig in one line', () => {
  const block = documentedBlock();
  assert.match(block[0]!, /^npm ci && npm run build\b/);
  // npm ci is the install this checkout already had: its node_modules is linked in.
  const script = [...block.map((line, i) => (i === 0 ? line.replace(/^npm ci && /, '') : line.replace(/^swift-to-s3 /, `cd ${elsewhere} && swift-to-s3 `)))].join('\n');
  const run = bash(`set -e\n${script}`, checkout);
  assert.equal(run.status, 0, `${script}\n${run.stdout}\n${run.stderr}`);
  assert.match(readFileSync(join(checkout, 'dist', 'cli.js'), 'utf8').split('\n')[0]!, /^#!\/usr\/bin\/env -S node\b/);
  assert.match(run.stdout, /^swift-to-s3 copy \[--flag value \.\.\.\]/m);
  assert.match(run.stdout, /^ {2}status /m);

  const alias = block.find((line) => line.startsWith('alias swift-to-s3='));
  assert.ok(alias, 'the block defines the command');
  const withoutComment = (line: string) => line.replace(/\s+#.*$/, '');
  assert.ok(readFileSync(join(repoRoot, 'README.md'), 'utf8').split('\n').some((line) => withoutComment(line) === `npm ci && npm run build && ${withoutComment(alias)}`),
    'the OpenShift steps get the command the same way, in one line');
  const status = bash(`${alias}\ncd ${elsewhere}\nswift-to-s3 status --release cube-files -n cube`, checkout);
  assert.equal(status.status, 2, status.stderr);
  assert.equal(status.stderr, 'swift-to-s3: no kubeconfig: set KUBECONFIG or log in (oc login / kubectl config)\n');
  // The flags of the CLI's shebang (and the image's ENTRYPOINT): without them a copy of a CUBE-like mix peaked at
  // 235-279 MiB of RSS instead of 158-168 (bench/RESULTS.md, issue 20).
  const shebangFlags = /^#!\/usr\/bin\/env -S node((?: --[\w-]+=\S+)*)$/.exec(readFileSync(join(repoRoot, 'src', 'cli.ts'), 'utf8').split('\n')[0]!)?.[1]?.trim();
  assert.ok(shebangFlags, 'the shebang names its node flags');
  assert.ok(alias.includes(`/node ${shebangFlags} $PWD/dist/cli.js`), 'the alias starts node with the shebang\'s flags');
  const version = bash(`${alias.replace('$PWD/dist/cli.js', '-p process.version')}\nswift-to-s3`, checkout);
  assert.match(version.stdout, /^v24\./, 'the alias runs the checkout\'s Node 24, whatever node the machine has');
});

// After the build above (tests in a file run in order).
test('in the checkout, npx swift-to-s3 runs the same command with the checkout\'s Node 24', () => {
  const help = bash('npx swift-to-s3 --help', checkout);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^swift-to-s3 copy /m);
  const node = bash('npx -c \'node --version\'', checkout);
  assert.match(node.stdout, /^v24\./, node.stderr);
});
