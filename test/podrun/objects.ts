// The Kubernetes objects the pod runner reads and writes, typed as far as it uses them, and the namespace's
// ConfigMaps and Secrets as the API server stores them.

export type Json = Record<string, unknown>;

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Json[];
  creationTimestamp?: string;
  resourceVersion?: string;
}

export interface KeySelector { name: string; key: string; optional?: boolean }
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeySelector; secretKeyRef?: KeySelector; fieldRef?: { apiVersion?: string; fieldPath: string }; resourceFieldRef?: Json };
}
export interface EnvFromSource { prefix?: string; configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean } }
export interface VolumeMount { name: string; mountPath: string; subPath?: string; readOnly?: boolean }
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  volumeMounts?: VolumeMount[];
  terminationMessagePath?: string;
  terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
}
export interface KeyToPath { key: string; path: string; mode?: number }
export interface Volume {
  name: string;
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; optional?: boolean };
  emptyDir?: Json;
}
export interface HostAlias { ip: string; hostnames?: string[] }
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  hostAliases?: HostAlias[];
  restartPolicy?: string;
  hostname?: string;
  nodeName?: string;
  serviceAccountName?: string;
  enableServiceLinks?: boolean;
}
export interface PodTemplate { metadata?: ObjectMeta; spec: PodSpec }
export interface Pod { apiVersion?: string; kind?: string; metadata: ObjectMeta; spec: PodSpec; status?: Json }

export interface ConfigMap { metadata: ObjectMeta; data?: Record<string, string>; binaryData?: Record<string, string> }
/** As the API returns it: `data` values in base64. */
export interface Secret { metadata: ObjectMeta; data?: Record<string, string>; type?: string }

/** The ConfigMaps and Secrets of the pod's namespace, by name. */
export class ObjectStore {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();

  /** Stores a manifest as the API server would: a Secret's stringData is folded into base64 data, stringData
   *  winning (Convert_v1_Secret_To_core_Secret in pkg/apis/core/v1/conversion.go: "StringData overwrites Data"). */
  add(manifest: Json): void {
    const metadata = (manifest['metadata'] ?? {}) as ObjectMeta;
    const name = metadata.name;
    if (!name) throw new Error(`a ${String(manifest['kind'])} without a name`);
    if (manifest['kind'] === 'ConfigMap') {
      this.configMaps.set(name, { metadata, ...(manifest['data'] ? { data: manifest['data'] as Record<string, string> } : {}), ...(manifest['binaryData'] ? { binaryData: manifest['binaryData'] as Record<string, string> } : {}) });
    } else if (manifest['kind'] === 'Secret') {
      const data = { ...((manifest['data'] ?? {}) as Record<string, string>) };
      for (const [key, value] of Object.entries((manifest['stringData'] ?? {}) as Record<string, unknown>)) data[key] = Buffer.from(String(value)).toString('base64');
      this.secrets.set(name, { metadata, data, ...(typeof manifest['type'] === 'string' && manifest['type'] ? { type: manifest['type'] } : {}) });
    } else {
      throw new Error(`the store holds ConfigMaps and Secrets, not ${String(manifest['kind'])}`);
    }
  }
}
