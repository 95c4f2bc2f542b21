// Every `helm install`, `helm upgrade` and `helm template` the documents show works as written: each is read out of
// README.md, docs/*.md, the chart README (code blocks, with line continuations joined, and inline code) and the
// NOTES helm install prints, and rendered with `helm template` with the same release, chart, namespace and values.
// An upgrade that reuses values (--reuse-values, --reset-then-reuse-values) is rendered on top of what the same
// document installed before it, as Helm would. Each must render and must name the image: the chart's default image
// is not published for you, so a command without image.repository ends in ImagePullBackOff.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { chartDir, helmBinary, helmVersions, repoRoot, runHelm } from './helm.ts';
import { renderNotes } from './notes.ts';
import { copierContainer, copierJob, parseManifests, valuesArgs, valuesFiles } from './render.ts';

/** The documented sample value of each placeholder a command may hold. Any other <…>, or an ellipsis, makes the
 *  command incomplete as written. */
const SAMPLES: Readonly<Record<string, string>> = {
  '<you>': 'example',
  '<chart>': 'helm/swift-to-s3',
};

/** Files a command's -f or --set-file may name that the documents ask the reader to write (path → sample
 *  content). Any other such file must exist in the checkout. None is named today. */
const SAMPLE_FILES: Readonly<Record<string, string>> = {};

/** The image a reader would install NOTES from (the values files in test/chart/values/ leave it out). */
const SAMPLE_INSTALL_IMAGE = ['--set', 'image.repository=quay.io/example/swift-to-s3'];

/** Flags of helm install/upgrade that change nothing helm template renders. */
const NEUTRAL_FLAGS = new Set(['--install', '--create-namespace', '--wait', '--wait-for-jobs', '--atomic', '--debug']);
const VALUE_FLAGS = new Set(['--set', '--set-string', '--set-json', '--set-literal', '--set-file', '-f', '--values']);

interface DocumentedCommand { where: string; text: string; words: string[] }

interface HelmCommand {
  where: string;
  text: string;
  verb: 'install' | 'upgrade' | 'template';
  release: string;
  chart: string;
  namespace: string | undefined;
  valueArgs: string[];
  reusesValues: boolean;
}

/** Splits a shell line into commands of words: quotes and backslashes as sh reads them; `&&`, `||`, `;` and `|`
 *  end a command; an unquoted `#` at the start of a word ends the line. */
function shellCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => { if (inWord) words.push(word); word = ''; inWord = false; };
  const endCommand = () => { endWord(); if (words.length > 0) commands.push(words); words = []; };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new Error(`unclosed ' in: ${line}`);
      word += line.slice(i + 1, close);
      inWord = true;
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) throw new Error(`unclosed " in: ${line}`);
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      endWord();
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === ';' || c === '|' || (c === '&' && line[i + 1] === '&')) {
      if (line[i + 1] === c) i++;
      endCommand();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** Fenced code blocks (lines, with `\` continuations joined, `$ ` prompts dropped) and inline code spans. */
function codeOf(markdown: string, file: string): { where: string; line: string }[] {
  const found: { where: string; line: string }[] = [];
  const lines = markdown.split('\n');
  let fenced = false;
  let prose: string[] = [];
  let proseStart = 1;
  const flushProse = () => {
    const text = prose.join('\n');
    for (const match of text.matchAll(/`([^`]+)`/g)) {
      const line = proseStart + text.slice(0, match.index).split('\n').length - 1;
      found.push({ where: `${file}:${line}`, line: match[1]!.replace(/\s*\n\s*/g, ' ') });
    }
    prose = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      if (!fenced) flushProse();
      fenced = !fenced;
      proseStart = i + 2;
      continue;
    }
    if (!fenced) {
      prose.push(line);
      continue;
    }
    let joined = line;
    const start = i + 1;
    while (joined.endsWith('\\') && i + 1 < lines.length) joined = `${joined.slice(0, -1)} ${lines[++i]!.trim()}`;
    found.push({ where: `${file}:${start}`, line: joined.trim().replace(/^\$ /, '') });
  }
  flushProse();
  return found;
}

/** The helm install/upgrade/template commands of some code: a mention (`helm install` alone, in prose) is not one. */
function helmCommandsIn(code: { where: string; line: string }[]): DocumentedCommand[] {
  const commands: DocumentedCommand[] = [];
  for (const { where, line } of code) {
    if (!/\bhelm (install|upgrade|template)\b/.test(line)) continue;
    let text = line;
    for (const [placeholder, sample] of Object.entries(SAMPLES)) text = text.split(placeholder).join(sample);
    for (const words of shellCommands(text)) {
      if (words[0] !== 'helm' || !['install', 'upgrade', 'template'].includes(words[1] ?? '')) continue;
      if (words.length === 2) continue;
      commands.push({ where, text: line, words });
    }
  }
  return commands;
}

