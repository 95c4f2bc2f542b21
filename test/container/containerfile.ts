// Reads the Containerfile and .containerignore the way a container engine would, for the replay test (no engine
// runs here): stages with their instructions, continuation lines joined, and Docker-style ignore rules.

export interface Instruction { op: string; args: string }
export interface Stage { from: string; name: string; instructions: Instruction[] }

/** The instructions of a Containerfile, continuation lines joined, comments and blank lines dropped. */
function logical(text: string): Instruction[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (pending && line.trimStart().startsWith('#')) continue;
    if (line.endsWith('\\')) { pending += `${line.slice(0, -1).trim()} `; continue; }
    lines.push(`${pending}${line.trim()}`);
    pending = '';
  }
  return lines.map((line) => {
    const space = line.indexOf(' ');
    return { op: (space < 0 ? line : line.slice(0, space)).toUpperCase(), args: space < 0 ? '' : line.slice(space + 1).trim() };
  });
}

/** The ARG defaults declared before the first FROM: the values FROM lines see when no --build-arg is given. */
export function globalArgDefaults(text: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const { op, args } of logical(text)) {
    if (op === 'FROM') break;
    if (op !== 'ARG') continue;
    const equals = args.indexOf('=');
    defaults.set(equals < 0 ? args : args.slice(0, equals), equals < 0 ? '' : args.slice(equals + 1));
  }
  return defaults;
}

/**
 * Splits a Containerfile into stages; the global ARGs are substituted into FROM lines, from buildArgs where given
 * (as `--build-arg KEY=value` would) and from their defaults otherwise.
 */
export function parseContainerfile(text: string, buildArgs: Record<string, string> = {}): Stage[] {
  const globalArgs = globalArgDefaults(text);
  for (const [key, value] of Object.entries(buildArgs)) if (globalArgs.has(key)) globalArgs.set(key, value);
  const stages: Stage[] = [];
  for (const { op, args } of logical(text)) {
    if (op === 'FROM') {
      const [image = '', , name] = args.replace(/\$\{(\w+)\}/g, (_, key: string) => globalArgs.get(key) ?? '').split(/\s+/);
      stages.push({ from: image, name: name ?? String(stages.length), instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]?.instructions.push({ op, args });
    }
  }
  return stages;
}

/** Splits the arguments of COPY into flags (--from=build) and paths. */
export function parseCopy(args: string): { flags: Map<string, string>; sources: string[]; destination: string } {
  const words = args.split(/\s+/).filter(Boolean);
  const flags = new Map<string, string>();
  while (words[0]?.startsWith('--')) {
    const [key = '', value = ''] = (words.shift() as string).slice(2).split('=', 2);
    flags.set(key, value);
  }
  const destination = words.pop();
  if (!destination || words.length === 0) throw new Error(`COPY ${args}: needs a source and a destination`);
  return { flags, sources: words, destination };
}

/** Parses a JSON-form ENTRYPOINT or CMD. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

/** ENV and LABEL arguments: key=value pairs, values optionally double-quoted. */
export function keyValues(args: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const match of args.matchAll(/([\w.-]+)=("((?:[^"\\]|\\.)*)"|\S*)/g)) {
    pairs.set(match[1] ?? '', match[3] ?? match[2] ?? '');
  }
  return pairs;
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** A .containerignore as a predicate: true when the engine sends the path (relative, with /) to the build. */
export function contextFilter(ignoreText: string): (path: string) => boolean {
  const rules = ignoreText.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((line) => {
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
    return { negate, pattern: globToRegExp(pattern) };
  });
  return (path: string) => {
    // A rule on a directory covers everything below it, so try the path and each of its parents.
    const parts = path.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let included = true;
    for (const rule of rules) {
      if (prefixes.some((prefix) => rule.pattern.test(prefix))) included = rule.negate;
    }
    return included;
  };
}
