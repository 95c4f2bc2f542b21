// Rendering the chart and finding things in what it renders, shared by the chart tests.
import { parseAllDocuments } from 'yaml';
import { template, valuesDir } from './helm.ts';
import type { Manifest } from './k8s-validate.ts';
import { join } from 'node:path';

export const valuesFiles = [
  'noobaa-default.yaml', 'existing-bucket.yaml', 'swift-by-ip.yaml', 'swift-by-url-tls.yaml',
  'rerun-only.yaml', 'old-cluster.yaml', 'verify.yaml', 'catch-up.yaml',
] as const;
export type ValuesFile = (typeof valuesFiles)[number];

export const valuesArgs = (file: string): string[] => ['-f', join(valuesDir, file)];

/** helm template, failing with Helm's own message when it does not render. */
export async function renderText(helm: string, args: readonly string[]): Promise<string> {
  const result = await template(helm, args);
  if (result.code !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`rendered YAML does not parse: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value !== null && typeof value === 'object') manifests.push(value as Manifest);
  }
  return manifests;
}

export async function render(helm: string, args: readonly string[]): Promise<Manifest[]> {
  return parseManifests(await renderText(helm, args));
}

/** Reads a nested field: get(job, 'spec', 'template', 'spec'). */
export function get(value: unknown, ...path: (string | number)[]): unknown {
  let at: unknown = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m['kind'] === kind);
}

export function one(manifests: Manifest[], kind: string): Manifest {
  const found = ofKind(manifests, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0] as Manifest;
}

export function nameOf(manifest: Manifest): string {
  return String(get(manifest, 'metadata', 'name'));
}

export interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }

/** The Job spec of a Job, or of a CronJob's jobTemplate. */
export function jobSpecOf(manifest: Manifest): Record<string, unknown> {
  const spec = manifest['kind'] === 'CronJob' ? get(manifest, 'spec', 'jobTemplate', 'spec') : get(manifest, 'spec');
  return spec as Record<string, unknown>;
}

/** The copier Job of a rendering: the Job, or the CronJob (whose jobTemplate holds the same Job spec). */
export function copierJob(manifests: Manifest[]): Manifest {
  const found = manifests.filter((m) => m['kind'] === 'Job' || m['kind'] === 'CronJob');
  if (found.length !== 1) throw new Error(`expected one Job or CronJob, rendered ${found.length}`);
  return found[0] as Manifest;
}

export function copierContainer(job: Manifest): Record<string, unknown> {
  const containers = get(jobSpecOf(job), 'template', 'spec', 'containers') as Record<string, unknown>[];
  const copier = containers.find((c) => c['name'] === 'copier');
  if (!copier) throw new Error('no container named copier');
  return copier;
}

/** The copier container's env as a map from name to entry. */
export function envOf(job: Manifest): Map<string, EnvVar> {
  const env = (copierContainer(job)['env'] ?? []) as EnvVar[];
  return new Map(env.map((e) => [e.name, e]));
}

export function envValue(job: Manifest, name: string): string | undefined {
  return envOf(job).get(name)?.value;
}
