import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareUtf8, march } from '../../src/sync/march.ts';

async function* listing(names: string[]) {
  for (const name of names) yield { name };
}

test('compareUtf8 orders like the UTF-8 bytes, where JavaScript string order differs', () => {
  const names = ['b', 'a', '\uE000', '😀', 'é', 'Z', 'a/b', 'a!', 'a/', '\uFFFD', 'ab'];
  const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  assert.deepEqual([...names].sort(compareUtf8), byBytes);
  assert.ok(compareUtf8('\uE000', '😀') < 0 && '\uE000' > '😀', 'the case where UTF-16 order is wrong');
});

test('march pairs equal names and reports one-sided ones, in order', async () => {
  const steps = [];
  for await (const step of march(listing(['a', 'b', 'd']), listing(['b', 'c', 'd', 'e']))) {
    steps.push(step.kind === 'both' ? `=${step.source.name}` : step.kind === 'source-only' ? `+${step.source.name}` : `-${step.destination.name}`);
  }
  assert.deepEqual(steps, ['+a', '=b', '-c', '=d', '-e']);
});

test('march refuses a listing that is not sorted, instead of deciding wrongly', async () => {
  await assert.rejects(async () => {
    for await (const _ of march(listing(['b', 'a']), listing([]))) { /* drain */ }
  }, /not in UTF-8 byte order/);
});
