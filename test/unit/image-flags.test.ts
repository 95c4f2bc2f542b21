// The node flags the image runs the copier with are the flags of the CLI's shebang (and so of the bench).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entrypointFlags, imageNodeFlags, shebangFlags } from '../../bench/copier.ts';

test('the CLI\'s shebang starts node with the flags of the Containerfile\'s ENTRYPOINT', () => {
  assert.ok(imageNodeFlags().includes('--max-semi-space-size=4'));
});

test('flags are read from an exec-form ENTRYPOINT and from an env -S shebang, and a difference is named', () => {
  assert.deepEqual(entrypointFlags('FROM x\nENTRYPOINT ["node", "--a=1", "--b", "/app/dist/cli.js"]\nCMD ["copy"]\n'), ['--a=1', '--b']);
  assert.deepEqual(shebangFlags('#!/usr/bin/env -S node --a=1 --b\n// file\n'), ['--a=1', '--b']);
  assert.deepEqual(shebangFlags('#!/usr/bin/env -S node\n'), []);
  assert.throws(() => entrypointFlags('ENTRYPOINT node /app/dist/cli.js\n'), /exec-form/);
});
