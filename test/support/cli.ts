// Runs the real CLI in a child process, as a Job's container would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface CliResult { code: number; stdout: string; stderr: string; signal: NodeJS.Signals | null }

/** Runs `swift-to-s3 <args>` with exactly `env` (plus PATH) and a time limit. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, signal });
    });
  });
}

/** The summary object the copier logs at the end. */
export function summaryOf(result: CliResult): Record<string, unknown> & { copied: number; failed: number; unchanged: number; skipped: number; deleted: number; inShard: number; listed: number; retries: number; requests: Record<string, number> } {
  const line = result.stdout.split('\n').reverse().find((text) => text.includes('"summary"'));
  if (!line) throw new Error(`no summary in output:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(line).summary;
}

/** Starts the CLI and hands back the child, for tests that send it signals. */
export function startCli(args: string[], env: Record<string, string>, timeoutMs = 120_000): { child: ReturnType<typeof spawn>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, signal });
    });
  });
  return { child, done };
}

/** Resolves once the child's stdout has shown a line matching `pattern`. */
export function waitForOutput(child: ReturnType<typeof spawn>, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (chunk) => {
      seen += chunk;
      if (pattern.test(seen)) { clearTimeout(timer); resolve(); }
    });
  });
}
