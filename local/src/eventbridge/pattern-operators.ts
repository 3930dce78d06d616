/**
 * The value half of an EventBridge event pattern: one leaf array of a pattern (`"state": ["a", {"prefix": "b"}]`)
 * compiles to a matcher over the scalar values an event holds at that field. Validation follows aws/event-ruler,
 * the engine behind EventBridge, so an entry is rejected where AWS rejects it, with the reason AWS gives.
 */

export class InvalidEventPatternError extends Error {
  constructor(readonly reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

/** A scalar at a leaf of an event: what pattern values are compared with. */
export type EventValue = string | number | boolean | null;

/** The compiled leaf array of one field. */
export interface FieldMatcher {
  /** Whether any entry of the array matches this value found at the field. */
  readonly matchesValue: (value: EventValue) => boolean;
  /** Whether the array holds `{"exists": false}`, i.e. the field's absence is a match. */
  readonly matchesAbsence: boolean;
}

type Predicate = (value: EventValue) => boolean;

/** `{"exists": false}` is not a test on a value but a licence for the value to be missing. */
const ABSENT = Symbol('absent');

/** Numeric matching compares numbers in this range only (event-ruler's ComparableNumber). */
const NUMERIC_LIMIT = 5e9;
const NUMERIC_DECIMALS = 6;

/** AWS rejects wildcards past a complexity budget; counting wildcard characters is how it is approximated here. */
const MAX_WILDCARDS = 5;

const NESTED_ANYTHING_BUT = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
type NestedAnythingBut = (typeof NESTED_ANYTHING_BUT)[number];

const fail = (reason: string): never => {
  throw new InvalidEventPatternError(reason);
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isEventValue(value: unknown): value is EventValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

export function compileFieldMatcher(entries: readonly unknown[]): FieldMatcher {
  if (entries.length === 0) fail('Empty arrays are not allowed');
  const predicates: Predicate[] = [];
  let matchesAbsence = false;
  for (const entry of entries) {
    const compiled = isPlainObject(entry) ? compileMatchExpression(entry) : exactMatch(entry);
    if (compiled === ABSENT) matchesAbsence = true;
    else predicates.push(compiled);
  }
  return { matchesAbsence, matchesValue: (value) => predicates.some((predicate) => predicate(value)) };
}

function exactMatch(entry: unknown): Predicate {
  if (!isEventValue(entry)) return fail('Match value must be String, number, true, false, or null');
  if (typeof entry !== 'string') return (value) => value === entry;
  // event-ruler compares IP address literals by address, so "::1" also matches "0:0:0:0:0:0:0:1".
  const address = parseIpAddress(entry);
  if (address === undefined) return (value) => value === entry;
  return (value) =>
    value === entry || (typeof value === 'string' && sameBytes(parseIpAddress(value), address));
}

function compileMatchExpression(expression: Record<string, unknown>): Predicate | typeof ABSENT {
  const [operator, ...extraKeys] = Object.keys(expression);
  if (operator === undefined) return fail('Match expression name not found');
  const compiled = compileOperator(operator, expression[operator]);
  if (extraKeys.length > 0) {
    // event-ruler words the complaint differently for the two operators whose operand it parses as a list.
    fail(
      operator === 'numeric' || operator === 'anything-but'
        ? 'Too many elements in numeric expression'
        : 'Only one key allowed in match expression',
    );
  }
  return compiled;
}

function compileOperator(operator: string, operand: unknown): Predicate | typeof ABSENT {
  switch (operator) {
    case 'prefix': {
      const { affix, fold } = affixOperand('prefix', operand);
      return (value) => typeof value === 'string' && fold(value).startsWith(affix);
    }
    case 'suffix': {
      const { affix, fold } = affixOperand('suffix', operand);
      return (value) => typeof value === 'string' && fold(value).endsWith(affix);
    }
    case 'equals-ignore-case': {
      if (typeof operand !== 'string') return fail('equals-ignore-case match pattern must be a string');
      const expected = operand.toLowerCase();
      return (value) => typeof value === 'string' && value.toLowerCase() === expected;
    }
    case 'wildcard': {
      if (typeof operand !== 'string') return fail('wildcard match pattern must be a string');
      const matches = compileWildcard(operand);
      return (value) => typeof value === 'string' && matches(value);
    }
    case 'anything-but':
      return compileAnythingBut(operand);
    case 'numeric':
      return compileNumeric(operand);
    case 'exists':
      if (typeof operand !== 'boolean') return fail('exists match pattern must be either true or false.');
      return operand ? () => true : ABSENT;
    case 'cidr': {
      const contains = compileCidr(operand);
      return (value) => typeof value === 'string' && contains(value);
    }
    default:
      return fail(`Unrecognized match type ${operator}`);
  }
}

/**
 * `prefix`/`suffix` take a string, or `{"equals-ignore-case": string}` to compare regardless of case; `fold` is
 * applied to event values before they are compared with the (already folded) affix.
 */
function affixOperand(
  operator: 'prefix' | 'suffix',
  operand: unknown,
): { readonly affix: string; readonly fold: (value: string) => string } {
  if (typeof operand === 'string') return { affix: operand, fold: (value) => value };
  if (!isPlainObject(operand)) return fail(`${operator} match pattern must be a string`);
  const [key, ...extraKeys] = Object.keys(operand);
  const label = operator === 'prefix' ? 'Prefix' : 'Suffix';
  if (key === undefined) return fail(`${label} expression name not found`);
  if (key !== 'equals-ignore-case') return fail(`Unsupported ${operator} pattern: ${key}`);
  const affix = operand[key];
  if (typeof affix !== 'string') return fail('equals-ignore-case match pattern must be a string');
  if (extraKeys.length > 0) fail('Only one key allowed in match expression');
  return { affix: affix.toLowerCase(), fold: (value) => value.toLowerCase() };
}

function compileAnythingBut(operand: unknown): Predicate {
  if (isPlainObject(operand)) return compileNestedAnythingBut(operand);
  const excluded = Array.isArray(operand) ? operand : [operand];
  if (!Array.isArray(operand) && typeof operand !== 'string' && typeof operand !== 'number') {
    return fail('Value of anything-but must be an array or single string/number value.');
  }
  for (const value of excluded) {
    if (typeof value === 'number' && Number.isFinite(value)) checkComparableNumber(value);
    else if (typeof value !== 'string')
      fail('Inside anything but list, start|null|boolean is not supported.');
  }
  const numbers = excluded.every((value) => typeof value === 'number');
  const strings = excluded.every((value) => typeof value === 'string');
  if (excluded.length === 0 || (!numbers && !strings)) {
    fail('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  // A value of another type than the listed ones is never excluded: anything-but "1" matches the number 1.
  const set = new Set<unknown>(excluded);
  return (value) => !(typeof value === (numbers ? 'number' : 'string') && set.has(value));
}

/** `{"anything-but": {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": string | string[]}}`. */
function compileNestedAnythingBut(operand: Record<string, unknown>): Predicate {
  const [key, ...extraKeys] = Object.keys(operand);
  if (key === undefined) return fail('Anything-But expression name not found');
  if (!isNestedAnythingBut(key)) return fail(`Unsupported anything-but pattern: ${key}`);
  const inner = operand[key];
  if (!Array.isArray(inner) && typeof inner !== 'string' && typeof inner !== 'number') {
    return fail('Value of anything-but must be an array or single string/number value.');
  }
  const tests = (Array.isArray(inner) ? inner : [inner]).map((value) => nestedAnythingButTest(key, value));
  if (extraKeys.length > 0) fail('Too many elements in numeric expression');
  // Only strings can be excluded by these operators, so every other value matches.
  return (value) => typeof value !== 'string' || !tests.some((test) => test(value));
}

function isNestedAnythingBut(key: string): key is NestedAnythingBut {
  return (NESTED_ANYTHING_BUT as readonly string[]).includes(key);
}

function nestedAnythingButTest(operator: NestedAnythingBut, value: unknown): (value: string) => boolean {
  if (typeof value !== 'string') {
    return fail(
      operator === 'equals-ignore-case'
        ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
        : operator === 'wildcard'
          ? 'wildcard match pattern must be a string'
          : 'prefix/suffix match pattern must be a string',
    );
  }
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (value === '') return fail('Null prefix/suffix not allowed');
      return operator === 'prefix' ? (v) => v.startsWith(value) : (v) => v.endsWith(value);
    case 'equals-ignore-case': {
      const folded = value.toLowerCase();
      return (v) => v.toLowerCase() === folded;
    }
    case 'wildcard':
      return compileWildcard(value);
  }
}

/**
 * `*` matches any run of characters, `\*` a literal asterisk and `\\` a backslash; any other escape, and `**`, is
 * rejected. Matching splits the pattern at its wildcards and places the literal segments left to right, which
 * runs in linear time however many wildcards there are.
 */
function compileWildcard(pattern: string): (value: string) => boolean {
  const segments: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '*') {
      // Positions count from 1: event-ruler reports them in the quoted JSON string.
      if (pattern.charAt(i + 1) === '*') fail(`Consecutive wildcard characters at pos ${i + 1}`);
      segments.push('');
      continue;
    }
    let literal = char;
    if (char === '\\') {
      const escaped = pattern.charAt(i + 1);
      if (escaped !== '*' && escaped !== '\\') fail(`Invalid escape character at pos ${i + 1}`);
      literal = escaped;
      i++;
    }
    segments[segments.length - 1] += literal;
  }
  if (segments.length - 1 > MAX_WILDCARDS) {
    fail(
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  }
  return (value) => matchesSegments(segments, value);
}

function matchesSegments(segments: readonly string[], value: string): boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) {
    return false;
  }
  const end = value.length - last.length;
  let position = first.length;
  for (const segment of segments.slice(1, -1)) {
    const found = value.indexOf(segment, position);
    if (found < 0 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
}

/**
 * `["=", n]`, `["<" | "<=", n]`, `[">" | ">=", n]` or a range `[">" | ">=", low, "<" | "<=", high]`. Only JSON
 * numbers match; strings that look like numbers do not.
 */
function compileNumeric(operand: unknown): Predicate {
  if (!Array.isArray(operand)) return fail('Value of numeric must be an array.');
  const [operator, ...terms] = operand;
  if (typeof operator !== 'string') return fail(`Invalid member in numeric match: ${describeTerm(operator)}`);
  const take = (label: string): number => numericOperand(terms.shift(), label);
  switch (operator) {
    case '=': {
      const expected = take('equals');
      if (terms.length > 0) fail('Too many elements in numeric expression');
      return (value) => isComparableNumber(value) && value === expected;
    }
    case '<':
    case '<=': {
      const top = take(operator);
      if (terms.length > 0) fail('Too many elements in numeric expression');
      return (value) => isComparableNumber(value) && (operator === '<' ? value < top : value <= top);
    }
    case '>':
    case '>=': {
      const bottom = take(operator);
      const above: (value: number) => boolean = operator === '>' ? (v) => v > bottom : (v) => v >= bottom;
      if (terms.length === 0) return (value) => isComparableNumber(value) && above(value);
      const second: unknown = terms.shift();
      if (typeof second !== 'string') return fail(`Bad value in numeric range: ${describeTerm(second)}`);
      if (second !== '<' && second !== '<=') return fail(`Bad numeric range operator: ${second}`);
      const top = take(second);
      if (terms.length > 0) fail('Too many terms in numeric range expression');
      if (bottom >= top) fail('Bottom must be less than top');
      const below: (value: number) => boolean = second === '<' ? (v) => v < top : (v) => v <= top;
      return (value) => isComparableNumber(value) && above(value) && below(value);
    }
    default:
      return fail(`Unrecognized numeric range operator: ${operator}`);
  }
}

function numericOperand(term: unknown, label: string): number {
  if (typeof term !== 'number' || !Number.isFinite(term)) return fail(`Value of ${label} must be numeric`);
  checkComparableNumber(term);
  return term;
}

/** How event-ruler echoes a bad member: the JSON text of the token, or `]` when the list ended early. */
function describeTerm(term: unknown): string {
  return term === undefined ? ']' : JSON.stringify(term);
}

function checkComparableNumber(value: number): void {
  if (Math.abs(value) > NUMERIC_LIMIT) fail('Value must be between -5.0E9 and 5.0E9, inclusive');
  if (decimalPlaces(value) > NUMERIC_DECIMALS) fail('Only values upto 6 decimals are supported');
}

function isComparableNumber(value: EventValue): value is number {
  return typeof value === 'number' && Math.abs(value) <= NUMERIC_LIMIT;
}

function decimalPlaces(value: number): number {
  const [mantissa = '', exponent = '0'] = String(Math.abs(value)).split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
}

/**
 * An address range `base/bits`, IPv4 or IPv6. As in event-ruler the range runs from the address as written up
 * to its last host address, and the mask must leave at least one host bit.
 */
function compileCidr(operand: unknown): (value: string) => boolean {
  // event-ruler reports a non-string CIDR with the prefix operator's message.
  if (typeof operand !== 'string') return fail('prefix match pattern must be a string');
  const parts = operand.split('/');
  const [address, bits] = parts;
  if (parts.length !== 2 || address === undefined || bits === undefined) {
    return fail("Malformed CIDR, one '/' required");
  }
  if (!/^[+-]?\d+$/.test(bits)) return fail('Malformed CIDR, mask bits must be an integer');
  const maskBits = Number(bits);
  if (maskBits < 0) return fail('Malformed CIDR, mask bits must not be negative');
  const base = parseIpAddress(address);
  if (base === undefined) {
    return fail(`${looksLikeIpAddress(address) ? 'Invalid' : 'Nonstandard'} IP address: ${address}`);
  }
  if (base.length === 4 && maskBits > 31) return fail('IPv4 mask bits must be < 32');
  if (base.length === 16 && maskBits > 127) return fail('IPv6 mask bits must be < 128');
  const top = base.map((byte, index) => byte | hostBits(index, maskBits));
  return (value) => {
    const candidate = parseIpAddress(value);
    return (
      candidate !== undefined &&
      candidate.length === base.length &&
      compareBytes(base, candidate) <= 0 &&
      compareBytes(candidate, top) <= 0
    );
  };
}

function hostBits(byteIndex: number, maskBits: number): number {
  const networkBitsInByte = Math.min(8, Math.max(0, maskBits - byteIndex * 8));
  return 0xff >> networkBitsInByte;
}

/**
 * The longest IPv6 literal, one ending in an embedded IPv4 address (`ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`).
 * Longer values cannot be IPv6 addresses and are dismissed before any regular expression reads them.
 */
const MAX_IPV6_LITERAL_LENGTH = 45;

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
/**
 * Half of the IPv6 shape (hex digits and colons, at least one colon): `hasIpv6Shape` checks the colon apart,
 * as `/^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/` would backtrack quadratically on a long value that fails at its end.
 */
const HEX_DIGITS_AND_COLONS = /^[0-9a-fA-F:]+$/;

function hasIpv6Shape(text: string): boolean {
  return text.includes(':') && HEX_DIGITS_AND_COLONS.test(text);
}

function looksLikeIpAddress(text: string): boolean {
  return IPV4_SHAPE.test(text) || hasIpv6Shape(text);
}

/** The bytes of an IPv4 (4) or IPv6 (16) literal; IPv4-mapped IPv6 addresses count as IPv4, as in Java. */
function parseIpAddress(text: string): readonly number[] | undefined {
  if (IPV4_SHAPE.test(text)) {
    const octets = text.split('.').map(Number);
    return octets.every((octet) => octet <= 255) ? octets : undefined;
  }
  if (text.length > MAX_IPV6_LITERAL_LENGTH || !hasIpv6Shape(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): string[] => (half ? half.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const compressed = halves.length === 2;
  const count = head.length + tail.length;
  if (compressed ? count > 7 : count !== 8) return undefined;
  if (![...head, ...tail].every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  const groups = [...head, ...Array<string>(8 - count).fill('0'), ...tail].map((group) =>
    parseInt(group, 16),
  );
  const bytes = groups.flatMap((group) => [group >> 8, group & 0xff]);
  const mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

function compareBytes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function sameBytes(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && compareBytes(a, b) === 0;
}
