// Which objects of the copied containers are segments of large objects in another copied container: those arrive in
// the bucket inside the assembled large object, so they are accounted for, not copied a second time. Every other
// object of a segments container (orphans, files put there by hand) is copied like any object.
import type { SwiftSource } from '../swift/source.ts';
import { listsAsEmpty } from './decide.ts';

export class SegmentReferences {
  readonly #names = new Map<string, Set<string>>();
  readonly #prefixes = new Map<string, string[]>();
  count = 0;

  addName(container: string, name: string): void {
    const names = this.#names.get(container) ?? new Set<string>();
    if (!names.has(name)) this.count++;
    this.#names.set(container, names.add(name));
  }

  addPrefix(container: string, prefix: string): void {
    this.#prefixes.set(container, [...(this.#prefixes.get(container) ?? []), prefix]);
    this.count++;
  }

  /** True when a manifest of another copied container lists this object (SLO) or its prefix covers it (DLO). */
  has(container: string, name: string): boolean {
    return this.#names.get(container)?.has(name) === true || (this.#prefixes.get(container) ?? []).some((prefix) => name.startsWith(prefix));
  }
}

/** The DLO manifest header "<container>/<prefix>" (URL-quoted, as Swift stores it). */
function parseDloManifest(value: string): { container: string; prefix: string } | undefined {
  let decoded: string;
  try { decoded = decodeURIComponent(value); } catch { decoded = value; }
  const slash = decoded.indexOf('/');
  return slash > 0 ? { container: decoded.slice(0, slash), prefix: decoded.slice(slash + 1) } : undefined;
}

/** Reads the manifests of every large object in `containers` (all shards: a segment hashes to another shard than its
 *  manifest) and keeps the references that point into another of `containers`. Only runs with several containers
 *  need it; a single container's segments are never copied twice. */
export async function findSegmentReferences(source: SwiftSource, containers: readonly string[]): Promise<SegmentReferences> {
  const references = new SegmentReferences();
  if (containers.length < 2) return references;
  const copied = new Set(containers);
  for (const container of containers) {
    for await (const entry of source.list(container)) {
      if (entry.largeObject === 'slo') {
        for (const segment of await source.sloSegments(container, entry.name)) {
          if (segment.container !== container && copied.has(segment.container)) references.addName(segment.container, segment.name);
        }
      } else if (listsAsEmpty(entry)) {
        const manifest = (await source.head(container, entry.name))?.['x-object-manifest'];
        const target = manifest ? parseDloManifest(manifest) : undefined;
        if (target && target.container !== container && copied.has(target.container)) references.addPrefix(target.container, target.prefix);
      }
    }
  }
  return references;
}
