// The documents link each other by relative paths and heading anchors (README.md, docs/, the chart README): every
// such link names a file that exists and, with #anchor, a heading that file has, as GitHub makes the anchors.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const documents = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`), 'helm/swift-to-s3/README.md'];

/** Markdown without its fenced code blocks, where a `](` is code, not a link. */
function prose(markdown: string): string {
  return markdown.split(/^\s*```.*$/m).filter((_, i) => i % 2 === 0).join('\n');
}

/** GitHub's anchors of a document's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of prose(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = match[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

test('anchors are made as GitHub makes them', () => {
  const anchors = anchorsOf('# The `swift-to-s3` command on your machine\n## Resources and the namespace\'s quota\n### Make Swift reachable from the cluster (the VM side)\n## Resync on NooBaa: the ledger\n## Exit codes\n## Exit codes\n');
  assert.deepEqual([...anchors], ['the-swift-to-s3-command-on-your-machine', 'resources-and-the-namespaces-quota', 'make-swift-reachable-from-the-cluster-the-vm-side', 'resync-on-noobaa-the-ledger', 'exit-codes', 'exit-codes-1']);
});

test('every relative link of the documents names a file that exists, and a heading it has', () => {
  let links = 0;
  for (const document of documents) {
    const text = readFileSync(join(repoRoot, document), 'utf8');
    for (const match of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      links++;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? join(repoRoot, document) : resolve(repoRoot, dirname(document), path);
      assert.ok(existsSync(file), `${document}: ${target} names ${relative(repoRoot, file)}, which does not exist`);
      if (anchor !== undefined) assert.ok(anchorsOf(readFileSync(file, 'utf8')).has(anchor), `${document}: ${target}: ${relative(repoRoot, file)} has no heading #${anchor}`);
    }
  }
  assert.ok(links > 20, `only ${links} links found`);
});
