/**
 * Reading a state machine's Amazon States Language definition for the local cloud: substitutions,
 * the features that cannot run faithfully (refused with the machine's name and the feature), the Task
 * states and their integrations, and the copy of the definition handed to `aws-local-stepfunctions`.
 */
import { classifyTaskResource, type TaskIntegration } from './task-resource';

export type AslObject = { [key: string]: unknown };

export interface TaskStateInfo {
  readonly name: string;
  readonly resource: string;
  readonly integration: TaskIntegration;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
}

export interface FailStateInfo {
  readonly error?: string;
  readonly cause?: string;
  readonly errorPath?: string;
  readonly causePath?: string;
}

export interface InspectedDefinition {
  readonly definition: AslObject;
  /** Every Task state, nested ones included (state names are unique across the whole machine). */
  readonly tasks: ReadonlyMap<string, TaskStateInfo>;
  readonly failStates: ReadonlyMap<string, FailStateInfo>;
  /** Each state's type, by name. */
  readonly stateTypes: ReadonlyMap<string, string>;
  /** Each state's definition, by name. */
  readonly states: ReadonlyMap<string, AslObject>;
  /** Whether a path selects a whole `$$`, `$$.State` or `$$.Task` (values that must be copied as they read). */
  readonly referencesWholeContext: boolean;
}

export class UnsupportedDefinitionError extends Error {
  constructor(
    readonly stateMachineName: string,
    readonly features: readonly string[],
  ) {
    super(
      `State machine ${stateMachineName} uses what the local cloud cannot run faithfully, so it is not ` +
        `started: ${features.join('; ')}.`,
    );
    this.name = 'UnsupportedDefinitionError';
  }
}

export class InvalidDefinitionError extends Error {
  constructor(stateMachineName: string, reason: string) {
    super(`State machine ${stateMachineName} has an invalid definition: ${reason}`);
    this.name = 'InvalidDefinitionError';
  }
}

/** `$$`, `$$.State` or `$$.Task` as a whole: not followed by a field, an index or more of a name. */
const WHOLE_CONTEXT = /\$\$(\.(State|Task))?(?![\w.[])/;

/** Node.js timers overflow above 2^31-1 ms; a Task state without `TimeoutSeconds` gets this (≈24.8 days). */
export const NO_TASK_TIMEOUT_SECONDS = 2_147_483;

/** Where the library reads `$$.Execution` from: see `prepareForLibrary`. */
export const EXECUTION_CONTEXT_KEY = 'LocalExecution';

export function isAslObject(value: unknown): value is AslObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies `DefinitionSubstitutions` (`${name}` placeholders, as CloudFormation does before creating the
 * machine) and parses the result.
 */
export function parseDefinition(
  stateMachineName: string,
  text: string,
  substitutions: Readonly<Record<string, unknown>> = {},
): AslObject {
  const substituted = text.replace(/\$\{([^}]+)\}/g, (placeholder, name: string) =>
    Object.prototype.hasOwnProperty.call(substitutions, name) ? String(substitutions[name]) : placeholder,
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(substituted);
  } catch (error) {
    throw new InvalidDefinitionError(stateMachineName, `not JSON (${(error as Error).message})`);
  }
  if (!isAslObject(parsed) || !isAslObject(parsed.States) || typeof parsed.StartAt !== 'string') {
    throw new InvalidDefinitionError(stateMachineName, 'it needs StartAt and States');
  }
  return parsed;
}

/**
 * Lists the Task states and refuses, naming every offending state, what the library would run wrongly:
 * JSONata, variables (`Assign`), Distributed Map, Task resources the local cloud has no integration for,
 * and definitions AWS itself rejects (a callback without `$$.Task.Token`, callbacks on EXPRESS).
 */
export function inspectDefinition(
  stateMachineName: string,
  definition: AslObject,
  type: 'STANDARD' | 'EXPRESS' = 'STANDARD',
): InspectedDefinition {
  const problems: string[] = [];
  const tasks = new Map<string, TaskStateInfo>();
  const failStates = new Map<string, FailStateInfo>();
  const stateTypes = new Map<string, string>();
  const states = new Map<string, AslObject>();
  if (definition.QueryLanguage === 'JSONata') problems.push('QueryLanguage JSONata (top level)');

  forEachState(definition, (name, state) => {
    const where = `state '${name}'`;
    if (stateTypes.has(name)) problems.push(`the state name '${name}' is used twice`);
    stateTypes.set(name, String(state.Type));
    states.set(name, state);
    if (state.QueryLanguage === 'JSONata') problems.push(`QueryLanguage JSONata (${where})`);
    if (usesAssign(state)) problems.push(`Assign, i.e. variables (${where})`);
    for (const field of ['InputPath', 'OutputPath', 'ItemsPath']) {
      const path = state[field];
      if (typeof path === 'string' && WHOLE_CONTEXT.test(path) && path.startsWith('$$')) {
        problems.push(`${field} ${path}, a whole Context Object (${where})`);
      }
    }
    if (state.Type === 'Map') {
      const processor = isAslObject(state.ItemProcessor) ? state.ItemProcessor : {};
      const config = isAslObject(processor.ProcessorConfig) ? processor.ProcessorConfig : {};
      if (config.Mode === 'DISTRIBUTED') problems.push(`Distributed Map (${where})`);
      for (const field of ['ItemReader', 'ResultWriter', 'ItemBatcher', 'ToleratedFailureCount']) {
        if (state[field] !== undefined) problems.push(`${field}, a Distributed Map field (${where})`);
      }
    }
    if (state.Type === 'Fail') {
      const text = (field: string) => (typeof state[field] === 'string' ? state[field] : undefined);
      failStates.set(name, {
        error: text('Error'),
        cause: text('Cause'),
        errorPath: text('ErrorPath'),
        causePath: text('CausePath'),
      });
    }
    if (state.Type !== 'Task') return;
    const resource = typeof state.Resource === 'string' ? state.Resource : '';
    const integration = classifyTaskResource(resource);
    if (!integration) {
      problems.push(`Task resource ${resource || '(none)'} (${where}), which has no local integration`);
      return;
    }
    if (state.HeartbeatSecondsPath !== undefined) problems.push(`HeartbeatSecondsPath (${where})`);
    if (integration.pattern === 'callback') {
      if (type === 'EXPRESS') problems.push(`.waitForTaskToken on an EXPRESS state machine (${where})`);
      if (!JSON.stringify(state.Parameters ?? null).includes('$$.Task.Token')) {
        problems.push(`.waitForTaskToken without $$.Task.Token in Parameters (${where})`);
      }
    }
    tasks.set(name, {
      name,
      resource,
      integration,
      timeoutSeconds: typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined,
      heartbeatSeconds: typeof state.HeartbeatSeconds === 'number' ? state.HeartbeatSeconds : undefined,
    });
  });
  if (problems.length) throw new UnsupportedDefinitionError(stateMachineName, problems);
  const referencesWholeContext = WHOLE_CONTEXT.test(JSON.stringify(definition));
  return { definition, tasks, failStates, stateTypes, states, referencesWholeContext };
}

