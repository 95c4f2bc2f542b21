// The Containerfile's base image reference: one a container engine parses and can pull by tag, and a digest pin
// through --build-arg that reaches every stage. The grammar is distribution/reference's, proven here on that
// package's own test vectors (regexp_test.go) before it judges the Containerfile.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { globalArgDefaults, parseContainerfile } from './containerfile.ts';
import { isFullyQualified, parseName, parseReference } from './reference.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const containerfile = readFileSync(join(repoRoot, 'Containerfile'), 'utf8');
const someDigest = 'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912';

describe('image references, by the grammar of distribution/reference', () => {
  // distribution/reference regexp_test.go, TestReferenceRegexp: input → [name, tag, digest], or undefined.
  const referenceVectors: [string, [string, string, string] | undefined][] = [
    ['registry.com:8080/myapp:tag', ['registry.com:8080/myapp', 'tag', '']],
    [`registry.com:8080/myapp@${someDigest}`, ['registry.com:8080/myapp', '', someDigest]],
    [`registry.com:8080/myapp:tag2@${someDigest}`, ['registry.com:8080/myapp', 'tag2', someDigest]],
    ['registry.com:8080/myapp@sha256:badbadbadbad', undefined],
    ['registry.com:8080/myapp:invalid~tag', undefined],
    ['bad_hostname.com:8080/myapp:tag', undefined],
    [`localhost:8080@${someDigest}`, ['localhost', '8080', someDigest]],
    [`localhost:8080/name@${someDigest}`, ['localhost:8080/name', '', someDigest]],
    [`localhost:http/name@${someDigest}`, undefined],
    [`localhost@${someDigest}`, ['localhost', '', someDigest]],
    ['registry.com:8080/myapp@bad', undefined],
    ['registry.com:8080/myapp@2bad', undefined],
  ];
  for (const [input, expected] of referenceVectors) {
    test(`${input} ${expected ? 'parses' : 'is refused'}`, () => {
      const reference = parseReference(input);
      if (!expected) return assert.equal(reference, undefined);
      assert.ok(reference, 'parses');
      const [name, tag, digest] = expected;
      assert.deepEqual([reference.domain ? `${reference.domain}/${reference.path}` : reference.path, reference.tag, reference.digest], [name, tag, digest]);
    });
  }

  // distribution/reference regexp_test.go, TestFullNameRegexp: names without tag or digest.
  const names: [string, boolean][] = [
    ['', false], ['short', true], ['library/ubuntu', true], ['a/a/a/a/', false], ['a//a/a', false], ['foo.com:http/bar', false],
    ['sub-dom1.foo.com/bar/baz/quux', true], ['a^a', false], ['foo/bar-', false], ['_foo/bar', false], ['foo_bar.com:8080', false],
    ['____/____', false], ['example.com/__underscore/myimage', false], ['example.com/nodouble..dots/myimage', false],
    ['do__cker/docker', true], ['registry.io/foo/project--id.module--name.ver---sion--name', true], ['Asdf.com/foo/bar', true],
    ['Foo/FarB', false],
  ];
  for (const [name, valid] of names) {
    test(`the name "${name}" is ${valid ? 'valid' : 'invalid'}`, () => assert.equal(parseName(name) !== undefined, valid));
  }

  test('a sha256 digest must have 64 lowercase hex digits (go-digest), and the path at most 255 characters', () => {
    assert.ok(parseReference(`quay.io/a/b@${someDigest}`));
    assert.equal(parseReference(`quay.io/a/b@${someDigest.slice(0, -1)}`), undefined);
    assert.equal(parseReference(`quay.io/a/b@${someDigest.toUpperCase().replace('SHA256', 'sha256')}`), undefined);
    assert.equal(parseReference(`quay.io/a/b@md5:${'0'.repeat(32)}`), undefined, 'an algorithm go-digest does not know');
    assert.ok(parseReference(`quay.io/${'a/'.repeat(127)}a`));
    assert.equal(parseReference(`quay.io/${'a/'.repeat(128)}a`), undefined);
  });

  test('only a first component with a dot, a port or localhost names a registry', () => {
    const fullyQualified = (text: string): boolean => isFullyQualified(parseReference(text) ?? assert.fail(text));
    assert.equal(fullyQualified('registry.access.redhat.com/ubi9/nodejs-24-minimal:latest'), true);
    assert.equal(fullyQualified('localhost:5000/app:1'), true);
    assert.equal(fullyQualified('localhost/app:1'), true);
    assert.equal(fullyQualified('ubi9/nodejs-24-minimal:latest'), false, 'a short name: the engine picks the registry');
    assert.equal(fullyQualified('nodejs-24-minimal'), false);
  });
});

describe('the Containerfile base image', () => {
  const defaults = globalArgDefaults(containerfile);
  const stages = parseContainerfile(containerfile);
  const stageNames = new Set(stages.map((stage) => stage.name));
  const baseImages = stages.map((stage) => stage.from).filter((from) => !stageNames.has(from));

  test('is one BASE_IMAGE build argument that every stage is built FROM', () => {
    assert.ok(defaults.get('BASE_IMAGE'), 'ARG BASE_IMAGE=<reference> before the first FROM');
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    assert.deepEqual(baseImages, stages.map(() => defaults.get('BASE_IMAGE')));
  });

  test('defaults to a fully qualified tag of UBI 9 Node.js 24 minimal (a tag, or tag@digest, never a bare digest)', () => {
    for (const image of baseImages) {
      const reference = parseReference(image);
      assert.ok(reference, `${image}: a reference podman build can parse`);
      assert.ok(isFullyQualified(reference), `${image}: names its registry, so no short-name lookup or prompt`);
      assert.equal(`${reference.domain}/${reference.path}`, 'registry.access.redhat.com/ubi9/nodejs-24-minimal');
      assert.notEqual(reference.tag, '', `${image}: has a tag, so it still resolves when nobody checked a digest`);
    }
  });

  test('takes a digest pin through --build-arg BASE_IMAGE, in every stage', () => {
    const pinned = `registry.access.redhat.com/ubi9/nodejs-24-minimal@${someDigest}`;
    const pinnedStages = parseContainerfile(containerfile, { BASE_IMAGE: pinned });
    assert.deepEqual(pinnedStages.map((stage) => stage.from).filter((from) => !stageNames.has(from)), stages.map(() => pinned));
    assert.equal(parseReference(pinned)?.digest, someDigest);
  });

  test('its header says how to read the digest and how to pin it', () => {
    assert.match(containerfile, /skopeo inspect --format '\{\{\.Digest\}\}' docker:\/\/registry\.access\.redhat\.com\/ubi9\/nodejs-24-minimal:/);
    assert.match(containerfile, /--build-arg BASE_IMAGE=registry\.access\.redhat\.com\/ubi9\/nodejs-24-minimal@sha256:/);
  });
});
