// The bench's outage section: one copy of the small set by one process without an outage, then the same with S3
// taken away (every request under way cut off, new ones refused) for BENCH_OUTAGE_SECONDS from a third of the way
// in. What the outage cost: the wall time beyond the copy's own, against the outage's length (target: at most +10 %).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCountingProxy, type Upstream } from '../test/support/counting-proxy.ts';

export interface OutageRow { target: string; outageSeconds: number; baselineSeconds: number; withOutageSeconds: number; failed: number; outagesCounted: number }

interface Launch { command: string; args: string[]; env: Record<string, string> }

/** Runs one copy behind a proxy of its own; with `outageMs`, S3 goes away after `afterMs` for that long. */
async function copyOnce(upstream: Upstream, build: (relay: string) => Launch, timing?: { afterMs: number; outageMs: number }): Promise<{ seconds: number; code: number; stdout: string }> {
  const relay = await startCountingProxy(upstream, [], 3 * 60 * 60_000);
  const { command, args, env } = build(relay.url);
  const started = performance.now();
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)));
  if (timing) {
    void sleep(timing.afterMs).then(async () => {
      relay.down('s3');
      await sleep(timing.outageMs);
      relay.up('s3');
    });
  }
  const code = await exited;
  await relay.close();
  return { seconds: (performance.now() - started) / 1000, code, stdout };
}

function summaryIn(stdout: string): { failed: number; outages?: { s3: { count: number } } } {
  const line = stdout.split('\n').reverse().find((text) => text.includes('"summary"'));
  if (!line) throw new Error(`no summary:\n${stdout.slice(-2000)}`);
  return JSON.parse(line).summary;
}

export async function outageCost(target: string, upstream: Upstream, build: (relay: string) => Launch, outageSeconds: number, log: (line: string) => void): Promise<OutageRow> {
  const baseline = await copyOnce(upstream, build);
  if (baseline.code !== 0) throw new Error(`outage baseline on ${target} exited ${baseline.code}`);
  log(`outage on ${target}: the copy alone took ${baseline.seconds.toFixed(1)} s`);
  const outage = await copyOnce(upstream, build, { afterMs: (baseline.seconds * 1000) / 3, outageMs: outageSeconds * 1000 });
  const summary = summaryIn(outage.stdout);
  if (outage.code !== 0) throw new Error(`the copy with a ${outageSeconds} s outage on ${target} exited ${outage.code}`);
  log(`outage on ${target}: with S3 away ${outageSeconds} s it took ${outage.seconds.toFixed(1)} s, ${summary.failed} failed`);
  return { target, outageSeconds, baselineSeconds: baseline.seconds, withOutageSeconds: outage.seconds, failed: summary.failed, outagesCounted: summary.outages?.s3.count ?? 0 };
}
