import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySampler } from '../../src/report/memory.ts';

const MiB = 1024 * 1024;

/** A reader that hands out the given readings one after another, then the last one again. */
function readings(...values: [heapMiB: number, rssMiB: number][]) {
  let at = 0;
  return () => {
    const [heap, rss] = values[Math.min(at++, values.length - 1)]!;
    return { heapUsed: heap * MiB, rss: rss * MiB };
  };
}

test('the peaks are the highest heap and the highest RSS seen, each on its own, whenever they came', () => {
  const sampler = new MemorySampler(readings([40, 120], [95.25, 110], [30, 180.04], [50, 90]));
  sampler.sample();
  sampler.sample();
  sampler.sample();
  assert.deepEqual(sampler.peaks(), { peakHeapMiB: 95.3, peakRssMiB: 180 });
});

test('reading the peaks samples once more, so what the run holds at its very end counts too', () => {
  const sampler = new MemorySampler(readings([10, 60], [70, 200]));
  sampler.sample();
  assert.deepEqual(sampler.peaks(), { peakHeapMiB: 70, peakRssMiB: 200 });
});

test('a started sampler samples at once and then every interval, from one timer that never keeps the process alive', async () => {
  let calls = 0;
  const sampler = new MemorySampler(() => { calls++; return { heapUsed: calls * MiB, rss: 2 * calls * MiB }; });
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  assert.equal(sampler.start(5), sampler);
  assert.equal(calls, 1, 'the first sample is taken at the start');
  sampler.start(5);
  assert.equal(calls, 1, 'a second start neither samples nor starts another timer');
  assert.equal(timers(), before, 'the timer does not hold the event loop');
  const deadline = Date.now() + 5000;
  while (calls < 4 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 5));
  assert.ok(calls >= 4, 'the timer kept sampling');
  const peaks = sampler.peaks();
  assert.deepEqual(peaks, { peakHeapMiB: calls, peakRssMiB: 2 * calls });
});
