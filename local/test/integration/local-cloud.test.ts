import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListExportsCommand,
  ListStacksCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { LOCAL_ENDPOINT_MAX_BODY_BYTES } from '../../src/http/read-body';
import type { LocalCloud } from '../../src/local-cloud';
import { eventually } from '../../src/testing/eventually';
import { startFixtureCloud } from '../support/fixture-cloud';
import { sendRaw } from '../support/raw-http';
import { localClientConfig } from '../../src/testing/client-config';

let cloud: LocalCloud;
let dynamodb: DynamoDBClient;
let lambda: LambdaClient;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;

const output = (name: string): string => {
  const value = cloud.outputs.FixtureApp?.[name];
  if (!value) throw new Error(`output ${name} missing`);
  return value;
};

const receivedItem = async (pk: string) => {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: 'fixture-received', Key: { pk: { S: pk } } }),
  );
  return Item;
};

const decode = (payload: Uint8Array | undefined): unknown =>
  JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

const postNote = (id: string, text: string) =>
  fetch(`${cloud.apiUrl}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, text, author: 'ada' }),
  });

beforeAll(async () => {
  ({ cloud } = await startFixtureCloud());
  dynamodb = new DynamoDBClient(localClientConfig(cloud.edgeUrl));
  lambda = new LambdaClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  eventBridge = new EventBridgeClient(localClientConfig(cloud.edgeUrl));
  sqs = new SQSClient(localClientConfig(cloud.edgeUrl));
}, 120_000);

afterAll(async () => {
  for (const client of [dynamodb, lambda, eventBridge, sqs]) client?.destroy();
  await cloud?.stop();
});

describe('start-up', () => {
  test('reports health and everything it loaded from the synthesized templates', async () => {
    const health = await fetch(`${cloud.apiUrl}/_local/health`);
    expect(health.status).toBe(200);

    const resources = (await (await fetch(`${cloud.apiUrl}/_local/resources`)).json()) as Record<
      string,
      string[]
    >;
    expect(resources.stacks).toEqual(['FixtureShared', 'FixtureApp']);
    expect(resources.tables).toEqual(expect.arrayContaining(['fixture-received', 'fixture-items']));
    expect(resources.functions).toEqual(expect.arrayContaining(['fixture-slow', 'fixture-limited']));
    expect(resources.functions).toHaveLength(10);
    expect(resources.eventSources).toHaveLength(2);
    expect(resources.rules).toHaveLength(2);
    expect(resources.queues).toHaveLength(6);
    expect(resources.schedules).toEqual([
      expect.stringMatching(/^default\/fixture-reminder \(rate\(2 hours\)\) → /),
    ]);
    expect(resources.routes).toEqual(
      expect.arrayContaining(['fixture-main: POST /notes', 'fixture-other: GET /ping']),
    );
    expect(resources.unsupported).toEqual([]);
    expect(cloud.banner()).toContain('fixture-main');
  });

  test('writes the template’s parameters to Parameter Store, which functions and SDK clients read', async () => {
    // Act
    const fromFunction = await fetch(`${cloud.apiUrl}/parameter`);
    const ssm = new SSMClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
    const { Version } = await ssm.send(
      new PutParameterCommand({ Name: '/fixture/greeting', Value: 'hello again', Overwrite: true }),
    );
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/fixture/greeting' }));
    const afterWrite = await fetch(`${cloud.apiUrl}/parameter`);
    ssm.destroy();

    // Assess
    expect(fromFunction.status).toBe(200);
    expect(await fromFunction.json()).toEqual({
      name: '/fixture/greeting',
      value: 'hello from the template',
      version: 1,
    });
    expect([Version, Parameter?.Value]).toEqual([2, 'hello again']);
    expect(await afterWrite.json()).toMatchObject({ value: 'hello again', version: 2 });
    expect(cloud.banner()).toContain('/fixture/greeting');
  });

  test('announces DynamoDB through the edge only, and DynamoDB Local answers no web page', async () => {
    // Prepare
    const dynamoDbLocalPort = Number(new URL(cloud.dynamoDbEndpoint).port);
    const health = await (await fetch(`${cloud.apiUrl}/_local/health`)).text();

    // Act
    const preflight = await sendRaw({
      port: dynamoDbLocalPort,
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-target',
      },
    });

    // Assess
    expect(cloud.banner()).not.toContain(`:${dynamoDbLocalPort}`);
    expect(health).not.toContain(`:${dynamoDbLocalPort}`);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('reads no more than 64 KB of a body sent to any /_local endpoint', async () => {
    // Prepare
    const port = Number(new URL(cloud.apiUrl).port);
    const post = (bytes: number) =>
      sendRaw({ port, method: 'POST', path: '/_local/health', body: Buffer.alloc(bytes, 0x20) });

    // Act
    const withinLimit = await post(LOCAL_ENDPOINT_MAX_BODY_BYTES);
    const overLimit = await post(LOCAL_ENDPOINT_MAX_BODY_BYTES + 1);

    // Assess
    expect(withinLimit.status).toBe(200);
    expect(overLimit.status).toBe(413);
    expect(JSON.parse(overLimit.text)).toEqual({ message: 'The request body is larger than 65536 bytes.' });
  });

  test('creates tables with their keys, indexes and streams, reachable through the edge endpoint', async () => {
    const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(expect.arrayContaining(['fixture-received', output('NotesTableName')]));
  });
});

describe('API Gateway → Lambda → DynamoDB', () => {
  test('serves the default API without and with the stage prefix, and every API under /restapis', async () => {
    const created = await postNote('note-api', 'hello');
    expect(created.status).toBe(201);
    expect(created.headers.get('x-amzn-requestid')).toBeTruthy();

    const read = await fetch(`${cloud.apiUrl}/prod/notes/note-api`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ id: 'note-api', text: 'hello' });

    const main = cloud.apis.find((api) => api.name === 'fixture-main');
    const viaRestApis = await fetch(
      `${cloud.apiUrl}/restapis/${main?.apiId}/prod/_user_request_/notes/note-api`,
    );
    expect(viaRestApis.status).toBe(200);
  });

  test('builds a v1 proxy event with path, query and multi-value parameters', async () => {
    const answer = await fetch(`${cloud.apiUrl}/echo/a/b?x=1&x=2&y=%20z`, { headers: { 'X-Custom': 'yes' } });
    const { event } = (await answer.json()) as { event: Record<string, unknown> };
    expect(event).toMatchObject({
      resource: '/echo/{proxy+}',
      path: '/echo/a/b',
      httpMethod: 'GET',
      pathParameters: { proxy: 'a/b' },
      queryStringParameters: { x: '2', y: ' z' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: [' z'] },
      requestContext: expect.objectContaining({ stage: 'prod', resourcePath: '/echo/{proxy+}' }),
    });
    expect((event.headers as Record<string, string>)['X-Custom']).toBe('yes');
  });

  test('answers 502 as API Gateway does when the handler throws or returns a malformed response', async () => {
    for (const fail of ['throw', 'malformed']) {
      const answer = await fetch(`${cloud.apiUrl}/echo/x?fail=${fail}`);
      expect(answer.status).toBe(502);
      expect(await answer.json()).toEqual({ message: 'Internal server error' });
    }
  });

  test('answers 403 Missing Authentication Token for an unknown route', async () => {
    const answer = await fetch(`${cloud.apiUrl}/no/such/route`);
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  test('resolves another API’s AWS URL in the environment to its local URL (server-side discovery)', async () => {
    const answer = await fetch(`${cloud.apiUrl}/other`);
    const body = (await answer.json()) as { otherApiUrl: string; status: number; body: unknown };
    expect(body.otherApiUrl.startsWith(cloud.apiUrl)).toBe(true);
    expect(body).toMatchObject({ status: 200, body: { pong: true } });
  });
});

describe('DynamoDB stream → Lambda → PutEvents → rule → Lambda and SQS targets', () => {
  test('a new note reaches the rule’s Lambda target and, through SQS, the queue consumer', async () => {
    expect((await postNote('note-flow', 'flows')).status).toBe(201);

    const recorded = await eventually(() => receivedItem('event#note-flow'), { what: 'the Lambda target' });
    expect(recorded.detailType?.S).toBe('NoteCreated');
    const queued = await eventually(() => receivedItem('queue#note-flow'), {
      what: 'the SQS target consumer',
    });
    // The rule's InputTransformer shaped what the queue received.
    expect(queued.kind?.S).toBe('note-created');
  });

  test('a poison record goes to the on-failure destination after its retries while later records flow', async () => {
    expect((await postNote('note-poison', 'poison')).status).toBe(201);
    expect((await postNote('note-after-poison', 'fine')).status).toBe(201);

    await eventually(() => receivedItem('event#note-after-poison'), {
      what: 'the record after the poison one',
    });
    const failure = await eventually(
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: output('RelayFailuresUrl') }),
        );
        return Messages?.[0];
      },
      { what: 'the on-failure record' },
    );
    const record = JSON.parse(failure.Body ?? '{}') as {
      requestContext: { condition: string };
      DDBStreamBatchInfo: { batchSize: number };
    };
    expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(record.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(await receivedItem('event#note-poison')).toBeUndefined();
  });
});

describe('SQS → Lambda with partial batch failures and redrive', () => {
  test('a message the consumer keeps failing moves to the DLQ after maxReceiveCount', async () => {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: output('DeliveriesQueueUrl'), MessageBody: 'not json' }),
    );

    const dead = await eventually(
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: output('DeliveriesDlqUrl'),
            MessageSystemAttributeNames: ['All'],
          }),
        );
        return Messages?.[0];
      },
      { timeoutMs: 20_000, what: 'the message in the DLQ' },
    );
    expect(dead.Body).toBe('not json');
    expect(dead.Attributes?.DeadLetterQueueSourceArn).toMatch(/:FixtureApp-Deliveries/);
  });
});

describe('EventBridge API', () => {
  test('PutEvents delivers to matching rules and reports entries it rejects', async () => {
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'fixture-bus',
            Source: 'fixture.notes',
            DetailType: 'NoteCreated',
            Detail: '{"noteId":"from-sdk"}',
          },
          { EventBusName: 'fixture-bus', Source: 'fixture.notes', DetailType: 'NoteCreated' },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.EventId).toBeTruthy();
    expect(result.Entries?.[1]?.ErrorCode).toBe('InvalidArgument');
    await eventually(() => receivedItem('event#from-sdk'), { what: 'the event put through the SDK' });
  });

  test('a scheduled rule sends a Scheduled Event to its targets when the schedule clock reaches its time', async () => {
    // Prepare
    const queueUrl = cloud.outputs['FixtureApp']?.['TicksQueueUrl'] ?? '';
    const before = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));

    // Act
    const moved = await fetch(`${cloud.apiUrl}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 3_600 }),
    });
    const refused = await fetch(`${cloud.apiUrl}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: -5 }),
    });
    const message = await eventually(
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }))).Messages?.[0],
      { what: 'the scheduled event in the queue' },
    );

    // Assess
    expect(before.Messages ?? []).toEqual([]);
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ offsetSeconds: 3_600 });
    expect(refused.status).toBe(400);
    expect(JSON.parse(message.Body ?? '{}')).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      resources: [
        expect.stringMatching(/^arn:aws:events:us-east-1:000000000000:rule\/FixtureApp-HourlyTick/),
      ],
      detail: {},
    });
  });

  test('a template’s Scheduler schedule sends its input to its target; the Scheduler API answers the SDK', async () => {
    // Prepare
    const queueUrl = cloud.outputs['FixtureApp']?.['RemindersQueueUrl'] ?? '';
    const scheduler = new SchedulerClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
    const { Arn, ScheduleExpression } = await scheduler.send(
      new GetScheduleCommand({ Name: 'fixture-reminder' }),
    );
    scheduler.destroy();

    // Act
    await fetch(`${cloud.apiUrl}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 2 * 3_600 }),
    });
    const message = await eventually(
      async () =>
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }))).Messages?.[0],
      { what: 'the schedule’s message in the queue' },
    );

    // Assess
    expect(ScheduleExpression).toBe('rate(2 hours)');
    expect(JSON.parse(message.Body ?? '{}')).toEqual({ reminder: true, schedule: Arn });
  });

  test('TestEventPattern answers with the pattern matcher', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'fixture.notes',
      time: '2026-11-26T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'NoteCreated',
      detail: { size: 12 },
    });
    const hit = await eventBridge.send(
      new TestEventPatternCommand({
        Event: event,
        EventPattern: '{"detail":{"size":[{"numeric":[">",10]}]}}',
      }),
    );
    const miss = await eventBridge.send(
      new TestEventPatternCommand({
        Event: event,
        EventPattern: '{"detail":{"size":[{"numeric":["<",10]}]}}',
      }),
    );
    expect([hit.Result, miss.Result]).toEqual([true, false]);
  });
});

