/**
 * Fault injection through the real paths of the local cloud, set over `/_local/faults`: each fault kind
 * strikes where AWS would fail, and the reliability mechanisms around it (a caller's retry of failed
 * entries, stream retries and on-failure destinations, SQS redelivery, rule retries and DLQs) engage.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FaultView } from '../../src/faults/fault-registry';
import { SeededRandom } from '../../src/faults/seeded-random';
import type { LocalCloud } from '../../src/local-cloud';
import { eventually } from '../../src/testing/eventually';
import { startFixtureCloud } from '../support/fixture-cloud';
import { localClientConfig } from '../../src/testing/client-config';

let cloud: LocalCloud;
let dynamodb: DynamoDBClient;
let lambda: LambdaClient;
let eventBridge: EventBridgeClient;
let sqs: SQSClient;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface DeliveryView {
  readonly eventId: string;
  readonly ruleName?: string;
  readonly targetArn?: string;
  readonly outcome: string;
  readonly attempts: number;
}

interface InvocationView {
  readonly requestId: string;
  readonly functionName: string;
  readonly outcome: string;
  readonly errorType?: string;
}

interface ShardView {
  readonly pending: number;
  readonly invoking: boolean;
  readonly failures: number;
}

interface EventSourceView {
  readonly label: string;
  readonly shards?: readonly ShardView[];
}

const INTERNAL_FAILURE_MESSAGE =
  'The request processing has failed because of an unknown error, exception or failure.';

const output = (name: string): string => {
  const value = cloud.outputs.FixtureApp?.[name];
  if (!value) throw new Error(`output ${name} missing`);
  return value;
};

const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const setFault = async (body: Record<string, unknown>): Promise<FaultView> => {
  const answer = await call('POST', '/_local/faults', body);
  if (answer.status !== 201)
    throw new Error(`fault refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.fault as FaultView;
};

const faultNow = async (id: string): Promise<FaultView> =>
  (await call('GET', `/_local/faults/${id}`)).body.fault as FaultView;

const localList = async <T>(endpoint: string, key: string): Promise<T[]> => {
  const body = (await (await fetch(`${cloud.apiUrl}/_local/${endpoint}`)).json()) as Record<string, T[]>;
  return body[key] ?? [];
};

const invocations = () => localList<InvocationView>('invocations', 'invocations');
const deliveries = () => localList<DeliveryView>('deliveries', 'deliveries');

/** The notes stream → relay mapping, once it has nothing pending or under way. */
const relayMappingAtRest = () =>
  eventually(
    async () => {
      const sources = await localList<EventSourceView>('event-sources', 'eventSources');
      const relay = sources.find((source) => source.label.includes('Relay'));
      const shards = relay?.shards ?? [];
      return shards.length > 0 && shards.every((shard) => shard.pending === 0 && !shard.invoking)
        ? shards
        : undefined;
    },
    { what: 'the relay mapping to be at rest' },
  );

const receivedItem = async (pk: string) => {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: 'fixture-received', Key: { pk: { S: pk } } }),
  );
  return Item;
};

