import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listInSubtrees, type SubtreeOptions, type TreeLister } from '../../src/s3/subtrees.ts';
import { compareUtf16 } from '../../src/order.ts';

/** A key tree held in memory, listed as a server lists one (sorted, by level or a page at a time), counting what it
 *  was asked and how many pages were fetched but not yet read. */
function treeOf(keys: string[], pageSize = 2) {
  const sorted = keys.toSorted(compareUtf16);
  const asked = { levels: 0, pages: 0, inFlight: 0, mostInFlight: 0 };
  const failOn = new Set<string>();
  const lister: TreeLister<string> = {
    keyOf: (key) => key,
    compare: compareUtf16,
    level(prefix) {
      asked.levels++;
      const items: string[] = [];
      const prefixes = new Set<string>();
      for (const key of sorted.filter((key) => key.startsWith(prefix))) {
        const slash = key.indexOf('/', prefix.length);
        if (slash < 0) items.push(key); else prefixes.add(key.slice(0, slash + 1));
      }
      return Promise.resolve(items.length + prefixes.size > 1000 ? undefined : { items, prefixes: [...prefixes] });
    },
    async *pages(prefix) {
      const under = sorted.filter((key) => key.startsWith(prefix));
      for (let at = 0; at < under.length; at += pageSize) {
        const failing = [...failOn].find((start) => under.slice(at, at + pageSize).some((key) => key.startsWith(start)));
        if (failing) throw new Error(`listing ${failing} failed`);
        asked.pages++;
        asked.mostInFlight = Math.max(asked.mostInFlight, ++asked.inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        asked.inFlight--;
        yield under.slice(at, at + pageSize);
      }
    },
  };
  return { sorted, asked, lister, failOn };
}

const OPTIONS: SubtreeOptions = { concurrency: 3, subtrees: 8, levels: 8, pagesAhead: 1 };

async function all(listing: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of listing) out.push(key);
  return out;
}

const CUBE = [
  'PIPELINES/a.yml', 'PUBLIC/f1', 'PUBLIC/f2', 'SERVICES/PACS/x/1.dcm', 'SHARED/l1', 'SHARED/l2', 'SHARED/l3',
  ...['chris', 'gaurav', 'rudolph'].flatMap((user) => Array.from({ length: 7 }, (_, i) => `home/${user}/feeds/feed_${i}/data/s${i}.dcm`)),
  'home/chris/uploads/u1', 'home/chris/uploads/u2', 'p!', 'p-1', 'p.1', 'p/1', 'p0', 'readme',
];

test('listInSubtrees gives every key once, in the order one listing gives, whatever the split', async () => {
  for (const subtrees of [1, 2, 5, 8, 30]) {
    const { sorted, lister } = treeOf(CUBE);
    assert.deepEqual(await all(listInSubtrees('', lister, { ...OPTIONS, subtrees })), sorted, `up to ${subtrees} subtrees`);
  }
  const { sorted, lister } = treeOf(CUBE);
  assert.deepEqual(await all(listInSubtrees('home/', lister, OPTIONS)), sorted.filter((key) => key.startsWith('home/')), 'under a prefix');
});

test('listInSubtrees keeps a level whole when splitting it would give more subtrees than asked for', async () => {
  const feeds = ['chris', 'gaurav', 'jennings', 'rudolph'].flatMap((user) => Array.from({ length: 40 }, (_, i) => `home/${user}/feeds/feed_${i}/x`));
  const { sorted, asked, lister } = treeOf(feeds);
  assert.deepEqual(await all(listInSubtrees('', lister, OPTIONS)), sorted);
  // "" -> home/ -> 4 users (enough to list at once) -> each user's feeds/ -> 40 feeds: too many, listed whole.
  assert.equal(asked.pages, 4 * Math.ceil(40 / 2), 'one listing of each user\'s feeds, not 40');
});

test('while there are too few pieces to list at once, a level of many sub-prefixes is listed in runs of them', async () => {
  const users = Array.from({ length: 100 }, (_, i) => `u${String(i).padStart(3, '0')}`);
  const keys = [...users.flatMap((user) => [`home/${user}/a`, `home/${user}/b`, `home/${user}/c`]), 'home/u050', 'home/u050.txt', 'readme'];
  const { sorted, asked, lister } = treeOf(keys);
  assert.deepEqual(await all(listInSubtrees('', lister, OPTIONS)), sorted, 'in order, with the keys between the runs in their place');
  assert.equal(asked.pages, 100 * 2, 'each user listed once, by its own prefix');
  assert.ok(asked.mostInFlight >= 2, `runs were listed at once (${asked.mostInFlight})`);
});

test('listInSubtrees lists at most `concurrency` subtrees at once, each at most `pagesAhead` pages ahead', async () => {
  const keys = Array.from({ length: 8 }, (_, user) => Array.from({ length: 30 }, (_, i) => `u${user}/k${String(i).padStart(2, '0')}`)).flat();
  const { sorted, asked, lister } = treeOf(keys);
  let read = 0;
  let mostAhead = 0;
  for await (const key of listInSubtrees('', lister, OPTIONS)) {
    assert.equal(key, sorted[read++]);
    // Pages fetched beyond the one being read: pagesAhead for each subtree listed at once, plus one arriving.
    mostAhead = Math.max(mostAhead, asked.pages - Math.ceil(read / 2));
  }
  assert.equal(read, keys.length);
  assert.ok(asked.mostInFlight >= 2, `subtrees were listed at once (${asked.mostInFlight})`);
  assert.ok(asked.mostInFlight <= OPTIONS.concurrency, `no more than ${OPTIONS.concurrency} at once (${asked.mostInFlight})`);
  assert.ok(mostAhead <= OPTIONS.concurrency * (OPTIONS.pagesAhead + 1), `memory stays bounded: ${mostAhead} pages ahead`);
});

test('a subtree that fails fails the listing when it is reached, after every key before it', async () => {
  const { sorted, lister, failOn } = treeOf(CUBE);
  failOn.add('home/gaurav/');
  for (const subtrees of [1, 4, 8, 30]) {
    const seen: string[] = [];
    await assert.rejects(async () => { for await (const key of listInSubtrees('', lister, { ...OPTIONS, subtrees })) seen.push(key); }, /listing home\/gaurav\/ failed/);
    assert.deepEqual(seen, sorted.filter((key) => key < 'home/gaurav/').slice(0, seen.length), `up to ${subtrees} subtrees: keys in order until then`);
    assert.ok(seen.length >= sorted.filter((key) => key < 'home/chris/uploads/').length, `up to ${subtrees} subtrees: every key before the failed page`);
  }
});

test('a reader that stops early stops the subtrees listed ahead', async () => {
  const keys = Array.from({ length: 6 }, (_, user) => Array.from({ length: 40 }, (_, i) => `u${user}/k${String(i).padStart(2, '0')}`)).flat();
  const { asked, lister } = treeOf(keys);
  for await (const key of listInSubtrees('', lister, OPTIONS)) if (key === 'u0/k03') break;
  await new Promise((resolve) => setTimeout(resolve, 20));
  const after = asked.pages;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(asked.pages, after, 'no page is fetched once the reader is gone');
  assert.ok(after < keys.length / 2 / 4, `only the pages ahead were fetched (${after} of ${keys.length / 2})`);
});
