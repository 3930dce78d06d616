import { AwsServiceError } from '../../../src/aws-protocol';
import { LocalTargetDispatcher } from '../../../src/cloud/target-dispatcher';
import { EventBridgeEngine, type Target, type TargetDispatcher } from '../../../src/eventbridge/event-bus';
import { SqsEngine } from '../../../src/sqs/sqs-engine';
import type { Execution } from '../../../src/stepfunctions/execution';
import { StepFunctionsEngine } from '../../../src/stepfunctions/step-functions-engine';
import { eventually } from '../../../src/testing/eventually';
import { FakeLambda, HandlerError, type FakeHandler } from './fake-lambda';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/orders-saga';
const engines: StepFunctionsEngine[] = [];
const sqsEngines: SqsEngine[] = [];

afterEach(() => jest.useRealTimers());
afterAll(() => {
  engines.forEach((engine) => engine.close());
  sqsEngines.forEach((sqs) => sqs.close());
});

function engineWith(
  handlers: Readonly<Record<string, FakeHandler>>,
  extra: Partial<ConstructorParameters<typeof StepFunctionsEngine>[0]> = {},
): { engine: StepFunctionsEngine; lambda: FakeLambda } {
  const lambda = new FakeLambda(handlers);
  const engine = new StepFunctionsEngine({ lambda, ...extra });
  engines.push(engine);
  return { engine, lambda };
}

function createMachine(
  engine: StepFunctionsEngine,
  name: string,
  definition: Record<string, unknown>,
  type: 'STANDARD' | 'EXPRESS' = 'STANDARD',
): string {
  return engine.createStateMachine({ name, definition: JSON.stringify(definition), type, roleArn: ROLE_ARN })
    .arn;
}

async function start(engine: StepFunctionsEngine, arn: string, input: unknown, name?: string) {
  const { executionArn } = await engine.startExecution(arn, { input: JSON.stringify(input), name });
  const execution = engine.execution(executionArn);
  if (!execution) throw new Error(`execution ${executionArn} was not kept`);
  return execution;
}

/** Advances fake time in steps until the execution closes. */
async function settleWithFakeTime(execution: Execution, limitMs = 600_000): Promise<void> {
  for (let elapsed = 0; execution.status === 'RUNNING'; elapsed += 100) {
    if (elapsed > limitMs) throw new Error(`still running after ${limitMs} ms of fake time`);
    await jest.advanceTimersByTimeAsync(100);
  }
}

async function apiErrorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AwsServiceError) return error.code;
    throw error;
  }
  throw new Error('the call succeeded');
}

const lambdaInvoke = (functionName: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  ...extra,
});

