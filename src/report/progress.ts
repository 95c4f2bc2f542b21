// A progress line every PROGRESS_INTERVAL: objects and bytes done of what the listing has found so far, rate, ETA.
import type { Log } from '../log.ts';
import type { Stats } from './stats.ts';

export function startProgress(stats: Stats, log: Log, intervalMs: number): () => void {
  let lastBytes = 0;
  let lastAt = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const rate = ((stats.bytesCopied - lastBytes) / Math.max(1, now - lastAt)) * 1000;
    lastBytes = stats.bytesCopied;
    lastAt = now;
    const remaining = Math.max(0, stats.bytesToCopy - stats.bytesCopied);
    log.info({
      progress: {
        listed: stats.listed, inShard: stats.inShard,
        objects: { done: stats.copied + stats.unchanged + stats.skipped, failed: stats.failed, toCopy: stats.toCopy, copied: stats.copied },
        bytes: { done: stats.bytesCopied, toCopy: stats.bytesToCopy },
        inFlight: stats.inFlight,
        mibPerSecond: Math.round((rate / 1048576) * 100) / 100,
        etaSeconds: rate > 0 ? Math.round(remaining / rate) : null,
        retries: stats.retryTotal,
      },
    }, 'progress');
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
