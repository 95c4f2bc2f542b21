// Debian's rclone as "another tool" that filled a bucket before swift-to-s3 took over (how CUBE's first attempts went).
import { spawn } from 'node:child_process';
import { bed } from './bed.ts';
import type { Target } from './targets.ts';

/** rclone with two remotes configured only by environment: src (the bed's Swift) and dst (a bucket's S3 on `target`). */
export function rclone(args: string[], target: Target): Promise<string> {
  const b = bed();
  const env = {
    PATH: process.env.PATH ?? '',
    RCLONE_CONFIG: '/dev/null',
    RCLONE_CONFIG_SRC_TYPE: 'swift', RCLONE_CONFIG_SRC_AUTH: b.swiftAuthUrl, RCLONE_CONFIG_SRC_AUTH_VERSION: '1',
    RCLONE_CONFIG_SRC_USER: b.swiftUser, RCLONE_CONFIG_SRC_KEY: b.swiftKey,
    RCLONE_CONFIG_DST_TYPE: 's3', RCLONE_CONFIG_DST_PROVIDER: 'Other', RCLONE_CONFIG_DST_ENDPOINT: target.endpoint, RCLONE_CONFIG_DST_REGION: 'us-east-1',
    RCLONE_CONFIG_DST_ACCESS_KEY_ID: target.accessKeyId, RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: target.secretAccessKey,
    RCLONE_CONFIG_DST_FORCE_PATH_STYLE: 'true',
  };
  return new Promise((resolve, reject) => {
    const child = spawn('rclone', ['--retries', '1', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout); else reject(new Error(`rclone ${args[0]} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** `rclone copy` of a whole container into a bucket on `target`. */
export async function rcloneCopy(container: string, bucket: string, target: Target, extraArgs: string[] = []): Promise<void> {
  await rclone(['copy', ...extraArgs, `src:${container}`, `dst:${bucket}`], target);
}
