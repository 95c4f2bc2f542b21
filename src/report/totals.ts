// The shard's totals (objects and bytes) from the first progress line on, and how much of them is done.
//
// Why an estimate: the listing runs only as far ahead as the transfer pool, so on a first copy what it has found so
// far grows with the copy and says nothing about the end. Each container's HEAD tells its object count and bytes
// (X-Container-Object-Count, X-Container-Bytes-Used) before anything is listed, and the shard hash spreads names
// uniformly, so a shard expects 1/SHARD_COUNT of any part of the name space. A container's share is therefore
//   (what the listing has shown of this shard, exactly) + (the part not listed yet) / SHARD_COUNT
// which starts as the HEAD's count divided by the shard count, narrows as the listing advances, and is exact once
// the listing has ended. The unlisted part counts as still to copy: a bucket filled by an earlier run that was
// killed is filled in name order, so what the listing found already in place says nothing about what follows.

export interface Amount { objects: number; bytes: number }

export interface TotalsSnapshot {
  /** True once every container's listing has ended: the totals are counted, not estimated. */
  exact: boolean;
  total: Amount;
  /** Objects settled (copied, unchanged, adopted, segments, skipped or failed) and their bytes, plus the bytes
   *  already read of the objects in flight. */
  done: Amount;
  /** One shard's share of the containers' HEAD counts; absent when a HEAD did not tell them. */
  expected?: Amount;
}

interface ContainerTally {
  /** The whole container (every shard), as its HEAD told it. */
  whole: Amount | undefined;
  listed: Amount;
  inShard: Amount;
  complete: boolean;
}

const nothing = (): Amount => ({ objects: 0, bytes: 0 });

export class ShardTotals {
  #shardCount = 1;
  readonly #containers = new Map<string, ContainerTally>();
  readonly #settled = nothing();
  /** Bytes settled beyond what was listed: a DLO lists as 0 bytes and copies as its segments' sum; an object may
   *  change between the listing and its GET. */
  #resized = 0;
  #reading = 0;
  /** Bytes read from Swift by copies, retried attempts included: what the copy rate is measured on. */
  transferred = 0;
  /** When bytes last passed (ms since the epoch). */
  lastReadAt: number | undefined;
  /** When the first bytes of a copy asked to pass (ms since the epoch): the rate is measured from there, not from
   *  the process's start, which spends its first moments authenticating, listing and waiting for Swift's first byte. */
  copyingSince: number | undefined;

  /** True once the run's containers are known (after connecting): before, there are no totals to speak of. */
  get known(): boolean {
    return this.#containers.size > 0;
  }

  /** A container of the run, with its HEAD's counts (undefined when the HEAD did not carry them). */
  expect(container: string, whole: Amount | undefined, shardCount: number): void {
    this.#shardCount = shardCount;
    this.#containers.set(container, { whole, listed: nothing(), inShard: nothing(), complete: false });
  }

  /** One name of the container's listing (every shard's names pass here). */
  listed(container: string, bytes: number, inShard: boolean): void {
    const tally = this.#tally(container);
    tally.listed.objects++;
    tally.listed.bytes += bytes;
    if (!inShard) return;
    tally.inShard.objects++;
    tally.inShard.bytes += bytes;
  }

  listingDone(container: string): void {
    this.#tally(container).complete = true;
  }

  /** An object of the shard is settled; `bytes` is what it turned out to hold when that differs from the listing. */
  settled(listedBytes: number, bytes = listedBytes): void {
    this.#settled.objects++;
    this.#settled.bytes += bytes;
    this.#resized += bytes - listedBytes;
  }

  copyStarted(now = Date.now()): void {
    this.copyingSince ??= now;
  }

  /** Bytes of an object in flight that passed the read limit. */
  read(bytes: number, now = Date.now()): void {
    this.#reading += bytes;
    this.transferred += bytes;
    this.lastReadAt = now;
  }

  /** An attempt ended (the object is then settled with its real size, or tried again from its first byte). */
  readEnded(bytes: number): void {
    this.#reading -= bytes;
  }

  snapshot(): TotalsSnapshot {
    const total = nothing();
    let exact = this.#containers.size > 0;
    for (const tally of this.#containers.values()) {
      const share = this.#shareOf(tally);
      total.objects += share.objects;
      total.bytes += share.bytes;
      exact &&= tally.complete;
    }
    const done = { objects: this.#settled.objects, bytes: this.#settled.bytes + this.#reading };
    // Never less than what is done: a container that grew after its HEAD would otherwise show more done than total.
    total.objects = Math.max(Math.round(total.objects), done.objects);
    total.bytes = Math.max(Math.round(total.bytes + this.#resized), done.bytes);
    const expected = this.#expected();
    return { exact, total, done, ...(expected ? { expected } : {}) };
  }

  /** The container's part of this shard: exact once listed, else the listed part plus the expected share of the rest. */
  #shareOf(tally: ContainerTally): Amount {
    if (tally.complete || !tally.whole) return { ...tally.inShard };
    return {
      objects: tally.inShard.objects + Math.max(0, tally.whole.objects - tally.listed.objects) / this.#shardCount,
      bytes: tally.inShard.bytes + Math.max(0, tally.whole.bytes - tally.listed.bytes) / this.#shardCount,
    };
  }

  #expected(): Amount | undefined {
    const expected = nothing();
    for (const { whole } of this.#containers.values()) {
      if (!whole) return undefined;
      expected.objects += whole.objects / this.#shardCount;
      expected.bytes += whole.bytes / this.#shardCount;
    }
    return { objects: Math.round(expected.objects), bytes: Math.round(expected.bytes) };
  }

  #tally(container: string): ContainerTally {
    let tally = this.#containers.get(container);
    if (!tally) {
      tally = { whole: undefined, listed: nothing(), inShard: nothing(), complete: false };
      this.#containers.set(container, tally);
    }
    return tally;
  }
}