const postNote = async (id: string, text = 'a note'): Promise<void> => {
  const response = await fetch(`${cloud.apiUrl}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, text, author: 'ada' }),
  });
  expect(response.status).toBe(201);
};

const firstMessage = (queueUrl: string, what: string) =>
  eventually(
    async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'] }),
      );
      return Messages?.[0];
    },
    { what },
  );

const isRecorderDelivery = (delivery: DeliveryView): boolean =>
  (delivery.ruleName?.includes('NoteCreated') ?? false) &&
  (delivery.targetArn?.includes(':function:') ?? false);

const decode = (payload: Uint8Array | undefined): unknown =>
  JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

const replay = (seed: number, probability: number, count: number): boolean[] => {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => random.chance(probability));
};

/** Replays a fault's draws until `misses` calls went through: how many struck, and the longest run. */
const strikesBefore = (seed: number, probability: number, misses: number) => {
  const random = new SeededRandom(seed);
  let passed = 0;
  let struck = 0;
  let run = 0;
  let longestRun = 0;
  while (passed < misses) {
    if (random.chance(probability)) {
      struck++;
      longestRun = Math.max(longestRun, ++run);
    } else {
      passed++;
      run = 0;
    }
  }
  return { struck, longestRun };
};

beforeAll(async () => {
  ({ cloud } = await startFixtureCloud());
  dynamodb = new DynamoDBClient(localClientConfig(cloud.edgeUrl));
  lambda = new LambdaClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  eventBridge = new EventBridgeClient({ ...localClientConfig(cloud.edgeUrl), maxAttempts: 1 });
  sqs = new SQSClient(localClientConfig(cloud.edgeUrl));
}, 120_000);

afterEach(async () => {
  if (cloud) await call('DELETE', '/_local/faults');
});

afterAll(async () => {
  for (const client of [dynamodb, lambda, eventBridge, sqs]) client?.destroy();
  await cloud?.stop();
});

describe('the /_local/faults API', () => {
  test('sets, lists with counters and clears faults; none are set by default', async () => {
    // Prepare
    const initially = await call('GET', '/_local/faults');

    // Act
    const created = await call('POST', '/_local/faults', {
      kind: 'function-latency',
      target: { logicalIdPrefix: 'Noop' },
      probability: 0.5,
      latencyMs: 10,
    });
    const listed = await call('GET', '/_local/faults');
    const cleared = await call('DELETE', '/_local/faults');
    const after = await call('GET', '/_local/faults');

    // Assess
    expect(initially.body).toEqual({ faults: [] });
    expect(created.status).toBe(201);
    expect(listed.body.faults).toEqual([
      expect.objectContaining({
        kind: 'function-latency',
        seed: expect.any(Number),
        matched: 0,
        injected: 0,
        resolvedTargets: ['fixture-noop'],
      }),
    ]);
    expect(cleared.body).toEqual({ deleted: 1 });
    expect(after.body).toEqual({ faults: [] });
  });

  test('answers 400 VALIDATION_FAILED for an invalid body and 422 UNKNOWN_TARGET for unknown names', async () => {
    // Act
    const invalid = await call('POST', '/_local/faults', {
      kind: 'function-error',
      probability: -1,
      target: {},
    });
    const malformed = await call('POST', '/_local/faults', '{not json');
    const unknownFunction = await call('POST', '/_local/faults', {
      kind: 'function-error',
      target: { name: 'no-such-function' },
      probability: 1,
    });
    const unknownMapping = await call('POST', '/_local/faults', {
      kind: 'event-source-failure',
      target: { sourceNameContains: 'NoSuchTable' },
      probability: 1,
    });
    const unknownRule = await call('POST', '/_local/faults', {
      kind: 'target-failure',
      target: { ruleName: 'no-such-rule' },
      probability: 1,
    });

    // Assess
    expect(invalid).toEqual({
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: [
            { path: 'target', message: expect.any(String) },
            { path: 'probability', message: expect.any(String) },
          ],
        },
        requestId: expect.any(String),
      },
    });
    expect(malformed.status).toBe(400);
    expect([unknownFunction, unknownMapping, unknownRule].map((answer) => answer.status)).toEqual([
      422, 422, 422,
    ]);
    expect(unknownFunction.body.error).toMatchObject({ code: 'UNKNOWN_TARGET' });
    expect((await call('GET', '/_local/faults')).body).toEqual({ faults: [] });
  });
});

describe('PutEvents entries failing with InternalFailure', () => {
  test('30 % of the entries fail, as the seed decides, and FailedEntryCount counts them', async () => {
    // Prepare
    const seed = 20260101;
    const fault = await setFault({
      kind: 'put-events-failure',
      target: { busName: 'fixture-bus', source: 'fault.probe' },
      probability: 0.3,
      seed,
    });
    const entry = (i: number) => ({
      EventBusName: 'fixture-bus',
      Source: 'fault.probe',
      DetailType: 'Probe',
      Detail: JSON.stringify({ i }),
    });

    // Act
    const results = [];
    for (let batch = 0; batch < 10; batch++) {
      results.push(
        await eventBridge.send(
          new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, i) => entry(batch * 10 + i)) }),
        ),
      );
    }
    const counters = await faultNow(fault.id);

    // Assess
    const entries: PutEventsResultEntry[] = results.flatMap((result) => result.Entries ?? []);
    const failed = entries.filter((result) => result.ErrorCode !== undefined);
    for (const result of results) {
      expect(result.FailedEntryCount).toBe(result.Entries?.filter((e) => e.ErrorCode !== undefined).length);
    }
    expect(entries.map((result) => result.ErrorCode !== undefined)).toEqual(replay(seed, 0.3, 100));
    expect(failed.length).toBeGreaterThan(0);
    for (const result of failed) {
      expect(result).toEqual({ ErrorCode: 'InternalFailure', ErrorMessage: INTERNAL_FAILURE_MESSAGE });
    }
    expect(entries.filter((result) => result.EventId !== undefined)).toHaveLength(100 - failed.length);
    expect(counters).toMatchObject({ matched: 100, injected: failed.length });
  });

  test('the relay retries its failed records and every note reaches the recorder exactly once', async () => {
    // Prepare: with this seed the relay never meets three failures in a row, which would exhaust the
    // mapping's two retries of a lone record; the assertions below depend on it.
    const seed = 42;
    const notes = Array.from({ length: 12 }, (_, i) => `relay-${i}`);
    const { struck: expectedFailures, longestRun } = strikesBefore(seed, 0.3, notes.length);
    expect(longestRun).toBeLessThan(3);
    expect(expectedFailures).toBeGreaterThan(0);
    const before = new Set((await deliveries()).map((delivery) => delivery.eventId));
    const fault = await setFault({
      kind: 'put-events-failure',
      target: { source: 'fixture.notes' },
      probability: 0.3,
      seed,
    });

    // Act
    for (const id of notes) await postNote(id);
    for (const id of notes) await eventually(() => receivedItem(`event#${id}`), { what: `note ${id}` });
    const shards = await relayMappingAtRest();
    const counters = await faultNow(fault.id);
    const recorded = await eventually(
      async () => {
        const fresh = (await deliveries()).filter(
          (delivery) => !before.has(delivery.eventId) && isRecorderDelivery(delivery),
        );
        return fresh.every((delivery) => delivery.outcome === 'delivered') ? fresh : undefined;
      },
      { what: 'the recorder deliveries to finish' },
    );

    // Assess
    expect(counters).toMatchObject({ matched: notes.length + expectedFailures, injected: expectedFailures });
    expect(recorded).toHaveLength(notes.length);
    expect(shards.reduce((sum, shard) => sum + shard.failures, 0)).toBeGreaterThan(0);
  });
});

