// The chart under GitOps and in a tenant's namespace: the example Application and AppProject, what a namespace
// admin may create, Argo CD's exclusions, pruning of old runs, both tracking methods, the catch-up CronJob, the
// pinned chart release and the end of automated sync at cutover.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { releaseSelector } from '../../src/kube/jobs.ts';
import { matchesSelector } from '../kube/fake-api.ts';
import { chartDir, helmBinary, helmVersions, repoRoot, runHelm } from './helm.ts';
import { validateManifest, type Manifest } from './k8s-validate.ts';
import { copierContainer, copierJob, envValue, get, jobSpecOf, nameOf, ofKind, one, parseManifests, render, valuesArgs, valuesFiles } from './render.ts';

/** Kinds the namespace `admin` and `edit` roles may create: Kubernetes' bootstrap policy
 *  (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, ClusterRole "edit" via aggregate-to-edit: configmaps,
 *  secrets, batch jobs and cronjobs, networking networkpolicies; no discovery.k8s.io EndpointSlices, no core
 *  Endpoints create on current releases). The ObjectBucketClaim is the tenant's own claim on OpenShift Data Foundation. */
const TENANT_KINDS = new Set(['v1/ConfigMap', 'v1/Secret', 'batch/v1/Job', 'batch/v1/CronJob', 'networking.k8s.io/v1/NetworkPolicy', 'objectbucket.io/v1alpha1/ObjectBucketClaim']);

/** Argo CD's default resource.exclusions: the code's coreExcludedResources (util/settings/filtered_resource.go) and
 *  the upstream argocd-cm of Argo CD 3 (manifests/base/config/argocd-cm.yaml), which OpenShift GitOps carries too. */
const ARGO_EXCLUDED = ['v1/Event', 'events.k8s.io/', 'metrics.k8s.io/', 'coordination.k8s.io/v1/Lease', 'v1/Endpoints', 'discovery.k8s.io/v1/EndpointSlice', 'authentication.k8s.io/', 'authorization.k8s.io/', 'certificates.k8s.io/', 'cilium.io/', 'kyverno.io/', 'wgpolicyk8s.io/', 'reports.kyverno.io/'];

const typeOf = (m: Manifest) => `${String(m['apiVersion'])}/${String(m['kind'])}`;

/** The example Application (the tenant's) and AppProject (the Argo CD admin's), one file each. */
async function exampleDocuments(): Promise<Manifest[]> {
  const documents: Manifest[] = [];
  for (const file of ['argocd-application.yaml', 'argocd-appproject.yaml']) {
    const text = await readFile(join(repoRoot, 'helm', 'examples', file), 'utf8');
    documents.push(...parseAllDocuments(text).map((document) => document.toJS() as Manifest));
  }
  return documents;
}

/** The example Application's values rendered as Argo CD would: helm template with them as a values file. */
async function renderExample(helm: string, application: Manifest): Promise<Manifest[]> {
  const file = join(await mkdtemp(join(tmpdir(), 'argo-values-')), 'values.json');
  await writeFile(file, JSON.stringify(get(application, 'spec', 'source', 'helm', 'valuesObject')));
  const release = String(get(application, 'spec', 'source', 'helm', 'releaseName'));
  const namespace = String(get(application, 'spec', 'destination', 'namespace'));
  const result = await runHelm(helm, ['template', release, chartDir, '--namespace', namespace, '-f', file]);
  await rm(dirname(file), { recursive: true, force: true });
  assert.equal(result.code, 0, result.stderr);
  return parseManifests(result.stdout);
}

/** What Argo CD's label tracking does to a top-level object (controller/sync, SetAppInstanceLabel): the instance
 *  label becomes the Application's name. Pod templates are left alone. */
function labelTracked(manifest: Manifest, application: string): Manifest {
  const copy = structuredClone(manifest);
  (copy['metadata'] as { labels: Record<string, string> }).labels['app.kubernetes.io/instance'] = application;
  return copy;
}

/** Annotation tracking (Argo CD ≥ 3.0 default): argocd.argoproj.io/tracking-id = <app>:<group>/<kind>:<ns>/<name>. */
function annotationTracked(manifest: Manifest, application: string, namespace: string): Manifest {
  const copy = structuredClone(manifest);
  const metadata = copy['metadata'] as { annotations: Record<string, string>; name: string };
  const group = String(copy['apiVersion']).includes('/') ? String(copy['apiVersion']).split('/')[0] : '';
  metadata.annotations['argocd.argoproj.io/tracking-id'] = `${application}:${group}/${String(copy['kind'])}:${namespace}/${metadata.name}`;
  return copy;
}

