// Kubernetes' termination message: one JSON document of at most 4 KiB, in the file the pod names, for copy and verify.
import { accessSync, constants, writeFileSync } from 'node:fs';

/** The kubelet keeps at most this many bytes of the file. */
export const TERMINATION_LIMIT = 4096;

/**
 * The document as JSON of at most 4 KiB: the entries of the named lists are cut first, last ones first, the rest
 * shortened to 200 characters per field, and `more` says how many were left out.
 */
export function fitTermination<T extends object>(document: T, lists: readonly (keyof T & string)[]): string {
  let text = JSON.stringify(document);
  if (Buffer.byteLength(text) <= TERMINATION_LIMIT) return text;
  const trimmed: Record<string, unknown> = { ...(document as Record<string, unknown>), more: 0 };
  const total = lists.reduce((sum, name) => sum + listOf(trimmed, name).length, 0);
  while (Buffer.byteLength(text) > TERMINATION_LIMIT) {
    const longest = lists.find((name) => listOf(trimmed, name).length > 0);
    if (!longest) break;
    for (const name of lists) trimmed[name] = listOf(trimmed, name).slice(0, name === longest ? -1 : undefined).map(shortened);
    trimmed.more = total - lists.reduce((sum, name) => sum + listOf(trimmed, name).length, 0);
    text = JSON.stringify(trimmed);
  }
  return text;
}

function listOf(document: Record<string, unknown>, name: string): unknown[] {
  const value = document[name];
  return Array.isArray(value) ? value : [];
}

/** An entry whose string fields are at most 200 characters. */
function shortened(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  return Object.fromEntries(Object.entries(entry).map(([key, value]) => [key, typeof value === 'string' ? value.slice(0, 200) : value]));
}

/** Where the message goes: TERMINATION_MESSAGE_PATH, else /dev/termination-log when it is writable (in a pod). */
export function terminationPath(configured: string | undefined): string | undefined {
  if (configured) return configured;
  try {
    accessSync('/dev/termination-log', constants.W_OK);
    return '/dev/termination-log';
  } catch {
    return undefined;
  }
}

/** Writes the fitted document where the pod looks for it; nowhere outside a pod unless configured. */
export function writeTermination<T extends object>(configured: string | undefined, document: T, lists: readonly (keyof T & string)[]): void {
  const path = terminationPath(configured);
  if (path) writeFileSync(path, fitTermination(document, lists));
}
