/**
 * Resolution of CloudFormation intrinsic functions against the local cloud: `Ref` and `Fn::GetAtt`
 * become the local physical names and ARNs of `physical-names.ts`, so handlers see real-looking values.
 */
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../aws-protocol';
import { physicalResource, stackIdOf, type PhysicalResource } from './physical-names';
import type { CfnTemplate } from './template-types';

export interface ResolveContext {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Exports of the stacks resolved before this one, by export name, for `Fn::ImportValue`. */
  readonly exports: ReadonlyMap<string, string>;
  /** Base URL of the local SQS endpoint; queue URLs are `<sqsEndpoint>/<account>/<queueName>`. */
  readonly sqsEndpoint: string;
  /** Attributes known only once the local resource exists (e.g. a table's `StreamArn`), by logical id. */
  readonly attributeOverrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** `Ref` values that replace the computed ones, by logical id of a resource or parameter. */
  readonly refOverrides?: Readonly<Record<string, string>>;
}

export class IntrinsicResolutionError extends Error {
  constructor(
    /** Where in the template, e.g. `Resources.MyFn.Properties.Environment.Variables.X`. */
    readonly path: string,
    /** What was missing or malformed. */
    readonly reason: string,
  ) {
    super(`Cannot resolve ${path}: ${reason}`);
    this.name = 'IntrinsicResolutionError';
  }
}

/** Resolves against one stack, remembering physical names and conditions across calls. */
export interface IntrinsicResolver {
  /** The value with every intrinsic resolved; `undefined` when it resolves to `AWS::NoValue`. */
  resolve(value: unknown, path: string): unknown;
  /** Whether the resource exists, i.e. it has no `Condition` or its condition is true. */
  isCreated(logicalId: string): boolean;
  /** The resource's `Ref` value, overrides applied. */
  physicalId(logicalId: string, path: string): string;
  /** Every attribute `Fn::GetAtt` can return for the resource, overrides applied. */
  attributes(logicalId: string, path: string): Readonly<Record<string, string>>;
  condition(name: string, path: string): boolean;
}

/** Resolves every intrinsic in `value`; `path` names `value`'s place in the template for errors. */
export function resolveIntrinsics(value: unknown, ctx: ResolveContext, path = ''): unknown {
  return createIntrinsicResolver(ctx).resolve(value, path);
}

export function createIntrinsicResolver(ctx: ResolveContext): IntrinsicResolver {
  return new TemplateResolver(ctx);
}

const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
/** A resolved value, or `NO_VALUE`, which never leaves this module. */
type Resolved = unknown;

const LIST_PARAMETER = /^(CommaDelimitedList|List<.*>|AWS::SSM::Parameter::Value<List<.*>>)$/;

class TemplateResolver implements IntrinsicResolver {
  private readonly physicals = new Map<string, PhysicalResource>();
  private readonly physicalsInProgress = new Set<string>();
  private readonly conditions = new Map<string, boolean>();
  private readonly conditionsInProgress = new Set<string>();

  constructor(private readonly ctx: ResolveContext) {}

