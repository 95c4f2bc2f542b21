// The Helm chart, rendered by real Helm 3 and Helm 4: lint, Kubernetes API schemas, the values schema's refusals,
// deterministic output, restricted-v2, sharding and the credentials contract.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { chartDir, helmBinary, helmVersions, repoRoot, runHelm, template } from './helm.ts';
import { validateManifest, type Manifest } from './k8s-validate.ts';
import { renderNotes } from './notes.ts';
import {
  copierContainer, copierJob, envOf, envValue, get, jobSpecOf, nameOf, ofKind, one, parseManifests, render, renderText,
  valuesArgs, valuesFiles, type ValuesFile,
} from './render.ts';

const secretSentinels = {
  user: 'sentinel-user:do-not-render',
  key: 'sentinel-key-7c2b1f9e-do-not-render',
  authToken: 'sentinel-token-0a9d-do-not-render',
  appSecret: 'sentinel-app-secret-55e1-do-not-render',
};
const sentinelArgs = [
  '--set', `swift.user=${secretSentinels.user}`, '--set', `swift.key=${secretSentinels.key}`,
  '--set', `swift.authToken=${secretSentinels.authToken}`,
  '--set', `swift.keystone.applicationCredentialSecret=${secretSentinels.appSecret}`,
];

test('the templates use nothing random, time-based or cluster-dependent', async () => {
  const dir = join(chartDir, 'templates');
  for (const file of await readdir(dir)) {
    // Only what the template language runs counts: actions, without their comments.
    const actions = [...(await readFile(join(dir, file), 'utf8')).matchAll(/\{\{(.*?)\}\}/gs)]
      .map((m) => m[1] ?? '').filter((action) => !/^-?\s*\/\*/.test(action));
    const text = actions.join('\n');
    for (const forbidden of ['randAlpha', 'randNumeric', 'randAscii', 'randBytes', 'randInt', 'uuidv4', 'now', 'lookup', 'genPrivateKey', 'genCA', 'genSelfSigned', 'derivePassword', 'htpasswd']) {
      assert.doesNotMatch(text, new RegExp(`\\b${forbidden}\\b`), `${file} uses ${forbidden}`);
    }
  }
});

