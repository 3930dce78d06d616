import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { listen, sendJson, type RunningServer } from '../../src/cloud/http-server';
import { loadStateMachines } from '../../src/cloud/loaders';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/dynamodb/dynamodb-local';
import { serveJsonProtocol } from '../../src/http/json-protocol';
import { LambdaService } from '../../src/lambda/lambda-service';
import { LocalCloud } from '../../src/local-cloud';
import { StepFunctionsEngine } from '../../src/stepfunctions/step-functions-engine';
import { eventually } from '../../src/testing/eventually';
import { PROJECT_DIR } from '../support/fixture-cloud';
import {
  LEDGER_TABLE,
  SAGA_FUNCTIONS,
  synthesizeSagaStack,
  writeSagaHandlers,
  type HandlerBundle,
} from './saga-state-machines';
import { localClientConfig } from '../../src/testing/client-config';

const machineArn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

let bundle: HandlerBundle;
let lambda: LambdaService;
let dynamo: DynamoDbLocal;
let engine: StepFunctionsEngine;
let server: RunningServer;
let sfn: SFNClient;
let loaded: ReturnType<typeof loadStateMachines>;

beforeAll(async () => {
  bundle = writeSagaHandlers();
  lambda = new LambdaService({ onLog: () => undefined });
  for (const name of SAGA_FUNCTIONS) {
    lambda.register({ name: `saga-${name}`, codeDir: bundle.codeDir, handler: `index.${name}` });
  }
  dynamo = await startDynamoDbLocal();
  const dynamoClient = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  await dynamoClient.send(
    new CreateTableCommand({
      TableName: LEDGER_TABLE,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  dynamoClient.destroy();
  engine = new StepFunctionsEngine({ lambda, dynamoDbEndpoint: dynamo.endpoint });
  loaded = loadStateMachines(synthesizeSagaStack(), engine);
  server = await listen(0, async (req, res) => {
    if (!(await serveJsonProtocol([engine], req, res))) sendJson(res, 404, { message: 'not served' });
  });
  sfn = new SFNClient({ ...localClientConfig(server.url), maxAttempts: 1 });
}, 120_000);

afterAll(async () => {
  sfn?.destroy();
  engine?.close();
  await server?.close();
  await lambda?.close();
  await dynamo?.stop();
  bundle?.remove();
});

async function startExecution(stateMachine: string, input: unknown, name?: string): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: machineArn(stateMachine),
      input: JSON.stringify(input),
      name,
    }),
  );
  if (!executionArn) throw new Error('no executionArn');
  return executionArn;
}

async function closedExecution(executionArn: string) {
  return eventually(
    async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    },
    { timeoutMs: 30_000, what: `${executionArn} to close` },
  );
}

async function historyOf(executionArn: string): Promise<HistoryEvent[]> {
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events ?? [];
}

function exitedOutput(events: HistoryEvent[], state: string): Record<string, unknown> {
  const exited = events.find((event) => event.stateExitedEventDetails?.name === state);
  return JSON.parse(exited?.stateExitedEventDetails?.output ?? 'null') as Record<string, unknown>;
}

/** Waits until the callback task is submitted and returns its token, read from the task's parameters. */
async function taskTokenOf(executionArn: string): Promise<string> {
  return eventually(
    async () => {
      const events = await historyOf(executionArn);
      if (!events.some((event) => event.type === 'TaskSubmitted')) return undefined;
      const scheduled = [...events].reverse().find((event) => event.type === 'TaskScheduled');
      const parameters = JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}') as {
        Payload?: { token?: string };
      };
      return parameters.Payload?.token;
    },
    { what: 'the task token' },
  );
}

function invocationsOf(functionName: string) {
  return lambda.invocations().filter((record) => record.functionName === functionName);
}

describe('loading CDK-synthesized state machines', () => {
  it('registers every machine of the stack', () => {
    expect(loaded.unsupported).toEqual([]);
    expect(loaded.names).toEqual([
      'orders-saga (STANDARD)',
      'order-approval (STANDARD)',
      'order-approval-deadline (STANDARD)',
      'order-quote (EXPRESS)',
      'orders-ledger (STANDARD)',
    ]);
  });
});

