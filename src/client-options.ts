// What each client (the Swift source and the S3 target) is given: pool size, timeouts, retries, counters.
import type { OutageGate, RetryPolicy } from './retry.ts';
import type { Stats } from './report/stats.ts';

export interface ClientOptions {
  connections: number;
  requestTimeoutMs: number;
  /** How long connect() keeps retrying an endpoint that cannot be reached. */
  connectWaitMs: number;
  retry: RetryPolicy;
  stats: Stats;
  onRetry?: (what: string, error: unknown, attempt: number) => void;
  /** Names per listing page; capped by the server's own limit (Swift 10,000, S3 1,000). */
  pageSize?: number;
  /** This side's outage watch: retries wait out an outage instead of spending themselves on it. */
  outage?: OutageGate;
}

/** "host:port" of a URL, the port spelled out, for messages about an endpoint that cannot be reached. */
export function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}
