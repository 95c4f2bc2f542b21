// An outage of one side (Swift or S3) is not an object's failure: requests to it fail at the connection level or with
// 502/503/504, and one probe of the side fails too. Then new work on that side waits while a probe, one at a time with
// capped backoff, asks whether it is back, for up to OUTAGE_WAIT; requests that failed in the outage are tried again
// without spending their retries. Past OUTAGE_WAIT the side is unreachable (exit 3).
import { setTimeout as sleep } from 'node:timers/promises';
import { UnreachableError, messageOf } from './errors.ts';
import type { Log } from './log.ts';
import { statusOf, type OutageGate } from './retry.ts';

export type Side = 'swift' | 's3';

/** What the outages of one side cost a run. */
export interface OutageCounts { count: number; seconds: number }

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
]);
const GATEWAY_STATUSES = new Set([502, 503, 504]);
/** Between probes: from 250 ms, doubling, at most this long. */
const PROBE_DELAY_CAP_MS = 5_000;

/** A failure that says the side may be away (not this request's own trouble): a connection that could not be made or
 *  was cut, or a gateway's 502/503/504. */
export function isOutageSign(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 6; current = (current as { cause?: unknown }).cause, depth++) {
    const status = statusOf(current);
    if (status !== undefined) return GATEWAY_STATUSES.has(status);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  }
  return false;
}

export interface OutageWatchOptions {
  side: Side;
  /** One small request to the side: resolves when the side answered (any answer but 502/503/504), else rejects. */
  probe: () => Promise<void>;
  waitMs: number;
  log: Log;
  counts: OutageCounts;
  /** The first pause between probes (doubling up to 5 s). */
  firstDelayMs?: number;
}

export class OutageWatch implements OutageGate {
  readonly #options: OutageWatchOptions;
  /** While the side is down: when that began, and the wait that ends when it is back. */
  #down: { since: number; back: Promise<void> } | undefined;
  #confirming: Promise<boolean> | undefined;
  #unreachable: UnreachableError | undefined;

  constructor(options: OutageWatchOptions) {
    this.#options = options;
  }

  get side(): Side {
    return this.#options.side;
  }

  async whenUp(): Promise<void> {
    if (this.#unreachable) throw this.#unreachable;
    if (this.#down) await this.#down.back;
  }

  async isOutage(error: unknown): Promise<boolean> {
    if (!isOutageSign(error)) return false;
    if (this.#unreachable) throw this.#unreachable;
    if (this.#down) return true;
    // Every request that failed at the same moment waits for the same one probe.
    this.#confirming ??= this.#confirm(error).finally(() => { this.#confirming = undefined; });
    return this.#confirming;
  }

  /** One probe: the side answering means the failure was the request's own. */
  async #confirm(error: unknown): Promise<boolean> {
    try {
      await this.#options.probe();
      return false;
    } catch (probeError) {
      if (!isOutageSign(probeError)) return false;
    }
    const since = Date.now();
    const { side, waitMs, log } = this.#options;
    log.warn({ side, err: messageOf(error), outageWaitSeconds: waitMs / 1000 }, `outage: ${nameOf(side)} cannot be reached; new work on it waits until it is back (at most OUTAGE_WAIT)`);
    const back = this.#rideOut(since);
    back.catch(() => undefined); // waiters see the rejection through whenUp()
    this.#down = { since, back };
    return true;
  }

  /** Probes, one at a time with capped backoff, until the side answers or OUTAGE_WAIT is over. */
  async #rideOut(since: number): Promise<void> {
    const { side, waitMs, log, probe } = this.#options;
    let delay = this.#options.firstDelayMs ?? 250;
    for (;;) {
      await sleep(Math.min(delay, Math.max(0, since + waitMs - Date.now())));
      delay = Math.min(delay * 2, PROBE_DELAY_CAP_MS);
      try {
        await probe();
        break;
      } catch (error) {
        if (!isOutageSign(error)) break;
        if (Date.now() - since >= waitMs) {
          const seconds = Math.round((Date.now() - since) / 1000);
          this.#count(since);
          log.error({ side, seconds }, `outage: ${nameOf(side)} still cannot be reached after ${seconds} s (OUTAGE_WAIT)`);
          this.#unreachable = new UnreachableError(`${nameOf(side)} could not be reached for ${seconds} s (OUTAGE_WAIT is ${waitMs / 1000} s; last: ${messageOf(error)}): check that it is running and reachable from here`);
          this.#down = undefined;
          throw this.#unreachable;
        }
      }
    }
    const seconds = this.#count(since);
    this.#down = undefined;
    log.info({ side, seconds }, `outage over: ${nameOf(side)} answers again after ${seconds} s; work resumes`);
  }

  #count(since: number): number {
    const seconds = Math.round((Date.now() - since) / 100) / 10;
    this.#options.counts.count++;
    this.#options.counts.seconds = Math.round((this.#options.counts.seconds + seconds) * 10) / 10;
    return seconds;
  }
}

/** The gate of a step that talks to both sides (one object's copy): it waits for both, and a failure is an outage
 *  when either side is down. */
export function bothSides(a: OutageGate, b: OutageGate): OutageGate {
  return {
    whenUp: async () => { await Promise.all([a.whenUp(), b.whenUp()]); },
    isOutage: async (error) => (await Promise.all([a.isOutage(error), b.isOutage(error)])).some(Boolean),
  };
}

function nameOf(side: Side): string {
  return side === 'swift' ? 'Swift' : 'S3';
}