for (const version of helmVersions) {
  describe(`the chart under Helm ${version.name}`, () => {
    let helm = '';
    const texts = new Map<ValuesFile, string>();
    const rendered = new Map<ValuesFile, Manifest[]>();
    const manifestsOf = (file: ValuesFile): Manifest[] => {
      const found = rendered.get(file);
      if (!found) throw new Error(`${file} was not rendered`);
      return found;
    };

    before(async () => {
      helm = await helmBinary(version);
      await Promise.all(valuesFiles.map(async (file) => {
        const text = await renderText(helm, valuesArgs(file));
        texts.set(file, text);
        rendered.set(file, parseManifests(text));
      }));
    });

    test('helm lint --strict passes with every values file', async () => {
      const results = await Promise.all(valuesFiles.map((file) => runHelm(helm, ['lint', '--strict', chartDir, ...valuesArgs(file)])));
      results.forEach((result, i) => assert.equal(result.code, 0, `${valuesFiles[i]}:\n${result.stdout}${result.stderr}`));
    });

    test('every rendered object passes the Kubernetes, ObjectBucketClaim and Route schemas', () => {
      for (const file of valuesFiles) {
        for (const manifest of manifestsOf(file)) assert.deepEqual(validateManifest(manifest), [], `${file}`);
      }
    });

    test('optional settings render valid objects too', async () => {
      const digest = `sha256:${'ab'.repeat(32)}`;
      const manifests = await render(helm, [
        ...valuesArgs('swift-by-ip.yaml'),
        '--set', 'job.tmpSizeLimit=null', '--set', 'job.maxFailedIndexes=2', '--set', 'job.ttlSecondsAfterFinished=3600',
        '--set', `image.digest=${digest}`, '--set', 'commonLabels.team=fnndsc', '--set', 'job.podAnnotations.note=x',
        '--set', 'copier.extraEnv[0].name=EXTRA', '--set', 'copier.extraEnv[0].value=1', '--set', 'bucket.insecureSkipTLSVerify=true',
        '--set', 'networkPolicy.swift.cidrs={2001:db8::10/128}', '--set', 'networkPolicy.bucket.cidrs={198.51.100.0/24}',
        '--set', 'swift.ca.configMapName=vm-ca', '--set', 'swift.ca.key=proxy.pem', '--set', 'job.keepOldRuns=false',
        '--set', 'bucket.ca.source=configMap', '--set', 'bucket.ca.configMapName=my-ca', '--set', 'bucket.ca.key=ca.pem',
        '--set', 'job.resources=null', '--set', 'shards.parallelism=2', '--set', 'copier.bwlimit=50MiB', '--set', 'copier.transfers=4',
        '--set', 'copier.trustLedgerHours=0',
      ]);
      for (const manifest of manifests) assert.deepEqual(validateManifest(manifest), []);
      const job = one(manifests, 'Job');
      assert.equal(get(job, 'spec', 'maxFailedIndexes'), 2);
      assert.equal(get(job, 'spec', 'ttlSecondsAfterFinished'), 3600);
      assert.equal(get(copierContainer(job), 'image'), `ghcr.io/fnndsc/swift-to-s3@${digest}`);
      assert.equal(envValue(job, 'S3_INSECURE_SKIP_TLS_VERIFY'), 'true');
      assert.equal(envValue(job, 'S3_CA_FILE'), '/etc/swift-to-s3/ca/ca.pem');
      assert.equal(envValue(job, 'EXTRA'), '1');
      assert.equal(envValue(job, 'BWLIMIT'), '50MiB');
      assert.equal(envValue(job, 'TRANSFERS'), '4');
      assert.equal(envValue(job, 'TRUST_LEDGER_HOURS'), '0', 'a zero is a value, not an unset one');
      assert.equal(envValue(job, 'SWIFT_CA_FILE'), '/etc/swift-to-s3/swift-ca/proxy.pem');
      assert.ok(JSON.stringify(one(manifests, 'NetworkPolicy')).includes('2001:db8::10/128'));
      const annotations = get(job, 'metadata', 'annotations') as Record<string, string>;
      for (const kept of ['helm.sh/resource-policy', 'argocd.argoproj.io/sync-options', 'argocd.argoproj.io/compare-options']) {
        assert.equal(annotations[kept], undefined, `job.keepOldRuns=false: no ${kept}`);
      }
    });

    test('the copier\'s V8 heap is 75 % of limits.memory in MiB, through NODE_OPTIONS, unless extraEnv sets it', async () => {
      const cases: [string[], string | undefined][] = [
        [['--set-string', 'job.resources.limits.memory=1Gi'], '--max-old-space-size=768'],
        [['--set-string', 'job.resources.limits.memory=512Mi'], '--max-old-space-size=384'],
        // 2G is 2,000,000,000 bytes: 1907 MiB, of which 75 % is 1430.
        [['--set-string', 'job.resources.limits.memory=2G'], '--max-old-space-size=1430'],
        [['--set', 'job.resources.limits.memory=1073741824'], '--max-old-space-size=768'],
        [['--set', 'job.resources.limits=null'], undefined],
        [['--set', 'job.resources=null'], undefined],
        [['--set', 'copier.extraEnv[0].name=NODE_OPTIONS', '--set', 'copier.extraEnv[0].value=--max-old-space-size=300'], '--max-old-space-size=300'],
      ];
      const jobs = await Promise.all(cases.map(async ([args]) => one(await render(helm, [...valuesArgs('noobaa-default.yaml'), ...args]), 'Job')));
      cases.forEach(([args, expected], i) => {
        const job = jobs[i] as Manifest;
        assert.equal(envValue(job, 'NODE_OPTIONS'), expected, args.join(' '));
        const names = ((copierContainer(job)['env'] ?? []) as { name: string }[]).filter((e) => e.name === 'NODE_OPTIONS');
        assert.ok(names.length <= 1, `${args.join(' ')}: NODE_OPTIONS set ${names.length} times`);
      });
    });

    test('every values file renders byte for byte what test/chart/golden/ holds (a refactor changes no output)', async () => {
      // A deliberate change to the output: UPDATE_GOLDEN=1 node --test test/chart/chart.test.ts, then review the diff.
      for (const file of valuesFiles) {
        const golden = join(repoRoot, 'test', 'chart', 'golden', file);
        if (process.env.UPDATE_GOLDEN === '1') await writeFile(golden, texts.get(file) ?? '');
        assert.equal(texts.get(file), await readFile(golden, 'utf8'), `${file}: the rendering changed`);
      }
    });

    test('rendering twice gives byte-identical output', async () => {
      const again = await Promise.all(valuesFiles.map((file) => renderText(helm, valuesArgs(file))));
      again.forEach((text, i) => assert.equal(text, texts.get(valuesFiles[i] as ValuesFile)));
    });

    test('the default install claims a NooBaa bucket and feeds its ConfigMap and Secret to the Job unchanged', () => {
      const manifests = manifestsOf('noobaa-default.yaml');
      const claim = one(manifests, 'ObjectBucketClaim');
      assert.equal(get(claim, 'spec', 'storageClassName'), 'openshift-storage.noobaa.io');
      assert.equal(get(claim, 'spec', 'generateBucketName'), 'cube-files');
      assert.equal(get(claim, 'metadata', 'annotations', 'helm.sh/resource-policy'), 'keep');
      const job = one(manifests, 'Job');
      assert.equal(nameOf(job), 'cube-files-copy-1');
      assert.deepEqual(copierContainer(job)['envFrom'], [
        { configMapRef: { name: nameOf(claim) } },
        { secretRef: { name: nameOf(claim) } },
      ]);
      const env = envOf(job);
      for (const name of ['BUCKET_HOST', 'BUCKET_PORT', 'BUCKET_NAME', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        assert.equal(env.has(name), false, `${name} must come from the claim, not be set`);
      }
      assert.equal(envValue(job, 'SWIFT_AUTH_URL'), 'https://fnndsc.example.org/auth/v1.0');
      assert.equal(envValue(job, 'SWIFT_CONTAINERS'), 'users');
      assert.equal(envValue(job, 'SHARD_COUNT'), '16');
      assert.equal(env.has('SHARD_INDEXES'), false);
      assert.equal(get(job, 'spec', 'completions'), 16);
      assert.equal(get(job, 'spec', 'parallelism'), 16);
    });

    test('the service CA is mounted and S3_CA_FILE and NODE_EXTRA_CA_CERTS point at it', () => {
      const manifests = manifestsOf('noobaa-default.yaml');
      const ca = one(manifests, 'ConfigMap');
      assert.equal(get(ca, 'metadata', 'annotations', 'service.beta.openshift.io/inject-cabundle'), 'true');
      const job = one(manifests, 'Job');
      const volume = (get(job, 'spec', 'template', 'spec', 'volumes') as Record<string, unknown>[]).find((v) => get(v, 'configMap', 'name') === nameOf(ca));
      assert.ok(volume, 'the CA ConfigMap is a volume');
      const mount = (copierContainer(job)['volumeMounts'] as Record<string, unknown>[]).find((m) => m['name'] === volume['name']);
      assert.ok(mount);
      const file = `${String(mount['mountPath'])}/${String(get(volume, 'configMap', 'items', 0, 'path'))}`;
      assert.equal(get(volume, 'configMap', 'items', 0, 'key'), 'service-ca.crt');
      assert.equal(envValue(job, 'S3_CA_FILE'), file);
      assert.equal(envValue(job, 'NODE_EXTRA_CA_CERTS'), file);
      assert.equal(envOf(job).has('S3_INSECURE_SKIP_TLS_VERIFY'), false);
      const fromOpenShift = one(manifestsOf('swift-by-url-tls.yaml'), 'Job');
      assert.ok(JSON.stringify(get(fromOpenShift, 'spec', 'template', 'spec', 'volumes')).includes('"openshift-service-ca.crt"'));
      assert.equal(ofKind(manifestsOf('swift-by-url-tls.yaml'), 'ConfigMap').length, 0);
    });

    test('an existing bucket makes no claim and passes endpoint, name, keys and tuning', () => {
      const manifests = manifestsOf('existing-bucket.yaml');
      assert.equal(ofKind(manifests, 'ObjectBucketClaim').length, 0);
      assert.equal(ofKind(manifests, 'Secret').length, 0);
      const job = one(manifests, 'Job');
      assert.deepEqual(copierContainer(job)['envFrom'], [{ secretRef: { name: 'cube-s3-keys' } }]);
      assert.equal(envValue(job, 'S3_ENDPOINT'), 'https://s3.example.org');
      assert.equal(envValue(job, 'BUCKET_NAME'), 'cube-files');
      assert.equal(envValue(job, 'BUCKET_REGION'), 'us-east-1');
      assert.equal(envValue(job, 'S3_PREFIX'), 'migrated/');
      assert.equal(envValue(job, 'SWIFT_CONTAINERS'), 'users,pacs');
      assert.equal(envValue(job, 'TRANSFERS'), '16');
      assert.equal(envValue(job, 'PART_SIZE'), '64MiB');
      assert.equal(envValue(job, 'COMPARE'), 'size');
      assert.equal(envOf(job).has('S3_CA_FILE'), false);
      assert.equal(envOf(job).has('PART_CONCURRENCY'), false, 'unset tunables leave the copier its defaults');
      assert.equal(envOf(job).has('TRUST_LEDGER_HOURS'), false);
    });

    test('pods reach Swift by its URL: no Service, EndpointSlice or Route, and the NetworkPolicy allows its address and URL port', () => {
      for (const file of valuesFiles) {
        for (const kind of ['Service', 'EndpointSlice', 'Endpoints', 'Route']) assert.equal(ofKind(manifestsOf(file), kind).length, 0, `${file}: no ${kind}`);
      }
      const manifests = manifestsOf('swift-by-ip.yaml');
      const policy = one(manifests, 'NetworkPolicy');
      assert.deepEqual(get(policy, 'spec', 'podSelector', 'matchLabels', 'app.kubernetes.io/instance'), 'cube-files');
      const egress = JSON.stringify(get(policy, 'spec', 'egress'));
      for (const expected of ['"192.0.2.10/32"', '"openshift-dns"', '"openshift-storage"', '"port":8080', '"port":53', '"protocol":"UDP"']) {
        assert.ok(egress.includes(expected), `egress allows ${expected}: ${egress}`);
      }
      const job = one(manifests, 'Job');
      assert.equal(envValue(job, 'SWIFT_AUTH_URL'), 'http://192.0.2.10:8080/auth/v1.0');
      assert.equal(envValue(job, 'SWIFT_STORAGE_URL'), 'http://192.0.2.10:8080/v1/AUTH_chris');
      assert.equal(envValue(job, 'METRICS_PORT'), '9464');
      assert.equal(get(job, 'spec', 'template', 'metadata', 'annotations', 'prometheus.io/scrape'), 'true');
      assert.equal(get(copierContainer(job), 'ports', 0, 'containerPort'), 9464);
    });

    test('Swift behind TLS by name: the name pinned by hostAliases, its CA mounted for SWIFT_CA_FILE, Keystone credentials from the Secret', () => {
      const manifests = manifestsOf('swift-by-url-tls.yaml');
      const job = one(manifests, 'Job');
      const pod = get(job, 'spec', 'template', 'spec');
      assert.deepEqual(get(pod, 'hostAliases'), [{ ip: '192.0.2.10', hostnames: ['swift.cube.example.org'] }]);
      const volume = (get(pod, 'volumes') as Record<string, unknown>[]).find((v) => get(v, 'configMap', 'name') === 'cube-swift-ca');
      assert.ok(volume, 'the Swift CA ConfigMap is a volume');
      const mount = (copierContainer(job)['volumeMounts'] as Record<string, unknown>[]).find((m) => m['name'] === volume['name']);
      assert.ok(mount);
      assert.equal(mount['readOnly'], true);
      assert.deepEqual(get(volume, 'configMap', 'items'), [{ key: 'ca.crt', path: 'ca.crt' }]);
      assert.equal(envValue(job, 'SWIFT_CA_FILE'), `${String(mount['mountPath'])}/ca.crt`);
      assert.notEqual(envValue(job, 'SWIFT_CA_FILE'), envValue(job, 'S3_CA_FILE'), 'Swift and the bucket trust their own CAs');
      assert.equal(envValue(job, 'OS_AUTH_URL'), 'https://swift.cube.example.org:5000');
      assert.equal(envValue(job, 'OS_INTERFACE'), 'public');
      const secret = one(manifests, 'Secret');
      for (const name of ['OS_APPLICATION_CREDENTIAL_ID', 'OS_APPLICATION_CREDENTIAL_SECRET']) {
        assert.deepEqual(envOf(job).get(name)?.valueFrom, { secretKeyRef: { name: nameOf(secret), key: name } });
      }
      assert.equal(envOf(job).has('SWIFT_AUTH_URL'), false);
      const egress = JSON.stringify(get(one(manifests, 'NetworkPolicy'), 'spec', 'egress'));
      for (const expected of ['"192.0.2.10/32"', '"port":8443', '"port":5000']) assert.ok(egress.includes(expected), `egress allows ${expected}: ${egress}`);
      for (const file of valuesFiles.filter((f) => f !== 'swift-by-url-tls.yaml')) {
        assert.equal(envOf(copierJob(manifestsOf(file))).has('SWIFT_CA_FILE'), false, `${file}: no SWIFT_CA_FILE unless swift.ca is set`);
      }
    });

    test('a rerun of shards 3,7,12-14 is a new Job with 5 completions mapped by SHARD_INDEXES', () => {
      const job = one(manifestsOf('rerun-only.yaml'), 'Job');
      assert.equal(nameOf(job), 'cube-files-copy-2');
      assert.equal(get(job, 'spec', 'completions'), 5);
      assert.equal(get(job, 'spec', 'parallelism'), 5);
      assert.equal(envValue(job, 'SHARD_INDEXES'), '3,7,12-14');
      assert.equal(envValue(job, 'SHARD_COUNT'), '16');
      assert.equal(get(job, 'metadata', 'labels', 'swift-to-s3/run'), '2');
      assert.equal(get(job, 'spec', 'template', 'metadata', 'labels', 'swift-to-s3/run'), '2');
      assert.equal(get(job, 'spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/instance'), 'cube-files');
    });

    test('shards.only is normalised whatever its form', async () => {
      const cases: [string[], string, number][] = [
        [['--set', 'shards.only={14,3,12-13,7,3}'], '3,7,12-14', 5],
        [['--set', 'shards.only=5'], '5', 1],
        [['--set-string', 'shards.only=0'], '0', 1],
        [['--set-string', 'shards.only=15\\, 0-2 \\,9'], '0-2,9,15', 5],
        [['--set-string', 'shards.only=0-15'], '0-15', 16],
      ];
      const jobs = await Promise.all(cases.map(async ([args]) => one(await render(helm, [...valuesArgs('noobaa-default.yaml'), ...args]), 'Job')));
      cases.forEach(([args, indexes, completions], i) => {
        const job = jobs[i] as Manifest;
        assert.equal(envValue(job, 'SHARD_INDEXES'), indexes, args.join(' '));
        assert.equal(get(job, 'spec', 'completions'), completions, args.join(' '));
      });
    });

    test('the Job is Indexed, per-index backoff, and its failure policy ignores evictions first, then follows the copier exit codes', () => {
      const job = one(manifestsOf('noobaa-default.yaml'), 'Job');
      assert.equal(get(job, 'spec', 'completionMode'), 'Indexed');
      assert.equal(get(job, 'spec', 'backoffLimitPerIndex'), 3);
      assert.equal(get(job, 'spec', 'backoffLimit'), undefined);
      assert.equal(get(job, 'spec', 'ttlSecondsAfterFinished'), undefined, 'no TTL by default: it fights GitOps');
      assert.equal(get(job, 'spec', 'template', 'spec', 'restartPolicy'), 'Never');
      // The first matching rule decides: the eviction rule comes first, or an evicted pod that exits 3 (or 2) on
      // SIGTERM would fail its index (or the Job) instead of being retried.
      assert.deepEqual(get(job, 'spec', 'podFailurePolicy', 'rules'), [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'copier', operator: 'In', values: [2] } },
        { action: 'FailIndex', onExitCodes: { containerName: 'copier', operator: 'In', values: [3] } },
        { action: 'Count', onExitCodes: { containerName: 'copier', operator: 'In', values: [1] } },
      ]);
      const container = copierContainer(job);
      assert.deepEqual(container['args'], ['copy']);
      assert.equal(container['terminationMessagePolicy'], 'FallbackToLogsOnError');
      assert.equal(envValue(job, 'TERMINATION_MESSAGE_PATH'), container['terminationMessagePath']);
    });

    test('old-cluster mode uses a plain backoffLimit and no FailIndex; a token authenticates', () => {
      const job = one(manifestsOf('old-cluster.yaml'), 'Job');
      assert.equal(get(job, 'spec', 'backoffLimit'), 12);
      assert.equal(get(job, 'spec', 'backoffLimitPerIndex'), undefined);
      assert.equal(get(job, 'spec', 'maxFailedIndexes'), undefined);
      assert.equal(get(job, 'spec', 'activeDeadlineSeconds'), 86400);
      assert.deepEqual(get(job, 'spec', 'podFailurePolicy', 'rules'), [
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'copier', operator: 'In', values: [2] } },
        { action: 'Count', onExitCodes: { containerName: 'copier', operator: 'In', values: [1, 3] } },
      ], 'no FailIndex without backoffLimitPerIndex: an unreachable endpoint is counted like a failed object');
      assert.equal(envValue(job, 'SWIFT_STORAGE_URL'), 'https://fnndsc.example.org/v1/AUTH_chris');
      assert.deepEqual(envOf(job).get('SWIFT_AUTH_TOKEN')?.valueFrom, { secretKeyRef: { name: 'cube-files-swift-credentials', key: 'SWIFT_AUTH_TOKEN' } });
    });

    test('verify mode runs ["verify"] in a Job of its own', () => {
      const manifests = manifestsOf('verify.yaml');
      const job = one(manifests, 'Job');
      assert.equal(nameOf(job), 'cube-files-verify-3');
      assert.deepEqual(copierContainer(job)['args'], ['verify']);
      assert.equal(get(job, 'spec', 'parallelism'), 4);
      assert.equal(get(one(manifests, 'ObjectBucketClaim'), 'spec', 'bucketName'), 'cube-files');
      assert.equal(get(one(manifests, 'ObjectBucketClaim'), 'spec', 'generateBucketName'), undefined);
    });

    test("every Job's pods meet OpenShift's restricted-v2 SCC", () => {
      for (const file of valuesFiles) {
        const pod = get(jobSpecOf(copierJob(manifestsOf(file))), 'template', 'spec') as Record<string, unknown>;
        for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) assert.notEqual(pod[field], true, `${file}: ${field}`);
        const podContext = (pod['securityContext'] ?? {}) as Record<string, unknown>;
        assert.equal(podContext['runAsNonRoot'], true, file);
        for (const fixed of ['runAsUser', 'runAsGroup', 'fsGroup']) assert.equal(podContext[fixed], undefined, `${file}: no fixed ${fixed}`);
        assert.equal(get(podContext, 'seccompProfile', 'type'), 'RuntimeDefault', file);
        for (const volume of pod['volumes'] as Record<string, unknown>[]) {
          const type = Object.keys(volume).find((k) => k !== 'name');
          assert.ok(['configMap', 'secret', 'emptyDir', 'projected', 'downwardAPI', 'persistentVolumeClaim', 'ephemeral', 'csi'].includes(String(type)), `${file}: volume type ${type}`);
        }
        const containers = [...(pod['containers'] as Record<string, unknown>[]), ...((pod['initContainers'] ?? []) as Record<string, unknown>[])];
        for (const container of containers) {
          const context = (container['securityContext'] ?? {}) as Record<string, unknown>;
          assert.equal(context['allowPrivilegeEscalation'], false, file);
          assert.notEqual(context['privileged'], true, file);
          assert.deepEqual(get(context, 'capabilities', 'drop'), ['ALL'], file);
          assert.equal(get(context, 'capabilities', 'add'), undefined, file);
          assert.equal(context['runAsUser'], undefined, `${file}: no fixed UID`);
          assert.equal(context['readOnlyRootFilesystem'], true, file);
          for (const port of (container['ports'] ?? []) as Record<string, unknown>[]) assert.equal(port['hostPort'], undefined, file);
          const tmp = (container['volumeMounts'] as Record<string, unknown>[]).find((m) => m['mountPath'] === '/tmp');
          const tmpVolume = (pod['volumes'] as Record<string, unknown>[]).find((v) => v['name'] === tmp?.['name']);
          assert.ok(tmpVolume && 'emptyDir' in tmpVolume, `${file}: /tmp is an emptyDir`);
        }
      }
    });

    test('Argo CD sync waves put the claim, Secrets and CA before the NetworkPolicy, and that before the Job', () => {
      const waveOf = (m: Manifest) => Number(get(m, 'metadata', 'annotations', 'argocd.argoproj.io/sync-wave'));
      for (const file of valuesFiles) {
        const manifests = manifestsOf(file);
        const job = waveOf(copierJob(manifests));
        for (const m of manifests) assert.ok(Number.isInteger(waveOf(m)), `${file}: ${String(m['kind'])} has a sync wave`);
        for (const kind of ['ObjectBucketClaim', 'Secret', 'ConfigMap']) {
          for (const m of ofKind(manifests, kind)) {
            for (const n of ofKind(manifests, 'NetworkPolicy')) assert.ok(waveOf(m) < waveOf(n), `${file}: ${kind} before the NetworkPolicy`);
            assert.ok(waveOf(m) < job, `${file}: ${kind} before the Job`);
          }
        }
        for (const n of ofKind(manifests, 'NetworkPolicy')) assert.ok(waveOf(n) < job, `${file}: the NetworkPolicy before the Job`);
      }
    });

    test('with swift.existingSecret no credential appears anywhere in the rendered output', async () => {
      const files: ValuesFile[] = ['existing-bucket.yaml', 'swift-by-ip.yaml', 'rerun-only.yaml', 'verify.yaml', 'catch-up.yaml'];
      const outputs = await Promise.all(files.map((file) => renderText(helm, [...valuesArgs(file), ...sentinelArgs])));
      outputs.forEach((text, i) => {
        for (const sentinel of Object.values(secretSentinels)) assert.ok(!text.includes(sentinel), `${files[i]} leaks ${sentinel}`);
        const manifests = parseManifests(text);
        assert.equal(ofKind(manifests, 'Secret').length, 0, `${files[i]}: no Secret made`);
        const env = envOf(copierJob(manifests));
        assert.deepEqual(env.get('SWIFT_KEY')?.valueFrom, { secretKeyRef: { name: 'cube-swift', key: 'SWIFT_KEY' } });
      });
    });

    test('credentials from values appear only inside the Secret made from them', () => {
      const secretValues = ['testing-key-value-6f1c', 'app-cred-secret-value-91ab', 'token-value-5d2e'];
      for (const file of ['noobaa-default.yaml', 'swift-by-url-tls.yaml', 'old-cluster.yaml'] as const) {
        const manifests = manifestsOf(file);
        const outside = JSON.stringify(manifests.filter((m) => m['kind'] !== 'Secret'));
        for (const value of secretValues) assert.ok(!outside.includes(value), `${file}: ${value} outside the Secret`);
        assert.ok(secretValues.some((value) => JSON.stringify(one(manifests, 'Secret')).includes(value)), `${file}: the Secret holds it`);
        const container = copierContainer(one(manifests, 'Job'));
        assert.ok(!('command' in container), 'no command: the image entrypoint runs');
      }
    });

    test('the values schema and the templates reject bad values with a clear message', async () => {
      const base = valuesArgs('noobaa-default.yaml');
      const cases: { why: string; args: string[]; message: RegExp }[] = [
        { why: 'no swift.authUrl', args: ['--set', 'swift.authUrl='], message: /authUrl/ },
        { why: 'shards.count < 1', args: ['--set', 'shards.count=0'], message: /shards[./]count/ },
        { why: 'a malformed shards.only', args: ['--set-string', 'shards.only=3;7'], message: /shards[./]only/ },
        { why: 'a shard past shards.count', args: ['--set-string', 'shards.only=3\\,16'], message: /shard 16 does not exist, shards.count is 16/ },
        { why: 'a backwards range', args: ['--set-string', 'shards.only=9-4'], message: /range "9-4" runs backwards/ },
        { why: 'an unknown mode', args: ['--set', 'mode=sync'], message: /mode/ },
        { why: 'a misspelled value', args: ['--set', 'shard.count=3'], message: /shard/ },
        { why: 'no containers', args: ['--set', 'swift.containers=null'], message: /containers/ },
        { why: 'auth v1 without a key', args: ['--set', 'swift.key='], message: /swift[./]key/ },
        { why: 'a bad URL', args: ['--set', 'swift.authUrl=fnndsc.example.org/auth'], message: /authUrl/ },
        { why: 'a hostAlias address that is no address', args: ['--set', 'swift.hostAliases[0].ip=192.0.2.300', '--set', 'swift.hostAliases[0].hostnames[0]=swift.example.org'], message: /hostAliases/ },
        { why: 'a hostAlias address with text around it', args: ['--set', 'swift.hostAliases[0].ip=x192.0.2.3', '--set', 'swift.hostAliases[0].hostnames[0]=swift.example.org'], message: /hostAliases/ },
        { why: 'a hostAlias without names', args: ['--set', 'swift.hostAliases[0].ip=192.0.2.3'], message: /hostnames/ },
        { why: 'a CIDR with a prefix over 32', args: ['--set', 'networkPolicy.enabled=true', '--set', 'networkPolicy.swift.cidrs={192.0.2.3/33}'], message: /cidrs/ },
        { why: 'a CIDR with text before it', args: ['--set', 'networkPolicy.enabled=true', '--set', 'networkPolicy.swift.cidrs={a192.0.2.3/32}'], message: /cidrs/ },
        { why: 'the removed Service values', args: ['--set', 'swift.service.address=192.0.2.1'], message: /service/ },
        { why: 'a schedule that is no cron string', args: ['--set', 'schedule=every day'], message: /schedule/ },
        { why: 'concurrent resyncs', args: ['--set', 'schedule=@daily', '--set', 'cronJob.concurrencyPolicy=Allow'], message: /concurrencyPolicy/ },
        { why: 'a cluster without backoffLimitPerIndex', args: ['--kube-version', '1.28.0'], message: /Kubernetes v1.28.0 has no backoffLimitPerIndex .*set job.legacyBackoff=true/ },
        { why: 'an existing endpoint without keys', args: ['--set', 'bucket.existing.endpoint=https://s3.example.org', '--set', 'bucket.existing.bucketName=b'], message: /secretName/ },
        { why: 'a NetworkPolicy that cannot name Swift', args: ['--set', 'networkPolicy.enabled=true'], message: /networkPolicy.swift.cidrs is required/ },
        { why: 'a run below 1', args: ['--set', 'run=0'], message: /run/ },
        { why: 'a CPU limit that is no quantity', args: ['--set', 'job.resources.limits.cpu=lots'], message: /cpu/ },
        { why: 'a memory request that is no quantity', args: ['--set', 'job.resources.requests.memory=1 GB'], message: /memory/ },
      ];
      const results = await Promise.all(cases.map((c) => template(helm, [...base, ...c.args])));
      results.forEach((result, i) => {
        const c = cases[i] as (typeof cases)[number];
        assert.notEqual(result.code, 0, `${c.why} must fail`);
        assert.match(result.stderr, c.message, `${c.why}: ${result.stderr}`);
      });
    });

    test('NOTES tell how to follow progress, verify and rerun', async () => {
      const notes = await renderNotes(helm, valuesArgs('rerun-only.yaml'));
      assert.match(notes, /swift-to-s3 status --release cube-files -n cube/);
      assert.match(notes, /swift-to-s3 verify/);
      assert.match(notes, /--set mode=verify/);
      assert.match(notes, /swift-to-s3 rerun --release cube-files -n cube/);
      assert.match(notes, /only shards 3,7,12-14/);
      assert.match(notes, /--reset-then-reuse-values --set run=3/);
      assert.doesNotMatch(notes, /--reuse-values --set/, 'no --reuse-values: it keeps the old chart defaults');
      assert.match(notes, /the next full run needs --set shards.only= /);
      assert.match(notes, /-l swift-to-s3.io\/release=cube-files,swift-to-s3\/run=2/);
    });

    test('NOTES in catch-up mode suspend the CronJob before the upgrade that clears schedule removes it', async () => {
      const notes = await renderNotes(helm, valuesArgs('catch-up.yaml'));
      const suspend = notes.search(/--reset-then-reuse-values --set cronJob\.suspend=true/);
      const clear = notes.search(/--set schedule= /);
      assert.ok(suspend >= 0, notes);
      assert.ok(clear > suspend, `first suspend, then clear schedule:\n${notes}`);
      assert.doesNotMatch(notes, /Prune=false|resource-policy keep/, 'the CronJob is not kept: nothing of it outlives the release');
    });

    test('the copier asks for an explicit CPU request and limit, and NOTES give parallelism × limits for the quota', async () => {
      const container = copierContainer(one(manifestsOf('noobaa-default.yaml'), 'Job'));
      // Without its own CPU limit a container gets the LimitRange's default (NERC: cpu 1), whatever the chart says.
      assert.deepEqual(container['resources'], { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
      const notes = await renderNotes(helm, valuesArgs('noobaa-default.yaml'));
      assert.match(notes, /16 pods at once × limits cpu 1, memory 1Gi = 16 CPUs and 16Gi of limits\.cpu and limits\.memory/);
      assert.match(notes, /requests: 4 CPUs and 4Gi/);
      assert.match(notes, /oc describe quota -n cube/);
      const four = await renderNotes(helm, [...valuesArgs('noobaa-default.yaml'), '--set', 'shards.parallelism=4', '--set', 'job.resources.limits.cpu=1500m', '--set', 'job.resources.limits.memory=2Gi']);
      assert.match(four, /4 pods at once × limits cpu 1500m, memory 2Gi = 6 CPUs and 8Gi of limits/);
      const none = await renderNotes(helm, [...valuesArgs('noobaa-default.yaml'), '--set', 'job.resources=null']);
      assert.match(none, /no resources: the namespace's LimitRange defaults apply/);
    });
  });
}
