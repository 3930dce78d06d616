/**
 * X-Ray filter expressions, as `GetTraceSummaries` takes them (`FilterExpression`): a tokenizer and a
 * recursive-descent parser into a small syntax tree, and its evaluation on an analyzed trace.
 *
 * The subset read here:
 * - boolean keywords `ok`, `error`, `fault`, `throttle`, `partial`, alone, negated with `!`, or compared
 *   with `= true|false` / `!= true|false`;
 * - number keywords `responsetime`, `duration`, `http.status` with `= != < <= > >=`;
 * - string keywords `http.url`, `http.method`, `http.useragent`, `http.clientip` with `= !=`,
 *   `CONTAINS`, `BEGINSWITH`, `ENDSWITH` and a value in double quotes;
 * - `annotation.<key>` with a string, number or boolean value (alone: the boolean `true`);
 * - `service("name")`, `service()`, `service(id(name: "…", type: "…"))` and `edge(source, destination)`,
 *   each with an optional `{ filter }` applied to the service's segments or to the calls of the edge;
 * - `AND`, `OR`, `!` and parentheses; terms side by side are joined by `AND` (`ok !partial`). `!` binds
 *   tightest, then `AND`, then `OR`.
 *
 * As on X-Ray, the keywords outside braces describe the trace's root segment (`error`, `fault`, `ok`,
 * `responsetime`, `http.*`), except `throttle` (any segment), `partial` (any document in progress) and
 * `duration` (the whole trace). Other keywords (`user`, `rootcause`, `group`, …) are refused with an
 * `InvalidRequestException` that lists the supported ones.
 */
import { AwsServiceError } from '../aws-protocol';
import type { HttpData, SegmentDocument } from './segment-document';
import { elapsedSeconds, type AnalyzedTrace, type AnnotationValue, type ServiceKey } from './trace-analysis';

export type FlagKeyword = 'ok' | 'error' | 'fault' | 'throttle' | 'partial';
export type NumberKeyword = 'responsetime' | 'duration' | 'http.status';
export type TextKeyword = 'http.url' | 'http.method' | 'http.useragent' | 'http.clientip';
export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH';

/** A service by name, type (its origin), or both. */
export interface ServiceSelector {
  readonly name?: string;
  readonly type?: string;
}

export type FilterExpression =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpression; readonly right: FilterExpression }
  | { readonly kind: 'not'; readonly operand: FilterExpression }
  | { readonly kind: 'flag'; readonly keyword: FlagKeyword; readonly expected: boolean }
  | {
      readonly kind: 'number';
      readonly keyword: NumberKeyword;
      readonly operator: Operator;
      readonly value: number;
    }
  | {
      readonly kind: 'text';
      readonly keyword: TextKeyword;
      readonly operator: Operator;
      readonly value: string;
    }
  | {
      readonly kind: 'annotation';
      readonly key: string;
      readonly operator: Operator;
      readonly value: AnnotationValue;
    }
  | { readonly kind: 'service'; readonly service: ServiceSelector; readonly filter?: FilterExpression }
  | {
      readonly kind: 'edge';
      readonly source: ServiceSelector;
      readonly destination: ServiceSelector;
      readonly filter?: FilterExpression;
    };

const FLAG_KEYWORDS: readonly FlagKeyword[] = ['ok', 'error', 'fault', 'throttle', 'partial'];
const NUMBER_KEYWORDS: readonly NumberKeyword[] = ['responsetime', 'duration', 'http.status'];
const TEXT_KEYWORDS: readonly TextKeyword[] = ['http.url', 'http.method', 'http.useragent', 'http.clientip'];
const COMPARISONS: readonly Operator[] = ['=', '!=', '<', '<=', '>', '>='];
const TEXT_OPERATORS: readonly Operator[] = ['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH'];
const ANNOTATION_PREFIX = 'annotation.';
/** Deeper nesting than any hand-written filter; it keeps the recursion far from the stack's end. */
const MAX_NESTING = 50;