describe('the Context Object', () => {
  it('fills $$.Execution, $$.StateMachine and $$.State as AWS does, in Map iterations too', async () => {
    // Prepare
    jest.useFakeTimers();
    let calls = 0;
    const { engine, lambda } = engineWith({
      inspect: () => {
        if (++calls === 1) throw new HandlerError('Flaky', 'first attempt fails');
        return 'inspected';
      },
    });
    const arn = createMachine(engine, 'context-machine', {
      StartAt: 'Inspect',
      States: {
        Inspect: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: {
            FunctionName: 'inspect',
            Payload: {
              'execution.$': '$$.Execution',
              'stateMachine.$': '$$.StateMachine',
              'state.$': '$$.State',
            },
          },
          Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 2 }],
          ResultPath: null,
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Item',
            States: {
              Item: {
                Type: 'Pass',
                Parameters: {
                  'executionInput.$': '$$.Execution.Input',
                  'startTime.$': '$$.Execution.StartTime',
                  'state.$': '$$.State.Name',
                  'value.$': '$',
                },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    });
    const input = { items: ['a', 'b'] };

    // Act
    const execution = await start(engine, arn, input, 'order-42');
    await settleWithFakeTime(execution);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const executionContext = {
      Id: execution.arn,
      Input: input,
      Name: 'order-42',
      RoleArn: ROLE_ARN,
      StartTime: execution.startDate.toISOString(),
      RedriveCount: 0,
    };
    const entered = execution.history.list().find((event) => event.type === 'TaskStateEntered');
    const payloads = lambda.callsOf('inspect').map((call) => call.event);
    expect(payloads).toEqual([
      {
        execution: executionContext,
        stateMachine: { Id: arn, Name: 'context-machine' },
        state: { Name: 'Inspect', EnteredTime: entered?.timestamp.toISOString(), RetryCount: 0 },
      },
      expect.objectContaining({ state: expect.objectContaining({ RetryCount: 1 }) }),
    ]);
    expect(JSON.parse(execution.output ?? 'null')).toEqual(
      ['a', 'b'].map((value) => ({
        executionInput: input,
        startTime: executionContext.StartTime,
        state: 'Item',
        value,
      })),
    );
  });
});

describe('task timeouts', () => {
  it('has no 60-second default: a Task without TimeoutSeconds waits as long as its work takes', async () => {
    // Prepare
    jest.useFakeTimers();
    let finish: (value: unknown) => void = () => undefined;
    const { engine } = engineWith({ slow: () => new Promise((resolve) => (finish = resolve)) });
    const arn = createMachine(engine, 'slow-machine', {
      StartAt: 'Slow',
      States: { Slow: { ...lambdaInvoke('slow'), OutputPath: '$.Payload', End: true } },
    });
    const execution = await start(engine, arn, {});

    // Act
    await jest.advanceTimersByTimeAsync(180_000);
    const statusAfterThreeMinutes = execution.status;
    finish({ done: true });
    await settleWithFakeTime(execution);

    // Assess
    expect(statusAfterThreeMinutes).toBe('RUNNING');
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toBe('{"done":true}');
  });

  it('fails with States.Timeout after TimeoutSeconds, which States.TaskFailed does not catch', async () => {
    // Prepare
    jest.useFakeTimers();
    const { engine } = engineWith({ slow: () => new Promise(() => undefined) });
    const arn = createMachine(engine, 'timeout-machine', {
      StartAt: 'Slow',
      States: {
        Slow: {
          ...lambdaInvoke('slow'),
          TimeoutSeconds: 5,
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], Next: 'TaskFailed' },
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
          ],
          End: true,
        },
        TaskFailed: { Type: 'Fail', Error: 'Wrong' },
        TimedOut: { Type: 'Pass', OutputPath: '$.error.Error', End: true },
      },
    });

    // Act
    const execution = await start(engine, arn, {});
    await settleWithFakeTime(execution);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toBe('"States.Timeout"');
    const types = execution.history.list().map((event) => event.type);
    expect(types).toContain('TaskTimedOut');
    expect(types).not.toContain('TaskSucceeded');
  });
});

describe('errors, Catch and the execution result', () => {
  it('hands Catch the function error as AWS does: Error is the errorType, Cause the error document', async () => {
    // Prepare
    const { engine } = engineWith({
      charge: () => {
        throw new HandlerError('PaymentDeclined', 'card expired');
      },
    });
    const arn = createMachine(engine, 'catch-machine', {
      StartAt: 'Charge',
      States: {
        Charge: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:charge',
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Compensate' }],
          End: true,
        },
        Compensate: { Type: 'Pass', End: true },
      },
    });

    // Act
    const execution = await start(engine, arn, { orderId: 'o-1' });
    await execution.done;

    // Assess
    expect(JSON.parse(execution.output ?? 'null')).toEqual({
      orderId: 'o-1',
      error: {
        Error: 'PaymentDeclined',
        Cause: JSON.stringify({
          errorType: 'PaymentDeclined',
          errorMessage: 'card expired',
          trace: ['PaymentDeclined: card expired'],
        }),
      },
    });
  });

  it('reports a Fail state with its Error and Cause, and without them when it has none', async () => {
    // Prepare
    const { engine } = engineWith({});
    const withFields = createMachine(engine, 'fail-with', {
      StartAt: 'Stop',
      States: { Stop: { Type: 'Fail', Error: 'OrderRejected', Cause: 'out of stock' } },
    });
    const bare = createMachine(engine, 'fail-bare', {
      StartAt: 'Stop',
      States: { Stop: { Type: 'Fail' } },
    });

    // Act
    const first = await start(engine, withFields, {});
    const second = await start(engine, bare, {});
    await Promise.all([first.done, second.done]);

    // Assess
    expect([first.status, first.error, first.cause]).toEqual(['FAILED', 'OrderRejected', 'out of stock']);
    expect([second.status, second.error, second.cause]).toEqual(['FAILED', undefined, undefined]);
    const described = await engine.handle('DescribeExecution', { executionArn: second.arn });
    expect(described).not.toHaveProperty('error');
  });
});

