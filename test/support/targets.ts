// The bed's S3 targets: Swift's s3api, a real NooBaa data bucket (nbdb) and a real NooBaa NSFS bucket (nsfs). Every
// test that copies runs once per target.
import { test, type TestContext } from 'node:test';

export type TargetName = 's3api' | 'nbdb' | 'nsfs';

export interface Target {
  name: TargetName;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  port: number;
}

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with "npm test" (test/bed/with-bed.ts starts Swift, s3api and the NooBaas)`);
  return value;
}

export function s3api(): Target {
  const endpoint = need('BED_S3_ENDPOINT');
  return { name: 's3api', endpoint, accessKeyId: need('BED_S3_ACCESS_KEY_ID'), secretAccessKey: need('BED_S3_SECRET_ACCESS_KEY'), port: Number(new URL(endpoint).port) };
}

/** A NooBaa of the bed, when it has one (with-bed.ts says in one line when one is skipped). */
function noobaaTarget(name: 'nbdb' | 'nsfs'): Target | undefined {
  const prefix = `BED_${name.toUpperCase()}`;
  const endpoint = process.env[`${prefix}_ENDPOINT`];
  if (!endpoint) return undefined;
  return { name, endpoint, accessKeyId: need(`${prefix}_ACCESS_KEY_ID`), secretAccessKey: need(`${prefix}_SECRET_ACCESS_KEY`), port: Number(new URL(endpoint).port) };
}

/** The real NooBaa data bucket (PostgreSQL-backed; what a default ObjectBucketClaim gives), when the bed has it. */
export function nbdb(): Target | undefined {
  return noobaaTarget('nbdb');
}

/** The real NooBaa NSFS bucket (file-backed; what an NSFS bucket class gives), when the bed has it. */
export function nsfs(): Target | undefined {
  return noobaaTarget('nsfs');
}

/** Every S3 target of the bed: s3api, then nbdb and nsfs when present. */
export function targets(): Target[] {
  return [s3api(), nbdb(), nsfs()].filter((target): target is Target => target !== undefined);
}

/** Registers one test per target of the bed, named "<name> [target]". */
export function testOnEachTarget(name: string, body: (t: TestContext, target: Target) => Promise<void>, options: { timeout?: number } = {}): void {
  for (const target of targets()) test(`${name} [${target.name}]`, options, (t) => body(t, target));
}

/** Registers a test only for the NooBaa NSFS bucket (its own key rules and listing order); absent it, a skipped test says why. */
export function testOnNsfs(name: string, body: (t: TestContext, target: Target) => Promise<void>, options: { timeout?: number } = {}): void {
  const target = nsfs();
  if (target) test(`${name} [nsfs]`, options, (t) => body(t, target));
  else test(`${name} [nsfs]`, { skip: 'no NooBaa NSFS in this bed (../shared/noobaa/nsfs absent)' }, () => undefined);
}

/** Registers a test only for the NooBaa data bucket; absent it, a skipped test says why. */
export function testOnNbdb(name: string, body: (t: TestContext, target: Target) => Promise<void>, options: { timeout?: number } = {}): void {
  const target = nbdb();
  if (target) test(`${name} [nbdb]`, options, (t) => body(t, target));
  else test(`${name} [nbdb]`, { skip: 'no NooBaa data bucket in this bed (../shared/noobaa/nbdb absent)' }, () => undefined);
}