const SUPPORTED =
  'ok, error, fault, throttle, partial, responsetime, duration, http.status, http.url, http.method, ' +
  'http.useragent, http.clientip, annotation.<key>, service(…) and edge(…) (by name or id(name: …, type: …), ' +
  'with an optional { filter }), combined with AND, OR, ! and parentheses';

export function parseFilterExpression(source: string): FilterExpression {
  return new Parser(tokenize(source)).parseWhole();
}

/** Whether the trace is one the filter finds. */
export function matchesTrace(filter: FilterExpression, trace: AnalyzedTrace): boolean {
  return evaluate(filter, traceSubject(trace));
}

// ---------------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly at: number }
  | { readonly kind: 'symbol'; readonly text: string; readonly at: number }
  | { readonly kind: 'end'; readonly at: number };

const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Two-character symbols first, so that `<=` is not read as `<` then `=`. */
const SYMBOLS = ['!=', '<=', '>=', '(', ')', '{', '}', ',', ':', '!', '=', '<', '>'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source.charAt(at);
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    if (char === '"') {
      const { text, end } = readString(source, at);
      tokens.push({ kind: 'string', text, at });
      at = end;
      continue;
    }
    const matched = matchAt(NUMBER, source, at) ?? matchAt(WORD, source, at);
    if (matched !== undefined) {
      tokens.push(
        matched.pattern === NUMBER
          ? { kind: 'number', value: Number(matched.text), text: matched.text, at }
          : { kind: 'word', text: matched.text, at },
      );
      at += matched.text.length;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => source.startsWith(candidate, at));
    if (symbol === undefined) fail(`unexpected character '${char}' at position ${at + 1}`);
    tokens.push({ kind: 'symbol', text: symbol, at });
    at += symbol.length;
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}

function matchAt(pattern: RegExp, source: string, at: number): { pattern: RegExp; text: string } | undefined {
  pattern.lastIndex = at;
  const match = pattern.exec(source);
  return match === null ? undefined : { pattern, text: match[0] };
}

/** A string in double quotes; `\"` and `\\` stand for the quote and the backslash. */
function readString(source: string, start: number): { text: string; end: number } {
  let text = '';
  for (let at = start + 1; at < source.length; at++) {
    const char = source.charAt(at);
    if (char === '"') return { text, end: at + 1 };
    if (char === '\\' && at + 1 < source.length) {
      at++;
      text += source.charAt(at);
    } else {
      text += char;
    }
  }
  return fail(`the string that starts at position ${start + 1} has no closing quote`);
}

// ---------------------------------------------------------------------------------------------------
// Parser

class Parser {
  private index = 0;
  private nesting = 0;
  /** Inside `service(…) { … }` or `edge(…) { … }`, where the filter applies to one segment or call. */
  private withinBraces = false;

  constructor(private readonly tokens: readonly Token[]) {}

