// Kubernetes' own syntax rules for the strict fake API: names, labels, label selectors and field errors, ported
// from k8s.io/apimachinery (read in kubernetes/kubernetes with the search tool; functions named beside each rule).

export type Json = Record<string, unknown>;
export type Labels = Record<string, string>;

/** A field the fake reads as text, as leniently as String() for a scalar; an object or an array shows as JSON
 *  (String() would print '[object Object]', or flatten ['a'] into 'a', a valid name). */
export function textOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

// --- field errors, as k8s.io/apimachinery/pkg/util/validation/field/errors.go builds them --------------------------

export type CauseType = 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
  | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueNotFound' | 'FieldValueForbidden';

export interface FieldError { type: CauseType; field: string; detail: string; value?: unknown; omitValue?: boolean }

const TYPE_TEXT: Record<CauseType, string> = {
  FieldValueRequired: 'Required value', FieldValueInvalid: 'Invalid value', FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value', FieldValueTooLong: 'Too long', FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found', FieldValueForbidden: 'Forbidden',
};

export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });
export const invalidOmitValue = (field: string, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, detail, omitValue: true });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value, detail: '' });
export const notFound = (field: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field, value, detail: '' });
export const tooLong = (field: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field, detail: `may not be more than ${max} bytes` });
export const tooMany = (field: string, actual: number, max: number): FieldError => ({ type: 'FieldValueTooMany', field, value: actual, detail: `must have at most ${max} items` });
/** field.NotSupported: the detail lists the supported values, quoted. */
export const notSupported = (field: string, value: unknown, supported: readonly string[]): FieldError =>
  ({ type: 'FieldValueNotSupported', field, value, detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` });

/** Error.ErrorBody(): the type, the bad value (Go prints strings quoted, numbers bare), the detail. */
export function errorBody(error: FieldError): string {
  const bare = error.omitValue || ['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong'].includes(error.type);
  const value = typeof error.value === 'string' ? JSON.stringify(error.value) : JSON.stringify(error.value ?? null);
  const head = bare ? TYPE_TEXT[error.type] : `${TYPE_TEXT[error.type]}: ${value}`;
  return error.detail ? `${head}: ${error.detail}` : head;
}

/** ErrorList.ToAggregate(): one error as itself, several as [a, b], duplicates once. */
export function aggregate(errors: readonly FieldError[]): string {
  const messages = [...new Set(errors.map((error) => `${error.field}: ${errorBody(error)}`))];
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

// --- names and label syntax: k8s.io/apimachinery/pkg/util/validation/validation.go ------------------------------

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const maxLength = (length: number) => `must be no more than ${length} characters`;

/** The shape every Is* check shares: a length limit, then a pattern with its message. */
function lengthAndPattern(value: string, max: number, pattern: RegExp, message: string): string[] {
  const errors = value.length > max ? [maxLength(max)] : [];
  if (!pattern.test(value)) errors.push(message);
  return errors;
}

/** IsDNS1123Label: ≤ 63, lower case alphanumerics and '-'. */
export function isDNS1123Label(value: string): string[] {
  return lengthAndPattern(value, 63, DNS1123_LABEL, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
}

/** IsDNS1123Subdomain: ≤ 253, dot-separated DNS-1123 labels. */
export function isDNS1123Subdomain(value: string): string[] {
  return lengthAndPattern(value, 253, DNS1123_SUBDOMAIN, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
}

/** IsQualifiedName: [prefix/]name, prefix a DNS-1123 subdomain, name ≤ 63. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  const name = parts.at(-1)!;
  const errors: string[] = [];
  if (parts.length === 2) {
    if (parts[0] === '') errors.push('prefix part must be non-empty');
    else errors.push(...isDNS1123Subdomain(parts[0]!).map((message) => `prefix part ${message}`));
  }
  if (name === '') errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLength(63)}`);
  if (!QUALIFIED_NAME.test(name)) errors.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  return errors;
}

