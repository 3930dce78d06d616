/**
 * A composite alarm's `AlarmRule`: `ALARM(x)`, `OK(x)`, `INSUFFICIENT_DATA(x)` of an alarm named by its name
 * or ARN (quoted or not), `TRUE`, `FALSE`, `AND`, `OR`, `NOT` and parentheses. `NOT` binds tighter than
 * `AND`, which binds tighter than `OR`, as in CloudWatch.
 */
import { AwsServiceError } from '../aws-protocol';
import type { AlarmState } from './alarm-evaluation';

export type RuleNode =
  | { readonly type: 'constant'; readonly value: boolean }
  | { readonly type: 'state'; readonly state: AlarmState; readonly alarm: string }
  | { readonly type: 'not'; readonly operand: RuleNode }
  | { readonly type: 'and' | 'or'; readonly left: RuleNode; readonly right: RuleNode };

const STATE_FUNCTIONS: ReadonlySet<string> = new Set(['ALARM', 'OK', 'INSUFFICIENT_DATA']);
const RULE_TOKEN = /\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([^\s()"]+))/y;
/** CloudWatch's limit on an alarm rule. */
export const MAX_ALARM_RULE_LENGTH = 10_240;

type Token =
  | { readonly kind: 'open' }
  | { readonly kind: 'close' }
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'quoted'; readonly text: string };

function invalid(rule: string, reason: string): AwsServiceError {
  return new AwsServiceError(
    'InvalidParameterValueException',
    `Invalid AlarmRule '${rule}': ${reason}`,
    400,
    'InvalidParameterValue',
  );
}

export function parseAlarmRule(rule: string): RuleNode {
  if (rule.trim() === '') throw invalid(rule, 'it is empty');
  if (rule.length > MAX_ALARM_RULE_LENGTH)
    throw invalid(rule.slice(0, 50), 'it is longer than 10240 characters');
  const tokens: Token[] = [];
  let position = 0;
  while (position < rule.length) {
    if (rule.slice(position).trim() === '') break;
    RULE_TOKEN.lastIndex = position;
    const match = RULE_TOKEN.exec(rule);
    if (match === null) throw invalid(rule, `unexpected character at position ${position + 1}`);
    position = RULE_TOKEN.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'open' });
    else if (match[2] !== undefined) tokens.push({ kind: 'close' });
    else if (match[3] !== undefined) tokens.push({ kind: 'quoted', text: match[3].replace(/\\(.)/g, '$1') });
    else tokens.push({ kind: 'word', text: match[4] ?? '' });
  }
  let index = 0;
  const peekWord = (): string | undefined => {
    const token = tokens[index];
    return token?.kind === 'word' ? token.text : undefined;
  };
  const orExpression = (): RuleNode => {
    let left = andExpression();
    while (peekWord() === 'OR') {
      index++;
      left = { type: 'or', left, right: andExpression() };
    }
    return left;
  };
  const andExpression = (): RuleNode => {
    let left = unary();
    while (peekWord() === 'AND') {
      index++;
      left = { type: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): RuleNode => {
    if (peekWord() === 'NOT') {
      index++;
      return { type: 'not', operand: unary() };
    }
    return primary();
  };
  const primary = (): RuleNode => {
    const token = tokens[index++];
    if (token === undefined) throw invalid(rule, 'it ends too early');
    if (token.kind === 'open') {
      const inner = orExpression();
      if (tokens[index++]?.kind !== 'close') throw invalid(rule, "a '(' is not closed");
      return inner;
    }
    if (token.kind === 'close') throw invalid(rule, "unexpected ')'");
    if (token.kind === 'quoted') throw invalid(rule, `unexpected "${token.text}"`);
    if (token.text === 'TRUE' || token.text === 'FALSE')
      return { type: 'constant', value: token.text === 'TRUE' };
    if (!STATE_FUNCTIONS.has(token.text)) {
      throw invalid(rule, `'${token.text}' is not ALARM, OK, INSUFFICIENT_DATA, TRUE, FALSE, AND, OR or NOT`);
    }
    if (tokens[index++]?.kind !== 'open') throw invalid(rule, `${token.text} must be followed by '('`);
    const name = tokens[index++];
    if (name === undefined || (name.kind !== 'word' && name.kind !== 'quoted') || name.text === '') {
      throw invalid(rule, `${token.text}() must name an alarm`);
    }
    if (tokens[index++]?.kind !== 'close') throw invalid(rule, `${token.text}(${name.text} is not closed`);
    return { type: 'state', state: token.text as AlarmState, alarm: alarmNameOf(name.text) };
  };
  const node = orExpression();
  if (index < tokens.length) throw invalid(rule, 'it has something after the end of the expression');
  return node;
}

/** An alarm's name from its name or ARN (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`). */
export function alarmNameOf(nameOrArn: string): string {
  const match = /^arn:aws[\w-]*:cloudwatch:[^:]*:[^:]*:alarm:(.+)$/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}

/** The alarms a rule names, once each. */
export function alarmsOfRule(node: RuleNode): string[] {
  const names = new Set<string>();
  const visit = (current: RuleNode): void => {
    if (current.type === 'state') names.add(current.alarm);
    else if (current.type === 'not') visit(current.operand);
    else if (current.type === 'and' || current.type === 'or') {
      visit(current.left);
      visit(current.right);
    }
  };
  visit(node);
  return [...names];
}

/** Whether the rule holds, given each named alarm's state (an unknown alarm is in no state). */
export function evaluateRule(node: RuleNode, stateOf: (alarm: string) => AlarmState | undefined): boolean {
  switch (node.type) {
    case 'constant':
      return node.value;
    case 'state':
      return stateOf(node.alarm) === node.state;
    case 'not':
      return !evaluateRule(node.operand, stateOf);
    case 'and':
      return evaluateRule(node.left, stateOf) && evaluateRule(node.right, stateOf);
    case 'or':
      return evaluateRule(node.left, stateOf) || evaluateRule(node.right, stateOf);
  }
}