/**
 * The copy the library runs:
 * - a Task state without `TimeoutSeconds`/`TimeoutSecondsPath` gets one too long to matter, because the
 *   library otherwise times every task out after 60 s, which AWS does not;
 * - `$$.Execution` is read from a key of the local cloud's own, because the library rewrites
 *   `Execution.Input` and `Execution.StartTime` for every Map iteration and Parallel branch, where AWS
 *   keeps the execution's.
 */
export function prepareForLibrary(definition: AslObject): AslObject {
  const copy = structuredClone(definition);
  forEachState(copy, (_name, state) => {
    if (
      state.Type === 'Task' &&
      state.TimeoutSeconds === undefined &&
      state.TimeoutSecondsPath === undefined
    ) {
      state.TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
    }
    for (const field of PATH_FIELDS) {
      if (typeof state[field] === 'string') state[field] = rewriteContextPaths(state[field]);
    }
    for (const field of TEMPLATE_FIELDS) {
      if (state[field] !== undefined) state[field] = rewriteTemplate(state[field]);
    }
    if (Array.isArray(state.Choices)) state.Choices = state.Choices.map(rewriteChoiceRule);
  });
  return copy;
}

const PATH_FIELDS = [
  'InputPath',
  'OutputPath',
  'ItemsPath',
  'ErrorPath',
  'CausePath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'MaxConcurrencyPath',
];
const TEMPLATE_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector'];

function rewriteContextPaths(text: string): string {
  return text.replace(/\$\$\.Execution(?![\w$])/g, () => `$$.${EXECUTION_CONTEXT_KEY}`);
}

/** Only the values of `.$` keys are paths or intrinsic functions; other strings are data. */
function rewriteTemplate(template: unknown): unknown {
  if (Array.isArray(template)) return template.map(rewriteTemplate);
  if (!isAslObject(template)) return template;
  return Object.fromEntries(
    Object.entries(template).map(([key, value]) => [
      key,
      key.endsWith('.$') && typeof value === 'string' ? rewriteContextPaths(value) : rewriteTemplate(value),
    ]),
  );
}

function rewriteChoiceRule(rule: unknown): unknown {
  if (!isAslObject(rule)) return rule;
  const rewritten: AslObject = {};
  for (const [key, value] of Object.entries(rule)) {
    if ((key === 'Variable' || key.endsWith('Path')) && typeof value === 'string') {
      rewritten[key] = rewriteContextPaths(value);
    } else if (key === 'And' || key === 'Or') {
      rewritten[key] = Array.isArray(value) ? value.map(rewriteChoiceRule) : value;
    } else if (key === 'Not') {
      rewritten[key] = rewriteChoiceRule(value);
    } else {
      rewritten[key] = value;
    }
  }
  return rewritten;
}

function usesAssign(state: AslObject): boolean {
  if (state.Assign !== undefined) return true;
  const withAssign = (list: unknown): boolean =>
    Array.isArray(list) && list.some((item) => isAslObject(item) && item.Assign !== undefined);
  return withAssign(state.Catch) || withAssign(state.Choices);
}

/** Visits every state, depth first, including Parallel branches and Map item processors. */
export function forEachState(definition: AslObject, visit: (name: string, state: AslObject) => void): void {
  const states = isAslObject(definition.States) ? definition.States : {};
  for (const [name, state] of Object.entries(states)) {
    if (!isAslObject(state)) continue;
    visit(name, state);
    if (Array.isArray(state.Branches)) {
      for (const branch of state.Branches) if (isAslObject(branch)) forEachState(branch, visit);
    }
    for (const field of ['ItemProcessor', 'Iterator']) {
      const processor = state[field];
      if (isAslObject(processor)) forEachState(processor, visit);
    }
  }
}
