// NOTES.txt as `helm install` prints it, without a cluster: helm install --dry-run may still ask one (Helm 3), so the
// notes are rendered through tpl in a copy of the chart, as a template that holds them.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { chartDir, runHelm } from './helm.ts';

/** The NOTES of release cube-files in namespace cube; args add -f / --set. */
export async function renderNotes(helm: string, args: readonly string[]): Promise<string> {
  const copy = join(await mkdtemp(join(tmpdir(), 'notes-chart-')), 'swift-to-s3');
  try {
    await cp(chartDir, copy, { recursive: true });
    await cp(join(chartDir, 'templates', 'NOTES.txt'), join(copy, 'notes.txt'));
    await writeFile(join(copy, 'templates', 'notes-as-configmap.yaml'), 'notes: {{ tpl (.Files.Get "notes.txt") . | quote }}\n');
    const result = await runHelm(helm, ['template', 'cube-files', copy, '--namespace', 'cube', '--show-only', 'templates/notes-as-configmap.yaml', ...args]);
    assert.equal(result.code, 0, result.stderr);
    return String((parse(result.stdout) as { notes: string }).notes);
  } finally {
    await rm(dirname(copy), { recursive: true, force: true });
  }
}
