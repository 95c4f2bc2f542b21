import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const stall = fileURLToPath(new URL('../../src/report/stall.ts', import.meta.url));

/** A module that awaits a promise nothing will ever settle, at top level: the event loop empties with work pending. */
function runStalled(armed: boolean) {
  const script = `${armed ? `const { onStall } = await import(${JSON.stringify(stall)}); onStall(() => { console.log('reported'); process.exit(1); });` : ''}
await new Promise(() => {});`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
}

test('a run that stalls with work pending reports and exits 1, where Node alone would exit 13 with nothing said', () => {
  const bare = runStalled(false);
  assert.equal(bare.status, 13, 'Node\'s own answer to an unsettled top-level await');
  const guarded = runStalled(true);
  assert.equal(guarded.status, 1);
  assert.match(guarded.stdout, /reported/);
});
