/**
 * The local SNS through the AWS SDK's own client, over HTTP (AWS Query): topics, subscriptions, and what
 * the `sqs` and `lambda` subscribers receive.
 */
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { listen, sendJson, type RunningServer } from '../../../src/cloud/http-server';
import { serveQueryProtocol } from '../../../src/http/query-protocol';
import { SnsEngine } from '../../../src/sns/sns-engine';
import type { SqsMessageAttributes } from '../../../src/sqs/sqs-engine';
import { localClientConfig } from '../../../src/testing/client-config';
import { waitUntil } from '../../../src/testing/eventually';
import { refusal } from '../../support/refusal';

interface QueueDelivery {
  readonly queueArn: string;
  readonly body: string;
  readonly attributes: SqsMessageAttributes;
}

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:alarms';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:notify';
const now = Date.parse('2026-12-07T12:00:00Z');
let engine: SnsEngine;
let queued: QueueDelivery[];
let invoked: { functionArn: string; event: unknown }[];
let server: RunningServer;
let sns: SNSClient;

beforeAll(async () => {
  server = await listen(0, async (req, res) => {
    if (await serveQueryProtocol([engine], req, res)) return;
    sendJson(res, 404, { message: 'not served' });
  });
  sns = new SNSClient({ ...localClientConfig(server.url), maxAttempts: 1 });
});

beforeEach(() => {
  queued = [];
  invoked = [];
  engine = new SnsEngine({
    clock: () => now,
    targets: {
      invokeFunction: async (functionArn, event) => {
        invoked.push({ functionArn, event });
      },
      sendToQueue: (queueArn, body, attributes) => {
        if (queueArn.endsWith(':missing')) throw new Error('The specified queue does not exist.');
        queued.push({ queueArn, body, attributes });
      },
    },
  });
});

afterAll(async () => {
  sns.destroy();
  await server.close();
});

async function topicWith(
  protocol: 'sqs' | 'lambda',
  endpoint: string,
  attributes: Record<string, string> = {},
) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alarms' }));
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: protocol,
      Endpoint: endpoint,
      Attributes: attributes,
      ReturnSubscriptionArn: true,
    }),
  );
  return { topicArn: TopicArn ?? '', subscriptionArn: SubscriptionArn ?? '' };
}

describe('topics', () => {
  it('creates, lists and describes a topic', async () => {
    // Act
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: 'alarms', Attributes: { DisplayName: 'Alarms' } }),
    );
    const again = await sns.send(
      new CreateTopicCommand({ Name: 'alarms', Attributes: { DisplayName: 'Alarms' } }),
    );
    const listed = await sns.send(new ListTopicsCommand({}));
    const attributes = await sns.send(new GetTopicAttributesCommand({ TopicArn }));

    // Assess
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:alarms');
    expect(again.TopicArn).toBe(TopicArn);
    expect(listed.Topics).toEqual([{ TopicArn }]);
    expect(attributes.Attributes).toMatchObject({
      TopicArn,
      DisplayName: 'Alarms',
      Owner: '000000000000',
      SubscriptionsConfirmed: '0',
    });
  });

  it('answers NotFound for a topic that does not exist', async () => {
    // Act
    const error = await refusal(
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nothing', Message: 'x' })),
    );

    // Assess
    expect(error).toMatchObject({ name: 'NotFoundException', status: 404 });
  });

  it('refuses a protocol it does not emulate', async () => {
    // Prepare
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alarms' }));

    // Act
    const error = await refusal(
      sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'ops@example.com' })),
    );

    // Assess
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('not emulated locally');
  });
});