describe('Lambda API and execution environments', () => {
  test('InvokeCommand runs a function synchronously and accepts Event invocations', async () => {
    const sync = await lambda.send(
      new InvokeCommand({
        FunctionName: 'fixture-slow',
        Payload: Buffer.from(JSON.stringify({ waitMs: 1 })),
      }),
    );
    expect(sync.StatusCode).toBe(200);
    expect(decode(sync.Payload)).toEqual({ waited: 1 });

    const queued = await lambda.send(
      new InvokeCommand({ FunctionName: 'fixture-slow', InvocationType: 'Event' }),
    );
    expect(queued.StatusCode).toBe(202);
  });

  test('enforces the function timeout with the error Lambda reports', async () => {
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: 'fixture-slow',
        Payload: Buffer.from(JSON.stringify({ waitMs: 3_000 })),
      }),
    );
    expect(answer.FunctionError).toBe('Unhandled');
    expect(decode(answer.Payload)).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringContaining('Task timed out after 1.00 seconds'),
    });
  });

  test('caps concurrency at ReservedConcurrentExecutions: a second concurrent sync call is throttled', async () => {
    const call = () =>
      lambda.send(
        new InvokeCommand({
          FunctionName: 'fixture-limited',
          Payload: Buffer.from(JSON.stringify({ waitMs: 1_000 })),
        }),
      );
    const results = await Promise.allSettled([call(), call()]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0]?.reason as Error).name).toBe('TooManyRequestsException');
  });

  test('records invocations with trigger, cold/warm and outcome', async () => {
    const body = (await (await fetch(`${cloud.apiUrl}/_local/invocations`)).json()) as {
      invocations: { trigger: string; cold: boolean; outcome: string }[];
    };
    const triggers = new Set(body.invocations.map((i) => i.trigger));
    expect([...triggers]).toEqual(expect.arrayContaining(['apigateway', 'dynamodb-stream', 'sqs']));
    expect(body.invocations.some((i) => i.cold)).toBe(true);
    expect(body.invocations.some((i) => !i.cold)).toBe(true);
    expect(body.invocations.some((i) => i.outcome === 'timeout')).toBe(true);
  });

  test('runs the version an alias names, through API Gateway, rule targets and event source mappings', async () => {
    // Prepare
    const readJson = async <T>(path: string): Promise<T> =>
      (await (await fetch(`${cloud.apiUrl}${path}`)).json()) as T;
    const cloudFormation = new CloudFormationClient(localClientConfig(cloud.edgeUrl));
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: 'FixtureApp' }));
    cloudFormation.destroy();
    const pingUrl = Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'PingUrl')?.OutputValue;
    const kindOf = (record: { trigger: string }) => record.trigger.split(':')[0];

    // Act
    const ping = await fetch(String(pingUrl));
    await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'fixture-bus',
            Source: 'fixture.notes',
            DetailType: 'NoteCreated',
            Detail: JSON.stringify({ noteId: `alias-${Date.now()}` }),
          },
        ],
      }),
    );

    // Assess: the ping route, the recorder (a rule target) and the consumer (a queue's mapping) ran version 1.
    expect(ping.status).toBe(200);
    const throughAlias = await eventually(
      async () => {
        const { invocations } = await readJson<{
          invocations: { trigger: string; qualifier?: string; executedVersion: string }[];
        }>('/_local/invocations');
        const records = invocations.filter((record) => record.qualifier === 'live');
        return new Set(records.map(kindOf)).size === 3 ? records : undefined;
      },
      { what: 'invocations through the live aliases' },
    );
    expect(new Set(throughAlias.map(kindOf))).toEqual(new Set(['apigateway', 'eventbridge', 'sqs']));
    expect(new Set(throughAlias.map((record) => record.executedVersion))).toEqual(new Set(['1']));
  });

  test("keeps the functions' output, and says how much of each log it had to drop", async () => {
    const logs = (await (await fetch(`${cloud.apiUrl}/_local/logs`)).json()) as {
      lines: { functionName: string; line: string }[];
      evicted: number;
    };
    const invocations = (await (await fetch(`${cloud.apiUrl}/_local/invocations`)).json()) as {
      evicted: number;
    };
    const deliveries = (await (await fetch(`${cloud.apiUrl}/_local/deliveries`)).json()) as {
      evicted: number;
    };
    // The slow function's timeout is logged by the runtime, under the function's name.
    expect(logs.lines).toContainEqual(
      expect.objectContaining({
        functionName: 'fixture-slow',
        line: expect.stringContaining('Task timed out'),
      }),
    );
    expect([logs.evicted, invocations.evicted, deliveries.evicted]).toEqual([0, 0, 0]);
  });
});

