// The image workflow (.github/workflows/image.yml), read as GitHub would read it: it builds the Containerfile on
// a pull request without pushing, and on a tag v<version> pushes ghcr.io/<owner>/swift-to-s3:<version>, the image
// the chart's defaults pull, with no more token rights than that needs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { globalArgDefaults, keyValues, parseContainerfile } from './containerfile.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workflowText = readFileSync(join(repoRoot, '.github', 'workflows', 'image.yml'), 'utf8');
const containerfile = readFileSync(join(repoRoot, 'Containerfile'), 'utf8');

interface Step { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown> }
interface Workflow {
  on: { push?: { tags?: string[]; branches?: string[] }; pull_request?: unknown };
  permissions: Record<string, string>;
  jobs: Record<string, { permissions?: unknown; steps: Step[] }>;
}

function parseWorkflow(): Workflow {
  const document = parseDocument(workflowText, { uniqueKeys: true });
  assert.deepEqual(document.errors.map((e) => e.message), [], 'the workflow parses as YAML');
  return document.toJS() as Workflow;
}

/** The one step that uses an action (owner/name, any version), and where it sits. */
function stepUsing(steps: Step[], action: string): { step: Step; at: number } {
  const at = steps.findIndex((s) => s.uses?.split('@')[0] === action);
  assert.ok(at >= 0, `a step uses ${action}`);
  assert.match(steps[at]?.uses ?? '', /@v\d+$/, `${action} is pinned to a major version`);
  return { step: steps[at] as Step, at };
}

const lines = (value: unknown): string[] => (typeof value === 'string' ? value : '').split('\n').map((l) => l.trim()).filter(Boolean);

describe('the image workflow', () => {
  const workflow = parseWorkflow();
  const jobs = Object.values(workflow.jobs);
  const steps = jobs[0]?.steps ?? [];

  test('runs on a v* tag and on pull requests, never on a branch push', () => {
    assert.deepEqual(workflow.on.push?.tags, ['v*']);
    assert.equal(workflow.on.push?.branches, undefined, 'no push of main publishes an image');
    assert.ok('pull_request' in workflow.on, 'pull requests build the image');
  });

  test('asks for contents: read and packages: write, nothing more, in the workflow and its jobs', () => {
    assert.deepEqual(workflow.permissions, { contents: 'read', packages: 'write' });
    assert.equal(jobs.length, 1, 'one job');
    for (const job of jobs) assert.equal(job.permissions, undefined, 'no job widens the permissions');
  });

  test('names the image ghcr.io/<owner>/swift-to-s3 with the bare version of the tag, as the chart pulls it', () => {
    const { step: meta } = stepUsing(steps, 'docker/metadata-action');
    assert.equal(meta.with?.['images'], 'ghcr.io/${{ github.repository_owner }}/swift-to-s3');
    assert.ok(lines(meta.with?.['tags']).includes('type=semver,pattern={{version}}'), 'v0.1.0 → 0.1.0');

    const chart = parseDocument(readFileSync(join(repoRoot, 'helm', 'swift-to-s3', 'Chart.yaml'), 'utf8')).toJS() as { appVersion: string };
    assert.match(chart.appVersion, /^\d+\.\d+\.\d+/, 'the chart\'s default image.tag is a bare version, as {{version}} makes it');
    const values = parseDocument(readFileSync(join(repoRoot, 'helm', 'swift-to-s3', 'values.yaml'), 'utf8')).toJS() as { image: { repository: string } };
    const labels = keyValues(parseContainerfile(containerfile).at(-1)?.instructions.filter((i) => i.op === 'LABEL').map((i) => i.args).join(' ') ?? '');
    const owner = /github\.com\/([^/]+)\//.exec(labels.get('org.opencontainers.image.source') ?? '')?.[1];
    assert.ok(owner, 'the image names its source repository');
    assert.equal(values.image.repository, `ghcr.io/${owner.toLowerCase()}/swift-to-s3`, 'the chart\'s default image is the one this workflow publishes');
  });

  test('builds the Containerfile with buildah, passing only build arguments the Containerfile declares', () => {
    const { step: meta, at: metaAt } = stepUsing(steps, 'docker/metadata-action');
    const { step: build, at } = stepUsing(steps, 'redhat-actions/buildah-build');
    assert.ok(at > metaAt, 'after the names are known');
    assert.deepEqual([meta.id, build.id], ['meta', 'build'], 'the ids the outputs are read by');
    const files = lines(build.with?.['containerfiles']);
    assert.deepEqual(files.map((f) => f.replace(/^\.\//, '')), ['Containerfile']);
    assert.ok(existsSync(join(repoRoot, files[0] ?? '')));
    assert.equal(build.with?.['tags'], '${{ steps.meta.outputs.tags }}');

    const declared = new Set(containerfile.split('\n').map((l) => /^ARG\s+(\w+)/.exec(l.trim())?.[1]).filter(Boolean));
    const passed = lines(build.with?.['build-args']).map((arg) => /^(?:\$\{\{.*'(\w+)=\{0\}'.*\}\}|(\w+)=)/.exec(arg)).map((m) => m?.[1] ?? m?.[2]);
    assert.ok(passed.length > 0 && passed.every(Boolean), `each build arg is KEY=value: ${lines(build.with?.['build-args']).join(' | ')}`);
    for (const key of passed) assert.ok(declared.has(key), `the Containerfile declares ARG ${key}`);
    assert.ok(passed.includes('VERSION'), 'the image is labelled with its version');
    assert.ok(passed.includes('BASE_IMAGE') && globalArgDefaults(containerfile).has('BASE_IMAGE'), 'a release can pin the base image digest');
    assert.equal(lines(build.with?.['build-args']).at(-1)?.startsWith('${{'), true, 'the optional line is last (an unset one trims away)');
  });

  test('runs the built image\'s CLI as an arbitrary UID in group 0 before anything is pushed', () => {
    const { at: buildAt } = stepUsing(steps, 'redhat-actions/buildah-build');
    const { at: pushAt } = stepUsing(steps, 'redhat-actions/push-to-registry');
    const smoke = steps.findIndex((s) => /\bpodman run\b/.test(s.run ?? ''));
    assert.ok(smoke > buildAt && smoke < pushAt, 'between build and push');
    const run = (steps[smoke]?.run ?? '').replace(/\s+/g, ' ');
    assert.match(run, /--user [1-9]\d*:0 /);
    assert.match(run, /--read-only /);
    assert.match(run, /"\$\{\{ steps\.build\.outputs\.image-with-tag \}\}" --help$/);
  });

  test('pushes only on a tag push, what was built, with the job\'s own token', () => {
    const { step: push } = stepUsing(steps, 'redhat-actions/push-to-registry');
    const condition = (push.if ?? '').split('&&').map((c) => c.trim());
    assert.ok(condition.includes("github.event_name == 'push'"), `a pull request never pushes: if: ${push.if}`);
    assert.ok(condition.includes("startsWith(github.ref, 'refs/tags/v')"), `only a v* tag pushes: if: ${push.if}`);
    assert.equal(push.with?.['tags'], '${{ steps.build.outputs.tags }}');
    assert.equal(push.with?.['password'], '${{ secrets.GITHUB_TOKEN }}');
    const secrets = [...workflowText.matchAll(/secrets\.(\w+)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(secrets)], ['GITHUB_TOKEN'], 'no other secret is needed');
  });
});
