// Checks rendered manifests against the Kubernetes API schemas without a cluster, strictly: a misspelled field fails.
// Two generated sources of the same OpenAPI definitions work together: kubernetes-models' compiled validators check
// types, required fields and enums but allow unknown fields; @kubernetes/client-node's model attribute maps list every
// field of every type, so walking them finds fields the API does not have. ObjectBucketClaim is no part of either, so a
// small strict JSON schema of our own (schemas/objectbucketclaim.schema.json) covers it.
import * as k8sModels from '@kubernetes/client-node';
import { Ajv, type ValidateFunction } from 'ajv';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helm.ts';

export type Manifest = Record<string, unknown>;

interface Attribute { name: string; baseName: string; type: string }
interface ClientModel { getAttributeTypeMap(): Attribute[] }
interface ValidatingModel { validate(): void }

/** Kinds the chart may render: the kubernetes-models class (types, required, enums) and the client-node type name. */
const builtIn: Record<string, { model: new (data: Manifest) => ValidatingModel; clientType: string }> = {
  'v1/ConfigMap': { model: ConfigMap, clientType: 'V1ConfigMap' },
  'v1/Secret': { model: Secret, clientType: 'V1Secret' },
  'batch/v1/Job': { model: Job, clientType: 'V1Job' },
  'batch/v1/CronJob': { model: CronJob as never, clientType: 'V1CronJob' }, // its constructor's type requires a spec
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, clientType: 'V1NetworkPolicy' },
};

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const custom: Record<string, ValidateFunction> = {
  'objectbucket.io/v1alpha1/ObjectBucketClaim': ajv.compile(loadSchema('objectbucketclaim.schema.json')),
};

function loadSchema(file: string): object {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'chart', 'schemas', file), 'utf8')) as object;
}

function clientModel(type: string): ClientModel | undefined {
  const candidate = (k8sModels as unknown as Record<string, unknown>)[type];
  if (typeof candidate === 'function' && 'getAttributeTypeMap' in candidate) return candidate as unknown as ClientModel;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks value as the client-node type `type`, reporting unknown fields and wrong primitive types. */
function checkFields(value: unknown, type: string, path: string, errors: string[]): void {
  if (value === null || value === undefined) return;
  if (type === 'any' || type === 'object') return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array?.[1]) {
    if (!Array.isArray(value)) { errors.push(`${path}: expected a list (${type})`); return; }
    value.forEach((item, i) => checkFields(item, array[1] as string, `${path}[${i}]`, errors));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1]) {
    if (!isPlainObject(value)) { errors.push(`${path}: expected a map (${type})`); return; }
    for (const [key, item] of Object.entries(value)) checkFields(item, map[1], `${path}.${key}`, errors);
    return;
  }
  switch (type) {
    case 'string': case 'Date':
      if (typeof value !== 'string') errors.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') errors.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && typeof value !== 'number') errors.push(`${path}: expected an int or a string`);
      return;
  }
  const model = clientModel(type);
  if (!model) { errors.push(`${path}: no schema for type ${type}`); return; }
  if (!isPlainObject(value)) { errors.push(`${path}: expected an object (${type})`); return; }
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [key, item] of Object.entries(value)) {
    const attributeType = attributes.get(key);
    if (attributeType === undefined) errors.push(`${path}.${key}: unknown field (${type} has no such field)`);
    else checkFields(item, attributeType, `${path}.${key}`, errors);
  }
}

/** All problems of one manifest against its kind's schema; empty when it is valid. */
export function validateManifest(manifest: Manifest): string[] {
  const apiVersion = String(manifest['apiVersion']);
  const kind = String(manifest['kind']);
  const id = `${apiVersion}/${kind}`;
  const metadata = isPlainObject(manifest['metadata']) ? manifest['metadata'] : {};
  const where = `${kind}/${String(metadata['name'])}`;
  const errors: string[] = [];
  const known = builtIn[id];
  if (known) {
    try {
      new known.model(manifest).validate();
    } catch (error) {
      errors.push(`${where}: ${(error as Error).message}`);
    }
    checkFields(manifest, known.clientType, where, errors);
    return errors;
  }
  const validate = custom[id];
  if (validate) {
    if (!validate(manifest)) {
      for (const e of validate.errors ?? []) errors.push(`${where}${e.instancePath}: ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`);
    }
    checkFields(manifest['metadata'], 'V1ObjectMeta', `${where}.metadata`, errors);
    return errors;
  }
  return [`${where}: no schema for ${id}`];
}