describe('the Step Functions API', () => {
  const waiting = {
    StartAt: 'Wait',
    States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } },
  };

  it('answers with the error codes AWS uses', async () => {
    // Prepare
    const { engine } = engineWith({});
    const arn = createMachine(engine, 'api-machine', waiting);
    const missingMachine = arn.replace('api-machine', 'missing');
    const missingExecution = arn.replace(':stateMachine:', ':execution:') + ':nope';

    // Act & Assess
    expect(await apiErrorCode(engine.handle('StartExecution', { stateMachineArn: 'orders' }))).toBe(
      'InvalidArn',
    );
    expect(await apiErrorCode(engine.handle('StartExecution', { stateMachineArn: missingMachine }))).toBe(
      'StateMachineDoesNotExist',
    );
    expect(
      await apiErrorCode(engine.handle('StartExecution', { stateMachineArn: arn, name: 'has space' })),
    ).toBe('InvalidName');
    expect(await apiErrorCode(engine.handle('StartExecution', { stateMachineArn: arn, input: '{' }))).toBe(
      'InvalidExecutionInput',
    );
    expect(await apiErrorCode(engine.handle('DescribeExecution', { executionArn: missingExecution }))).toBe(
      'ExecutionDoesNotExist',
    );
    expect(await apiErrorCode(engine.handle('StartSyncExecution', { stateMachineArn: arn }))).toBe(
      'StateMachineTypeNotSupported',
    );
  });

  it('is idempotent for a running execution with the same name and input, and refuses another input', async () => {
    // Prepare
    const { engine } = engineWith({});
    const stateMachineArn = createMachine(engine, 'idempotent', waiting);
    const request = { stateMachineArn, name: 'order-7', input: '{"orderId":"7"}' };
    const first = (await engine.handle('StartExecution', request)) as { executionArn: string };

    // Act
    const again = (await engine.handle('StartExecution', request)) as { executionArn: string };
    const conflict = await apiErrorCode(
      engine.handle('StartExecution', { ...request, input: '{"orderId":"8"}' }),
    );

    // Assess
    expect(again.executionArn).toBe(first.executionArn);
    expect(conflict).toBe('ExecutionAlreadyExists');
  });

  it('stops an execution: ABORTED with the given error and cause, its task token closed', async () => {
    // Prepare
    let token = '';
    const { engine } = engineWith({
      approve: (event) => (token = String((event as { token: string }).token)),
    });
    const stateMachineArn = createMachine(engine, 'stoppable', {
      StartAt: 'Approve',
      States: {
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'approve', Payload: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      },
    });
    const { executionArn } = (await engine.handle('StartExecution', { stateMachineArn })) as {
      executionArn: string;
    };
    await eventually(async () => token || undefined, { what: 'the task token' });

    // Act
    await engine.handle('StopExecution', { executionArn, error: 'Cancelled', cause: 'customer cancelled' });

    // Assess
    expect(await engine.handle('DescribeExecution', { executionArn })).toMatchObject({
      status: 'ABORTED',
      error: 'Cancelled',
      cause: 'customer cancelled',
    });
    expect(await apiErrorCode(engine.handle('SendTaskSuccess', { taskToken: token, output: '{}' }))).toBe(
      'TaskTimedOut',
    );
    const history = (await engine.handle('GetExecutionHistory', { executionArn, reverseOrder: true })) as {
      events: { type: string; executionAbortedEventDetails?: unknown }[];
    };
    expect(history.events[0]).toEqual(
      expect.objectContaining({
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { error: 'Cancelled', cause: 'customer cancelled' },
      }),
    );
  });

  it('completes a callback sent while its own request is still under way', async () => {
    // Prepare
    const engine: StepFunctionsEngine = new StepFunctionsEngine({
      lambda: new FakeLambda({
        approve: async (event) => {
          const taskToken = (event as { token: string }).token;
          await engine.handle('SendTaskSuccess', { taskToken, output: '{"approved":true}' });
          return 'accepted';
        },
      }),
    });
    engines.push(engine);
    const arn = createMachine(engine, 'quick-callback', {
      StartAt: 'Approve',
      States: {
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'approve', Payload: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      },
    });

    // Act
    const execution = await start(engine, arn, {});
    await execution.done;

    // Assess
    expect([execution.status, execution.output]).toEqual(['SUCCEEDED', '{"approved":true}']);
    expect(execution.history.list().map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('runs EXPRESS machines synchronously with StartSyncExecution and does not list their executions', async () => {
    // Prepare
    const { engine } = engineWith({ price: (event) => ({ total: (event as { qty: number }).qty * 3 }) });
    const stateMachineArn = createMachine(
      engine,
      'express-pricing',
      {
        StartAt: 'Price',
        States: { Price: { ...lambdaInvoke('price'), OutputPath: '$.Payload', End: true } },
      },
      'EXPRESS',
    );

    // Act
    const result = await engine.handle('StartSyncExecution', { stateMachineArn, input: '{"qty":2}' });
    const listing = await apiErrorCode(engine.handle('ListExecutions', { stateMachineArn }));

    // Assess
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"total":6}', input: '{"qty":2}' });
    expect((result as { executionArn: string }).executionArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:express:express-pricing:[\w-]+:[\w-]+$/,
    );
    expect(listing).toBe('StateMachineTypeNotSupported');
  });
});

