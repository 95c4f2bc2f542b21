import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VARIABLE_DOCS, type VariableDoc } from '../../src/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** A row of the README's configuration table as the variable spec writes it. */
function rowOf(variable: VariableDoc): string {
  const flag = variable.secret ? 'env only' : `\`${variable.flag}\``;
  const byDefault = variable.default === undefined ? '' : variable.default === '' ? 'empty' : `\`${variable.default}\``;
  return `| \`${variable.name}\` | ${flag} | ${byDefault} | ${variable.desc} (e.g. \`${variable.example}\`) |`;
}

test('the README\'s configuration table is the variable spec: every variable in order, with its flag, default, meaning and example', () => {
  const lines = readme.split('\n');
  const header = lines.indexOf('| Variable | Flag | Default | Meaning |');
  assert.ok(header >= 0, 'the README has no configuration table');
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
