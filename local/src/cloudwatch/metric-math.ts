/**
 * CloudWatch metric math over time series that share one grid of periods: arithmetic (`m1/m2*100`, `-`,
 * `^`), comparisons and `AND`/`OR` (1 or 0), arrays (`[m1, m2]`, `METRICS()`, `METRICS('errors')`), and
 * the functions `SUM`, `AVG`, `MIN`, `MAX` (per period over an array; a scalar over one series),
 * `FILL(x, value | REPEAT)`, `IF(condition, a[, b])`, `ABS`, `CEIL`, `FLOOR` and `DIFF`. A period where an
 * operand has no value has no value, and so has a division by zero.
 */
import { AwsServiceError } from '../aws-protocol';

/** A value per period of the grid; `undefined` where there is none. */
export type Series = readonly (number | undefined)[];

export type MathValue =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'series'; readonly values: Series }
  | { readonly kind: 'array'; readonly series: readonly Series[] };

/** What an expression can name: the other queries' results, by id, with their labels. */
export interface MathContext {
  /** Periods in the grid. */
  readonly length: number;
  /** The series of another query, by id; `undefined` for an unknown id. */
  readonly series: (id: string) => Series | undefined;
  /** The metric (not expression) queries, for `METRICS()`: their ids and labels, in request order. */
  readonly metricQueries: readonly { readonly id: string; readonly label?: string }[];
}

type Node =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'id'; readonly name: string }
  | { readonly type: 'array'; readonly items: readonly Node[] }
  | { readonly type: 'unary'; readonly operator: '-' | 'NOT'; readonly operand: Node }
  | { readonly type: 'binary'; readonly operator: string; readonly left: Node; readonly right: Node }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly Node[] };

interface Token {
  readonly kind: 'number' | 'string' | 'word' | 'symbol';
  readonly text: string;
}

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|"([^"]*)"|'([^']*)'|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|&&|\|\||[-+*/^(),<>[\]]))/y;

export class MetricMathError extends AwsServiceError {
  constructor(expression: string, reason: string) {
    super('ValidationError', `The expression '${expression}' is not valid: ${reason}`);
  }
}

/** Parses the expression; throws `ValidationError` naming what is wrong. */
export function parseExpression(expression: string): Node {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < expression.length) {
    if (expression.slice(position).trim() === '') break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(expression);
    if (match === null) {
      throw new MetricMathError(expression, `unexpected character at position ${position + 1}`);
    }
    position = TOKEN.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'number', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'string', text: match[3] });
    else if (match[4] !== undefined) tokens.push({ kind: 'word', text: match[4] });
    else if (match[5] !== undefined) tokens.push({ kind: 'symbol', text: match[5] });
  }
  const parser = new Parser(tokens, expression);
  const node = parser.expression();
  parser.expectEnd();
  return node;
}