/** IsValidLabelValue: empty, or ≤ 63 qualified-name characters. */
export function isValidLabelValue(value: string): string[] {
  return lengthAndPattern(value, 63, LABEL_VALUE, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
}

/** IsConfigMapKey: the key of a ConfigMap or Secret entry (secretKeyRef.key, configMapKeyRef.key). */
export function isConfigMapKey(value: string): string[] {
  const errors = lengthAndPattern(value, 253, /^[-._a-zA-Z0-9]+$/, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
  if (value === '.' || value === '..' || value.startsWith('..')) errors.push("must not be '.' or '..' or start with '..'");
  return errors;
}

/** apimachinery/pkg/api/validation NameIsDNSSubdomain: a generateName prefix may end in '-'. */
export function nameIsDNSSubdomain(name: string, prefix: boolean): string[] {
  return isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
}

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** meta/v1/validation ValidateLabels: every key a qualified name, every value a label value; the path is not keyed. */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  return Object.entries(labels as Labels).flatMap(([key, value]) => [
    ...isQualifiedName(key).map((message) => invalid(field, key, message)),
    ...isValidLabelValue(String(value)).map((message) => invalid(field, value, message)),
  ]);
}

/** apimachinery/pkg/api/validation ValidateAnnotations: keys are qualified names (lower-cased), 256 KiB in all. */
export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  const entries = Object.entries(annotations as Labels);
  const errors = entries.flatMap(([key]) => isQualifiedName(key.toLowerCase()).map((message) => invalid(field, key, message)));
  const size = entries.reduce((total, [key, value]) => total + key.length + String(value).length, 0);
  if (size > 256 * 1024) errors.push(tooLong(field, 256 * 1024));
  return errors;
}

// --- label selectors: k8s.io/apimachinery/pkg/labels/selector.go ------------------------------------------------

export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';
export interface Requirement { key: string; operator: Operator; values: string[] }

export class SelectorSyntaxError extends Error {}

type Token = 'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';
interface Scanned { token: Token; literal: string }

const KEYWORDS: Record<string, Token> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(' };
const isSpecial = (ch: string) => '=!(),><'.includes(ch);
const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

/** Lexer.Lex: identifiers run to the next special symbol or blank; special symbols take the longest known operator. */
function scan(text: string): Scanned[] {
  const items: Scanned[] = [];
  let at = 0;
  for (;;) {
    while (at < text.length && isWhitespace(text[at]!)) at++;
    if (at >= text.length) { items.push({ token: 'end', literal: '' }); return items; }
    let literal = '';
    if (isSpecial(text[at]!)) {
      let last: Scanned | undefined;
      while (at < text.length && isSpecial(text[at]!)) {
        const next = KEYWORDS[literal + text[at]!];
        if (!next && last) break;
        literal += text[at++]!;
        if (next) last = { token: next, literal };
      }
      items.push(last ?? { token: 'error', literal: `error expected: keyword found '${literal}'` });
    } else {
      while (at < text.length && !isSpecial(text[at]!) && !isWhitespace(text[at]!)) literal += text[at++]!;
      items.push({ token: KEYWORDS[literal] ?? 'identifier', literal });
    }
  }
}

/** Parser: in a value position, the keywords 'in' and 'notin' are plain identifiers. */
class Parser {
  private position = 0;
  private readonly items: Scanned[];
  constructor(items: Scanned[]) { this.items = items; }

  lookahead(values = true): Scanned { return this.asValue(this.items[this.position]!, values); }
  consume(values = true): Scanned { return this.asValue(this.items[this.position++]!, values); }
  private asValue(item: Scanned, values: boolean): Scanned {
    return values && (item.token === 'in' || item.token === 'notin') ? { token: 'identifier', literal: item.literal } : item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { token, literal } = this.lookahead();
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== '!') throw new SelectorSyntaxError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      requirements.push(this.requirement());
      const after = this.consume();
      if (after.token === 'end') return requirements;
      if (after.token !== ',') throw new SelectorSyntaxError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const next = this.lookahead();
      if (next.token !== 'identifier' && next.token !== '!') throw new SelectorSyntaxError(`found '${next.literal}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let item = this.consume();
    const negated = item.token === '!';
    if (negated) item = this.consume();
    if (item.token !== 'identifier') throw new SelectorSyntaxError(`unable to parse requirement: found '${item.literal}', expected: identifier`);
    const key = item.literal;
    checkKey(key);
    // "!key" takes no operator: whatever follows it is for parse() to refuse.
    if (negated) return { key, operator: '!', values: [] };
    const next = this.lookahead().token;
    if (next === 'end' || next === ',') return { key, operator: 'exists', values: [] };
    const operator = this.operator();
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : [this.exactValue()];
    return newRequirement(key, operator, values);
  }

  private operator(): Operator {
    const { token, literal } = this.consume(false);
    const operators: Partial<Record<Token, Operator>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    const operator = operators[token];
    if (!operator) throw new SelectorSyntaxError(`unable to parse requirement: found '${literal}', expected: '=', '!=', '==', 'in', notin'`);
    return operator;
  }

  /** parseValues + parseIdentifiersList: "(a,b)", "()" and empty members are the empty value. */
  private valueSet(): string[] {
    const open = this.consume();
    if (open.token !== '(') throw new SelectorSyntaxError(`unable to parse requirement: found '${open.literal}' expected: '('`);
    const values = new Set<string>();
    for (;;) {
      const item = this.consume();
      if (item.token === ')') { if (values.size === 0) values.add(''); return [...values]; }
      if (item.token === ',') { values.add(''); continue; }
      if (item.token !== 'identifier') throw new SelectorSyntaxError(`unable to parse requirement: found '${item.literal}', expected: ',', or identifier`);
      values.add(item.literal);
      const next = this.lookahead();
      if (next.token === ',') { this.consume(); if (this.lookahead().token === ')') values.add(''); continue; }
      if (next.token !== ')') throw new SelectorSyntaxError(`unable to parse requirement: found '${next.literal}', expected: ',' or ')'`);
    }
  }

  private exactValue(): string {
    const next = this.lookahead();
    if (next.token === 'end' || next.token === ',') return '';
    const item = this.consume();
    if (item.token !== 'identifier') throw new SelectorSyntaxError(`unable to parse requirement: found '${item.literal}', expected: identifier`);
    return item.literal;
  }
}

function checkKey(key: string): void {
  const errors = isQualifiedName(key);
  if (errors.length > 0) throw new SelectorSyntaxError(`unable to parse requirement: invalid label key "${key}": ${errors.join('; ')}`);
}

/** NewRequirement: values checked as label values; Gt/Lt take one integer. */
function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  if ((operator === 'gt' || operator === 'lt') && !/^[-+]?\d+$/.test(values[0] ?? '')) {
    throw new SelectorSyntaxError("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer");
  }
  for (const value of values) {
    const errors = isValidLabelValue(value);
    if (errors.length > 0) throw new SelectorSyntaxError(`unable to parse requirement: invalid label value: "${value}": at key: "${key}": ${errors.join('; ')}`);
  }
  return { key, operator, values };
}

