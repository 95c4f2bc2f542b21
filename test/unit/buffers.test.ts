import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartBuffers } from '../../src/sync/buffers.ts';

test('part buffers are reused and never exceed the budget; a request waits until one is given back', async () => {
  const pool = new PartBuffers(3 * 1024);
  const held = await Promise.all([pool.acquire(1024), pool.acquire(1024), pool.acquire(1024)]);
  let fourth: Buffer | undefined;
  const waiting = pool.acquire(1024).then((buffer) => (fourth = buffer));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(fourth, undefined, 'the fourth waits: the budget is spent');
  pool.release(held[1]);
  await waiting;
  assert.equal(fourth, held[1], 'the released buffer itself is handed on, not a new allocation');
});

test('a part larger than the whole budget still gets one buffer, alone', async () => {
  const pool = new PartBuffers(1024);
  const small = await pool.acquire(512);
  let big: Buffer | undefined;
  const waiting = pool.acquire(4096).then((buffer) => (big = buffer));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(big, undefined, 'waits while another buffer is out');
  pool.release(small);
  await waiting;
  assert.equal(big!.length, 4096);
});