class Parser {
  private index = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly source: string,
  ) {}

  expression(): Node {
    return this.binary(0);
  }

  expectEnd(): void {
    const next = this.tokens[this.index];
    if (next !== undefined) this.fail(`unexpected '${next.text}'`);
  }

  // Lowest binding first: OR, AND, comparisons, + -, * /, ^.
  private static readonly LEVELS: readonly (readonly string[])[] = [
    ['OR', '||'],
    ['AND', '&&'],
    ['<', '>', '<=', '>=', '==', '!='],
    ['+', '-'],
    ['*', '/'],
    ['^'],
  ];

  private binary(level: number): Node {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const next = this.tokens[this.index];
      const operators = Parser.LEVELS[level] ?? [];
      if (next === undefined || !operators.includes(next.text)) return left;
      this.index++;
      const operator = next.text === '||' ? 'OR' : next.text === '&&' ? 'AND' : next.text;
      left = { type: 'binary', operator, left, right: this.binary(level + 1) };
    }
  }

  private unary(): Node {
    const next = this.tokens[this.index];
    if (next?.text === '-') {
      this.index++;
      return { type: 'unary', operator: '-', operand: this.unary() };
    }
    if (next?.text === 'NOT') {
      this.index++;
      return { type: 'unary', operator: 'NOT', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const token = this.tokens[this.index++];
    if (token === undefined) return this.fail('it ends too early');
    if (token.kind === 'number') return { type: 'number', value: Number(token.text) };
    if (token.kind === 'string') return { type: 'string', value: token.text };
    if (token.text === '(') {
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (token.text === '[') {
      const items = this.list(']');
      return { type: 'array', items };
    }
    if (token.kind === 'word') {
      if (this.tokens[this.index]?.text === '(') {
        this.index++;
        return { type: 'call', name: token.text.toUpperCase(), args: this.list(')') };
      }
      return { type: 'id', name: token.text };
    }
    return this.fail(`unexpected '${token.text}'`);
  }

  private list(close: string): Node[] {
    const items: Node[] = [];
    if (this.tokens[this.index]?.text === close) {
      this.index++;
      return items;
    }
    for (;;) {
      items.push(this.expression());
      const next = this.tokens[this.index++];
      if (next?.text === close) return items;
      if (next?.text !== ',') this.fail(`expected ',' or '${close}'`);
    }
  }

  private expect(text: string): void {
    const next = this.tokens[this.index++];
    if (next?.text !== text) this.fail(`expected '${text}'`);
  }

  private fail(reason: string): never {
    throw new MetricMathError(this.source, reason);
  }
}

/** The ids an expression reads (for ordering queries and finding unknown ids). */
export function referencedIds(node: Node): string[] {
  switch (node.type) {
    case 'id':
      return [node.name];
    case 'array':
      return node.items.flatMap(referencedIds);
    case 'unary':
      return referencedIds(node.operand);
    case 'binary':
      return [...referencedIds(node.left), ...referencedIds(node.right)];
    case 'call':
      return node.args.flatMap(referencedIds);
    default:
      return [];
  }
}

/** Whether the expression reads every metric query (`METRICS()`). */
export function readsAllMetrics(node: Node): boolean {
  switch (node.type) {
    case 'call':
      return node.name === 'METRICS' || node.args.some(readsAllMetrics);
    case 'array':
      return node.items.some(readsAllMetrics);
    case 'unary':
      return readsAllMetrics(node.operand);
    case 'binary':
      return readsAllMetrics(node.left) || readsAllMetrics(node.right);
    default:
      return false;
  }
}

/** Evaluates a parsed expression over the context's grid. */
export function evaluateExpression(expression: string, context: MathContext): MathValue {
  return evaluate(parseExpression(expression), context, expression);
}

function evaluate(node: Node, context: MathContext, source: string): MathValue {
  switch (node.type) {
    case 'number':
      return { kind: 'scalar', value: node.value };
    case 'string':
      throw new MetricMathError(source, `the string '${node.value}' is only an argument of METRICS()`);
    case 'id': {
      const series = context.series(node.name);
      if (series === undefined) throw new MetricMathError(source, `no query has the id '${node.name}'`);
      return { kind: 'series', values: series };
    }
    case 'array':
      return {
        kind: 'array',
        series: node.items.flatMap((item) => seriesList(evaluate(item, context, source), context)),
      };
    case 'unary': {
      const operand = evaluate(node.operand, context, source);
      return map1(operand, node.operator === '-' ? (x) => -x : (x) => (x === 0 ? 1 : 0));
    }
    case 'binary':
      return combine(
        evaluate(node.left, context, source),
        evaluate(node.right, context, source),
        binaryOperator(node.operator),
        source,
      );
    case 'call':
      return callFunction(node, context, source);
  }
}

function binaryOperator(operator: string): (a: number, b: number) => number | undefined {
  switch (operator) {
    case '+':
      return (a, b) => a + b;
    case '-':
      return (a, b) => a - b;
    case '*':
      return (a, b) => a * b;
    case '/':
      return (a, b) => (b === 0 ? undefined : a / b);
    case '^':
      return (a, b) => a ** b;
    case '<':
      return (a, b) => Number(a < b);
    case '>':
      return (a, b) => Number(a > b);
    case '<=':
      return (a, b) => Number(a <= b);
    case '>=':
      return (a, b) => Number(a >= b);
    case '==':
      return (a, b) => Number(a === b);
    case '!=':
      return (a, b) => Number(a !== b);
    case 'AND':
      return (a, b) => Number(a !== 0 && b !== 0);
    default:
      return (a, b) => Number(a !== 0 || b !== 0);
  }
}

function seriesList(value: MathValue, context: MathContext): Series[] {
  if (value.kind === 'array') return [...value.series];
  if (value.kind === 'series') return [value.values];
  return [Array.from({ length: context.length }, () => value.value)];
}

function map1(value: MathValue, apply: (x: number) => number | undefined): MathValue {
  const mapSeries = (series: Series): Series => series.map((x) => (x === undefined ? undefined : apply(x)));
  if (value.kind === 'scalar') {
    const result = apply(value.value);
    return result === undefined ? { kind: 'series', values: [] } : { kind: 'scalar', value: result };
  }
  if (value.kind === 'series') return { kind: 'series', values: mapSeries(value.values) };
  return { kind: 'array', series: value.series.map(mapSeries) };
}

function combine(
  left: MathValue,
  right: MathValue,
  apply: (a: number, b: number) => number | undefined,
  source: string,
): MathValue {
  const pair = (a: Series, b: Series): Series =>
    a.map((x, index) => {
      const y = b[index];
      return x === undefined || y === undefined ? undefined : apply(x, y);
    });
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    const result = apply(left.value, right.value);
    if (result === undefined) throw new MetricMathError(source, 'it divides by zero');
    return { kind: 'scalar', value: result };
  }
  if (left.kind === 'scalar') return map1(right, (y) => apply(left.value, y));
  if (right.kind === 'scalar') return map1(left, (x) => apply(x, right.value));
  if (left.kind === 'series' && right.kind === 'series') {
    return { kind: 'series', values: pair(left.values, right.values) };
  }
  if (left.kind === 'array' && right.kind === 'series') {
    return { kind: 'array', series: left.series.map((series) => pair(series, right.values)) };
  }
  if (left.kind === 'series' && right.kind === 'array') {
    return { kind: 'array', series: right.series.map((series) => pair(left.values, series)) };
  }
  throw new MetricMathError(source, 'two arrays of time series cannot be combined');
}

function callFunction(
  node: Extract<Node, { type: 'call' }>,
  context: MathContext,
  source: string,
): MathValue {
  const argument = (index: number): MathValue => {
    const arg = node.args[index];
    if (arg === undefined) throw new MetricMathError(source, `${node.name} needs argument ${index + 1}`);
    return evaluate(arg, context, source);
  };
  switch (node.name) {
    case 'METRICS': {
      const filter = node.args[0];
      if (filter !== undefined && filter.type !== 'string') {
        throw new MetricMathError(source, 'METRICS() takes a string, or nothing');
      }
      const text = filter?.type === 'string' ? filter.value : '';
      const selected = context.metricQueries.filter(
        (query) => query.id.includes(text) || (query.label ?? '').includes(text),
      );
      return {
        kind: 'array',
        series: selected.flatMap((query) => {
          const series = context.series(query.id);
          return series === undefined ? [] : [series];
        }),
      };
    }
    case 'SUM':
    case 'AVG':
    case 'MIN':
    case 'MAX':
      return aggregate(
        node.name,
        node.args.length > 1 ? evaluate({ type: 'array', items: node.args }, context, source) : argument(0),
      );
    case 'ABS':
      return map1(argument(0), Math.abs);
    case 'CEIL':
      return map1(argument(0), Math.ceil);
    case 'FLOOR':
      return map1(argument(0), Math.floor);
    case 'DIFF':
      return mapSeries(argument(0), (series) =>
        series.map((x, index) => {
          const previous = series[index - 1];
          return x === undefined || previous === undefined ? undefined : x - previous;
        }),
      );
    case 'FILL': {
      const fillWith = node.args[1];
      if (fillWith === undefined) throw new MetricMathError(source, 'FILL needs a value or REPEAT');
      if (fillWith.type === 'id' && fillWith.name.toUpperCase() === 'REPEAT') {
        return mapSeries(argument(0), (series) => {
          let last: number | undefined;
          return series.map((x) => (x === undefined ? last : (last = x)));
        });
      }
      const filler = evaluate(fillWith, context, source);
      if (filler.kind !== 'scalar') throw new MetricMathError(source, 'FILL fills with a number or REPEAT');
      return mapSeries(argument(0), (series) => series.map((x) => x ?? filler.value));
    }
    case 'IF': {
      const condition = argument(0);
      const whenTrue = argument(1);
      const whenFalse = node.args[2] === undefined ? undefined : argument(2);
      const at = (value: MathValue | undefined, index: number): number | undefined =>
        value === undefined
          ? undefined
          : value.kind === 'scalar'
            ? value.value
            : value.kind === 'series'
              ? value.values[index]
              : undefined;
      if (condition.kind === 'array')
        throw new MetricMathError(source, 'IF takes one time series as condition');
      return {
        kind: 'series',
        values: Array.from({ length: context.length }, (_, index) => {
          const test = at(condition, index);
          if (test === undefined) return undefined;
          return test !== 0 ? at(whenTrue, index) : at(whenFalse, index);
        }),
      };
    }
    default:
      throw new MetricMathError(source, `the function ${node.name} is not supported locally`);
  }
}

function mapSeries(value: MathValue, apply: (series: Series) => Series): MathValue {
  if (value.kind === 'series') return { kind: 'series', values: apply(value.values) };
  if (value.kind === 'array') return { kind: 'array', series: value.series.map(apply) };
  return value;
}

function aggregate(name: string, value: MathValue): MathValue {
  const reduce = (numbers: readonly number[]): number | undefined => {
    if (numbers.length === 0) return undefined;
    const sum = numbers.reduce((total, x) => total + x, 0);
    if (name === 'SUM') return sum;
    if (name === 'AVG') return sum / numbers.length;
    return name === 'MIN' ? Math.min(...numbers) : Math.max(...numbers);
  };
  const present = (series: Series): number[] => series.filter((x): x is number => x !== undefined);
  if (value.kind === 'scalar') return value;
  if (value.kind === 'series') {
    const result = reduce(present(value.values));
    return result === undefined ? { kind: 'series', values: [] } : { kind: 'scalar', value: result };
  }
  const length = Math.max(0, ...value.series.map((series) => series.length));
  return {
    kind: 'series',
    values: Array.from({ length }, (_, index) =>
      reduce(present(value.series.map((series) => series[index]))),
    ),
  };
}