  resolve(value: unknown, path: string): unknown {
    const resolved = this.value(value, path);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  isCreated(logicalId: string): boolean {
    const condition = ownValue(this.ctx.template.Resources, logicalId)?.Condition;
    return condition === undefined || this.condition(condition, `Resources.${logicalId}.Condition`);
  }

  physicalId(logicalId: string, path: string): string {
    return ownValue(this.ctx.refOverrides, logicalId) ?? this.physical(logicalId, path).ref;
  }

  attributes(logicalId: string, path: string): Readonly<Record<string, string>> {
    return {
      ...this.physical(logicalId, path).attributes,
      ...ownValue(this.ctx.attributeOverrides, logicalId),
    };
  }

  condition(name: string, path: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const expression = ownValue(this.ctx.template.Conditions, name);
    if (expression === undefined) throw new IntrinsicResolutionError(path, `unknown condition '${name}'`);
    if (this.conditionsInProgress.has(name)) {
      throw new IntrinsicResolutionError(path, `condition '${name}' depends on itself`);
    }
    this.conditionsInProgress.add(name);
    try {
      const result = this.conditionValue(expression, `Conditions.${name}`);
      this.conditions.set(name, result);
      return result;
    } finally {
      this.conditionsInProgress.delete(name);
    }
  }

  private ref(name: string, path: string): unknown {
    const override = ownValue(this.ctx.refOverrides, name);
    const parameter = ownValue(this.ctx.template.Parameters, name);
    if (override !== undefined) {
      return parameter && LIST_PARAMETER.test(parameter.Type) ? splitList(override) : override;
    }
    if (name.startsWith('AWS::')) return this.pseudoParameter(name, path);
    if (parameter !== undefined) {
      const value = parameter.Default;
      if (value === undefined) throw new IntrinsicResolutionError(path, `parameter '${name}' has no Default`);
      const text = Array.isArray(value) ? value.join(',') : String(value);
      return LIST_PARAMETER.test(parameter.Type) ? splitList(text) : text;
    }
    if (ownValue(this.ctx.template.Resources, name) !== undefined) return this.physical(name, path).ref;
    throw new IntrinsicResolutionError(path, `Ref to unknown resource or parameter '${name}'`);
  }

  private getAtt(logicalId: string, attribute: string, path: string): string {
    const override = ownValue(ownValue(this.ctx.attributeOverrides, logicalId), attribute);
    if (override !== undefined) return override;
    const resource = ownValue(this.ctx.template.Resources, logicalId);
    if (resource === undefined) {
      throw new IntrinsicResolutionError(path, `Fn::GetAtt of unknown resource '${logicalId}'`);
    }
    const value = ownValue(this.physical(logicalId, path).attributes, attribute);
    if (value === undefined) {
      throw new IntrinsicResolutionError(
        path,
        `Fn::GetAtt attribute '${attribute}' of '${logicalId}' (${resource.Type}) is unknown locally; pass it in attributeOverrides`,
      );
    }
    return value;
  }

  private physical(logicalId: string, path: string): PhysicalResource {
    const known = this.physicals.get(logicalId);
    if (known !== undefined) return this.withRefOverride(logicalId, known);
    const resource = ownValue(this.ctx.template.Resources, logicalId);
    if (resource === undefined) throw new IntrinsicResolutionError(path, `unknown resource '${logicalId}'`);
    if (!this.isCreated(logicalId)) {
      throw new IntrinsicResolutionError(
        path,
        `resource '${logicalId}' is not created (condition '${resource.Condition}' is false)`,
      );
    }
    if (this.physicalsInProgress.has(logicalId)) {
      throw new IntrinsicResolutionError(path, `circular reference through resource '${logicalId}'`);
    }
    this.physicalsInProgress.add(logicalId);
    try {
      const computed = physicalResource({
        stackName: this.ctx.stackName,
        logicalId,
        type: resource.Type,
        sqsEndpoint: this.ctx.sqsEndpoint,
        property: (name) =>
          this.resolve(ownValue(resource.Properties, name), `Resources.${logicalId}.Properties.${name}`),
      });
      this.physicals.set(logicalId, computed);
      return this.withRefOverride(logicalId, computed);
    } finally {
      this.physicalsInProgress.delete(logicalId);
    }
  }

  private withRefOverride(logicalId: string, physical: PhysicalResource): PhysicalResource {
    const ref = ownValue(this.ctx.refOverrides, logicalId);
    return ref === undefined ? physical : { ...physical, ref };
  }

  private pseudoParameter(name: string, path: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return LOCAL_REGION;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.ctx.stackName;
      case 'AWS::StackId':
        return stackIdOf(this.ctx.stackName);
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        throw new IntrinsicResolutionError(path, `unknown pseudo parameter '${name}'`);
    }
  }

  private value(value: unknown, path: string): Resolved {
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      value.forEach((item, index) => {
        const resolved = this.value(item, `${path}[${index}]`);
        if (resolved !== NO_VALUE) items.push(resolved);
      });
      return items;
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    const [only] = keys;
    if (keys.length === 1 && only !== undefined && (only === 'Ref' || only.startsWith('Fn::'))) {
      return this.intrinsic(only, value[only], path);
    }
    const resolved: Record<string, unknown> = {};
    for (const key of keys) {
      const item = this.value(value[key], childPath(path, key));
      if (item !== NO_VALUE) resolved[key] = item;
    }
    return resolved;
  }

