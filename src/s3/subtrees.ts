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
  /** Split into at most this many subtrees, spending at most `levels` requests on splitting. */
  subtrees: number;
  levels: number;
  /** Pages a subtree may list ahead of the one being read. */
  pagesAhead: number;
}

/** A piece of the tree in listing order: a key found while splitting, or a subtree still to list. */
type Piece<T> = { item: T } | { prefix: string; whole?: boolean };

/** Every key under `root`, in the order of the server's own listing of `root`, with at most `concurrency` subtrees listed at once and each
 *  at most `pagesAhead` pages ahead, so memory does not grow with the tree. */
export async function* listInSubtrees<T>(root: string, lister: TreeLister<T>, options: SubtreeOptions): AsyncGenerator<T> {
  const pieces = await split(root, lister, options);
  const subtrees = pieces.filter((piece): piece is { prefix: string } => 'prefix' in piece);
  const listings = new Map<string, Prefetch<T>>();
  let started = 0;
  const startNext = () => {
    const next = subtrees[started++];
    if (next) listings.set(next.prefix, new Prefetch(lister.pages(next.prefix), options.pagesAhead));
  };
  try {
    for (let i = 0; i < options.concurrency; i++) startNext();
    for (const piece of pieces) {
      if ('item' in piece) { yield piece.item; continue; }
      for await (const page of listings.get(piece.prefix)!) yield* page;
      listings.delete(piece.prefix);
      startNext();
    }
  } finally {
    for (const listing of listings.values()) listing.stop();
  }
}

/** Splits `root` level by level, breadth first, while the budget of requests lasts and there are fewer than
 *  `subtrees`. A level that takes more than a page, or would bring the count above `subtrees` (a directory of 200
 *  feeds: as many small listings cost more than one), is listed whole. */
async function split<T>(root: string, lister: TreeLister<T>, options: SubtreeOptions): Promise<Piece<T>[]> {
  let pieces: Piece<T>[] = [{ prefix: root }];
  let requests = 0;
  const count = () => pieces.filter((piece) => 'prefix' in piece).length;
  while (requests < options.levels && count() < options.subtrees) {
    const toSplit = pieces.filter((piece): piece is { prefix: string } => 'prefix' in piece && !piece.whole).slice(0, options.levels - requests);
    if (toSplit.length === 0) break;
    requests += toSplit.length;
    const levels = new Map(await Promise.all(toSplit.map(async (piece) => [piece, await lister.level(piece.prefix)] as const)));
    let subtrees = count();
    pieces = pieces.flatMap((piece): Piece<T>[] => {
      if (!levels.has(piece as { prefix: string })) return [piece];
      const level = levels.get(piece as { prefix: string });
      const more = level ? level.prefixes.length - 1 : 0;
      if (!level || subtrees + more > options.subtrees) return [{ ...piece, whole: true }];
      subtrees += more;
      return inListingOrder(level, lister);
    });
  }
  return pieces;
}

/** A level's keys and sub-prefixes as one listing gives them: a sub-prefix stands where its first key would. */
function inListingOrder<T>(level: { items: T[]; prefixes: string[] }, lister: TreeLister<T>): Piece<T>[] {
  const at = (piece: Piece<T>) => ('item' in piece ? lister.keyOf(piece.item) : piece.prefix);
  const pieces: Piece<T>[] = [...level.items.map((item) => ({ item })), ...level.prefixes.map((prefix) => ({ prefix }))];
  return pieces.sort((a, b) => lister.compare(at(a), at(b)));
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