/** labels.Parse: the string form used by ?labelSelector=; throws SelectorSyntaxError as the server answers 400. */
export function parseSelector(selector: string): Requirement[] {
  return new Parser(scan(selector)).parse();
}

/** Requirement.Matches. */
export function requirementMatches(requirement: Requirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'in': case '=': case '==': return has && requirement.values.includes(value!);
    case 'notin': case '!=': return !has || !requirement.values.includes(value!);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      if (!has || !/^[-+]?\d+$/.test(value!)) return false;
      const [actual, bound] = [Number(value), Number(requirement.values[0])];
      return requirement.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

export function selectorMatches(requirements: readonly Requirement[], labels: Labels): boolean {
  return requirements.every((requirement) => requirementMatches(requirement, labels));
}

// --- metav1.LabelSelector: meta/v1/validation ValidateLabelSelector and metav1.LabelSelectorAsSelector -----------

export interface LabelSelector { matchLabels?: Labels; matchExpressions?: { key: string; operator: string; values?: string[] }[] }

export function validateLabelSelector(selector: LabelSelector, field: string): FieldError[] {
  const errors = validateLabels(selector.matchLabels, `${field}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((expression, index) => {
    const at = `${field}.matchExpressions[${index}]`;
    const values = expression.values ?? [];
    if (expression.operator === 'In' || expression.operator === 'NotIn') {
      if (values.length === 0) errors.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (expression.operator === 'Exists' || expression.operator === 'DoesNotExist') {
      if (values.length > 0) errors.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errors.push(invalid(`${at}.operator`, expression.operator, 'not a valid selector operator'));
    }
    errors.push(...isQualifiedName(expression.key).map((message) => invalid(`${at}.key`, expression.key, message)));
    values.forEach((value, valueIndex) => errors.push(...isValidLabelValue(value).map((message) => invalid(`${at}.values[${valueIndex}]`, value, message))));
  });
  return errors;
}

/** LabelSelectorAsSelector; undefined when the selector does not convert (then the server skips the match check). */
export function labelSelectorRequirements(selector: LabelSelector | undefined): Requirement[] | undefined {
  if (!selector) return undefined;
  const operators: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };
  const requirements: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, operator: '=', values: [value] }));
  for (const expression of selector.matchExpressions ?? []) {
    const operator = operators[expression.operator];
    if (!operator || isQualifiedName(expression.key).length > 0) return undefined;
    requirements.push({ key: expression.key, operator, values: expression.values ?? [] });
  }
  return requirements;
}
