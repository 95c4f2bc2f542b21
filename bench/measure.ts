// How one benchmark run is measured: wall time and peak RSS of the tool (/usr/bin/time -v), CPU of the bed's
// Swift servers (from /proc), and the HTTP requests it made (the counting proxy between the tool and the bed).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCountingProxy, type FaultRule, type Upstream } from '../test/support/counting-proxy.ts';

export interface Measured {
  code: number;
  seconds: number;
  /** Peak resident set size of the tool, from /usr/bin/time -v. */
  rssMiB: number;
  userSeconds: number;
  systemSeconds: number;
  /** CPU seconds the bed's servers spent during the run, by server kind. */
  swiftCpu: Record<string, number>;
  /** CPU seconds the counting proxy (this process) spent relaying the run. */
  relayCpu: number;
  requests: Record<string, number>;
  stdout: string;
  stderr: string;
}

const CLOCK_TICKS = 100;

/** nbdb or nsfs when the process works in that NooBaa's directory of the bed. */
function noobaaKind(dir: string, pid: string): string | undefined {
  let cwd: string;
  try { cwd = readlinkSync(`/proc/${pid}/cwd`); } catch { return undefined; }
  return ['nbdb', 'nsfs'].find((kind) => cwd.startsWith(`${dir}-${kind}/`));
}

/** CPU seconds (user + system, their ended children's included) of the bed's processes, by kind: proxy, object,
 *  container, account, memcached, nbdb (the data bucket's NooBaa processes and PostgreSQL) and nsfs (the NSFS server),
 *  the NooBaas known by their working directories (under the bed's ${dir}-nbdb and ${dir}-nsfs; NooBaa renames its
 *  processes). */
export function bedCpu(bedDir: string): Record<string, number> {
  const dir = resolve(bedDir);
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const kind = /swift-(proxy|object|container|account)-server/.exec(cmdline.join(' '))?.[1] ?? (cmdline[0]?.endsWith('memcached') ? 'memcached' : noobaaKind(dir, pid));
      if (!kind || (kind !== 'memcached' && kind !== 'nbdb' && kind !== 'nsfs' && !cmdline.some((arg) => arg.startsWith(dir)))) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state): utime is field 14, stime field 15, and the children it has reaped 16 and 17. A
      // process that ended during a run (PostgreSQL's backends do, all the time) leaves its CPU in its parent's.
      const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
      out[kind] = (out[kind] ?? 0) + (utime! + stime! + cutime! + cstime!) / CLOCK_TICKS;
    } catch {
      // the process ended between readdir and read
    }
  }
  return out;
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([kind, value]) => [kind, Math.round((value - (before[kind] ?? 0)) * 100) / 100]));
}

function timeField(report: string, label: string): number {
  const line = report.split('\n').find((text) => text.trim().startsWith(label));
  return line ? Number(line.slice(line.lastIndexOf(':') + 1).trim()) : NaN;
}

/** Runs `command` under /usr/bin/time -v with a fresh counting proxy in front of the bed; `build` gets the proxy URL;
 *  `rules` are the proxy's (e.g. added latency). */
export async function measure(
  bedPort: Upstream, bedDir: string,
  build: (relayUrl: string) => { command: string; args: string[]; env: Record<string, string> },
  timeoutMs: number,
  rules: FaultRule[] = [],
): Promise<Measured> {
  const relay = await startCountingProxy(bedPort, rules, timeoutMs + 60_000);
  const { command, args, env } = build(relay.url);
  const scratch = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const report = join(scratch, 'time.txt');
  const cpuBefore = bedCpu(bedDir);
  const relayBefore = process.cpuUsage();
  const started = performance.now();
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn('/usr/bin/time', ['-v', '-o', report, command, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const relayUsage = process.cpuUsage(relayBefore);
  const swiftCpu = difference(bedCpu(bedDir), cpuBefore);
  await relay.close();
  const text = readFileSync(report, 'utf8');
  rmSync(scratch, { recursive: true, force: true });
  return {
    ...result,
    seconds,
    rssMiB: timeField(text, 'Maximum resident set size') / 1024,
    userSeconds: timeField(text, 'User time'),
    systemSeconds: timeField(text, 'System time'),
    swiftCpu,
    relayCpu: (relayUsage.user + relayUsage.system) / 1e6,
    requests: Object.fromEntries([...relay.counts].sort(([a], [b]) => a.localeCompare(b))),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function totalRequests(requests: Record<string, number>): number {
  return Object.values(requests).reduce((sum, count) => sum + count, 0);
}
