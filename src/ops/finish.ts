// The end of a migration: once every shard is verified, the copier's own state in the bucket (resync ledgers, any
// probe a killed pod left) goes, so that CUBE, `rclone check` and other tools see exactly the container's objects.
import type { Config } from '../config.ts';
import type { Log } from '../log.ts';
import type { S3Target } from '../s3/target.ts';
import { destinationPrefix } from '../sync/layout.ts';

/** The folder of the copier's own state below a prefix. */
export const OWN_STATE_DIR = '.swift-to-s3/';

/** Deletes every key below "<prefix>.swift-to-s3/" of the run's containers (and of S3_PREFIX, where probes go);
 *  how many. */
export async function removeOwnState(config: Config, target: S3Target, log: Log): Promise<number> {
  const folders = new Set([config.s3.prefix, ...config.swift.containers.map((container) => destinationPrefix(config, container))].map((prefix) => prefix + OWN_STATE_DIR));
  let removed = 0;
  for (const folder of folders) {
    let here = 0;
    for await (const entry of target.list(folder, 'pages')) {
      await target.delete(folder + entry.name);
      here++;
    }
    log.info({ folder, removed: here }, 'the copier\'s own state removed');
    removed += here;
  }
  return removed;
}