/** Reads one documented command as Helm would, failing on what is not complete as written. */
function parseHelm(command: DocumentedCommand): HelmCommand {
  const { where, text, words } = command;
  const incomplete = words.find((word) => /<[^<>]+>|…|\.\.\./.test(word));
  assert.equal(incomplete, undefined, `${where}: "${incomplete}" is not complete as written (a placeholder without a sample value in SAMPLES, or an ellipsis): ${text}`);
  const positional: string[] = [];
  const valueArgs: string[] = [];
  let namespace: string | undefined;
  let reusesValues = false;
  for (let i = 2; i < words.length; i++) {
    const [flag, inline] = words[i]!.startsWith('--') && words[i]!.includes('=') ? [words[i]!.slice(0, words[i]!.indexOf('=')), words[i]!.slice(words[i]!.indexOf('=') + 1)] : [words[i]!, undefined];
    const takeValue = () => {
      if (inline !== undefined) return inline;
      assert.ok(i + 1 < words.length, `${where}: ${flag} has no value: ${text}`);
      return words[++i]!;
    };
    if (flag === '-n' || flag === '--namespace') namespace = takeValue();
    else if (VALUE_FLAGS.has(flag)) valueArgs.push(flag === '--values' ? '-f' : flag, takeValue());
    else if (flag === '--reuse-values' || flag === '--reset-then-reuse-values') reusesValues = true;
    else if (flag === '--reset-values') reusesValues = false;
    else if (flag === '--timeout') takeValue();
    else if (NEUTRAL_FLAGS.has(flag)) continue;
    else if (flag.startsWith('-')) assert.fail(`${where}: the test does not know ${flag}; teach it what that flag means for helm template: ${text}`);
    else positional.push(flag);
  }
  assert.equal(positional.length, 2, `${where}: a release and a chart, no more: ${text}`);
  const [release, chart] = positional as [string, string];
  return { where, text, verb: words[1] as HelmCommand['verb'], release, chart, namespace, valueArgs, reusesValues };
}

/** The -f and --set-file paths resolved in the checkout, or written from SAMPLE_FILES; fails on any other. */
function resolvedValueArgs(command: HelmCommand, sampleDir: string): string[] {
  const args = [...command.valueArgs];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] !== '-f' && args[i] !== '--set-file') continue;
    const value = args[i + 1]!;
    const path = args[i] === '-f' ? value : value.slice(value.indexOf('=') + 1);
    const resolved = path in SAMPLE_FILES ? join(sampleDir, path) : resolve(repoRoot, path);
    assert.ok(existsSync(resolved), `${command.where}: ${path} is neither in the checkout nor in SAMPLE_FILES: ${command.text}`);
    args[i + 1] = args[i] === '-f' ? resolved : `${value.slice(0, value.indexOf('=') + 1)}${resolved}`;
  }
  return args;
}

/** image.repository as the values args set it: the last --set (or values file) that names it. */
async function imageRepositoryOf(args: readonly string[]): Promise<string | undefined> {
  let repository: string | undefined;
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]!];
    if (flag === '-f') {
      const fromFile = (parse(await readFile(value, 'utf8')) as { image?: { repository?: string } } | null)?.image?.repository;
      if (fromFile !== undefined) repository = fromFile;
    } else if (flag === '--set' || flag === '--set-string') {
      const match = /(?:^|,)image\.repository=([^,]*)/.exec(value);
      if (match) repository = match[1];
    }
  }
  return repository;
}

/** Renders one command with the values it stands on (earlier ones, when it reuses them) and checks the image. */
async function renderCommand(helm: string, command: HelmCommand, earlier: readonly string[], sampleDir: string): Promise<string[]> {
  assert.equal(resolve(repoRoot, command.chart), chartDir, `${command.where}: the chart, from the checkout's root, is helm/swift-to-s3: ${command.text}`);
  const args = [...(command.verb === 'upgrade' && command.reusesValues ? earlier : []), ...resolvedValueArgs(command, sampleDir)];
  const result = await runHelm(helm, ['template', command.release, chartDir, '--namespace', command.namespace ?? 'default', ...args]);
  assert.equal(result.code, 0, `${command.where}: ${command.text}\ndoes not render:\n${result.stderr}`);
  const repository = await imageRepositoryOf(args);
  assert.ok(repository, `${command.where}: sets no image.repository, so the pods pull the chart's default image, which is not published: ${command.text}`);
  const image = String(copierContainer(copierJob(parseManifests(result.stdout)))['image']);
  assert.ok(image.startsWith(`${repository}:`) || image.startsWith(`${repository}@`), `${command.where}: the copier runs ${image}, not ${repository}`);
  return args;
}

