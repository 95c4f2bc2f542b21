import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VARIABLE_DOCS, type VariableDoc } from '../../src/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const configuration = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/** A row of the configuration table (docs/configuration.md) as the variable spec writes it. */
function rowOf(variable: VariableDoc): string {
  const flag = variable.secret ? 'env only' : `\`${variable.flag}\``;
  const byDefault = variable.default === undefined ? '' : variable.default === '' ? 'empty' : `\`${variable.default}\``;
  return `| \`${variable.name}\` | ${flag} | ${byDefault} | ${variable.desc} (e.g. \`${variable.example}\`) |`;
}

test('the configuration table (docs/configuration.md) is the variable spec: every variable in order, with its flag, default, meaning and example', () => {
  const lines = configuration.split('\n');
  const header = lines.indexOf('| Variable | Flag | Default | Meaning |');
  assert.ok(header >= 0, 'docs/configuration.md has no configuration table');
  const body = lines.slice(header + 2);
  const end = body.findIndex((line) => !line.startsWith('|'));
  assert.deepEqual(end < 0 ? body : body.slice(0, end), VARIABLE_DOCS.map(rowOf));
});

test('the README opens with the two set-up commands, and .ci/run runs the same test command', () => {
  const commands = readme.split('```sh')[1]!.split('```')[0]!.trim().split('\n');
  assert.equal(commands.length, 2);
  assert.match(commands[0]!, /npm run demo/);
  assert.match(commands[1]!, /npm test/);
  assert.match(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8'), /^npm test$/m);
});

test('the README\'s first screen leads to OpenShift: the image, one helm install that names it, and status', () => {
  const firstScreen = readme.split('\n').slice(0, 50).join('\n');
  assert.match(firstScreen, /^## Run it on OpenShift$/m);
  assert.match(firstScreen, /\(docs\/image\.md\)/, 'where the image comes from');
  const install = /^helm install (?:.*\\\n)*.*/m.exec(firstScreen)?.[0] ?? '';
  assert.match(install, /--set image\.repository=/, 'the install names the image');
  assert.match(firstScreen, /^swift-to-s3 status --release /m);
});
