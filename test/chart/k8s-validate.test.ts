// The schema check the chart tests rely on must itself fail on a misspelled or mistyped field: otherwise a green
// chart test would prove nothing.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { helmBinary, helmVersions } from './helm.ts';
import { validateManifest, type Manifest } from './k8s-validate.ts';
import { render, valuesArgs } from './render.ts';

/** A deep copy of manifest with one change made by edit. */
function altered(manifest: Manifest, edit: (copy: any) => void): Manifest {
  const copy = structuredClone(manifest);
  edit(copy);
  return copy;
}

/** Renames a key in place, keeping its value. */
function rename(object: Record<string, unknown>, from: string, to: string): void {
  assert.ok(from in object, `${from} is there to misspell`);
  object[to] = object[from];
  delete object[from];
}

describe('the manifest validator', () => {
  let manifests: Manifest[] = [];
  before(async () => {
    const helm = await helmBinary(helmVersions[1] ?? helmVersions[0]!);
    manifests = [
      ...(await render(helm, valuesArgs('swift-by-url-tls.yaml'))),
      ...(await render(helm, valuesArgs('catch-up.yaml'))),
    ];
  });
  const first = (kind: string) => {
    const found = manifests.find((m) => m['kind'] === kind);
    assert.ok(found, `rendered a ${kind}`);
    return found;
  };

  test('accepts what the chart renders', () => {
    for (const manifest of manifests) assert.deepEqual(validateManifest(manifest), []);
  });

  const typos: [string, string, (copy: any) => void, RegExp][] = [
    ['Job', 'a misspelled Job spec field', (j) => rename(j.spec, 'completions', 'completion'), /spec\.completion: unknown field/],
    ['Job', 'a misspelled container field', (j) => rename(j.spec.template.spec.containers[0], 'imagePullPolicy', 'imagePulPolicy'), /imagePulPolicy: unknown field/],
    ['Job', 'a misspelled securityContext field', (j) => rename(j.spec.template.spec.containers[0].securityContext, 'allowPrivilegeEscalation', 'allowPrivilegeEscalations'), /allowPrivilegeEscalations: unknown field/],
    ['Job', 'a misspelled env entry field', (j) => rename(j.spec.template.spec.containers[0].env[0], 'value', 'values'), /env\[0\]\.values: unknown field/],
    ['Job', 'a misspelled metadata field', (j) => rename(j.metadata, 'labels', 'label'), /metadata\.label: unknown field/],
    ['Job', 'a number given as a string', (j) => { j.spec.completions = '5'; }, /completions/],
    ['Job', 'a wrong enum value', (j) => { j.spec.completionMode = 'indexed'; }, /completionMode|allowed/],
    ['Job', 'a missing required field', (j) => { delete j.spec.template.spec.containers[0].name; }, /name/],
    ['Job', 'a misspelled hostAliases field', (j) => rename(j.spec.template.spec.hostAliases[0], 'hostnames', 'hostNames'), /hostNames: unknown field/],
    ['CronJob', 'a misspelled CronJob field', (c) => rename(c.spec, 'concurrencyPolicy', 'concurrencypolicy'), /concurrencypolicy: unknown field/],
    ['CronJob', 'a misspelled field in the jobTemplate', (c) => rename(c.spec.jobTemplate.spec, 'podFailurePolicy', 'podFailurePolicies'), /podFailurePolicies: unknown field/],
    ['CronJob', 'a wrong concurrencyPolicy', (c) => { c.spec.concurrencyPolicy = 'forbid'; }, /concurrencyPolicy|allowed/],
    ['NetworkPolicy', 'a misspelled NetworkPolicy field', (p) => rename(p.spec, 'policyTypes', 'policyType'), /policyType: unknown field/],
    ['ObjectBucketClaim', 'a misspelled claim field', (c) => rename(c.spec, 'storageClassName', 'storageClass'), /storageClass/],
    ['ObjectBucketClaim', 'a misspelled claim metadata field', (c) => rename(c.metadata, 'annotations', 'annotation'), /annotation: unknown field/],
    ['Secret', 'a misspelled Secret field', (s) => rename(s, 'stringData', 'stringdata'), /stringdata: unknown field/],
    ['ConfigMap', 'an unknown top-level field', (c) => { c.spec = {}; }, /spec: unknown field/],
  ];
  for (const [kind, what, edit, message] of typos) {
    test(`rejects ${what} in a ${kind}`, () => {
      const manifest = first(kind);
      const errors = validateManifest(altered(manifest, edit));
      assert.ok(errors.length > 0, `${what} passed the validator`);
      assert.match(errors.join('\n'), message);
    });
  }

  test('rejects a kind it has no schema for', () => {
    assert.match(validateManifest({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }).join(), /no schema/);
  });
});
