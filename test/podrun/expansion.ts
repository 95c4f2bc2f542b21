// Kubernetes' $(VAR) expansion, ported from third_party/forked/golang/expansion/expand.go (kubernetes/kubernetes):
// the kubelet uses it for env values (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables) and for command and
// args (pkg/kubelet/container/helpers.go ExpandContainerCommandAndArgs).

const OPERATOR = '$';
const OPENER = '(';
const CLOSER = ')';

/** MappingFuncFor: the first context that has the name wins; an unknown name stays as written, $(NAME). */
export function mappingFuncFor(...contexts: ReadonlyMap<string, string>[]): (name: string) => string {
  return (name) => {
    for (const context of contexts) {
      const value = context.get(name);
      if (value !== undefined) return value;
    }
    return `${OPERATOR}${OPENER}${name}${CLOSER}`;
  };
}

/** Expand: $(NAME) is replaced through `mapping`, $$ is an escaped $, anything else is copied as it is. */
export function expand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== OPERATOR || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { read, isVar, advance } = tryReadVariableName(input.slice(cursor + 1));
    out += isVar ? mapping(read) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** tryReadVariableName, on the input after a $: what was read, whether it names a variable, bytes consumed. */
function tryReadVariableName(input: string): { read: string; isVar: boolean; advance: number } {
  const first = input[0] ?? '';
  if (first === OPERATOR) return { read: OPERATOR, isVar: false, advance: 1 };
  if (first === OPENER) {
    const close = input.indexOf(CLOSER, 1);
    if (close >= 0) return { read: input.slice(1, close), isVar: true, advance: close + 1 };
    return { read: `${OPERATOR}${OPENER}`, isVar: false, advance: 1 };
  }
  return { read: `${OPERATOR}${first}`, isVar: false, advance: 1 };
}
