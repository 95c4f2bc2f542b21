import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VARIABLES } from '../../src/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the README documents every variable the copier reads, with its current default', () => {
  for (const variable of VARIABLES) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${variable.name}\``));
    assert.ok(row, `${variable.name} missing from the README's table`);
    if (variable.default) assert.ok(row.includes(`\`${variable.default}\``), `${variable.name}: the README's default is not ${variable.default}`);
  }
});

test('the README opens with the two set-up commands, and .ci/run runs the same test command', () => {
  const commands = readme.split('```sh')[1]!.split('```')[0]!.trim().split('\n');
  assert.equal(commands.length, 2);
  assert.match(commands[0]!, /npm run demo/);
  assert.match(commands[1]!, /npm test/);
  assert.match(readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8'), /^npm test$/m);
});
