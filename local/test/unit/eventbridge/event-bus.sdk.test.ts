import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  EventBridgeEngine,
  type DeliveryContext,
  type Target,
  type TargetDispatcher,
} from '../../../src/eventbridge/event-bus';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import { waitUntil } from '../../../src/testing/eventually';

class RecordingDispatcher implements TargetDispatcher {
  readonly deliveries: { target: Target; input: string; context: DeliveryContext }[] = [];

  async deliver(target: Target, input: string, context: DeliveryContext): Promise<void> {
    this.deliveries.push({ target, input, context });
  }

  async deliverToDeadLetter(): Promise<void> {}
}

/** Polls until `check` stops throwing, or fails with its last error at the deadline. */
const eventually = (check: () => void, timeoutMs = 5_000): Promise<void> =>
  waitUntil(check, { timeoutMs, intervalMs: 5 });

async function errorOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

const event = JSON.stringify({
  id: '1',
  account: '000000000000',
  source: 'orders',
  time: '2024-05-01T12:00:00Z',
  region: 'us-east-1',
  resources: [],
  'detail-type': 'OrderPlaced',
  detail: { total: 42 },
});

describe('the local EventBridge through the AWS SDK', () => {
  let dispatcher: RecordingDispatcher;
  let engine: EventBridgeEngine;
  let server: http.Server;
  let client: EventBridgeClient;

  beforeAll(async () => {
    dispatcher = new RecordingDispatcher();
    engine = new EventBridgeEngine({ dispatcher });
    engine.putRule({ name: 'placed', eventPattern: { source: ['orders'] } });
    engine.putTargets('placed', undefined, [{ id: 'consumer', arn: 'arn:aws:sqs:us-east-1:000000000000:q' }]);
    server = http.createServer((req, res) => {
      void serveJsonProtocol([engine], req, res).then((served) => {
        if (!served) {
          res.writeHead(404).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new EventBridgeClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    engine.close();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  it('accepts events and delivers them to the matching rule', async () => {
    // Act
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'orders',
            DetailType: 'OrderPlaced',
            Detail: JSON.stringify({ orderId: 'o-sdk' }),
            Time: new Date('2024-05-01T12:00:00.500Z'),
          },
        ],
      }),
    );

    // Assess
    expect(output.FailedEntryCount).toBe(0);
    const eventId = output.Entries?.[0]?.EventId;
    expect(eventId).toEqual(expect.any(String));
    await eventually(() =>
      expect(dispatcher.deliveries.map((delivery) => delivery.context.eventId)).toContain(eventId),
    );
    const delivered = dispatcher.deliveries.find((delivery) => delivery.context.eventId === eventId);
    expect(JSON.parse(delivered?.input ?? '')).toMatchObject({
      time: '2024-05-01T12:00:00Z',
      detail: { orderId: 'o-sdk' },
    });
  });

  it('counts an entry without Detail as failed and still accepts the others', async () => {
    // Act
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'orders', DetailType: 'OrderPlaced' },
          { Source: 'orders', DetailType: 'OrderPlaced', Detail: '{}' },
        ],
      }),
    );

    // Assess
    expect(output.FailedEntryCount).toBe(1);
    expect(output.Entries?.[0]).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
    });
    expect(output.Entries?.[1]?.EventId).toEqual(expect.any(String));
  });

  it('accepts an event for an unknown bus without a failed entry, as AWS does, and drops it', async () => {
    // Act
    const output = await client.send(
      new PutEventsCommand({
        Entries: [{ Source: 'orders', DetailType: 'OrderPlaced', Detail: '{}', EventBusName: 'missing-bus' }],
      }),
    );

    // Assess
    expect(output.FailedEntryCount).toBe(0);
    const eventId = output.Entries?.[0]?.EventId;
    expect(engine.deliveries().find((record) => record.eventId === eventId)?.outcome).toBe('bus-not-found');
  });

  it('rejects a request of eleven entries with ValidationException', async () => {
    // Prepare
    const entry = { Source: 'orders', DetailType: 'OrderPlaced', Detail: '{}' };

    // Act
    const error = await errorOf(
      client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) })),
    );

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('tests an event pattern', async () => {
    // Act
    const matching = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"source":["orders"]}', Event: event }),
    );
    const other = await client.send(
      new TestEventPatternCommand({ EventPattern: '{"source":["billing"]}', Event: event }),
    );

    // Assess
    expect(matching.Result).toBe(true);
    expect(other.Result).toBe(false);
  });

  it('surfaces an invalid pattern as InvalidEventPatternException', async () => {
    // Act
    const error = await errorOf(
      client.send(new TestEventPatternCommand({ EventPattern: '{"source":"orders"}', Event: event })),
    );

    // Assess
    expect(error.name).toBe('InvalidEventPatternException');
    expect(error.message).toMatch(/^Event pattern is not valid\. Reason: /);
  });

  it('answers the inspection calls', async () => {
    // Act
    const rules = await client.send(new ListRulesCommand({}));
    const bus = await client.send(new DescribeEventBusCommand({}));
    const missing = await errorOf(client.send(new DescribeEventBusCommand({ Name: 'missing-bus' })));

    // Assess
    expect(rules.Rules?.map((rule) => [rule.Name, rule.State, rule.EventBusName])).toEqual([
      ['placed', 'ENABLED', 'default'],
    ]);
    expect(bus.Arn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/default');
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});
