/**
 * The interpreter as the local cloud runs it, patched where it answered otherwise than AWS
 * (`patches/aws-local-stepfunctions+3.0.0.patch`): each patched behaviour, through the engine.
 */
import { StepFunctionsEngine } from '../../../src/stepfunctions/step-functions-engine';
import { FakeLambda } from './fake-lambda';

const engine = new StepFunctionsEngine({ lambda: new FakeLambda({}) });
afterAll(() => engine.close());

let machines = 0;
/** Runs a one-state machine: a Pass state with `parameters`, or the `states` given. */
async function run(
  states: Record<string, unknown>,
  input: unknown = {},
): Promise<{ status: string; output?: unknown; error?: string; cause?: string }> {
  const { arn } = engine.createStateMachine({
    name: `patched-${(machines += 1)}`,
    definition: JSON.stringify({ StartAt: Object.keys(states)[0], States: states }),
  });
  const { executionArn } = await engine.startExecution(arn, { input: JSON.stringify(input) });
  const execution = engine.execution(executionArn);
  if (execution === undefined) throw new Error('no execution');
  await execution.done;
  return {
    status: execution.status,
    ...(execution.output === undefined ? {} : { output: JSON.parse(execution.output) as unknown }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  };
}

const pass = (parameters: Record<string, unknown>) => ({
  P: { Type: 'Pass', Parameters: parameters, End: true },
});

test('Is* operators with false match what is not of the type', async () => {
  const choice = (rule: Record<string, unknown>) => ({
    C: { Type: 'Choice', Choices: [{ Variable: '$.v', ...rule, Next: 'Yes' }], Default: 'No' },
    Yes: { Type: 'Pass', Result: 'yes', End: true },
    No: { Type: 'Pass', Result: 'no', End: true },
  });
  expect((await run(choice({ IsBoolean: false }), { v: 'text' })).output).toBe('yes');
  expect((await run(choice({ IsBoolean: false }), { v: true })).output).toBe('no');
  expect((await run(choice({ IsString: false }), { v: 1 })).output).toBe('yes');
  expect((await run(choice({ IsNumeric: false }), { v: 'x' })).output).toBe('yes');
  expect((await run(choice({ IsNull: false }), { v: 0 })).output).toBe('yes');
  expect((await run(choice({ IsTimestamp: false }), { v: 'now' })).output).toBe('yes');
  expect((await run(choice({ IsPresent: false }), {})).output).toBe('yes');
});

test('States.MathAdd rounds each operand half up first', async () => {
  const add = async (a: number, b: number) =>
    (await run(pass({ 'r.$': 'States.MathAdd($.a, $.b)' }), { a, b })).output;
  expect(await add(1.49, 1.5)).toEqual({ r: 3 });
  expect(await add(2.5, 0)).toEqual({ r: 3 });
  expect(await add(-2.5, 0)).toEqual({ r: -2 });
  expect(await add(-0.5, 0)).toEqual({ r: 0 });
});

test('States.StringSplit splits on every character of the separator and drops empty pieces', async () => {
  const split = async (text: string, separator: string) =>
    (await run(pass({ 'r.$': 'States.StringSplit($.t, $.s)' }), { t: text, s: separator })).output;
  expect(await split('This.is+a,test=string', '.+,=')).toEqual({ r: ['This', 'is', 'a', 'test', 'string'] });
  expect(await split(',,,,', ',')).toEqual({ r: [] });
  expect(await split('a,,b', ',')).toEqual({ r: ['a', 'b'] });
});

test('States.StringToJson of an empty string is null; States.Format renders objects and lists as Java does', async () => {
  expect((await run(pass({ 'r.$': 'States.StringToJson($.s)' }), { s: '' })).output).toEqual({ r: null });
  expect(
    (
      await run(pass({ 'r.$': "States.Format('x={} y={}', $.x, $.y)" }), {
        x: { a: 1, b: [] },
        y: [1, 'two'],
      })
    ).output,
  ).toEqual({ r: 'x={a=1, b=[]} y=[1, two]' });
});

test('a wildcard or slice that matches nothing selects an empty list; one that matches one item, a list', async () => {
  expect((await run(pass({ 'r.$': '$.items[*]' }), {})).output).toEqual({ r: [] });
  expect((await run(pass({ 'r.$': '$.items[1:5]' }), { items: [0] })).output).toEqual({ r: [] });
  expect((await run(pass({ 'r.$': '$.items[*].id' }), { items: [{ id: 7 }] })).output).toEqual({ r: [7] });
  expect((await run(pass({ 'r.$': '$.items[0].id' }), { items: [{ id: 7 }] })).output).toEqual({ r: 7 });
});

test('a Fail state’s ErrorPath and CausePath may be intrinsic functions', async () => {
  const failed = await run(
    {
      F: {
        Type: 'Fail',
        ErrorPath: "States.Format('E-{}', $.code)",
        CausePath: "States.Format('because {}', $.why)",
      },
    },
    { code: 42, why: 'no' },
  );
  expect(failed).toEqual({ status: 'FAILED', error: 'E-42', cause: 'because no' });
});
