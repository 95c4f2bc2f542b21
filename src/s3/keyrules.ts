// Which keys a destination can store under exactly the given name. Every NooBaa bucket turns the first "_$folder$" in
// a key into "/"; a file-backed (NSFS) one keeps each key as a file path, so it also refuses some names and silently
// stores others under another name (measured on noobaa-core 5.23, ../shared/noobaa); plain S3 stores every key as given.

/** s3: every key as given; noobaa: NooBaa's data bucket ("_$folder$"); nsfs: NooBaa's file-backed bucket (paths too). */
export type KeyRules = 's3' | 'noobaa' | 'nsfs';

const NSFS_SEGMENT_LIMIT = 255;
const FOLDER_SUFFIX = '_$folder$';
/** The hidden file in which a file-backed bucket keeps the body of the key "<dir>/". */
const FOLDER_BODY = '.folder';

/** The key NooBaa (both kinds) stores for `key`: its first "_$folder$" becomes "/" (s3_rest.js). */
export function noobaaStoredForm(key: string): string {
  return key.replace(FOLDER_SUFFIX, '/');
}

/** The name a file-backed NooBaa bucket stores and lists a key under: "//" runs collapse, a leading "/" goes,
 *  a trailing "/." or "/.." is resolved as a path, and "<dir>/.folder" is the body of "<dir>/". */
export function nsfsStoredForm(key: string): string {
  const segments = key.split('/');
  const trailingSlash = key.endsWith('/') && !key.endsWith('/./') && !key.endsWith('/../');
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') { kept.pop(); continue; }
    kept.push(segment);
  }
  const isFolderBody = kept.length > 1 && kept.at(-1) === FOLDER_BODY && !trailingSlash;
  if (isFolderBody) return `${kept.slice(0, -1).join('/')}/`;
  return kept.join('/') + (trailingSlash && kept.length > 0 ? '/' : '');
}

function folderProblem(stored: string): string {
  return `NooBaa turns the first "${FOLDER_SUFFIX}" in a key into "/": it would store it as "${stored}", not under its own name`;
}

/** Why a file-backed NooBaa bucket cannot store `key` as it is (refused, or stored under another name); undefined
 *  when it can. */
export function nsfsKeyProblem(key: string): string | undefined {
  if (key.includes(FOLDER_SUFFIX)) return folderProblem(nsfsStoredForm(noobaaStoredForm(key)));
  for (const segment of key.split('/')) {
    const bytes = Buffer.byteLength(segment);
    if (bytes > NSFS_SEGMENT_LIMIT) return `a path segment is ${bytes} bytes; a file-backed NooBaa bucket allows ${NSFS_SEGMENT_LIMIT} (it answers 500 InternalError)`;
  }
  if (key.includes('./')) return 'the key contains "./"; a file-backed NooBaa bucket refuses such keys (500 InternalError)';
  const stored = nsfsStoredForm(key);
  if (stored === '') return 'the key is only "/" and "." segments; a file-backed NooBaa bucket cannot store it';
  if (key.endsWith(`/${FOLDER_BODY}`) && stored !== key) {
    return `a file-backed NooBaa bucket keeps the body of the key "${stored}" in the file "${key}": it would store it as "${stored}", not under its own name`;
  }
  if (stored !== key) return `a file-backed NooBaa bucket would store it as "${stored}", not under its own name`;
  return undefined;
}

/** The problem with `key` under `rules`, or undefined when the target stores it as given. */
export function keyProblem(rules: KeyRules, key: string): string | undefined {
  if (rules === 'nsfs') return nsfsKeyProblem(key);
  if (rules === 'noobaa' && key.includes(FOLDER_SUFFIX)) return folderProblem(noobaaStoredForm(key));
  return undefined;
}

/** The key the target will list for `key`. */
export function storedForm(rules: KeyRules, key: string): string {
  if (rules === 'nsfs') return nsfsStoredForm(noobaaStoredForm(key));
  if (rules === 'noobaa') return noobaaStoredForm(key);
  return key;
}
