// Which keys a destination can store under exactly the given name. A file-backed (NSFS) NooBaa bucket keeps each
// key as a file path, so it refuses some names and silently stores others under another name (measured on
// noobaa-core 5.23, ../shared/noobaa/README.md); plain S3 stores every key as given.

export type KeyRules = 's3' | 'nsfs';

const NSFS_SEGMENT_LIMIT = 255;

/** The name a file-backed NooBaa bucket stores and lists a key under: "//" runs collapse, a leading "/" goes,
 *  a trailing "/." or "/.." is resolved as a path. */
export function nsfsStoredForm(key: string): string {
  const segments = key.split('/');
  const trailingSlash = key.endsWith('/') && !key.endsWith('/./') && !key.endsWith('/../');
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') { kept.pop(); continue; }
    kept.push(segment);
  }
  return kept.join('/') + (trailingSlash && kept.length > 0 ? '/' : '');
}

/** Why a file-backed NooBaa bucket cannot store `key` as it is (refused, or stored under another name); undefined
 *  when it can. */
export function nsfsKeyProblem(key: string): string | undefined {
  for (const segment of key.split('/')) {
    const bytes = Buffer.byteLength(segment);
    if (bytes > NSFS_SEGMENT_LIMIT) return `a path segment is ${bytes} bytes; a file-backed NooBaa bucket allows ${NSFS_SEGMENT_LIMIT} (it answers 500 InternalError)`;
  }
  if (key.includes('./')) return 'the key contains "./"; a file-backed NooBaa bucket refuses such keys (500 InternalError)';
  const stored = nsfsStoredForm(key);
  if (stored === '') return 'the key is only "/" and "." segments; a file-backed NooBaa bucket cannot store it';
  if (stored !== key) return `a file-backed NooBaa bucket would store it as "${stored}", not under its own name`;
  return undefined;
}

/** The problem with `key` under `rules`, or undefined when the target stores it as given. */
export function keyProblem(rules: KeyRules, key: string): string | undefined {
  return rules === 'nsfs' ? nsfsKeyProblem(key) : undefined;
}

/** The key the target will list for `key` (itself, except on a file-backed NooBaa bucket). */
export function storedForm(rules: KeyRules, key: string): string {
  return rules === 'nsfs' ? nsfsStoredForm(key) : key;
}
