// Image references by the grammar container engines parse them with: a port of distribution/reference's regexp.go
// (the Go package Docker, Podman's c/image and containerd vendor), so a test can refuse a reference that
// `podman build` would refuse before pulling anything.

// The atoms, named and built exactly as in distribution/reference regexp.go.
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tag}))?(?:@(${digest}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);

/** reference.go RepositoryNameTotalLengthMax: the path (without the domain) may not be longer. */
const repositoryNameTotalLengthMax = 255;

export interface ImageReference { domain: string; path: string; tag: string; digest: string }

/** Parses a name without tag or digest like reference.WithName. */
export function parseName(text: string): { domain: string; path: string } | undefined {
  const match = anchoredNameRegexp.exec(text);
  if (!match || (match[2] ?? '').length > repositoryNameTotalLengthMax) return undefined;
  return { domain: match[1] ?? '', path: match[2] ?? '' };
}

/** Parses like reference.Parse: undefined where a container engine answers "invalid reference format". */
export function parseReference(text: string): ImageReference | undefined {
  const match = referenceRegexp.exec(text);
  if (!match) return undefined;
  const name = anchoredNameRegexp.exec(match[1] ?? '');
  const reference = { domain: name?.[1] ?? '', path: name?.[2] ?? match[1] ?? '', tag: match[2] ?? '', digest: match[3] ?? '' };
  if (reference.path.length > repositoryNameTotalLengthMax) return undefined;
  if (reference.digest && !isValidDigest(reference.digest)) return undefined;
  return reference;
}

/** go-digest's Validate, which reference.Parse calls: a known algorithm and its exact length of lowercase hex. */
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
function isValidDigest(value: string): boolean {
  const [algorithm = '', encoded = ''] = value.split(':', 2);
  const length = digestHexLength[algorithm];
  return length !== undefined && new RegExp(`^[a-f0-9]{${length}}$`).test(encoded);
}

/**
 * As reference.ParseNormalizedNamed splits a name: the first component is a registry only when it has a dot or a
 * port or is localhost; otherwise the engine resolves a short name (Docker Hub, or Podman's registries.conf).
 */
export function isFullyQualified(reference: ImageReference): boolean {
  return reference.domain !== '' && (/[.:]/.test(reference.domain) || reference.domain === 'localhost');
}
