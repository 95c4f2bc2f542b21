// Walks two sorted listings in lock step (rclone's "march"): memory stays flat whatever the object count.
import { compareUtf8 } from '../order.ts';

export type MarchStep<S, D> =
  | { kind: 'source-only'; source: S }
  | { kind: 'destination-only'; destination: D }
  | { kind: 'both'; source: S; destination: D };

/** Pulls the next item and checks the listing really is sorted; an unsorted listing would make the march lie. */
async function next<T extends { name: string }>(iterator: AsyncIterator<T>, previous: T | undefined, side: string): Promise<T | undefined> {
  const result = await iterator.next();
  if (result.done) return undefined;
  if (previous && compareUtf8(previous.name, result.value.name) >= 0) {
    throw new Error(`the ${side} listing is not in UTF-8 byte order: "${result.value.name}" came after "${previous.name}"`);
  }
  return result.value;
}

export async function* march<S extends { name: string }, D extends { name: string }>(
  source: AsyncIterable<S>,
  destination: AsyncIterable<D>,
): AsyncGenerator<MarchStep<S, D>> {
  const sources = source[Symbol.asyncIterator]();
  const destinations = destination[Symbol.asyncIterator]();
  let s = await next(sources, undefined, 'source');
  let d = await next(destinations, undefined, 'destination');
  try {
    while (s || d) {
      const order = !s ? 1 : !d ? -1 : compareUtf8(s.name, d.name);
      if (order < 0) {
        yield { kind: 'source-only', source: s! };
        s = await next(sources, s, 'source');
      } else if (order > 0) {
        yield { kind: 'destination-only', destination: d! };
        d = await next(destinations, d, 'destination');
      } else {
        yield { kind: 'both', source: s!, destination: d! };
        s = await next(sources, s, 'source');
        d = await next(destinations, d, 'destination');
      }
    }
  } finally {
    await sources.return?.();
    await destinations.return?.();
  }
}