describe('functions throwing, timing out or slowed', () => {
  test('a fraction of invocations throws the chosen error, in the Invoke result and the invocation log', async () => {
    // Prepare
    const seed = 2026;
    const expected = replay(seed, 0.5, 12);
    await setFault({
      kind: 'function-error',
      target: { name: 'fixture-noop' },
      probability: 0.5,
      seed,
      errorType: 'ChaosError',
      errorMessage: 'chaos',
    });

    // Act
    const answers = [];
    for (let i = 0; i < expected.length; i++) {
      answers.push(await lambda.send(new InvokeCommand({ FunctionName: 'fixture-noop' })));
    }
    const log = await invocations();

    // Assess
    expect(answers.map((answer) => answer.FunctionError === 'Unhandled')).toEqual(expected);
    for (const answer of answers) {
      const record = log.find((candidate) => candidate.requestId === answer.$metadata.requestId);
      if (answer.FunctionError) {
        expect(decode(answer.Payload)).toEqual({ errorType: 'ChaosError', errorMessage: 'chaos' });
        expect(record).toMatchObject({ outcome: 'error', errorType: 'ChaosError' });
      } else {
        expect(decode(answer.Payload)).toBeNull();
        expect(record).toMatchObject({ outcome: 'success' });
      }
    }
  });

  test('an invocation times out as Lambda reports it, then the fault is spent', async () => {
    // Prepare
    const fault = await setFault({
      kind: 'function-timeout',
      target: { name: 'fixture-slow' },
      probability: 1,
      maxCount: 1,
    });
    const payload = Buffer.from(JSON.stringify({ waitMs: 1 }));

    // Act
    const started = Date.now();
    const timedOut = await lambda.send(new InvokeCommand({ FunctionName: 'fixture-slow', Payload: payload }));
    const elapsedMs = Date.now() - started;
    const next = await lambda.send(new InvokeCommand({ FunctionName: 'fixture-slow', Payload: payload }));
    const log = await invocations();

    // Assess
    expect(timedOut.FunctionError).toBe('Unhandled');
    expect(decode(timedOut.Payload)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${timedOut.$metadata.requestId} Error: Task timed out after 1.00 seconds`,
    });
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(log.find((record) => record.requestId === timedOut.$metadata.requestId)).toMatchObject({
      functionName: 'fixture-slow',
      outcome: 'timeout',
      errorType: 'Sandbox.Timedout',
    });
    expect(decode(next.Payload)).toEqual({ waited: 1 });
    expect(await faultNow(fault.id)).toMatchObject({ matched: 1, injected: 1, exhausted: true });
  });

  test('latency is added before the handler of the function picked by logical id', async () => {
    // Prepare
    const fault = await setFault({
      kind: 'function-latency',
      target: { logicalIdPrefix: 'Noop' },
      probability: 1,
      maxCount: 1,
      latencyMs: 400,
    });

    // Act
    const started = Date.now();
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'fixture-noop' }));
    const elapsedMs = Date.now() - started;

    // Assess
    expect(answer.FunctionError).toBeUndefined();
    expect(elapsedMs).toBeGreaterThanOrEqual(400);
    expect(await faultNow(fault.id)).toMatchObject({ injected: 1, resolvedTargets: ['fixture-noop'] });
  });
});

describe('event source mappings failing deliveries', () => {
  test('a failed stream delivery is retried and the record still arrives', async () => {
    // Prepare
    const fault = await setFault({
      kind: 'event-source-failure',
      target: { functionNameContains: 'Relay', sourceNameContains: 'Notes' },
      probability: 1,
      maxCount: 2,
    });

    // Act
    await postNote('stream-retry');
    const recorded = await eventually(() => receivedItem('event#stream-retry'), { what: 'the note' });
    const shards = await relayMappingAtRest();

    // Assess
    expect(recorded.detailType?.S).toBe('NoteCreated');
    expect(await faultNow(fault.id)).toMatchObject({ injected: 2, exhausted: true });
    expect(shards.reduce((sum, shard) => sum + shard.failures, 0)).toBeGreaterThanOrEqual(2);
  });

  test('a stream delivery that always fails sends the record to the on-failure queue', async () => {
    // Prepare
    const fault = await setFault({
      kind: 'event-source-failure',
      target: { functionNameContains: 'Relay' },
      probability: 1,
    });

    // Act
    await postNote('stream-dead');
    const message = await firstMessage(output('RelayFailuresUrl'), 'the on-failure record');
    const counters = await faultNow(fault.id);

    // Assess
    const record = JSON.parse(message.Body ?? '{}') as {
      requestContext: { condition: string; approximateInvokeCount: number };
      responseContext: { functionError: string };
      DDBStreamBatchInfo: { batchSize: number };
    };
    expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(record.responseContext.functionError).toBe('Unhandled');
    expect(record.DDBStreamBatchInfo.batchSize).toBe(1);
    // The first attempt and the mapping's two retries, all failed by the fault.
    expect(record.requestContext.approximateInvokeCount).toBe(3);
    expect(counters.injected).toBe(3);
    expect(await receivedItem('event#stream-dead')).toBeUndefined();
  });

  test('a failed SQS delivery leaves the message to come back after its visibility timeout', async () => {
    // Prepare
    const fault = await setFault({
      kind: 'event-source-failure',
      target: { functionNameContains: 'QueueConsumer' },
      probability: 1,
      maxCount: 1,
    });

    // Act
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: output('DeliveriesQueueUrl'),
        MessageBody: JSON.stringify({ noteId: 'sqs-retry', kind: 'direct' }),
      }),
    );
    const recorded = await eventually(() => receivedItem('queue#sqs-retry'), { what: 'the redelivery' });

    // Assess
    expect(recorded.kind?.S).toBe('direct');
    expect(await faultNow(fault.id)).toMatchObject({ matched: 1, injected: 1 });
    expect(fault.resolvedTargets).toEqual([expect.stringMatching(/Deliveries.* → .*QueueConsumer/)]);
  });
});

describe('rule targets failing deliveries', () => {
  const putNoteCreated = async (noteId: string): Promise<string> => {
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'fixture-bus',
            Source: 'fixture.notes',
            DetailType: 'NoteCreated',
            Detail: JSON.stringify({ noteId }),
          },
        ],
      }),
    );
    const eventId = result.Entries?.[0]?.EventId;
    if (!eventId) throw new Error(`PutEvents failed: ${JSON.stringify(result)}`);
    return eventId;
  };

  const settledRecorderDelivery = (eventId: string) =>
    eventually(
      async () =>
        (await deliveries()).find(
          (delivery) =>
            delivery.eventId === eventId && isRecorderDelivery(delivery) && delivery.outcome !== 'in-flight',
        ),
      { what: 'the recorder delivery to settle' },
    );

  test('delivery-duplicate delivers the event to the chosen target again: its function runs three times', async () => {
    // Prepare
    const recorderRuns = async () =>
      (await invocations()).filter((invocation) => /Recorder/.test(invocation.functionName)).length;
    const before = await recorderRuns();
    const fault = await setFault({
      kind: 'delivery-duplicate',
      target: { ruleNameContains: 'NoteCreated', targetArnContains: 'Recorder' },
      probability: 1,
      copies: 2,
      maxCount: 1,
    });

    // Act
    const eventId = await putNoteCreated('duplicated');
    const delivery = await settledRecorderDelivery(eventId);
    const runs = await eventually(
      async () => ((await recorderRuns()) - before >= 3 ? recorderRuns() : undefined),
      {
        what: 'three runs of the recorder',
      },
    );

    // Assess
    expect(delivery).toMatchObject({ outcome: 'delivered', attempts: 1 });
    expect(runs - before).toBe(3);
    expect(await faultNow(fault.id)).toMatchObject({ injected: 1, exhausted: true });
  });

  test('a failing target is retried per its RetryPolicy and delivered', async () => {
    // Prepare
    await setFault({
      kind: 'target-failure',
      target: { ruleNameContains: 'NoteCreated', targetArnContains: 'Recorder' },
      probability: 1,
      maxCount: 2,
    });

    // Act
    const eventId = await putNoteCreated('rule-retry');
    const delivery = await settledRecorderDelivery(eventId);
    const recorded = await eventually(() => receivedItem('event#rule-retry'), {
      what: 'the delivered event',
    });

    // Assess
    expect(delivery).toMatchObject({ outcome: 'delivered', attempts: 3 });
    expect(recorded.eventId?.S).toBe(eventId);
  });

  test('a target that always fails is dead-lettered once its retries are spent', async () => {
    // Prepare
    await setFault({
      kind: 'target-failure',
      target: { ruleNameContains: 'NoteCreated', targetArnContains: 'Recorder' },
      probability: 1,
      errorMessage: 'the recorder is down',
    });

    // Act
    const eventId = await putNoteCreated('rule-dead');
    const delivery = await settledRecorderDelivery(eventId);
    const dead = await firstMessage(output('RecorderTargetFailuresUrl'), 'the dead-lettered event');
    // The rule's other target, the queue, is not affected.
    await eventually(() => receivedItem('queue#rule-dead'), { what: 'the queue target' });

    // Assess
    expect(delivery).toMatchObject({ outcome: 'dead-lettered', attempts: 3 });
    expect(JSON.parse(dead.Body ?? '{}')).toMatchObject({ id: eventId, detail: { noteId: 'rule-dead' } });
    expect(dead.MessageAttributes?.ERROR_CODE?.StringValue).toBe('SDK_CLIENT_ERROR');
    expect(dead.MessageAttributes?.ERROR_MESSAGE?.StringValue).toBe('the recorder is down');
    expect(dead.MessageAttributes?.RULE_ARN?.StringValue).toContain('NoteCreated');
    expect(await receivedItem('event#rule-dead')).toBeUndefined();
  });
});

describe('DynamoDB tables failing, losing writes and slowing down, at the functions’ DynamoDB front', () => {
  const itemOf = async (pk: string) => {
    // The edge reaches DynamoDB Local directly: what is really stored, whatever the faults.
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: 'fixture-items', Key: { pk: { S: pk } } }),
    );
    return Item;
  };

  /** The invocations of a function since a moment, by a part of its name. */
  const invocationsSince = async (before: number, nameContains: string) =>
    (await invocations())
      .slice(before)
      .filter((invocation) => invocation.functionName.includes(nameContains));

  test('a write to the failing table raises the SDK’s exception in the function, and another table works', async () => {
    // Prepare
    const before = (await invocations()).length;
    const fault = await setFault({
      kind: 'table-write-failure',
      target: { tableName: 'fixture-items' },
      probability: 1,
      errorCode: 'ProvisionedThroughputExceededException',
    });

    // Act
    const refused = await call('POST', '/items', { id: 'write-refused' });
    const otherTable = await call('POST', '/notes', { id: 'write-elsewhere', text: 'fine' });
    const counters = await faultNow(fault.id);
    const putItemRuns = await invocationsSince(before, 'PutItem');

    // Assess
    expect(refused.status).toBe(502);
    expect(putItemRuns).toEqual([
      expect.objectContaining({ outcome: 'error', errorType: 'ProvisionedThroughputExceededException' }),
    ]);
    expect(otherTable.status).toBe(201);
    // The function's SDK retried the throttled write before giving up: every attempt was refused.
    expect(counters.injected).toBeGreaterThanOrEqual(1);
    expect(counters).toMatchObject({ matched: counters.injected, resolvedTargets: ['fixture-items'] });
    expect(await itemOf('write-refused')).toBeUndefined();
  });

  test('a dropped write is acknowledged to the function but never stored', async () => {
    // Prepare
    const fault = await setFault({
      kind: 'table-write-drop',
      target: { tableName: 'fixture-items' },
      probability: 1,
    });

    // Act
    const acknowledged = await call('POST', '/items', { id: 'write-lost' });
    const storedWhileLossy = await itemOf('write-lost');
    await call('DELETE', `/_local/faults/${fault.id}`);
    // The function's write is conditional on the item's absence: it succeeds again, as nothing was kept.
    const writtenAgain = await call('POST', '/items', { id: 'write-lost' });

    // Assess
    expect(acknowledged).toEqual({ status: 201, body: { id: 'write-lost' } });
    expect(storedWhileLossy).toBeUndefined();
    expect(writtenAgain.status).toBe(201);
    expect(await itemOf('write-lost')).toEqual({ pk: { S: 'write-lost' }, payload: { S: 'benchmark' } });
  });

  test('reads of the failing table fail with the chosen error while its writes go through', async () => {
    // Prepare
    const before = (await invocations()).length;
    const fault = await setFault({
      kind: 'table-read-failure',
      target: { logicalIdPrefix: 'Notes' },
      probability: 1,
      errorCode: 'ServiceUnavailable',
    });

    // Act
    const written = await call('POST', '/notes', { id: 'read-refused', text: 'stored' });
    const read = await call('GET', '/notes/read-refused');
    const apiRuns = await invocationsSince(before, 'Api');

    // Assess
    expect(written.status).toBe(201);
    expect(read.status).toBe(502);
    expect(apiRuns.map((run) => [run.outcome, run.errorType])).toEqual([
      ['success', undefined],
      ['error', 'ServiceUnavailable'],
    ]);
    expect(fault.resolvedTargets).toEqual([output('NotesTableName')]);
  });

  test('a read of the slow table waits the latency first, then answers', async () => {
    // Prepare
    await call('POST', '/notes', { id: 'read-slowed', text: 'slow' });
    await call('GET', '/notes/read-slowed');
    const fault = await setFault({
      kind: 'table-read-delay',
      target: { tableName: output('NotesTableName') },
      probability: 1,
      maxCount: 1,
      latencyMs: 800,
    });

    // Act
    const started = Date.now();
    const slowed = await call('GET', '/notes/read-slowed');
    const slowedMs = Date.now() - started;

    // Assess
    expect(slowed).toEqual({ status: 200, body: { id: 'read-slowed', text: 'slow' } });
    expect(slowedMs).toBeGreaterThanOrEqual(800);
    expect(await faultNow(fault.id)).toMatchObject({ injected: 1, exhausted: true });
  });

  test('a fault with durationMs stops injecting once its window has passed, and shows it expired', async () => {
    // Prepare: a warm function, so the first write lands well inside the window.
    expect((await call('POST', '/items', { id: 'window-warm-up' })).status).toBe(201);
    const fault = await setFault({
      kind: 'table-write-failure',
      target: { tableName: 'fixture-items' },
      probability: 1,
      durationMs: 2_000,
    });
    const expiresAt = Date.parse(fault.expiresAt ?? '');

    // Act
    const inWindow = await call('POST', '/items', { id: 'window-0' });
    let attempt = 0;
    const afterWindow = await eventually(
      async () => {
        const answer = await call('POST', '/items', { id: `window-${++attempt}` });
        return answer.status === 201 ? Date.now() : undefined;
      },
      { what: 'a write after the window' },
    );
    const view = await faultNow(fault.id);

    // Assess
    expect(inWindow.status).toBe(502);
    expect(afterWindow).toBeGreaterThanOrEqual(expiresAt);
    expect(view).toMatchObject({ exhausted: true, expired: true });
    expect(view.injected).toBeGreaterThanOrEqual(1);
  });

  test('refuses a table selector that names no table', async () => {
    // Act
    const unknown = await call('POST', '/_local/faults', {
      kind: 'table-read-delay',
      target: { tableNameContains: 'no-such-table' },
      probability: 1,
      latencyMs: 5,
    });

    // Assess
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'UNKNOWN_TARGET' });
  });
});

describe('a REST API taken down', () => {
  test('one API answers 503 without running its function while the other answers', async () => {
    // Prepare
    const before = (await invocations()).length;
    const fault = await setFault({
      kind: 'api-unavailable',
      target: { apiName: 'fixture-other' },
      probability: 1,
    });

    // Act
    const down = await fetch(output('PingUrl'));
    const downBody = (await down.json()) as unknown;
    // The main API's function calls the other API, as one service calls another.
    const callerView = await call('GET', '/other');
    const up = await call('GET', '/echo/still-up');
    const pingRuns = (await invocations()).slice(before).filter((run) => run.functionName.includes('Ping'));
    await call('DELETE', `/_local/faults/${fault.id}`);
    const back = await fetch(output('PingUrl'));

    // Assess
    expect(down.status).toBe(503);
    expect(downBody).toEqual({ message: 'Service Unavailable' });
    expect(callerView).toMatchObject({
      status: 200,
      body: { status: 503, body: { message: 'Service Unavailable' } },
    });
    expect(up.status).toBe(200);
    expect(pingRuns).toEqual([]);
    expect(fault.resolvedTargets).toEqual([expect.stringMatching(/^fixture-other \(.+\) stage prod$/)]);
    expect(back.status).toBe(200);
  });

  test('refuses an API or a stage that does not exist', async () => {
    // Act
    const unknownApi = await call('POST', '/_local/faults', {
      kind: 'api-unavailable',
      target: { apiNameContains: 'no-such-api' },
      probability: 1,
    });
    const unknownStage = await call('POST', '/_local/faults', {
      kind: 'api-unavailable',
      target: { apiName: 'fixture-other', stageName: 'no-such-stage' },
      probability: 1,
    });

    // Assess
    expect([unknownApi.status, unknownStage.status]).toEqual([422, 422]);
  });
});
