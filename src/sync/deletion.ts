// DELETE_EXTRANEOUS, proven first: a key in the bucket that the Swift listing did not show is deleted only when the
// copier wrote it for this container (its marker), Swift answers 404 for that name now (a lagging replica, a short
// page, or another pod's newer listing cannot make a live object look gone), and the listing as a whole gave about
// as many names as the container's own count says it holds.
import type { Config } from '../config.ts';
import { FatalError } from '../errors.ts';
import type { Log } from '../log.ts';
import type { Stats } from '../report/stats.ts';
import type { S3Target } from '../s3/target.ts';
import type { SwiftSource } from '../swift/source.ts';
import { META_CONTAINER, writtenFor } from './metadata.ts';

/** A key the listing of `container` did not show, and its Swift name (the key without the container's prefix). */
export interface Extraneous { key: string; name: string }

export interface DeletionContext {
  config: Config;
  source: SwiftSource;
  target: S3Target;
  stats: Stats;
  log: Log;
  /** Runs a task in the shard's pool (bounded concurrency). */
  schedule: (task: () => Promise<void>) => Promise<void>;
  fail: (key: string, error: unknown) => void;
}

/** Names a listing may miss without being called short: objects deleted between the count and the listing, and a
 *  count that lags (Swift updates it asynchronously). */
function tolerance(expected: number): number {
  return Math.max(10, Math.ceil(expected * 0.005));
}

/** The listing of `container` gave `listed` names: fewer than the container's own count (the smaller of the count at
 *  start and now, so objects deleted during the run do not count against it), less a margin, is a short listing.
 *  The count it expected then, else undefined. */
export async function listingLooksShort(ctx: DeletionContext, container: string, listed: number): Promise<number | undefined> {
  const atStart = ctx.source.containerCounts(container)?.objects;
  // A HEAD that fails after its retries leaves the count at start to judge by (the deletions' own requests will
  // meet the same trouble and be reported by object).
  const now = (await ctx.source.countNow(container).catch((error: unknown) => {
    if (error instanceof FatalError) throw error;
    return undefined;
  }))?.objects;
  const counts = [atStart, now].filter((count): count is number => count !== undefined);
  if (counts.length === 0) return undefined;
  const expected = Math.min(...counts);
  return listed < expected - tolerance(expected) ? expected : undefined;
}

/** Deletes those of `extraneous` that are proven gone from Swift; none when the listing was short (`short`: what
 *  listingLooksShort answered, when the caller asked it already). */
export async function deleteExtraneous(ctx: DeletionContext, container: string, listed: number, extraneous: readonly Extraneous[], short?: { expected: number | undefined }): Promise<void> {
  if (extraneous.length === 0) return;
  const expected = short ? short.expected : await listingLooksShort(ctx, container, listed);
  if (expected !== undefined) {
    ctx.stats.extraneous += extraneous.length;
    ctx.stats.notes.push({ key: '', reason: `no deletion in container "${container}": its listing gave ${listed} names, but the container counts ${expected}; the listing may be incomplete (a lagging replica, a proxy cutting pages), so ${extraneous.length} keys not in it were kept` });
    ctx.log.warn({ container, listed, counted: expected, kept: extraneous.length }, `deletions refused: the listing of "${container}" gave ${listed} names, the container counts ${expected}`);
    return;
  }
  for (const item of extraneous) await ctx.schedule(() => deleteIfGone(ctx, item, container));
}

async function deleteIfGone(ctx: DeletionContext, { key, name }: Extraneous, container: string): Promise<void> {
  const { config, source, target, stats, log } = ctx;
  try {
    const head = await target.head(key);
    if (!head) return;
    if (!writtenFor(head.metadata, container)) {
      stats.extraneous++;
      log.warn({ key, writtenFor: head.metadata[META_CONTAINER] ?? null }, `extraneous but not deleted: not written by swift-to-s3 for container "${container}"`);
      return;
    }
    if (await source.head(container, name) !== undefined) {
      stats.extraneous++;
      stats.stillInSwift++;
      if (stats.firstTime('listing missed a live object')) {
        stats.notes.push({ key, reason: `not deleted: Swift still has "${name}", which its listing did not show (a lagging replica, or another run copied it since); such keys are kept and counted as stillInSwift` });
      }
      log.warn({ key }, 'not deleted: Swift still has it, though its listing did not show it');
      return;
    }
    if (config.dryRun) { log.info({ key }, 'would delete'); stats.deleted++; return; }
    await target.delete(key);
    stats.deleted++;
    log.info({ key }, 'deleted extraneous object');
  } catch (error) {
    if (error instanceof FatalError) throw error;
    ctx.fail(key, error);
  }
}