  /** `path` names the property holding the intrinsic; its arguments' paths add the function name. */
  private intrinsic(name: string, argument: unknown, path: string): Resolved {
    const at = childPath(path, name);
    switch (name) {
      case 'Ref':
        if (typeof argument !== 'string')
          throw new IntrinsicResolutionError(path, 'Ref needs a logical name');
        return this.ref(argument, path);
      case 'Fn::GetAtt':
        return this.fnGetAtt(argument, path, at);
      case 'Fn::Join': {
        const [delimiter, list] = this.tuple(argument, 2, name, path);
        const items = this.resolve(list, `${at}[1]`);
        if (!Array.isArray(items))
          throw new IntrinsicResolutionError(path, 'Fn::Join needs a list of values');
        const texts = items.map((item, index) => scalarText(item, `${at}[1][${index}]`));
        return texts.join(this.text(delimiter, `${at}[0]`));
      }
      case 'Fn::Sub':
        return this.fnSub(argument, path, at);
      case 'Fn::Select': {
        const [index, list] = this.tuple(argument, 2, name, path);
        return this.select(Number(this.resolve(index, `${at}[0]`)), this.resolve(list, `${at}[1]`), path);
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.tuple(argument, 2, name, path);
        return this.text(source, `${at}[1]`).split(this.text(delimiter, `${at}[0]`));
      }
      case 'Fn::ImportValue': {
        const exportName = this.text(argument, at);
        const value = this.ctx.exports.get(exportName);
        if (value !== undefined) return value;
        throw new IntrinsicResolutionError(
          path,
          `Fn::ImportValue of '${exportName}', which no resolved stack exports`,
        );
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.tuple(argument, 3, name, path);
        if (typeof condition !== 'string')
          throw new IntrinsicResolutionError(path, 'Fn::If needs a condition name');
        return this.condition(condition, path)
          ? this.value(whenTrue, `${at}[1]`)
          : this.value(whenFalse, `${at}[2]`);
      }
      case 'Fn::Equals': {
        const [left, right] = this.tuple(argument, 2, name, path);
        return sameValue(this.resolve(left, `${at}[0]`), this.resolve(right, `${at}[1]`));
      }
      case 'Fn::Not':
        return !this.conditionValue(this.tuple(argument, 1, name, path)[0], `${at}[0]`);
      case 'Fn::And':
        return this.conditionList(argument, name, path, at).every((value) => value());
      case 'Fn::Or':
        return this.conditionList(argument, name, path, at).some((value) => value());
      case 'Fn::FindInMap':
        return this.fnFindInMap(argument, path, at);
      case 'Fn::GetAZs': {
        const region = this.text(argument, at) || LOCAL_REGION;
        return [`${region}a`, `${region}b`, `${region}c`];
      }
      case 'Fn::Base64':
        return Buffer.from(this.text(argument, at), 'utf8').toString('base64');
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(argument, at));
      case 'Fn::Length': {
        const list = this.resolve(argument, at);
        if (!Array.isArray(list)) throw new IntrinsicResolutionError(path, 'Fn::Length needs a list');
        return list.length;
      }
      default:
        throw new IntrinsicResolutionError(path, `unsupported intrinsic function '${name}'`);
    }
  }

  private fnGetAtt(argument: unknown, path: string, at: string): string {
    let logicalId: unknown;
    let attribute: unknown;
    if (typeof argument === 'string') {
      const dot = argument.indexOf('.');
      if (dot <= 0)
        throw new IntrinsicResolutionError(path, `Fn::GetAtt '${argument}' is not 'Logical.Attribute'`);
      [logicalId, attribute] = [argument.slice(0, dot), argument.slice(dot + 1)];
    } else {
      [logicalId, attribute] = this.tuple(argument, 2, 'Fn::GetAtt', path);
    }
    if (typeof logicalId !== 'string')
      throw new IntrinsicResolutionError(path, 'Fn::GetAtt needs a logical name');
    return this.getAtt(logicalId, this.text(attribute, `${at}[1]`), path);
  }

  private fnSub(argument: unknown, path: string, at: string): string {
    let template: unknown = argument;
    let variables: Readonly<Record<string, unknown>> = {};
    if (Array.isArray(argument)) {
      const [text, vars] = this.tuple(argument, 2, 'Fn::Sub', path);
      if (!isRecord(vars)) throw new IntrinsicResolutionError(path, 'Fn::Sub variables must be a map');
      [template, variables] = [text, vars];
    }
    if (typeof template !== 'string')
      throw new IntrinsicResolutionError(path, 'Fn::Sub needs a template string');
    return template.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      // `${!Literal}` is the escape for a literal `${Literal}`.
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const variable = ownValue(variables, expression);
      if (variable !== undefined) return this.text(variable, `${at}[1].${expression}`);
      const dot = expression.indexOf('.');
      const value =
        dot > 0
          ? this.getAtt(expression.slice(0, dot), expression.slice(dot + 1), path)
          : this.ref(expression, path);
      if (typeof value === 'string') return value;
      throw new IntrinsicResolutionError(path, `Fn::Sub \${${expression}} is not a string`);
    });
  }

  private select(index: number, list: unknown, path: string): unknown {
    if (!Array.isArray(list)) throw new IntrinsicResolutionError(path, 'Fn::Select needs a list');
    if (!Number.isInteger(index) || index < 0 || index >= list.length) {
      throw new IntrinsicResolutionError(path, `Fn::Select index ${index} is out of range of ${list.length}`);
    }
    return list[index];
  }

  private fnFindInMap(argument: unknown, path: string, at: string): unknown {
    if (!Array.isArray(argument) || argument.length < 3 || argument.length > 4) {
      throw new IntrinsicResolutionError(path, 'Fn::FindInMap needs [map, topKey, secondKey]');
    }
    const [mapArgument, topArgument, secondArgument, options] = argument as unknown[];
    const mapName = this.text(mapArgument, `${at}[0]`);
    const topKey = this.text(topArgument, `${at}[1]`);
    const secondKey = this.text(secondArgument, `${at}[2]`);
    const found = ownValue(ownValue(ownValue(this.ctx.template.Mappings, mapName), topKey), secondKey);
    if (found !== undefined) return this.value(found, `Mappings.${mapName}.${topKey}.${secondKey}`);
    // The `[map, top, second, { DefaultValue }]` form of the AWS::LanguageExtensions transform.
    if (isRecord(options) && options.DefaultValue !== undefined)
      return this.value(options.DefaultValue, `${at}[3]`);
    throw new IntrinsicResolutionError(path, `Fn::FindInMap found no '${mapName}.${topKey}.${secondKey}'`);
  }

  /** Lazily evaluated operands, so `Fn::And` / `Fn::Or` short-circuit. */
  private conditionList(argument: unknown, name: string, path: string, at: string): (() => boolean)[] {
    if (!Array.isArray(argument) || argument.length === 0) {
      throw new IntrinsicResolutionError(path, `${name} needs a list of conditions`);
    }
    return argument.map((item: unknown, index) => () => this.conditionValue(item, `${at}[${index}]`));
  }

  /** A condition expression: a condition function, or `{ Condition: name }` (valid only here). */
  private conditionValue(expression: unknown, path: string): boolean {
    if (
      isRecord(expression) &&
      Object.keys(expression).length === 1 &&
      typeof expression.Condition === 'string'
    ) {
      return this.condition(expression.Condition, path);
    }
    const value = this.resolve(expression, path);
    if (typeof value !== 'boolean')
      throw new IntrinsicResolutionError(path, 'expected a condition expression');
    return value;
  }

  private tuple(argument: unknown, length: number, name: string, path: string): unknown[] {
    if (!Array.isArray(argument) || argument.length !== length) {
      throw new IntrinsicResolutionError(path, `${name} needs a list of ${length}`);
    }
    return argument;
  }

  /** Resolves `value` and requires a string (numbers and booleans read as text, as CloudFormation does). */
  private text(value: unknown, path: string): string {
    return scalarText(this.resolve(value, path), path);
  }
}

function scalarText(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicResolutionError(path, `expected a string, got ${JSON.stringify(value) ?? 'nothing'}`);
}

/** CloudFormation compares condition operands as strings: `true` and `'true'` are equal. */
function sameValue(left: unknown, right: unknown): boolean {
  const normalize = (value: unknown): unknown =>
    typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  return JSON.stringify(normalize(left)) === JSON.stringify(normalize(right));
}

function splitList(text: string): string[] {
  return text === '' ? [] : text.split(',').map((item) => item.trim());
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: template keys such as `constructor` must not reach the prototype. */
function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