describe('integrations', () => {
  it('puts events on EventBridge with the execution and machine named in Resources', async () => {
    // Prepare
    const delivered: { target: Target; input: string }[] = [];
    const dispatcher: TargetDispatcher = {
      deliver: async (target, input) => {
        delivered.push({ target, input });
      },
      deliverToDeadLetter: async () => undefined,
    };
    const eventBridge = new EventBridgeEngine({ dispatcher });
    eventBridge.putRule({ name: 'all-orders', eventPattern: { source: ['orders'] } });
    eventBridge.putTargets('all-orders', undefined, [
      { id: 'capture', arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
    ]);
    const { engine } = engineWith({}, { eventBridge });
    const arn = createMachine(engine, 'publisher', {
      StartAt: 'Publish',
      States: {
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: {
            Entries: [{ Source: 'orders', DetailType: 'OrderPlaced', Detail: { 'id.$': '$.id' } }],
          },
          Next: 'PublishBroken',
        },
        PublishBroken: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [{ Source: 'orders', Detail: {} }] },
          Catch: [{ ErrorEquals: ['EventBridge.FailedEntry'], ResultPath: '$.failure', Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Pass', End: true },
      },
    });

    // Act
    const execution = await start(engine, arn, { id: 'o-9' });
    await execution.done;
    await eventually(async () => delivered[0], { what: 'the delivery' });

    // Assess
    const output = JSON.parse(execution.output ?? 'null') as {
      Entries: { EventId: string }[];
      FailedEntryCount: number;
      failure: { Error: string };
    };
    expect(output.FailedEntryCount).toBe(0);
    expect(output.Entries).toEqual([{ EventId: expect.any(String) }]);
    expect(output.failure.Error).toBe('EventBridge.FailedEntry');
    const event = JSON.parse(delivered[0]?.input ?? '{}') as { detail: unknown; resources: string[] };
    expect(event.detail).toEqual({ id: 'o-9' });
    expect(event.resources).toEqual([execution.arn, arn]);
    eventBridge.close();
  });

  it('waits on events:putEvents.waitForTaskToken until the event receiver sends the token back', async () => {
    // Prepare
    const { engine } = engineWith(
      {},
      // Late-bound: the bus delivers to a receiver that answers this engine.
      { eventBridge: { putEvents: (input, options) => eventBridge.putEvents(input, options) } },
    );
    const eventBridge = new EventBridgeEngine({
      dispatcher: {
        deliver: async (_target, input) => {
          const event = JSON.parse(input) as { detail: { token: string; orderId: string } };
          await engine.handle('SendTaskSuccess', {
            taskToken: event.detail.token,
            output: JSON.stringify({ packed: event.detail.orderId }),
          });
        },
        deliverToDeadLetter: async () => undefined,
      },
    });
    eventBridge.putRule({ name: 'pack', eventPattern: { 'detail-type': ['PackOrder'] } });
    eventBridge.putTargets('pack', undefined, [
      { id: 'warehouse', arn: 'arn:aws:sqs:us-east-1:000000000000:w' },
    ]);
    const arn = createMachine(engine, 'packing', {
      StartAt: 'Pack',
      States: {
        Pack: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
          Parameters: {
            Entries: [
              {
                Source: 'orders',
                DetailType: 'PackOrder',
                Detail: { 'token.$': '$$.Task.Token', 'orderId.$': '$.orderId' },
              },
            ],
          },
          End: true,
        },
      },
    });

    // Act
    const execution = await start(engine, arn, { orderId: 'o-12' });
    await execution.done;

    // Assess
    expect([execution.status, execution.output]).toEqual(['SUCCEEDED', '{"packed":"o-12"}']);
    eventBridge.close();
  });

  it('sends SQS messages, an object body as its JSON text', async () => {
    // Prepare
    const sqs = new SqsEngine({ endpointUrl: () => 'http://127.0.0.1:4566' });
    sqsEngines.push(sqs);
    const queueUrl = sqs.createQueue('shipments');
    const { engine } = engineWith({}, { sqs });
    const arn = createMachine(engine, 'sender', {
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage',
          Parameters: { QueueUrl: queueUrl, MessageBody: { 'orderId.$': '$.orderId' } },
          End: true,
        },
      },
    });

    // Act
    const execution = await start(engine, arn, { orderId: 'o-3' });
    await execution.done;

    // Assess
    const [message] = sqs.receive('shipments');
    expect(message?.body).toBe('{"orderId":"o-3"}');
    expect(JSON.parse(execution.output ?? 'null')).toMatchObject({
      MessageId: message?.messageId,
      MD5OfMessageBody: message?.md5OfBody,
      SdkResponseMetadata: { RequestId: expect.any(String) },
    });
  });

  it('starts an execution for an EventBridge rule whose target is the state machine', async () => {
    // Prepare
    const { engine, lambda } = engineWith({ reserve: (event) => event });
    const sqs = new SqsEngine({ endpointUrl: () => 'http://127.0.0.1:4566' });
    sqsEngines.push(sqs);
    const eventBridge = new EventBridgeEngine({ dispatcher: new LocalTargetDispatcher(lambda, sqs, engine) });
    const arn = createMachine(engine, 'event-started', {
      StartAt: 'Reserve',
      States: { Reserve: { ...lambdaInvoke('reserve'), OutputPath: '$.Payload', End: true } },
    });
    eventBridge.putRule({ name: 'placed', eventPattern: { 'detail-type': ['OrderPlaced'] } });
    eventBridge.putTargets('placed', undefined, [{ id: 'saga', arn, inputPath: '$.detail' }]);

    // Act
    await eventBridge.putEvents(
      { Entries: [{ Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-5"}' }] },
      { traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' },
    );

    // Assess
    const [summary] = await eventually(async () => {
      const executions = engine.executions();
      return executions.length && executions[0]?.status === 'SUCCEEDED' ? executions : undefined;
    });
    const execution = engine.execution(summary?.executionArn ?? '');
    expect(execution?.input).toBe('{"orderId":"o-5"}');
    expect(execution?.output).toBe('{"orderId":"o-5"}');
    expect(lambda.callsOf('reserve')[0]?.options).toEqual({
      trigger: 'stepfunctions',
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
    });
    expect(LocalTargetDispatcher.isSupported(arn)).toBe(true);
    eventBridge.close();
  });
});

describe('state machines of a client’s own (CreateStateMachine, UpdateStateMachine, DeleteStateMachine)', () => {
  const definition = (result: string) =>
    JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: result, End: true } } });

  test('created, described, listed, run, updated (new executions run the new definition) and deleted', async () => {
    // Prepare
    const { engine } = engineWith({});

    // Act
    const created = (await engine.handle('CreateStateMachine', {
      name: 'mine',
      definition: definition('one'),
      roleArn: ROLE_ARN,
    })) as { stateMachineArn: string; creationDate: number };
    const first = await start(engine, created.stateMachineArn, {});
    await first.done;
    await engine.handle('UpdateStateMachine', {
      stateMachineArn: created.stateMachineArn,
      definition: definition('two'),
    });
    const second = await start(engine, created.stateMachineArn, {});
    await second.done;
    const described = (await engine.handle('DescribeStateMachine', {
      stateMachineArn: created.stateMachineArn,
    })) as { name: string; type: string; roleArn: string; definition: string };
    const listed = (await engine.handle('ListStateMachines', {})) as { stateMachines: { name: string }[] };
    await engine.handle('DeleteStateMachine', { stateMachineArn: created.stateMachineArn });

    // Assess
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:mine');
    expect([first.output, second.output]).toEqual(['"one"', '"two"']);
    expect(described).toMatchObject({ name: 'mine', type: 'STANDARD', roleArn: ROLE_ARN });
    expect(JSON.parse(described.definition)).toEqual(JSON.parse(definition('two')));
    expect(listed.stateMachines.map((machine) => machine.name)).toContain('mine');
    expect(
      await apiErrorCode(engine.handle('DescribeStateMachine', { stateMachineArn: created.stateMachineArn })),
    ).toBe('StateMachineDoesNotExist');
  });

  test('the same request again answers the same machine; another definition under the name is refused', async () => {
    const { engine } = engineWith({});
    const request = { name: 'twice', definition: definition('a'), roleArn: ROLE_ARN };
    const first = await engine.handle('CreateStateMachine', request);
    expect(await engine.handle('CreateStateMachine', request)).toEqual(first);
    expect(
      await apiErrorCode(engine.handle('CreateStateMachine', { ...request, definition: definition('b') })),
    ).toBe('StateMachineAlreadyExists');
  });

  test('what AWS refuses is refused with its error, and what the local cloud cannot run, clearly', async () => {
    const { engine } = engineWith({});
    const create = (fields: Record<string, unknown>) =>
      engine.handle('CreateStateMachine', {
        name: 'bad',
        definition: definition('a'),
        roleArn: ROLE_ARN,
        ...fields,
      });
    expect(await apiErrorCode(create({ definition: '{not json' }))).toBe('InvalidDefinition');
    expect(await apiErrorCode(create({ definition: '{"States":{}}' }))).toBe('InvalidDefinition');
    expect(await apiErrorCode(create({ roleArn: undefined }))).toBe('ValidationException');
    expect(await apiErrorCode(create({ roleArn: 'not-an-arn' }))).toBe('InvalidArn');
    expect(await apiErrorCode(create({ name: 'with space' }))).toBe('InvalidName');
    expect(await apiErrorCode(create({ type: 'FAST' }))).toBe('ValidationException');
    await expect(
      create({
        definition: JSON.stringify({
          QueryLanguage: 'JSONata',
          StartAt: 'P',
          States: { P: { Type: 'Pass', End: true } },
        }),
      }),
    ).rejects.toMatchObject({
      code: 'InvalidDefinition',
      message: expect.stringContaining('QueryLanguage JSONata') as unknown,
    });
    await expect(
      create({
        definition: JSON.stringify({
          StartAt: 'P',
          States: { P: { Type: 'Pass', Assign: { x: 1 }, End: true } },
        }),
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining('Assign, i.e. variables') as unknown });
    expect(
      await apiErrorCode(
        engine.handle('UpdateStateMachine', {
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:none',
          definition: definition('a'),
        }),
      ),
    ).toBe('StateMachineDoesNotExist');
  });
});