describe('the orders saga', () => {
  it('retries a failing task with the retrier backoff, then completes', async () => {
    // Prepare
    const input = { orderId: 'o-100', failReserveTimes: 2, decline: false };

    // Act
    const executionArn = await startExecution('orders-saga', input);
    const described = await closedExecution(executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const reserves = invocationsOf('saga-reserve').map((record) => Date.parse(record.startedAt));
    expect(reserves).toHaveLength(3);
    const [first = 0, second = 0, third = 0] = reserves;
    // IntervalSeconds 1, BackoffRate 2: never sooner than 1 s, then 2 s, after each failed attempt.
    // How much later depends on the machine; the exact waits are checked on a fake clock
    // (test/unit/stepfunctions/retry-delays.test.ts).
    expect(second - first).toBeGreaterThanOrEqual(1000);
    expect(third - second).toBeGreaterThanOrEqual(2000);
    expect(third - first).toBeLessThan(3000 + 10_000);
    const output = JSON.parse(described.output ?? 'null') as Record<string, unknown>;
    expect(output.reservation).toEqual({ reservationId: 'r-o-100' });
    // LambdaInvoke without payloadResponseOnly: Lambda's whole Invoke result, as on AWS.
    expect(output.charge).toEqual({
      ExecutedVersion: '$LATEST',
      Payload: { chargeId: 'c-o-100' },
      SdkHttpMetadata: expect.objectContaining({ HttpStatusCode: 200 }),
      SdkResponseMetadata: { RequestId: expect.any(String) },
      StatusCode: 200,
    });
    // With payloadResponseOnly: the function's own result.
    expect(output.shipment).toEqual({ trackingId: 't-o-100' });
  });

  it('routes a failure that outlasts its retries through Catch to the compensations, in order', async () => {
    // Prepare
    const input = { orderId: 'o-200', failReserveTimes: 0, decline: true };
    const before = lambda.invocations().length;

    // Act
    const executionArn = await startExecution('orders-saga', input);
    const described = await closedExecution(executionArn);

    // Assess
    expect([described.status, described.error, described.cause]).toEqual([
      'FAILED',
      'OrderFailed',
      'payment declined',
    ]);
    const order = lambda
      .invocations()
      .slice(before)
      .map((record) => `${record.functionName}:${record.outcome}`);
    expect(order).toEqual([
      'saga-reserve:success',
      'saga-charge:error',
      'saga-charge:error',
      'saga-release:success',
      'saga-notify:success',
    ]);
    const events = await historyOf(executionArn);
    const released = exitedOutput(events, 'ReleaseInventory').release as { Payload: { error: unknown } };
    expect(released.Payload.error).toEqual({ Error: 'PaymentDeclined', Cause: expect.any(String) });
    const cause = JSON.parse((released.Payload.error as { Cause: string }).Cause) as Record<string, unknown>;
    expect(cause).toEqual({
      errorType: 'PaymentDeclined',
      errorMessage: 'card for o-200 declined',
      trace: expect.arrayContaining([expect.stringContaining('PaymentDeclined: card for o-200 declined')]),
    });
    expect(exitedOutput(events, 'NotifyCustomer').notification).toEqual({
      notified: 'o-200',
      reason: 'PaymentDeclined',
    });
  });

  it('records the history with the event types AWS uses', async () => {
    // Prepare
    const executionArn = await startExecution('orders-saga', {
      orderId: 'o-300',
      failReserveTimes: 0,
      decline: true,
    });
    await closedExecution(executionArn);

    // Act
    const types = (await historyOf(executionArn)).map((event) => event.type);

    // Assess
    expect(types.slice(0, 7)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
    ]);
    expect(types).toEqual(
      expect.arrayContaining(['TaskFailed', 'LambdaFunctionScheduled', 'LambdaFunctionSucceeded']),
    );
    expect(types.slice(-3)).toEqual(['TaskStateExited', 'FailStateEntered', 'ExecutionFailed']);
  });
});

