// Debian's rclone as "another tool" that filled a bucket before swift-to-s3 took over (how CUBE's first attempts went).
import { spawn } from 'node:child_process';
import { bed } from './bed.ts';
import type { Target } from './targets.ts';

/** `rclone copy` of a whole container into a bucket on `target`, configured only by environment. */
export function rcloneCopy(container: string, bucket: string, target: Target, extraArgs: string[] = []): Promise<void> {
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
    const child = spawn('rclone', ['copy', '--retries', '1', ...extraArgs, `src:${container}`, `dst:${bucket}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(); else reject(new Error(`rclone copy exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}