describe('delivery', () => {
  it('sends an SQS subscriber the JSON notification, with the message attributes', async () => {
    // Prepare
    const { topicArn, subscriptionArn } = await topicWith('sqs', QUEUE_ARN);

    // Act
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: 'ALARM: "x"',
        Message: '{"AlarmName":"x"}',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );

    // Assess
    await waitUntil(() => queued.length === 1, { what: 'the delivery to the queue' });
    expect(queued[0]?.queueArn).toBe(QUEUE_ARN);
    expect(JSON.parse(queued[0]?.body ?? '{}')).toEqual({
      Type: 'Notification',
      MessageId,
      TopicArn: topicArn,
      Subject: 'ALARM: "x"',
      Message: '{"AlarmName":"x"}',
      Timestamp: '2026-12-07T12:00:00.000Z',
      SignatureVersion: '1',
      Signature: expect.any(String),
      SigningCertURL: expect.stringMatching(/^https:\/\/sns\.us-east-1\.amazonaws\.com\//),
      UnsubscribeURL: expect.stringContaining(encodeURIComponent(subscriptionArn)),
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
    expect(queued[0]?.attributes).toEqual({});
  });

  it('sends the raw message and its attributes with RawMessageDelivery', async () => {
    // Prepare
    const { topicArn } = await topicWith('sqs', QUEUE_ARN, { RawMessageDelivery: 'true' });

    // Act
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'plain',
        MessageAttributes: { count: { DataType: 'Number', StringValue: '3' } },
      }),
    );

    // Assess
    await waitUntil(() => queued.length === 1, { what: 'the delivery to the queue' });
    expect(queued[0]).toMatchObject({
      body: 'plain',
      attributes: { count: { DataType: 'Number', StringValue: '3' } },
    });
  });

  it('invokes a Lambda subscriber with the SNS event', async () => {
    // Prepare
    const { topicArn, subscriptionArn } = await topicWith('lambda', FUNCTION_ARN);

    // Act
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'hello' }));

    // Assess
    await waitUntil(() => invoked.length === 1, { what: 'the invocation' });
    expect(invoked[0]).toEqual({
      functionArn: FUNCTION_ARN,
      event: {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: subscriptionArn,
            Sns: {
              Type: 'Notification',
              MessageId,
              TopicArn: topicArn,
              Subject: null,
              Message: 'hello',
              Timestamp: '2026-12-07T12:00:00.000Z',
              SignatureVersion: '1',
              Signature: expect.any(String),
              SigningCertUrl: expect.any(String),
              UnsubscribeUrl: expect.stringContaining('Action=Unsubscribe'),
              MessageAttributes: {},
            },
          },
        ],
      },
    });
  });

  it('delivers only what the filter policy matches', async () => {
    // Prepare
    const { topicArn } = await topicWith('sqs', QUEUE_ARN, {
      FilterPolicy: JSON.stringify({ severity: ['high'], count: [{ numeric: ['>', 2] }] }),
    });
    const publish = (severity: string, count: string) =>
      sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: `${severity}-${count}`,
          MessageAttributes: {
            severity: { DataType: 'String', StringValue: severity },
            count: { DataType: 'Number', StringValue: count },
          },
        }),
      );

    // Act
    await publish('low', '5');
    await publish('high', '1');
    await publish('high', '5');

    // Assess
    await waitUntil(() => queued.length === 1 && engine.deliveriesPending === 0, { what: 'the deliveries' });
    expect(JSON.parse(queued[0]?.body ?? '{}').Message).toBe('high-5');
  });

  it('sends each protocol its own message with MessageStructure json', async () => {
    // Prepare
    const { topicArn } = await topicWith('sqs', QUEUE_ARN, { RawMessageDelivery: 'true' });

    // Act
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'd', sqs: 'for sqs' }),
      }),
    );

    // Assess
    await waitUntil(() => queued.length === 1, { what: 'the delivery' });
    expect(queued[0]?.body).toBe('for sqs');
  });

  it('records a delivery that fails, and delivers no further', async () => {
    // Prepare
    const { topicArn } = await topicWith('sqs', 'arn:aws:sqs:us-east-1:000000000000:missing');

    // Act
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'lost' }));

    // Assess
    await waitUntil(() => engine.deliveries().length === 1, { what: 'the delivery record' });
    expect(engine.deliveries()[0]).toMatchObject({
      outcome: 'failed',
      error: 'The specified queue does not exist.',
    });
  });

  it('publishes a batch, failing the entries SNS would refuse', async () => {
    // Prepare
    const { topicArn } = await topicWith('sqs', QUEUE_ARN, { RawMessageDelivery: 'true' });

    // Act
    const result = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          { Id: 'one', Message: 'first' },
          { Id: 'two', Message: 'second', Subject: 'bad\nsubject' },
        ],
      }),
    );

    // Assess
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['one']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'two', Code: 'InvalidParameter', SenderFault: true }),
    ]);
    await waitUntil(() => queued.length === 1, { what: 'the delivery' });
  });

  it('stops delivering to a subscription once unsubscribed', async () => {
    // Prepare
    const { topicArn, subscriptionArn } = await topicWith('sqs', QUEUE_ARN);

    // Act
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'nobody' }));

    // Assess
    expect(listed.Subscriptions).toEqual([]);
    expect(engine.deliveriesPending).toBe(0);
    expect(queued).toEqual([]);
  });
});
