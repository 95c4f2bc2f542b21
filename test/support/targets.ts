// The bed's S3 targets: Swift's s3api and a real NooBaa NSFS. Every test that copies runs once per target.
import { test, type TestContext } from 'node:test';

export type TargetName = 's3api' | 'noobaa';

export interface Target {
  name: TargetName;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  port: number;
}

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with "npm test" (test/bed/with-bed.ts starts Swift, s3api and NooBaa)`);
  return value;
}

export function s3api(): Target {
  const endpoint = need('BED_S3_ENDPOINT');
  return { name: 's3api', endpoint, accessKeyId: need('BED_S3_ACCESS_KEY_ID'), secretAccessKey: need('BED_S3_SECRET_ACCESS_KEY'), port: Number(new URL(endpoint).port) };
}

/** The real NooBaa, when the bed has one (with-bed.ts says in one line when it is skipped). */
export function noobaa(): Target | undefined {
  const endpoint = process.env.BED_NOOBAA_ENDPOINT;
  if (!endpoint) return undefined;
  return { name: 'noobaa', endpoint, accessKeyId: need('BED_NOOBAA_ACCESS_KEY_ID'), secretAccessKey: need('BED_NOOBAA_SECRET_ACCESS_KEY'), port: Number(new URL(endpoint).port) };
}

export function targets(): Target[] {
  const second = noobaa();
  return second ? [s3api(), second] : [s3api()];
}

/** Registers one test per target of the bed, named "<name> [target]". */
export function testOnEachTarget(name: string, body: (t: TestContext, target: Target) => Promise<void>, options: { timeout?: number } = {}): void {
  for (const target of targets()) test(`${name} [${target.name}]`, options, (t) => body(t, target));
}

/** Registers a test only for NooBaa (its own key rules and listing order); absent NooBaa, a skipped test says why. */
export function testOnNoobaa(name: string, body: (t: TestContext, target: Target) => Promise<void>, options: { timeout?: number } = {}): void {
  const target = noobaa();
  if (target) test(`${name} [noobaa]`, options, (t) => body(t, target));
  else test(`${name} [noobaa]`, { skip: 'no NooBaa in this bed (../shared/noobaa absent)' }, () => undefined);
}