describe('callback tasks (.waitForTaskToken)', () => {
  it('resumes with the output of SendTaskSuccess', async () => {
    // Prepare
    const executionArn = await startExecution('order-approval', { orderId: 'o-400' });
    const taskToken = await taskTokenOf(executionArn);

    // Act
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{"approvedBy":"ada"}' }));
    const described = await closedExecution(executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? 'null')).toEqual({
      orderId: 'o-400',
      approval: { approvedBy: 'ada' },
    });
    const again = sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    await expect(again).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('fails with the error and cause of SendTaskFailure', async () => {
    // Prepare
    const executionArn = await startExecution('order-approval', { orderId: 'o-401' });
    const taskToken = await taskTokenOf(executionArn);

    // Act
    await sfn.send(new SendTaskFailureCommand({ taskToken, error: 'Rejected', cause: 'fraud suspected' }));
    const described = await closedExecution(executionArn);

    // Assess
    expect([described.status, described.error, described.cause]).toEqual([
      'FAILED',
      'Rejected',
      'fraud suspected',
    ]);
  });

  it('times out with States.Timeout after TimeoutSeconds', async () => {
    // Act
    const executionArn = await startExecution('order-approval-deadline', { orderId: 'o-402' });
    const taskToken = await taskTokenOf(executionArn);
    const described = await closedExecution(executionArn);

    // Assess
    expect([described.status, described.error]).toEqual(['FAILED', 'States.Timeout']);
    expect((await historyOf(executionArn)).map((event) => event.type)).toContain('TaskTimedOut');
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });

  it('times out with States.HeartbeatTimeout when no heartbeat comes within HeartbeatSeconds', async () => {
    // Act
    const executionArn = await startExecution('order-approval', { orderId: 'o-403' });
    const described = await closedExecution(executionArn);

    // Assess
    expect([described.status, described.error]).toEqual(['FAILED', 'States.HeartbeatTimeout']);
  });

  it('stays alive while heartbeats come, longer than HeartbeatSeconds in all', async () => {
    // Prepare
    const executionArn = await startExecution('order-approval', { orderId: 'o-404' });
    const taskToken = await taskTokenOf(executionArn);
    const started = Date.now();

    // Act: heartbeats every 300 ms for 4 s (HeartbeatSeconds is 3), then success.
    while (Date.now() - started < 4000) {
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(status).toBe('RUNNING');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '"approved"' }));
    const described = await closedExecution(executionArn);

    // Assess
    expect(described.status).toBe('SUCCEEDED');
  });
});

describe('StartExecution through the SDK', () => {
  it('returns the same execution for the same name and input, and ExecutionAlreadyExists for another input', async () => {
    // Prepare
    const name = 'approve-o-500';
    const first = await startExecution('order-approval', { orderId: 'o-500' }, name);

    // Act
    const second = await startExecution('order-approval', { orderId: 'o-500' }, name);
    const conflicting = startExecution('order-approval', { orderId: 'o-501' }, name);

    // Assess
    expect(second).toBe(first);
    await expect(conflicting).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await sfn.send(new StopExecutionCommand({ executionArn: first }));
    expect((await closedExecution(first)).status).toBe('ABORTED');
  });

  it('runs an EXPRESS machine with StartSyncExecution (the SDK needs disableHostPrefix locally)', async () => {
    // Prepare
    const syncClient = new SFNClient({
      ...localClientConfig(server.url),
      maxAttempts: 1,
      disableHostPrefix: true,
    });

    // Act
    const result = await syncClient.send(
      new StartSyncExecutionCommand({
        stateMachineArn: machineArn('order-quote'),
        input: '{"orderId":"o-700"}',
      }),
    );
    syncClient.destroy();

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output ?? 'null')).toEqual({ orderId: 'o-700', quoted: true });
    expect(result.stopDate?.getTime()).toBeGreaterThanOrEqual(result.startDate?.getTime() ?? Infinity);
  });

  it('answers unknown executions and machines with the error names the SDK expects', async () => {
    await expect(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: `${machineArn('x').replace('stateMachine', 'execution')}:y`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(startExecution('no-such-machine', {})).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })),
    ).rejects.toMatchObject({
      name: 'InvalidArn',
    });
  });
});