  parseWhole(): FilterExpression {
    if (this.peek().kind === 'end') fail('the expression is empty');
    const expression = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'end') fail(`unexpected ${describe(rest)}`);
    return expression;
  }

  private parseOr(): FilterExpression {
    this.enter();
    let left = this.parseAnd();
    while (this.isWord(this.peek(), 'OR')) {
      this.index++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    this.nesting--;
    return left;
  }

  private parseAnd(): FilterExpression {
    let left = this.parseUnary();
    for (;;) {
      const next = this.peek();
      if (this.isWord(next, 'AND')) {
        this.index++;
      } else if (!this.startsTerm(next)) {
        return left;
      }
      left = { kind: 'and', left, right: this.parseUnary() };
    }
  }

  private parseUnary(): FilterExpression {
    if (this.isSymbol(this.peek(), '!')) {
      this.index++;
      this.enter();
      const operand = this.parseUnary();
      this.nesting--;
      return { kind: 'not', operand };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterExpression {
    const token = this.next();
    if (this.isSymbol(token, '(')) {
      const inner = this.parseOr();
      this.expectSymbol(')');
      return inner;
    }
    if (token.kind !== 'word') return fail(`expected a keyword, found ${describe(token)}`);
    const keyword = token.text.toLowerCase();
    if (keyword === 'and' || keyword === 'or') return fail(`expected a keyword before ${describe(token)}`);
    if (this.isSymbol(this.peek(), '(')) {
      if ((keyword === 'service' || keyword === 'edge') && this.withinBraces) {
        return fail('service(…) and edge(…) cannot be used inside braces');
      }
      if (keyword === 'service') return this.parseService();
      if (keyword === 'edge') return this.parseEdge();
      if (keyword === 'id') return fail('id(…) names a service inside service(…) or edge(…) only');
    }
    if (isOneOf(FLAG_KEYWORDS, keyword)) return this.parseFlag(keyword);
    if (isOneOf(NUMBER_KEYWORDS, keyword)) {
      const operator = this.expectOperator(COMPARISONS, keyword);
      return { kind: 'number', keyword, operator, value: this.expectNumber(keyword) };
    }
    if (isOneOf(TEXT_KEYWORDS, keyword)) {
      const operator = this.expectOperator(TEXT_OPERATORS, keyword);
      return { kind: 'text', keyword, operator, value: this.expectString(keyword) };
    }
    if (keyword.startsWith(ANNOTATION_PREFIX)) return this.parseAnnotation(token.text);
    return fail(
      `the local X-Ray does not support the keyword '${token.text}'; it supports ${SUPPORTED}`,
      false,
    );
  }

  private parseFlag(keyword: FlagKeyword): FilterExpression {
    const operator = this.peekOperator();
    if (operator === undefined) return { kind: 'flag', keyword, expected: true };
    if (operator !== '=' && operator !== '!=') return fail(`${keyword} is compared with = or != only`);
    this.index++;
    const value = this.next();
    const literal = value.kind === 'word' ? value.text.toLowerCase() : '';
    if (literal !== 'true' && literal !== 'false') return fail(`${keyword} is compared with true or false`);
    return { kind: 'flag', keyword, expected: (literal === 'true') === (operator === '=') };
  }

  private parseAnnotation(word: string): FilterExpression {
    const key = word.slice(ANNOTATION_PREFIX.length);
    if (!/^[A-Za-z0-9_]+$/.test(key)) {
      return fail(`'${word}': an annotation key is made of letters, digits and underscores`);
    }
    if (this.withinBraces)
      return fail('annotation keywords cannot be used inside service(…) or edge(…) braces');
    const operator = this.peekOperator();
    if (operator === undefined) return { kind: 'annotation', key, operator: '=', value: true };
    this.index++;
    const token = this.next();
    const value =
      token.kind === 'string'
        ? token.text
        : token.kind === 'number'
          ? token.value
          : token.kind === 'word' && /^(true|false)$/i.test(token.text)
            ? token.text.toLowerCase() === 'true'
            : fail(`${word} ${operator} needs a string, number or boolean value, found ${describe(token)}`);
    const numeric = ['<', '<=', '>', '>='].includes(operator);
    const textual = ['CONTAINS', 'BEGINSWITH', 'ENDSWITH'].includes(operator);
    if ((numeric && typeof value !== 'number') || (textual && typeof value !== 'string')) {
      return fail(`${word} ${operator} needs a ${numeric ? 'number' : 'string'} value`);
    }
    return { kind: 'annotation', key, operator, value };
  }

  private parseService(): FilterExpression {
    this.expectSymbol('(');
    const service = this.isSymbol(this.peek(), ')') ? {} : this.parseSelector();
    this.expectSymbol(')');
    const filter = this.parseBraces();
    return filter === undefined ? { kind: 'service', service } : { kind: 'service', service, filter };
  }

  private parseEdge(): FilterExpression {
    this.expectSymbol('(');
    const source = this.parseSelector();
    this.expectSymbol(',');
    const destination = this.parseSelector();
    this.expectSymbol(')');
    const filter = this.parseBraces();
    return filter === undefined
      ? { kind: 'edge', source, destination }
      : { kind: 'edge', source, destination, filter };
  }

  /** `"name"` or `id(name: "…", type: "…")` (either field may be left out). */
  private parseSelector(): ServiceSelector {
    const token = this.next();
    if (token.kind === 'string') return { name: token.text };
    if (!(token.kind === 'word' && token.text.toLowerCase() === 'id' && this.isSymbol(this.peek(), '('))) {
      return fail(`expected a service name in double quotes or id(…), found ${describe(token)}`);
    }
    this.expectSymbol('(');
    const selector: { name?: string; type?: string } = {};
    for (;;) {
      const field = this.next();
      const name = field.kind === 'word' ? field.text.toLowerCase() : '';
      if (name !== 'name' && name !== 'type')
        return fail(`id(…) takes name: and type:, found ${describe(field)}`);
      this.expectSymbol(':');
      selector[name] = this.expectString(`id(${name}:)`);
      if (!this.isSymbol(this.peek(), ',')) break;
      this.index++;
    }
    this.expectSymbol(')');
    if (selector.name === undefined && selector.type === undefined)
      return fail('id(…) needs a name or a type');
    return selector;
  }

  private parseBraces(): FilterExpression | undefined {
    if (!this.isSymbol(this.peek(), '{')) return undefined;
    this.index++;
    this.withinBraces = true;
    const filter = this.parseOr();
    this.withinBraces = false;
    this.expectSymbol('}');
    return filter;
  }

  private startsTerm(token: Token): boolean {
    if (token.kind === 'word') return !this.isWord(token, 'AND') && !this.isWord(token, 'OR');
    return this.isSymbol(token, '(') || this.isSymbol(token, '!');
  }

  private peekOperator(): Operator | undefined {
    const token = this.peek();
    const text = token.kind === 'symbol' || token.kind === 'word' ? token.text.toUpperCase() : '';
    return isOneOf([...COMPARISONS, ...TEXT_OPERATORS], text) ? text : undefined;
  }

  private expectOperator(allowed: readonly Operator[], keyword: string): Operator {
    const operator = this.peekOperator();
    if (operator === undefined || !allowed.includes(operator)) {
      return fail(`${keyword} is compared with ${allowed.join(', ')}; found ${describe(this.peek())}`);
    }
    this.index++;
    return operator;
  }

  private expectNumber(what: string): number {
    const token = this.next();
    return token.kind === 'number' ? token.value : fail(`${what} needs a number, found ${describe(token)}`);
  }

  private expectString(what: string): string {
    const token = this.next();
    return token.kind === 'string'
      ? token.text
      : fail(`${what} needs a string in double quotes, found ${describe(token)}`);
  }

  private expectSymbol(symbol: string): void {
    const token = this.next();
    if (!this.isSymbol(token, symbol)) fail(`expected '${symbol}', found ${describe(token)}`);
  }

  private enter(): void {
    if (++this.nesting > MAX_NESTING) fail(`the expression nests deeper than ${MAX_NESTING} levels`);
  }

  private peek(): Token {
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toUpperCase() === word;
  }

  private isSymbol(token: Token, symbol: string): boolean {
    return token.kind === 'symbol' && token.text === symbol;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `"${token.text}" at position ${token.at + 1}`;
    default:
      return `'${token.text}' at position ${token.at + 1}`;
  }
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

function fail(detail: string, syntax = true): never {
  throw new AwsServiceError(
    'InvalidRequestException',
    syntax ? `Invalid FilterExpression: ${detail}.` : `Unsupported FilterExpression: ${detail}.`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

/** What the keywords describe: the trace (through its root segment), or one segment or call in braces. */
interface Subject {
  readonly flags: Readonly<Record<FlagKeyword, boolean>>;
  readonly responseTime?: number;
  readonly duration?: number;
  readonly http?: HttpData;
  /** At the trace level only: what annotations, service(…) and edge(…) look at. */
  readonly trace?: AnalyzedTrace;
}

function traceSubject(trace: AnalyzedTrace): Subject {
  const root = trace.root?.document;
  const error = root?.error === true;
  const fault = root?.fault === true;
  const throttle = trace.documents.some((document) => document.throttle === true);
  const responseTime = root === undefined ? undefined : elapsedSeconds(root);
  return {
    flags: {
      ok: root !== undefined && !error && !fault && root.throttle !== true,
      error,
      fault,
      throttle,
      partial: trace.isPartial,
    },
    ...(responseTime === undefined ? {} : { responseTime }),
    duration: trace.duration,
    ...(root?.http === undefined ? {} : { http: root.http }),
    trace,
  };
}

function documentSubject(document: SegmentDocument): Subject {
  const elapsed = elapsedSeconds(document);
  const error = document.error === true;
  const fault = document.fault === true;
  const throttle = document.throttle === true;
  return {
    flags: {
      ok: !error && !fault && !throttle,
      error,
      fault,
      throttle,
      partial: document.in_progress === true,
    },
    ...(elapsed === undefined ? {} : { responseTime: elapsed, duration: elapsed }),
    ...(document.http === undefined ? {} : { http: document.http }),
  };
}

function evaluate(filter: FilterExpression, subject: Subject): boolean {
  switch (filter.kind) {
    case 'and':
      return evaluate(filter.left, subject) && evaluate(filter.right, subject);
    case 'or':
      return evaluate(filter.left, subject) || evaluate(filter.right, subject);
    case 'not':
      return !evaluate(filter.operand, subject);
    case 'flag':
      return subject.flags[filter.keyword] === filter.expected;
    case 'number':
      return compare(numberOf(subject, filter.keyword), filter.operator, filter.value);
    case 'text':
      return compare(textOf(subject.http, filter.keyword), filter.operator, filter.value);
    case 'annotation': {
      const values = (subject.trace?.annotations ?? [])
        .filter((annotation) => annotation.key === filter.key)
        .map((annotation) => annotation.value);
      // A trace without the key is not found by `!=` either: the key must be there with another value.
      if (filter.operator === '!=') return values.length > 0 && !values.includes(filter.value);
      return values.some((value) => compare(value, filter.operator, filter.value));
    }
    case 'service': {
      const { service, filter: inner } = filter;
      return (subject.trace?.segments ?? []).some(
        (segment) =>
          selects(service, segment.service) &&
          (inner === undefined || evaluate(inner, documentSubject(segment.document))),
      );
    }
    case 'edge': {
      const { source, destination, filter: inner } = filter;
      return (subject.trace?.calls ?? []).some(
        (call) =>
          selects(source, call.caller) &&
          selects(destination, call.callee) &&
          (inner === undefined || evaluate(inner, documentSubject(call.document))),
      );
    }
  }
}

function numberOf(subject: Subject, keyword: NumberKeyword): number | undefined {
  switch (keyword) {
    case 'responsetime':
      return subject.responseTime;
    case 'duration':
      return subject.duration;
    case 'http.status':
      return subject.http?.response?.status;
  }
}

function textOf(http: HttpData | undefined, keyword: TextKeyword): string | undefined {
  const request = http?.request;
  switch (keyword) {
    case 'http.url':
      return request?.url;
    case 'http.method':
      return request?.method;
    case 'http.useragent':
      return request?.user_agent;
    case 'http.clientip':
      return request?.client_ip;
  }
}

/** A value compared with a literal of the same type; a missing value, or another type, never matches. */
function compare(
  actual: AnnotationValue | undefined,
  operator: Operator,
  expected: AnnotationValue,
): boolean {
  if (actual === undefined || typeof actual !== typeof expected) return false;
  switch (operator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case 'CONTAINS':
      return String(actual).includes(String(expected));
    case 'BEGINSWITH':
      return String(actual).startsWith(String(expected));
    case 'ENDSWITH':
      return String(actual).endsWith(String(expected));
  }
}

function selects(selector: ServiceSelector, service: ServiceKey): boolean {
  return (
    (selector.name === undefined || selector.name === service.name) &&
    (selector.type === undefined || selector.type === service.type)
  );
}
