// The bed's NooBaa S3 servers, both real noobaa-core 5.23 run with the project's own Node 24:
// - nbdb, a data bucket (PostgreSQL and a backing-store agent; what a default ObjectBucketClaim gives), started
//   with ../shared/noobaa/nbdb;
// - nsfs, a file-backed NSFS bucket (what an NSFS bucket class gives), started with ../shared/noobaa/nsfs.
// Both scripts print the same NOOBAA_* lines. Their Server header stays at its default: off on nbdb (as ODF >= 4.20),
// on for nsfs.
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type NoobaaKind = 'nbdb' | 'nsfs';
export interface NoobaaEndpoints { endpoint: string; accessKeyId: string; secretAccessKey: string }
export interface Noobaa extends NoobaaEndpoints {
  kind: NoobaaKind;
  /** Seconds from `up` to its NOOBAA_* lines. */
  startSeconds: number;
  stop(): Promise<void>;
  /** Starts it again after stop(), on the same ports, keeping its buckets: a restarted endpoint. */
  restart(): Promise<void>;
}

const nbdbStartSeconds = () => Number(process.env.NBDB_START_TIMEOUT ?? 180);

const KINDS = {
  nsfs: {
    label: 'NooBaa NSFS',
    scriptEnv: 'NSFS_SCRIPT',
    /** HTTP_PORT, HTTP_PORT+1 (health), HTTP_PORT+442 (HTTPS). */
    offsets: [0, 1, 442],
    /** What makes a fresh start: a new account, no buckets. */
    wipe: ['config', 'buckets'],
    upTimeoutMs: () => 180_000,
    log: 'nsfs.log',
  },
  nbdb: {
    label: 'NooBaa data bucket',
    scriptEnv: 'NBDB_SCRIPT',
    /** S3 HTTP and HTTPS, mgmt HTTP and HTTPS, md, bg_workers and hosted_agents RPC, the agent, PostgreSQL's socket name. */
    offsets: [443, 444, 445, 446, 447, 448, 449, 450, 451],
    /** What makes a fresh start: a new PostgreSQL cluster (system, account, buckets) and no stored blocks. */
    wipe: ['pg', 'storage'],
    // The script waits NBDB_START_TIMEOUT (180 s) for the first signed PUT; a minute more for its own stop on failure.
    upTimeoutMs: () => (nbdbStartSeconds() + 60) * 1000,
    log: 'logs/',
  },
} as const;

/** Where the script of `kind` is: NSFS_SCRIPT or NBDB_SCRIPT, else ../shared/noobaa/<kind> beside the project. */
export function noobaaScript(kind: NoobaaKind): string {
  return process.env[KINDS[kind].scriptEnv] ?? resolve(PROJECT, `../shared/noobaa/${kind}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** Ports other jobs on the shared test machines listen on: never picked. */
const AVOIDED_PORTS: [number, number][] = [[21_001, 21_460], [22_001, 22_460]];
/** Ports this process has handed to a NooBaa: two NooBaas started at once must not pick overlapping sets before
 *  either listens. */
const claimed = new Set<number>();

/** A base port whose every port of `offsets` is free (and avoided by nothing). They are picked below Linux's
 *  ephemeral range (32768 up), where the Swift servers' ports (port 0) come from, so the two never meet. */
async function freeBasePort(kind: NoobaaKind): Promise<number> {
  const offsets = KINDS[kind].offsets;
  for (let tries = 0; tries < 200; tries++) {
    const base = 10_000 + Math.floor(Math.random() * 22_000);
    const ports = offsets.map((offset) => base + offset);
    if (ports.some((port) => claimed.has(port) || AVOIDED_PORTS.some(([low, high]) => port >= low && port <= high))) continue;
    if (!(await Promise.all(ports.map(isFree))).every(Boolean)) continue;
    if (ports.some((port) => claimed.has(port))) continue; // the other NooBaa claimed one while this one checked
    for (const port of ports) claimed.add(port);
    return base;
  }
  throw new Error(`test bed: no free ports for ${KINDS[kind].label}`);
}

function parseEnvLines(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** Starts the NooBaa of `kind` in `dir`, empty (no buckets, fresh keys), or answers why it cannot (the script is
 *  absent). The unpacked server (DIR/server) is kept and reused. `settings` reach the script's environment (e.g.
 *  CONFIG_JS_NOOBAA_VERSION_AUTH_ENABLED=true: nsfs without its Server header). */
export async function startNoobaa(kind: NoobaaKind, dir: string, settings: Record<string, string> = {}): Promise<Noobaa | { absent: string }> {
  const spec = KINDS[kind];
  const script = noobaaScript(kind);
  if (!existsSync(script)) return { absent: `${script} not found (set ${spec.scriptEnv} to the ${kind} script of a NooBaa bundle)` };
  const env = { ...process.env, NODE: process.execPath, ...settings };
  const down = () => run(script, ['down', dir], { env, timeout: 120_000 }).then(() => undefined, () => undefined);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    await down();
    for (const part of spec.wipe) rmSync(resolve(dir, part), { recursive: true, force: true });
    const port = await freeBasePort(kind);
    const started = performance.now();
    try {
      const { stdout } = await run(script, ['up', dir, String(port)], { env, timeout: spec.upTimeoutMs() });
      const vars = parseEnvLines(stdout);
      return {
        kind, startSeconds: (performance.now() - started) / 1000,
        endpoint: vars.NOOBAA_ENDPOINT!, accessKeyId: vars.NOOBAA_ACCESS_KEY!, secretAccessKey: vars.NOOBAA_SECRET_KEY!,
        stop: down,
        restart: async () => { await run(script, ['up', dir, String(port)], { env, timeout: spec.upTimeoutMs() }); },
      };
    } catch (error) {
      lastError = error;
      // A port taken between the check and the start: try another. nsfs starts in seconds, so any failure is
      // tried again; nbdb takes a minute or more, so only a busy port is.
      const stderr = (error as { stderr?: string }).stderr ?? '';
      if (kind === 'nbdb' && !/in use|EADDRINUSE/i.test(stderr)) break;
    }
  }
  await down();
  const reason = (lastError as { stderr?: string }).stderr?.trim() || String(lastError);
  throw new Error(`test bed: ${spec.label} (${kind}) did not start (${reason}); its logs: ${dir}/${spec.log}`);
}