for (const version of helmVersions) {
  describe(`GitOps and tenancy under Helm ${version.name}`, () => {
    let helm = '';
    before(async () => { helm = await helmBinary(version); });

    test('every values file renders only kinds a namespace admin may create and Argo CD does not exclude', async () => {
      for (const file of valuesFiles) {
        for (const manifest of await render(helm, valuesArgs(file))) {
          const type = typeOf(manifest);
          assert.ok(TENANT_KINDS.has(type), `${file}: ${type} is not creatable by a namespace admin`);
          assert.ok(!ARGO_EXCLUDED.some((excluded) => type === excluded || (excluded.endsWith('/') && type.startsWith(excluded))), `${file}: Argo CD skips ${type}`);
        }
      }
    });

    test('the example Application is a tenant\'s: its own namespace and project, named as the release, rendering a valid release', async () => {
      const documents = await exampleDocuments();
      const application = documents.find((d) => d['kind'] === 'Application');
      const project = documents.find((d) => d['kind'] === 'AppProject');
      assert.ok(application && project);
      const namespace = String(get(application, 'metadata', 'namespace'));
      const release = String(get(application, 'spec', 'source', 'helm', 'releaseName'));
      assert.notEqual(namespace, 'openshift-gitops', 'a tenant cannot create Applications in openshift-gitops');
      assert.equal(get(application, 'spec', 'destination', 'namespace'), namespace);
      assert.equal(nameOf(application), release, 'label tracking writes the Application name as the instance label');
      assert.notEqual(get(application, 'spec', 'project'), 'default');
      assert.equal(get(application, 'spec', 'project'), nameOf(project));
      assert.deepEqual(get(project, 'spec', 'sourceNamespaces'), [namespace]);
      assert.deepEqual((get(project, 'spec', 'destinations') as Manifest[]).map((d) => d['namespace']), [namespace]);
      assert.deepEqual(get(project, 'spec', 'clusterResourceWhitelist'), []);
      assert.equal(get(application, 'spec', 'source', 'path'), 'helm/swift-to-s3');

      const manifests = await renderExample(helm, application);
      for (const manifest of manifests) assert.deepEqual(validateManifest(manifest), []);
      assert.equal(ofKind(manifests, 'Secret').length, 0, 'no Secret in Git');
      const allowed = (get(project, 'spec', 'namespaceResourceWhitelist') as { group: string; kind: string }[]);
      const renderedEverywhere = [...manifests, ...(await render(helm, valuesArgs('catch-up.yaml')))];
      for (const manifest of renderedEverywhere) {
        const group = String(manifest['apiVersion']).includes('/') ? String(manifest['apiVersion']).split('/')[0] : '';
        assert.ok(allowed.some((a) => a.group === group && a.kind === manifest['kind']), `the project allows ${group}/${String(manifest['kind'])}`);
      }
      const job = one(manifests, 'Job');
      assert.deepEqual(get(job, 'spec', 'template', 'spec', 'hostAliases'), [{ ip: '192.0.2.10', hostnames: ['swift.cube.example.org'] }]);
      assert.ok(envValue(job, 'SWIFT_CA_FILE'));
    });

    test('the example Application pins a release of the chart, whose image it names, not a branch', async () => {
      // A branch would bring upstream changes of the pod template to an immutable Job: auto-sync patches it, 422.
      const application = (await exampleDocuments()).find((d) => d['kind'] === 'Application');
      assert.ok(application);
      const chart = parse(await readFile(join(chartDir, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
      assert.equal(get(application, 'spec', 'source', 'targetRevision'), `v${chart.version}`, 'the release tag of this chart version');
      const repository = get(application, 'spec', 'source', 'helm', 'valuesObject', 'image', 'repository');
      assert.equal(typeof repository, 'string', 'the image is named: the chart default is not published for you');
      const job = one(await renderExample(helm, application), 'Job');
      assert.equal(copierContainer(job)['image'], `${String(repository)}:${chart.appVersion}`, "the pinned chart's own image");
    });

    test('the cutover ends automated sync before any Job is removed, and the example Application can be deleted without its objects', async () => {
      const application = (await exampleDocuments()).find((d) => d['kind'] === 'Application');
      assert.ok(application);
      // Without resources-finalizer.argocd.argoproj.io, deleting an Application deletes none of its objects.
      assert.equal(get(application, 'metadata', 'finalizers'), undefined);
      const readme = await readFile(join(chartDir, 'README.md'), 'utf8');
      const cutover = readme.slice(readme.indexOf('### Catch-up until cutover'), readme.indexOf('## Install with Argo CD'));
      const endSync = cutover.search(/"path":"\/spec\/syncPolicy\/automated"/);
      const deleteJobs = cutover.search(/oc delete job /);
      assert.ok(endSync >= 0, 'a step turns automated sync off');
      assert.ok(cutover.includes('oc delete application cube-files -n cube'), 'or deletes the Application');
      assert.ok(deleteJobs > endSync, 'only then are the Jobs deleted');
      assert.ok(cutover.search(/STORAGE_ENV=s3/) > endSync, 'and before CUBE writes to the bucket');
    });

    test('status and rerun find the Job and its pods under label tracking, annotation tracking and none', async () => {
      const job = one(await render(helm, valuesArgs('noobaa-default.yaml')), 'Job');
      const selector = releaseSelector('cube-files');
      const variants = { untracked: job, label: labelTracked(job, 'cube-migration'), annotation: annotationTracked(job, 'cube-migration', 'cube') };
      for (const [tracking, variant] of Object.entries(variants)) {
        assert.ok(matchesSelector(get(variant, 'metadata', 'labels') as Record<string, string>, selector), `${tracking}: the Job matches ${selector}`);
      }
      assert.ok(matchesSelector(get(job, 'spec', 'template', 'metadata', 'labels') as Record<string, string>, selector), 'its pods match too');
      const other = one(await render(helm, [...valuesArgs('noobaa-default.yaml'), '--set', 'fullnameOverride=other']), 'Job');
      const otherRelease = one(await runHelmRender(helm, 'other-release'), 'Job');
      assert.ok(matchesSelector(get(other, 'metadata', 'labels') as Record<string, string>, selector), 'a fullnameOverride keeps the release label');
      assert.ok(!matchesSelector(get(otherRelease, 'metadata', 'labels') as Record<string, string>, selector), "another release's Job does not match");
    });

    test("an old run's Job survives Argo CD's automated prune and does not mark the app OutOfSync", async () => {
      const first = one(await render(helm, valuesArgs('noobaa-default.yaml')), 'Job');
      const second = one(await render(helm, [...valuesArgs('noobaa-default.yaml'), '--set', 'run=2']), 'Job');
      assert.notEqual(nameOf(first), nameOf(second), 'a new run is a new Job: the first leaves the rendered output');
      const annotations = get(first, 'metadata', 'annotations') as Record<string, string>;
      // gitops-engine sync: a resource whose sync-options contain Prune=false is never pruned (pkg/sync/sync_context.go).
      assert.ok(annotations['argocd.argoproj.io/sync-options']?.split(',').includes('Prune=false'));
      assert.ok(annotations['argocd.argoproj.io/compare-options']?.split(',').includes('IgnoreExtraneous'));
      assert.equal(annotations['helm.sh/resource-policy'], 'keep', 'and Helm keeps it on upgrade');
    });

    test('the catch-up CronJob carries no keep or prune protection, so uninstall, a cleared schedule and the prune remove it; the Job of a run keeps it', async () => {
      const KEEP = ['helm.sh/resource-policy', 'argocd.argoproj.io/sync-options', 'argocd.argoproj.io/compare-options'];
      // Its Jobs are owned by it and trimmed by its history limits; kept, it would go on resyncing after cutover.
      const cron = one(await render(helm, valuesArgs('catch-up.yaml')), 'CronJob');
      for (const metadata of [get(cron, 'metadata'), get(cron, 'spec', 'jobTemplate', 'metadata')]) {
        const annotations = (get(metadata, 'annotations') ?? {}) as Record<string, string>;
        for (const key of KEEP) assert.equal(annotations[key], undefined, `the CronJob carries ${key}`);
      }
      assert.equal(get(cron, 'metadata', 'annotations', 'argocd.argoproj.io/sync-wave'), '0', 'it still syncs after the claim');
      const job = one(await render(helm, [...valuesArgs('catch-up.yaml'), '--set', 'schedule=']), 'Job');
      const annotations = get(job, 'metadata', 'annotations') as Record<string, string>;
      assert.deepEqual(KEEP.map((key) => annotations[key]), ['keep', 'Prune=false', 'IgnoreExtraneous']);
    });

    test('schedule renders the same Indexed Job as a CronJob that never overlaps itself', async () => {
      const manifests = await render(helm, valuesArgs('catch-up.yaml'));
      assert.equal(ofKind(manifests, 'Job').length, 0);
      const cron = one(manifests, 'CronJob');
      assert.equal(nameOf(cron), 'cube-files-copy');
      assert.ok(nameOf(cron).length <= 52, 'CronJob names are limited to 52 characters');
      assert.equal(get(cron, 'spec', 'schedule'), '0 */6 * * *');
      assert.equal(get(cron, 'spec', 'concurrencyPolicy'), 'Forbid');
      assert.equal(get(cron, 'spec', 'timeZone'), 'America/New_York');
      assert.equal(get(cron, 'spec', 'successfulJobsHistoryLimit'), 3);
      const selector = releaseSelector('cube-files');
      assert.ok(matchesSelector(get(cron, 'spec', 'jobTemplate', 'metadata', 'labels') as Record<string, string>, selector), 'the Jobs it makes are found by status');
      const job = one(await render(helm, [...valuesArgs('catch-up.yaml'), '--set', 'schedule=']), 'Job');
      assert.deepEqual(jobSpecOf(cron), jobSpecOf(job), 'the jobTemplate is the Job of a run');
      assert.equal(envValue(copierJob(manifests), 'SHARD_COUNT'), '16');
      const long = one(await render(helm, [...valuesArgs('catch-up.yaml'), '--set', `fullnameOverride=${'a'.repeat(40)}`, '--set', 'mode=verify']), 'CronJob');
      assert.ok(nameOf(long).length <= 52, `${nameOf(long)} fits 52`);
    });
  });
}

async function runHelmRender(helm: string, release: string): Promise<Manifest[]> {
  const result = await runHelm(helm, ['template', release, chartDir, '--namespace', 'cube', ...valuesArgs('noobaa-default.yaml')]);
  assert.equal(result.code, 0, result.stderr);
  return parseManifests(result.stdout);
}
