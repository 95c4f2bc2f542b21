// Lists a key tree as several subtrees at once and gives the keys in the order one listing would: for a server whose
// listing, not the copier, is a resync's time (NooBaa's file-backed buckets list a directory tree file by file).

/** How to list one bucket: a level of the tree, and every key under a prefix a page at a time. */
export interface TreeLister<T> {
  /** The keys and sub-prefixes ("<prefix><part>/") right under `prefix`, with "/" as delimiter; undefined when they
   *  take more than one page (such a level is listed whole, not split). */
  level(prefix: string): Promise<{ items: T[]; prefixes: string[] } | undefined>;
  /** Every key under `prefix`, a page at a time, in the server's order. */
  pages(prefix: string): AsyncIterable<T[]>;
  keyOf(item: T): string;
  /** The order the server lists keys in. */
  compare(a: string, b: string): number;
}

export interface SubtreeOptions {
  /** Subtrees listed at once. */
  concurrency: number;
  /** Split into at most this many subtrees, spending at most `levels` probes (requests) on splitting. */
  subtrees: number;
  levels: number;
  /** Pages a subtree may list ahead of the one being read. */
  pagesAhead: number;
}

/** A piece of the tree in listing order: a key found while splitting, or subtrees still to list (one prefix, or a
 *  run of sibling prefixes with no key between them, listed one after the other). */
type Piece<T> = { item: T } | Subtrees;
interface Subtrees { prefixes: string[]; whole?: boolean }

const isSubtrees = <T>(piece: Piece<T>): piece is Subtrees => 'prefixes' in piece;

/** Every key under `root`, in the order of the server's own listing of `root`, with at most `concurrency` subtrees
 *  listed at once and each at most `pagesAhead` pages ahead, so memory does not grow with the tree. */
export async function* listInSubtrees<T>(root: string, lister: TreeLister<T>, options: SubtreeOptions): AsyncGenerator<T> {
  const pieces = await split(root, lister, options);
  const subtrees = pieces.filter(isSubtrees);
  const listings = new Map<Subtrees, Prefetch<T>>();
  let started = 0;
  const startNext = () => {
    const next = subtrees[started++];
    if (next) listings.set(next, new Prefetch(pagesOf(next, lister), options.pagesAhead));
  };
  try {
    for (let i = 0; i < options.concurrency; i++) startNext();
    for (const piece of pieces) {
      if (!isSubtrees(piece)) { yield piece.item; continue; }
      for await (const page of listings.get(piece)!) yield* page;
      listings.delete(piece);
      startNext();
    }
  } finally {
    for (const listing of listings.values()) listing.stop();
  }
}

async function* pagesOf<T>(subtrees: Subtrees, lister: TreeLister<T>): AsyncGenerator<T[]> {
  for (const prefix of subtrees.prefixes) yield* lister.pages(prefix);
}

/**
 * Splits `root` level by level, breadth first, while the budget of probes lasts and there are fewer than `subtrees`.
 * A level that takes more than one answer is listed whole. So is one that would bring the count above `subtrees`
 * (a directory of 200 feeds: as many small listings cost more than one), unless there are still fewer pieces than
 * `concurrency`: then its sub-prefixes are listed in runs (CUBE's home/ of a few hundred users).
 */
async function split<T>(root: string, lister: TreeLister<T>, options: SubtreeOptions): Promise<Piece<T>[]> {
  let pieces: Piece<T>[] = [{ prefixes: [root] }];
  let probes = 0;
  const count = () => pieces.filter(isSubtrees).length;
  while (probes < options.levels && count() < options.subtrees) {
    const toSplit = pieces.filter((piece): piece is Subtrees => isSubtrees(piece) && !piece.whole).slice(0, options.levels - probes);
    if (toSplit.length === 0) break;
    probes += toSplit.length;
    const levels = new Map(await Promise.all(toSplit.map(async (piece) => [piece, await lister.level(piece.prefixes[0]!)] as const)));
    let subtrees = count();
    pieces = pieces.flatMap((piece): Piece<T>[] => {
      if (!isSubtrees(piece) || !levels.has(piece)) return [piece];
      const level = levels.get(piece);
      if (!level) return [{ ...piece, whole: true }];
      const more = level.prefixes.length - 1;
      if (subtrees + more <= options.subtrees) {
        subtrees += more;
        return inListingOrder(level, lister);
      }
      if (subtrees >= options.concurrency) return [{ ...piece, whole: true }];
      const runs = inRuns(inListingOrder(level, lister), Math.max(2, options.subtrees - subtrees + 1));
      subtrees += runs.filter(isSubtrees).length - 1;
      return runs;
    });
  }
  return pieces;
}

/** A level's keys and sub-prefixes as one listing gives them: a sub-prefix stands where its first key would. */
function inListingOrder<T>(level: { items: T[]; prefixes: string[] }, lister: TreeLister<T>): Piece<T>[] {
  const at = (piece: Piece<T>) => (isSubtrees(piece) ? piece.prefixes[0]! : lister.keyOf(piece.item));
  const pieces: Piece<T>[] = [...level.items.map((item) => ({ item })), ...level.prefixes.map((prefix) => ({ prefixes: [prefix] }))];
  return pieces.sort((a, b) => lister.compare(at(a), at(b)));
}

/** Joins neighbouring sub-prefixes (no key between them) into runs of about the same length, about `wanted` in all. */
function inRuns<T>(pieces: Piece<T>[], wanted: number): Piece<T>[] {
  const length = Math.ceil(pieces.filter(isSubtrees).length / wanted);
  const out: Piece<T>[] = [];
  for (const piece of pieces) {
    const last = out.at(-1);
    if (isSubtrees(piece) && last && isSubtrees(last) && last.prefixes.length < length) last.prefixes.push(...piece.prefixes);
    else out.push(isSubtrees(piece) ? { prefixes: [...piece.prefixes], whole: true } : piece);
  }
  return out;
}

/** Reads an async iterable of pages ahead of its reader, at most `ahead` pages. */
class Prefetch<T> implements AsyncIterable<T[]> {
  readonly #pages: T[][] = [];
  #done = false;
  #failed: { error: unknown } | undefined;
  #stopped = false;
  #wakeReader: (() => void) | undefined;
  #wakeWriter: (() => void) | undefined;

  constructor(source: AsyncIterable<T[]>, ahead: number) {
    void this.#fill(source[Symbol.asyncIterator](), ahead);
  }

  async #fill(pages: AsyncIterator<T[]>, ahead: number): Promise<void> {
    try {
      while (!this.#stopped) {
        if (this.#pages.length >= ahead) { await new Promise<void>((wake) => { this.#wakeWriter = wake; }); continue; }
        const next = await pages.next();
        if (next.done) break;
        this.#pages.push(next.value);
        this.#wakeReader?.();
      }
      if (this.#stopped) await pages.return?.();
    } catch (error) {
      this.#failed = { error };
    } finally {
      this.#done = true;
      this.#wakeReader?.();
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#wakeWriter?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T[]> {
    try {
      for (;;) {
        const page = this.#pages.shift();
        if (page) { this.#wakeWriter?.(); yield page; continue; }
        if (this.#failed) throw this.#failed.error;
        if (this.#done) return;
        await new Promise<void>((wake) => { this.#wakeReader = wake; });
      }
    } finally {
      this.stop();
    }
  }
}
