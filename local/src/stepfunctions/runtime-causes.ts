/**
 * The `Cause` AWS gives a `States.Runtime` error, from the interpreter's message and the failing state:
 * AWS names the state and the history event it was entered at, then says what was wrong in its own
 * words (which field, which path, which value). The interpreter's messages carry the path and the
 * value; the state's definition says which field held the path.
 */
import { EXECUTION_CONTEXT_KEY, isAslObject, type AslObject } from './asl-definition';

export interface FailedState {
  readonly name: string;
  readonly definition: AslObject;
  /** The state's input, as AWS quotes it in some causes. */
  readonly input: unknown;
  /** The id of the history event the state was entered at. */
  readonly enteredEventId: number;
}

const NO_VALUE = /^Path expression '(.+)' does not point to a value$/s;
const NOT_AN_INTEGER = /^Path expression '(.+)' evaluated to (.+), but expected an integer( >= 0)?$/s;
const NOT_A_TIMESTAMP =
  /^Path expression '(.+)' evaluated to (.+), but expected a timestamp conforming to the RFC3339 profile$/s;
const TEMPLATE_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector'] as const;

/** AWS's cause for the interpreter's `message`, or `undefined` when the message is not one it words differently. */
export function awsRuntimeCause(state: FailedState, message: string): string | undefined {
  const detail = detailOf(state, message);
  return detail === undefined
    ? undefined
    : `An error occurred while executing the state '${state.name}' (entered at the event id #${state.enteredEventId}). ${detail}`;
}

function detailOf(state: FailedState, message: string): string | undefined {
  const definition = state.definition;
  const noValue = NO_VALUE.exec(message);
  if (noValue) {
    const path = originalPath(noValue[1] ?? '');
    if (definition.InputPath === path || definition.OutputPath === path) {
      return `Invalid path '${path}' : No results for path: ${bracketNotation(path)}`;
    }
    const field =
      (['ErrorPath', 'CausePath'] as const).find((name) => definition[name] === path) ??
      TEMPLATE_FIELDS.map((name) => templateFieldOf(definition[name], path)).find(
        (name) => name !== undefined,
      );
    return field === undefined
      ? undefined
      : `The JSONPath '${path}' specified for the field '${field}' could not be found in the input '${JSON.stringify(state.input ?? null)}'`;
  }
  const notAnInteger = NOT_AN_INTEGER.exec(message);
  if (notAnInteger) {
    const path = originalPath(notAnInteger[1] ?? '');
    const shown = notAnInteger[2] ?? '';
    if (definition.MaxConcurrencyPath === path) {
      return `The MaxConcurrencyPath field refers to value "${unquoted(shown)}" which is not a valid integer: ${path}`;
    }
    if (definition.SecondsPath === path) {
      return notAnInteger[3] === undefined
        ? `The SecondsPath parameter cannot be parsed as a long value: ${path} == ${unquoted(shown)}`
        : `The SecondsPath parameter references a negative value: ${path} == ${unquoted(shown)}`;
    }
    return undefined;
  }
  const notATimestamp = NOT_A_TIMESTAMP.exec(message);
  if (notATimestamp && definition.TimestampPath === originalPath(notATimestamp[1] ?? '')) {
    return (
      'The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format ' +
      `string: ${definition.TimestampPath} == ${unquoted(notATimestamp[2] ?? '')}`
    );
  }
  return undefined;
}

/** The path as the definition wrote it: the interpreter reads `$$.Execution` under the local cloud's key. */
function originalPath(path: string): string {
  return path.split(`$$.${EXECUTION_CONTEXT_KEY}`).join('$$.Execution');
}

/** `$.a.b` as Jayway's JsonPath prints it in AWS's messages: `$['a']['b']`. */
function bracketNotation(path: string): string {
  const [root = '$', ...fields] = path.split('.');
  return `${root}${fields.map((field) => `['${field}']`).join('')}`;
}

/** The `<key>.$` of a payload template whose value is `path`, at any depth. */
function templateFieldOf(template: unknown, path: string): string | undefined {
  if (Array.isArray(template)) {
    return template.map((item) => templateFieldOf(item, path)).find((field) => field !== undefined);
  }
  if (!isAslObject(template)) return undefined;
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === path) return key;
    const nested = templateFieldOf(value, path);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** A value as the interpreter printed it (JSON), as AWS shows it: a string without its quotes. */
function unquoted(shown: string): string {
  try {
    const value: unknown = JSON.parse(shown);
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return shown;
  }
}