describe('DynamoDB tasks on DynamoDB Local', () => {
  it('puts and gets an item, and a Catch takes DynamoDB.ConditionalCheckFailedException on a duplicate', async () => {
    // Prepare
    const input = { orderId: 'o-600', total: '42' };

    // Act
    const first = await closedExecution(await startExecution('orders-ledger', input));
    const duplicate = await closedExecution(await startExecution('orders-ledger', input));

    // Assess
    expect(first.status).toBe('SUCCEEDED');
    const firstOutput = JSON.parse(first.output ?? 'null') as Record<string, unknown>;
    expect(firstOutput.read).toEqual({ item: { pk: { S: 'o-600' }, total: { N: '42' } } });
    expect(firstOutput.put).toMatchObject({ SdkHttpMetadata: { HttpStatusCode: 200 } });
    expect(duplicate.status).toBe('SUCCEEDED');
    const error = (JSON.parse(duplicate.output ?? 'null') as { error: { Error: string; Cause: string } })
      .error;
    expect(error.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(error.Cause).toMatch(
      /^The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: /,
    );
  });
});

describe('the local cloud, end to end (test/fixtures/saga-fixture-app.ts)', () => {
  let cloud: LocalCloud;
  const local = async <T>(path: string): Promise<T> =>
    (await fetch(`${cloud.apiUrl}${path}`)).json() as Promise<T>;
  type Summary = { executionArn: string; stateMachine: string; name: string; status: string };
  type Detail = Summary & { input: unknown; output: unknown; states: { name: string; status: string }[] };

  beforeAll(async () => {
    cloud = await LocalCloud.start({
      projectDir: PROJECT_DIR,
      appCommand: 'npx tsx test/fixtures/saga-fixture-app.ts',
      port: 0,
      edgePort: 0,
      defaultApiName: 'saga-fixture-api',
      log: () => undefined,
    });
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('runs the state machine and refuses the JSONata one, naming the machine and the feature', () => {
    expect(cloud.summary.stateMachines).toEqual(['saga-fixture-orders (STANDARD)']);
    const refusal = cloud.summary.unsupported.find((line) => line.includes('saga-fixture-jsonata'));
    expect(refusal).toMatch(
      /SagaFixture\/Priced\w+: State machine saga-fixture-jsonata .*QueryLanguage JSONata/,
    );
    expect(cloud.banner()).toContain(`NOT SUPPORTED locally (${cloud.summary.unsupported.length})`);
  });

  it('starts an execution for an EventBridge rule whose target is the state machine', async () => {
    // Prepare
    const eventBridge = new EventBridgeClient(localClientConfig(cloud.edgeUrl));

    // Act
    await eventBridge.send(
      new PutEventsCommand({
        Entries: [{ Source: 'fixture.saga', DetailType: 'OrderPlaced', Detail: '{"orderId":"e-1"}' }],
      }),
    );
    eventBridge.destroy();

    // Assess
    const summary = await eventually(async () => {
      const { executions } = await local<{ executions: Summary[] }>('/_local/executions');
      return executions.find(
        (execution) => execution.status === 'SUCCEEDED' && !execution.name.startsWith('order-'),
      );
    });
    expect(summary.stateMachine).toBe('saga-fixture-orders');
    const detail = await local<Detail>(`/_local/executions/${encodeURIComponent(summary.executionArn)}`);
    expect(detail.input).toEqual({ orderId: 'e-1' });
    expect(detail.output).toEqual({ orderId: 'e-1', reservation: { reservationId: 'r-e-1' } });
    expect(detail.states.map((state) => `${state.name}:${state.status}`)).toEqual([
      'ReserveStock:succeeded',
      'Reserved:succeeded',
    ]);
  });

  it('starts an execution from an API function through the SDK, and answers the SDK on the edge', async () => {
    // Act
    const response = await fetch(`${cloud.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'a-1' }),
    });

    // Assess
    expect(response.status).toBe(202);
    const { executionArn } = (await response.json()) as { executionArn: string };
    expect(executionArn).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:saga-fixture-orders:order-a-1',
    );
    const detail = await eventually(async () => {
      const execution = await local<Detail>(`/_local/executions/${encodeURIComponent(executionArn)}`);
      return execution.status === 'SUCCEEDED' ? execution : undefined;
    });
    expect(detail.output).toEqual({ orderId: 'a-1', reservation: { reservationId: 'r-a-1' } });
    const edge = new SFNClient(localClientConfig(cloud.edgeUrl));
    const described = await edge.send(new DescribeExecutionCommand({ executionArn }));
    edge.destroy();
    expect(described.status).toBe('SUCCEEDED');
  });
});
