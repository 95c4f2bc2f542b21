// Where a container's objects go in the bucket: the one place that joins S3_PREFIX and a container's own prefix.
import type { Config } from '../config.ts';

/** S3_PREFIX, plus the container's own prefix (SWIFT_CONTAINERS "name=prefix/"; none for a bare name). It never
 *  depends on the other containers of the run. */
export function destinationPrefix(config: Config, container: string): string {
  return config.s3.prefix + (config.swift.prefixes[container] ?? '');
}