describe('SQS API', () => {
  test('reports queue attributes through the JSON protocol the SDK speaks', async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: output('DeliveriesQueueUrl'), AttributeNames: ['All'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('2');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 2 });
  });
});

describe('CloudFormation API', () => {
  let cloudFormation: CloudFormationClient;

  beforeAll(() => {
    cloudFormation = new CloudFormationClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  });

  afterAll(() => cloudFormation?.destroy());

  const localJson = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${cloud.apiUrl}${path}`)).json()) as T;

  test('DescribeStacks reports each stack’s outputs as the local cloud resolved them', async () => {
    // Prepare
    const outputs = await localJson<Record<string, Record<string, string>>>('/_local/outputs');

    // Act
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({}));

    // Assess
    const described = Object.fromEntries(
      (Stacks ?? []).map((stack) => [
        stack.StackName,
        Object.fromEntries((stack.Outputs ?? []).map((entry) => [entry.OutputKey, entry.OutputValue])),
      ]),
    );
    expect(described).toEqual(outputs);
    expect(Stacks?.every((stack) => stack.StackStatus === 'CREATE_COMPLETE')).toBe(true);
    const shared = Stacks?.find((stack) => stack.StackName === 'FixtureShared');
    expect(shared?.Outputs).toEqual([
      { OutputKey: 'BusName', OutputValue: outputs.FixtureShared?.BusName, ExportName: 'fixture-bus-name' },
    ]);
  });

  test('an output naming an API’s stage URL names the local API instead, where the route answers', async () => {
    // Act
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: 'FixtureApp' }));
    const pingUrl = Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'PingUrl')?.OutputValue;

    // Assess
    expect(pingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*\/ping$/);
    const ping = await fetch(String(pingUrl));
    expect(ping.status).toBe(200);
  });

  test('ListStacks and ListExports name the stacks loaded and the export the fixture declares', async () => {
    // Prepare
    const { stacks } = await localJson<{ stacks: string[] }>('/_local/resources');
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: 'FixtureShared' }));

    // Act
    const { StackSummaries } = await cloudFormation.send(new ListStacksCommand({}));
    const { Exports } = await cloudFormation.send(new ListExportsCommand({}));

    // Assess
    expect(StackSummaries?.map((summary) => summary.StackName)).toEqual(stacks);
    expect(Exports).toEqual([
      {
        ExportingStackId: Stacks?.[0]?.StackId,
        Name: 'fixture-bus-name',
        Value: cloud.outputs.FixtureShared?.BusName,
      },
    ]);
  });

  test('DescribeStackResources gives the physical id of a table DynamoDB has, and of functions Lambda runs', async () => {
    // Prepare
    const { functions } = await localJson<{ functions: string[] }>('/_local/resources');

    // Act
    const { StackResources } = await cloudFormation.send(
      new DescribeStackResourcesCommand({ StackName: 'FixtureApp' }),
    );
    const summaries: StackResourceSummary[] = [];
    for await (const page of paginateListStackResources(
      { client: cloudFormation },
      { StackName: 'FixtureApp' },
    )) {
      summaries.push(...(page.StackResourceSummaries ?? []));
    }

    // Assess
    const notes = StackResources?.find(
      (resource) =>
        resource.ResourceType === 'AWS::DynamoDB::Table' && resource.LogicalResourceId?.startsWith('Notes'),
    );
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: notes?.PhysicalResourceId }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(notes?.PhysicalResourceId).toBe(output('NotesTableName'));
    const functionIds = summaries
      .filter((summary) => summary.ResourceType === 'AWS::Lambda::Function')
      .map((summary) => summary.PhysicalResourceId);
    expect([...functionIds].sort()).toEqual([...functions].sort());
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: functionIds[0] }));
    expect(Configuration?.FunctionName).toBe(functionIds[0]);
  });

  test('refuses an unknown stack with ValidationError, 400, and any change as read-only', async () => {
    // Act
    const unknown = await cloudFormation
      .send(new DescribeStacksCommand({ StackName: 'NoSuchStack' }))
      .catch((error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } });
    const create = await cloudFormation
      .send(new CreateStackCommand({ StackName: 'NewStack', TemplateBody: '{"Resources":{}}' }))
      .catch((error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } });

    // Assess
    expect(unknown).toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id NoSuchStack does not exist',
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
    expect(create).toMatchObject({
      name: 'InvalidAction',
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
    expect((create as Error).message).toMatch(/read-only.*does not implement CreateStack/);
  });
});