/** The documents a reader follows, each with its helm commands in order. */
async function documentedCommands(): Promise<Map<string, HelmCommand[]>> {
  const docs = (await readdir(join(repoRoot, 'docs'))).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`);
  const files = ['README.md', ...docs, relative(repoRoot, join(chartDir, 'README.md'))];
  const byFile = new Map<string, HelmCommand[]>();
  for (const file of files) {
    const code = codeOf(await readFile(join(repoRoot, file), 'utf8'), file);
    byFile.set(file, helmCommandsIn(code).map(parseHelm));
  }
  return byFile;
}

test('the command reader joins continuations, keeps quoted words whole and stops at comments and &&', () => {
  const code = codeOf('text `helm install` and `helm upgrade x\n  helm/swift-to-s3 --set a=1`\n```sh\n$ helm install r c \\\n  --set \'x={1,2}\' # note\necho && helm template r c\n```\n', 'doc.md');
  const commands = helmCommandsIn(code);
  assert.deepEqual(commands.map((c) => [c.where, c.words]), [
    ['doc.md:1', ['helm', 'upgrade', 'x', 'helm/swift-to-s3', '--set', 'a=1']],
    ['doc.md:4', ['helm', 'install', 'r', 'c', '--set', 'x={1,2}']],
    ['doc.md:6', ['helm', 'template', 'r', 'c']],
  ]);
  assert.deepEqual(shellCommands(`helm upgrade r c --set schedule="0 */6 * * *" --set s= ; true`), [['helm', 'upgrade', 'r', 'c', '--set', 'schedule=0 */6 * * *', '--set', 's='], ['true']]);
  assert.throws(() => parseHelm({ where: 'doc.md:1', text: 'helm upgrade … --set run=2', words: ['helm', 'upgrade', '…', '--set', 'run=2'] }), /not complete as written/);
});

for (const version of helmVersions) {
  describe(`documented helm commands under Helm ${version.name}`, () => {
    let helm = '';
    let sampleDir = '';
    before(async () => {
      helm = await helmBinary(version);
      sampleDir = await mkdtemp(join(tmpdir(), 'doc-files-'));
      for (const [path, content] of Object.entries(SAMPLE_FILES)) {
        await mkdir(dirname(join(sampleDir, path)), { recursive: true });
        await writeFile(join(sampleDir, path), content);
      }
    });
    after(async () => { await rm(sampleDir, { recursive: true, force: true }); });

    test('every helm install, upgrade and template in README.md, docs/ and the chart README renders as written, with its image', async () => {
      const byFile = await documentedCommands();
      const frontPage = byFile.get('README.md') ?? [];
      const frontInstalls = new Map<string, string[]>();
      for (const command of frontPage.filter((c) => c.verb === 'install')) frontInstalls.set(command.release, resolvedValueArgs(command, sampleDir));
      assert.ok(frontInstalls.size > 0, 'the README shows an install');
      assert.ok((byFile.get('helm/swift-to-s3/README.md') ?? []).some((c) => c.verb === 'install'), 'the chart README shows an install');
      for (const [file, commands] of byFile) {
        // What each release was last given in this document; a document that only upgrades stands on the README's install.
        const values = new Map(frontInstalls);
        for (const command of commands) {
          const earlier = values.get(command.release);
          if (command.verb === 'upgrade' && command.reusesValues) assert.ok(earlier, `${command.where}: reuses the values of ${command.release}, which neither ${file} nor the README installs`);
          const args = await renderCommand(helm, command, earlier ?? [], sampleDir);
          if (command.verb !== 'template') values.set(command.release, args);
        }
      }
    });

    test('every helm upgrade NOTES print renders on top of the install they were printed for, with its image', async () => {
      for (const file of valuesFiles) {
        const install = [...valuesArgs(file), ...SAMPLE_INSTALL_IMAGE];
        const notes = await renderNotes(helm, install);
        const code = notes.split('\n').map((line, i) => ({ where: `NOTES.txt (${file}):${i + 1}`, line: line.trim() }));
        const commands = helmCommandsIn(code).map(parseHelm);
        assert.ok(commands.length > 0, `NOTES for ${file} show no helm command`);
        for (const command of commands) {
          assert.ok(command.reusesValues, `${command.where}: an upgrade NOTES print keeps the release's values: ${command.text}`);
          assert.equal(command.release, 'cube-files');
          assert.equal(command.namespace, 'cube');
          await renderCommand(helm, command, install, sampleDir);
        }
      }
    });
  });
}
