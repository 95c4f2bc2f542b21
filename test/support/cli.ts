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

/** Why a run did not exit 0, in a few lines: its stderr, its errors before its warnings (an error names the object and
 *  the cause, the warnings before it only the retries), the failures its summary names, and its last lines. */
export function whyNotZero(run: CliResult): string {
  const lines = run.stdout.split('\n');
  const errors = lines.filter((line) => /"level":"(error|fatal)"/.test(line)).slice(0, 6);
  const warnings = lines.filter((line) => /"level":"warn"/.test(line)).slice(-4);
  const summary = lines.findLast((line) => line.includes('"summary"'));
  const failures = summary ? JSON.stringify((JSON.parse(summary) as { summary: { failures?: unknown[] } }).summary.failures?.slice(0, 6)) : 'no summary';
  return [`exit ${run.code} (signal ${run.signal}): ${run.stderr}`, ...errors, '…the last warnings:', ...warnings, `failures: ${failures}`, `last lines: ${lines.slice(-4).join('\n')}`].join('\n');
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
