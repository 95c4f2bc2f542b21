import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareUtf8 } from '../../src/order.ts';
import { march } from '../../src/sync/march.ts';
import { inUtf8Order } from '../../src/order.ts';
import { seededRandom } from '../support/dataset.ts';

// eslint-disable-next-line @typescript-eslint/require-await -- a listing double: march takes an AsyncIterable, and these names need no waiting
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

async function collect(items: AsyncIterable<{ name: string }>): Promise<string[]> {
  const names: string[] = [];
  for await (const item of items) names.push(item.name);
  return names;
}

test('inUtf8Order turns a UTF-16-ordered listing (NooBaa) into UTF-8 byte order and leaves a UTF-8 one as it is', async () => {
  const alphabet = ['a', 'b', '/', '.', '\uE000', '\uFF61', '\uFFFD', '😀', '𝄞', 'é', 'z'];
  const random = seededRandom(7);
  const names = new Set<string>();
  while (names.size < 400) {
    let name = '';
    for (let length = 1 + Math.floor(random() * 4); length > 0; length--) name += alphabet[Math.floor(random() * alphabet.length)];
    names.add(name);
  }
  const utf8 = [...names].sort(compareUtf8);
  const utf16 = [...names].sort();
  assert.notDeepEqual(utf16, utf8, 'the two orders differ on this set');
  assert.deepEqual(await collect(inUtf8Order(listing(utf16))), utf8);
  assert.deepEqual(await collect(inUtf8Order(listing(utf8))), utf8);
});

test('inUtf8Order holds back only names with astral characters, until a name without one passes them', async () => {
  const order: string[] = [];
  // eslint-disable-next-line @typescript-eslint/require-await -- as listing(): an AsyncIterable whose names need no waiting
  async function* spied() {
    for (const name of ['a', 'a😀', 'a｡', 'b']) { order.push(`read ${name}`); yield { name }; }
  }
  for await (const item of inUtf8Order(spied())) order.push(`gave ${item.name}`);
  assert.deepEqual(order, ['read a', 'gave a', 'read a😀', 'read a｡', 'gave a｡', 'read b', 'gave a😀', 'gave b']);
});

test('inUtf8Order puts 200,000 held names with emoji in order in O(n log n) comparisons, then gives every one', async (t) => {
  const alphabet = ['a', 'b', '\uE000', '\uFF61', '😀', '𝄞'];
  const random = seededRandom(11);
  const astral = new Set<string>();
  while (astral.size < 200_000) {
    const chars = ['scans/📷 '];
    for (let length = 6 + Math.floor(random() * 6); length > 0; length--) chars.push(alphabet[Math.floor(random() * alphabet.length)]!);
    astral.add(chars.join(''));
  }
  // As NooBaa lists them: UTF-16 order, then a plain name that passes them all ("0" follows "/").
  const listed = [...astral].sort();
  const utf8 = [...astral].sort(compareUtf8);
  assert.notDeepEqual(listed, utf8, 'the two orders differ on these names');
  let comparisons = 0;
  const counted = (a: string, b: string) => { comparisons++; return compareUtf8(a, b); };
  assert.deepEqual(await collect(inUtf8Order(listing([...listed, 'scans0']), counted)), [...utf8, 'scans0']);
  // A binary heap: at most log2(n) comparisons to add a name, 2·log2(n) to take the least out, 1 more to release it.
  const n = astral.size;
  const bound = 3 * n * Math.log2(n) + n;
  assert.ok(comparisons <= bound, `${comparisons} comparisons for ${n} held names: more than 3·n·log2(n) + n = ${Math.round(bound)}`);
  t.diagnostic(`${comparisons} comparisons for ${n} held names (n·log2(n) = ${Math.round(n * Math.log2(n))}, bound ${Math.round(bound)})`);
});
