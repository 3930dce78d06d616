import { awsRuntimeCause, type FailedState } from '../../../src/stepfunctions/runtime-causes';

const state = (definition: Record<string, unknown>, overrides: Partial<FailedState> = {}): FailedState => ({
  name: 'S',
  definition,
  input: { a: 1 },
  enteredEventId: 4,
  ...overrides,
});

const PREFIX = "An error occurred while executing the state 'S' (entered at the event id #4). ";

describe('awsRuntimeCause', () => {
  test('a missing InputPath or OutputPath: Jayway’s "No results for path", in bracket notation', () => {
    expect(
      awsRuntimeCause(
        state({ InputPath: '$.a.missing' }),
        "Path expression '$.a.missing' does not point to a value",
      ),
    ).toBe(`${PREFIX}Invalid path '$.a.missing' : No results for path: $['a']['missing']`);
    expect(
      awsRuntimeCause(state({ OutputPath: '$.x' }), "Path expression '$.x' does not point to a value"),
    ).toBe(`${PREFIX}Invalid path '$.x' : No results for path: $['x']`);
  });

  test('a missing path of ErrorPath, CausePath or a template field names the field and quotes the input', () => {
    const input = { a: 1 };
    for (const [definition, field] of [
      [{ ErrorPath: '$.e' }, 'ErrorPath'],
      [{ CausePath: '$.e' }, 'CausePath'],
      [{ Parameters: { nested: { 'value.$': '$.e' } } }, 'value.$'],
      [{ ItemSelector: [{ 'item.$': '$.e' }] }, 'item.$'],
    ] as const) {
      expect(
        awsRuntimeCause(state(definition, { input }), "Path expression '$.e' does not point to a value"),
      ).toBe(
        `${PREFIX}The JSONPath '$.e' specified for the field '${field}' could not be found in the input '{"a":1}'`,
      );
    }
  });

  test('a context path is reported as written: $$.Execution, not the interpreter’s own key', () => {
    expect(
      awsRuntimeCause(
        state({ Parameters: { 'value.$': '$$.Execution.Input.x' } }),
        "Path expression '$$.LocalExecution.Input.x' does not point to a value",
      ),
    ).toContain("The JSONPath '$$.Execution.Input.x' specified for the field 'value.$'");
  });

  test('SecondsPath: a fraction cannot be parsed as a long, a negative value is refused as negative', () => {
    const wait = state({ SecondsPath: '$.s' });
    expect(awsRuntimeCause(wait, "Path expression '$.s' evaluated to 1.5, but expected an integer")).toBe(
      `${PREFIX}The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5`,
    );
    expect(awsRuntimeCause(wait, "Path expression '$.s' evaluated to -1, but expected an integer >= 0")).toBe(
      `${PREFIX}The SecondsPath parameter references a negative value: $.s == -1`,
    );
  });

  test('MaxConcurrencyPath and TimestampPath quote the value as AWS does (a string without its quotes)', () => {
    expect(
      awsRuntimeCause(
        state({ MaxConcurrencyPath: '$.m' }),
        'Path expression \'$.m\' evaluated to "NoNumber", but expected an integer',
      ),
    ).toBe(
      `${PREFIX}The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid integer: $.m`,
    );
    expect(
      awsRuntimeCause(
        state({ MaxConcurrencyPath: '$.m' }),
        "Path expression '$.m' evaluated to {}, but expected an integer",
      ),
    ).toBe(`${PREFIX}The MaxConcurrencyPath field refers to value "{}" which is not a valid integer: $.m`);
    expect(
      awsRuntimeCause(
        state({ TimestampPath: '$.t' }),
        'Path expression \'$.t\' evaluated to "2016-12-05 21:29:29Z", but expected a timestamp conforming to the RFC3339 profile',
      ),
    ).toBe(
      `${PREFIX}The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == 2016-12-05 21:29:29Z`,
    );
  });

  test('a message it does not know, or a path no field of the state holds, keeps the interpreter’s words', () => {
    expect(awsRuntimeCause(state({}), 'Intrinsic function States.Hash failed')).toBeUndefined();
    expect(
      awsRuntimeCause(state({ InputPath: '$.a' }), "Path expression '$.b' does not point to a value"),
    ).toBeUndefined();
  });
});
