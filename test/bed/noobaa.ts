// The bed's second S3 server: a real NooBaa NSFS endpoint (file-backed buckets, what an ObjectBucketClaim on NERC
// gives), started with ../shared/noobaa/nsfs and the project's own Node 24.
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface NoobaaEndpoints { endpoint: string; accessKeyId: string; secretAccessKey: string }
export interface Noobaa extends NoobaaEndpoints { stop(): Promise<void> }

/** Where the nsfs script is: NSFS_SCRIPT, else ../shared/noobaa/nsfs beside the project. */
export function nsfsScript(): string {
  return process.env.NSFS_SCRIPT ?? resolve(PROJECT, '../shared/noobaa/nsfs');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** nsfs takes HTTP_PORT, HTTP_PORT+1 (health) and HTTP_PORT+442 (HTTPS): all three must be free. They are picked
 *  below Linux's ephemeral range (32768 up), where the Swift servers' ports (port 0) come from, so the two never meet. */
async function freePortTriple(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (await isFree(port) && await isFree(port + 1) && await isFree(port + 442)) return port;
  }
  throw new Error('test bed: no free port triple for NooBaa');
}

function parseEnvLines(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** Starts NooBaa NSFS in `dir`, or answers why it cannot (the script is absent). */
export async function startNoobaa(dir: string): Promise<Noobaa | { absent: string }> {
  const script = nsfsScript();
  if (!existsSync(script)) return { absent: `${script} not found (set NSFS_SCRIPT to the nsfs script of a NooBaa bundle)` };
  const env = { ...process.env, NODE: process.execPath };
  // A fresh account and no buckets on every start; the unpacked server (DIR/server) is kept and reused.
  await run(script, ['down', dir], { env, timeout: 60_000 }).catch(() => undefined);
  for (const part of ['config', 'buckets']) rmSync(resolve(dir, part), { recursive: true, force: true });
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePortTriple();
    try {
      const { stdout } = await run(script, ['up', dir, String(port)], { env, timeout: 180_000 });
      const vars = parseEnvLines(stdout);
      return {
        endpoint: vars.NOOBAA_ENDPOINT!, accessKeyId: vars.NOOBAA_ACCESS_KEY!, secretAccessKey: vars.NOOBAA_SECRET_KEY!,
        stop: async () => { await run(script, ['down', dir], { env, timeout: 60_000 }).catch(() => undefined); },
      };
    } catch (error) {
      lastError = error; // a port taken between the check and the start: try another
    }
  }
  throw new Error(`test bed: NooBaa NSFS did not start (${(lastError as { stderr?: string }).stderr ?? String(lastError)}); its log: ${dir}/nsfs.log`);
}
