import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AddPermissionCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
  type Message,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { AwsServiceError, type JsonProtocolService } from '../../../src/aws-protocol';
import { serveJsonProtocol } from '../../../src/http/json-protocol';
import { SqsEngine } from '../../../src/sqs/sqs-engine';
import { waitUntil } from '../../../src/testing/eventually';

class FakeClock {
  constructor(private ms: number) {}
  readonly now = (): number => this.ms;
  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

const START = Date.UTC(2025, 0, 1);

/** Polls `check`, yielding to the event loop (the clock is injected), until it holds. */
const eventually = (check: () => boolean, what: string, timeoutMs = 5000): Promise<void> =>
  waitUntil(check, { what, timeoutMs, intervalMs: 0 });

/** The error `promise` rejects with (fails if it resolves); awaited at once so no rejection is unhandled. */
async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let server: Server;
let endpoint = '';
let services: JsonProtocolService[] = [];
let client: SQSClient;
let clock: FakeClock;
let engine: SqsEngine;

beforeAll(async () => {
  server = createServer((req, res) => {
    void serveJsonProtocol(services, req, res).then((handled) => {
      if (!handled) {
        res.statusCode = 404;
        res.end('no route');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  clock = new FakeClock(START);
  engine = new SqsEngine({ endpointUrl: () => endpoint, now: clock.now });
  services = [engine];
});

afterEach(() => {
  engine.close();
});

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return QueueUrl;
}

async function receive(
  queueUrl: string,
  extra: Partial<ReceiveMessageCommand['input']> = {},
): Promise<Message[]> {
  const { Messages } = await client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['All'], ...extra }),
  );
  return Messages ?? [];
}

async function attributes(queueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  return Attributes ?? {};
}

describe('SqsEngine over the AWS JSON 1.0 protocol', () => {
  describe('queues', () => {
    it('creates a queue, finds it by name and lists it by prefix, page by page', async () => {
      // Prepare
      const ordersUrl = await createQueue('orders');
      await createQueue('orders-dlq');
      await createQueue('payments');

      // Act
      const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
      const all = await client.send(new ListQueuesCommand({}));
      const firstPage = await client.send(
        new ListQueuesCommand({ QueueNamePrefix: 'orders', MaxResults: 1 }),
      );
      const secondPage = await client.send(
        new ListQueuesCommand({ QueueNamePrefix: 'orders', MaxResults: 1, NextToken: firstPage.NextToken }),
      );

      // Assess
      expect(ordersUrl).toBe(`${endpoint}/000000000000/orders`);
      expect(QueueUrl).toBe(ordersUrl);
      expect(all.QueueUrls).toEqual([
        ordersUrl,
        `${endpoint}/000000000000/orders-dlq`,
        `${endpoint}/000000000000/payments`,
      ]);
      expect(all.NextToken).toBeUndefined();
      expect(firstPage.QueueUrls).toEqual([ordersUrl]);
      expect(secondPage.QueueUrls).toEqual([`${endpoint}/000000000000/orders-dlq`]);
      expect(secondPage.NextToken).toBeUndefined();
    });

    it('deletes a queue, after which the SDK sees QueueDoesNotExist', async () => {
      // Prepare
      const queueUrl = await createQueue('doomed');

      // Act
      await client.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      const error: unknown = await client
        .send(new GetQueueUrlCommand({ QueueName: 'doomed' }))
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(QueueDoesNotExist);
      expect(error).toMatchObject({
        name: 'QueueDoesNotExist',
        message: 'The specified queue does not exist.',
        $metadata: { httpStatusCode: 400 },
      });
      expect((await client.send(new ListQueuesCommand({}))).QueueUrls).toBeUndefined();
    });

    it('accepts a QueueUrl on another host as long as its last segment names a queue', async () => {
      // Prepare
      await createQueue('elsewhere');

      // Act
      await client.send(
        new SendMessageCommand({
          QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/elsewhere',
          MessageBody: 'hello',
        }),
      );

      // Assess
      expect(engine.approximateCounts('elsewhere').visible).toBe(1);
    });

    it('returns the existing queue for identical attributes and rejects different ones', async () => {
      // Prepare
      const first = await createQueue('same', { VisibilityTimeout: '45' });

      // Act
      const second = await createQueue('same', { VisibilityTimeout: '45' });
      const conflict = await errorOf(
        client.send(new CreateQueueCommand({ QueueName: 'same', Attributes: { VisibilityTimeout: '46' } })),
      );

      // Assess
      expect(second).toBe(first);
      expect(conflict).toMatchObject({ name: 'QueueNameExists' });
    });

    it('rejects invalid names, FIFO names on standard queues and out-of-range attributes', async () => {
      // Act
      const fifoName = await errorOf(client.send(new CreateQueueCommand({ QueueName: 'jobs.fifo' })));
      const badName = await errorOf(client.send(new CreateQueueCommand({ QueueName: 'no spaces' })));
      const badTimeout = await errorOf(
        client.send(
          new CreateQueueCommand({ QueueName: 'slow', Attributes: { VisibilityTimeout: '43201' } }),
        ),
      );
      const unknown = await errorOf(
        client.send(
          new CreateQueueCommand({
            QueueName: 'odd',
            Attributes: { ['Colour' as string as QueueAttributeName]: 'blue' },
          }),
        ),
      );

      // Assess
      expect(fifoName).toMatchObject({ name: 'InvalidParameterValue' });
      expect(badName).toMatchObject({ name: 'InvalidParameterValue' });
      expect(badTimeout).toMatchObject({ name: 'InvalidAttributeValue' });
      expect(unknown).toMatchObject({ name: 'InvalidAttributeName' });
      expect(engine.listQueueNames()).toEqual([]);
    });

    it('reports and updates queue attributes', async () => {
      // Prepare
      const dlqUrl = await createQueue('attrs-dlq');
      const queueUrl = await createQueue('attrs', { DelaySeconds: '5' });
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'delayed' }));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'now', DelaySeconds: 0 }));
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'taken', DelaySeconds: 0 }),
      );
      await receive(queueUrl, { MaxNumberOfMessages: 1 });
      const redrivePolicy = JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:attrs-dlq',
        maxReceiveCount: 4,
      });

      // Act
      const before = await attributes(queueUrl);
      clock.advanceSeconds(10);
      await client.send(
        new SetQueueAttributesCommand({
          QueueUrl: queueUrl,
          Attributes: { VisibilityTimeout: '60', RedrivePolicy: redrivePolicy },
        }),
      );
      const after = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['VisibilityTimeout', 'RedrivePolicy', 'LastModifiedTimestamp'],
        }),
      );
      const sources = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));

      // Assess
      expect(before).toEqual({
        QueueArn: 'arn:aws:sqs:us-east-1:000000000000:attrs',
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '1',
        ApproximateNumberOfMessagesDelayed: '1',
        CreatedTimestamp: String(START / 1000),
        LastModifiedTimestamp: String(START / 1000),
        VisibilityTimeout: '30',
        DelaySeconds: '5',
        MessageRetentionPeriod: '345600',
        ReceiveMessageWaitTimeSeconds: '0',
        MaximumMessageSize: '1048576',
        SqsManagedSseEnabled: 'true',
      });
      expect(after.Attributes).toEqual({
        VisibilityTimeout: '60',
        RedrivePolicy: redrivePolicy,
        LastModifiedTimestamp: String(START / 1000 + 10),
      });
      expect(sources.queueUrls).toEqual([queueUrl]);
    });

    it('rejects unknown attribute names and a redrive policy to a missing queue', async () => {
      // Prepare
      const queueUrl = await createQueue('strict');

      // Act
      const get = await errorOf(
        client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['Nope' as string as QueueAttributeName],
          }),
        ),
      );
      const set = await errorOf(
        client.send(
          new SetQueueAttributesCommand({
            QueueUrl: queueUrl,
            Attributes: {
              RedrivePolicy: JSON.stringify({
                deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing',
                maxReceiveCount: 3,
              }),
            },
          }),
        ),
      );

      // Assess
      expect(get).toMatchObject({ name: 'InvalidAttributeName' });
      expect(set).toMatchObject({
        name: 'InvalidParameterValue',
        message: expect.stringContaining('Dead-letter target does not exist'),
      });
    });

    it('tags queues', async () => {
      // Prepare
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({ QueueName: 'tagged', tags: { team: 'orders' } }),
      );

      // Act
      await client.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'local', tier: 'gold' } }));
      await client.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['tier'] }));
      const { Tags } = await client.send(new ListQueueTagsCommand({ QueueUrl }));

      // Assess
      expect(Tags).toEqual({ team: 'orders', env: 'local' });
    });

    it('purges a queue', async () => {
      // Prepare
      const queueUrl = await createQueue('purged');
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one' }));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'two' }));

      // Act
      await client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));

      // Assess
      expect(await receive(queueUrl)).toEqual([]);
      expect(engine.approximateCounts('purged')).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    });

    it('answers an SQS operation it does not emulate with UnsupportedOperation', async () => {
      // Prepare
      const queueUrl = await createQueue('private');

      // Act
      const add = await errorOf(
        client.send(
          new AddPermissionCommand({ QueueUrl: queueUrl, Label: 'l', AWSAccountIds: ['1'], Actions: ['*'] }),
        ),
      );

      // Assess
      expect(add).toMatchObject({ name: 'UnsupportedOperation' });
    });
  });

  describe('messages', () => {
    it('sends and receives a message with its body MD5 and system attributes', async () => {
      // Prepare
      const queueUrl = await createQueue('plain');

      // Act
      const sent = await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'Héllo! 😀' }),
      );
      clock.advanceSeconds(2);
      const [message, ...rest] = await receive(queueUrl, { MaxNumberOfMessages: 10 });

      // Assess
      expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('Héllo! 😀', 'utf8').digest('hex'));
      expect(rest).toEqual([]);
      expect(message).toMatchObject({
        MessageId: sent.MessageId,
        Body: 'Héllo! 😀',
        MD5OfBody: sent.MD5OfMessageBody,
        Attributes: {
          SenderId: '000000000000',
          SentTimestamp: String(START),
          ApproximateReceiveCount: '1',
          ApproximateFirstReceiveTimestamp: String(START + 2000),
        },
      });
      expect(message?.MessageAttributes).toBeUndefined();
    });

    it('returns the MD5 of the body that AWS returns', async () => {
      // Prepare
      const queueUrl = await createQueue('md5');

      // Act
      const sent = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'derp' }));

      // Assess: the digest moto's suite pins for this body.
      expect(sent.MD5OfMessageBody).toBe('58fd9edd83341c29f1aebba81c31e257');
    });

    it('computes MD5OfMessageAttributes as AWS does, over the attributes returned', async () => {
      // Prepare: the digests moto's SQS suite pins as AWS's for these attributes.
      const queueUrl = await createQueue('attributes');
      const single = { timestamp: { DataType: 'Number', StringValue: '1493147359900' } };
      const mixed = {
        ccc: { DataType: 'String', StringValue: 'testjunk' },
        aaa: { DataType: 'Binary', BinaryValue: Uint8Array.from([2, 3, 4]) },
        zzz: { DataType: 'Number', StringValue: '0230.01' },
        öther_encodings: { DataType: 'String', StringValue: 'Tüst' },
      };

      // Act
      const sentSingle = await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'derp', MessageAttributes: single }),
      );
      const sentMixed = await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: 'derp',
          MessageAttributes: { ...mixed, timestamp: single.timestamp },
        }),
      );
      const [first, second] = await receive(queueUrl, {
        MaxNumberOfMessages: 2,
        MessageAttributeNames: ['All'],
      });
      clock.advanceSeconds(31);
      const subset = await receive(queueUrl, {
        MaxNumberOfMessages: 2,
        MessageAttributeNames: ['timestamp'],
      });

      // Assess
      expect(sentSingle.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
      expect(first?.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
      expect(first?.MessageAttributes).toEqual(single);
      expect(second?.MessageAttributes).toEqual({ ...mixed, timestamp: single.timestamp });
      expect(sentMixed.MD5OfMessageAttributes).toBe(second?.MD5OfMessageAttributes);
      expect(subset.map((message) => message.MD5OfMessageAttributes)).toEqual([
        '235c5c510d26fb653d073faed50ae77c',
        '235c5c510d26fb653d073faed50ae77c',
      ]);
      expect(subset.map((message) => Object.keys(message.MessageAttributes ?? {}))).toEqual([
        ['timestamp'],
        ['timestamp'],
      ]);
    });

    it('matches the multi-attribute digest AWS gives, binary included', () => {
      // Prepare
      engine.createQueue('vector');

      // Act
      const sent = engine.sendMessage('vector', 'derp', {
        ccc: { DataType: 'String', StringValue: 'testjunk' },
        aaa: { DataType: 'Binary', BinaryValue: Buffer.from([2, 3, 4]).toString('base64') },
        zzz: { DataType: 'Number', StringValue: '0230.01' },
        öther_encodings: { DataType: 'String', StringValue: 'Tüst' },
      });

      // Assess: the digest moto's SQS suite pins for these attributes.
      expect(sent.md5OfMessageAttributes).toBe('8ae21a7957029ef04146b42aeaa18a22');
    });

    it('enforces the 1 MiB limit, the body alphabet and non-empty bodies', async () => {
      // Prepare
      const queueUrl = await createQueue('limits');
      const send = (body: string): Promise<unknown> =>
        client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

      // Act
      const atLimit = await send('x'.repeat(1_048_576));
      const tooLong = await errorOf(send('x'.repeat(1_048_577)));
      const control = await errorOf(send('bell \u0007'));
      const empty = await errorOf(send(''));

      // Assess
      expect(atLimit).toMatchObject({ MessageId: expect.any(String) });
      expect(tooLong).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
      });
      expect(control).toMatchObject({ name: 'InvalidMessageContents' });
      expect(empty).toMatchObject({
        name: 'MissingParameter',
        message: 'The request must contain the parameter MessageBody.',
      });
    });

    it('holds a delayed message back until its delay has passed', async () => {
      // Prepare
      const queueUrl = await createQueue('delays');
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 5 }),
      );

      // Act
      const early = await receive(queueUrl);
      const countsWhileDelayed = engine.approximateCounts('delays');
      clock.advanceSeconds(5);
      const onTime = await receive(queueUrl);

      // Assess
      expect(early).toEqual([]);
      expect(countsWhileDelayed).toEqual({ visible: 0, notVisible: 0, delayed: 1 });
      expect(onTime.map((message) => message.Body)).toEqual(['later']);
    });

    it('hides a received message for the visibility timeout and counts its receives', async () => {
      // Prepare
      const queueUrl = await createQueue('visibility', { VisibilityTimeout: '30' });
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'work' }));

      // Act
      const first = await receive(queueUrl);
      clock.advanceSeconds(29);
      const whileHidden = await receive(queueUrl);
      const countsWhileHidden = engine.approximateCounts('visibility');
      clock.advanceSeconds(1);
      const second = await receive(queueUrl, { VisibilityTimeout: 5 });
      clock.advanceSeconds(5);
      const third = await receive(queueUrl);

      // Assess
      expect(whileHidden).toEqual([]);
      expect(countsWhileHidden).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
      expect([first, second, third].map((batch) => batch[0]?.Attributes?.ApproximateReceiveCount)).toEqual([
        '1',
        '2',
        '3',
      ]);
      expect(third[0]?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(String(START));
      expect(third[0]?.ReceiptHandle).not.toBe(first[0]?.ReceiptHandle);
    });

    it('changes visibility of received messages, singly and in batches', async () => {
      // Prepare
      const queueUrl = await createQueue('change');
      for (const body of ['a', 'b', 'c']) {
        await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      }
      const [a, b, c] = await receive(queueUrl, { MaxNumberOfMessages: 3 });

      // Act
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: a?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      const batch = await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'b', ReceiptHandle: b?.ReceiptHandle, VisibilityTimeout: 0 },
            { Id: 'c', ReceiptHandle: c?.ReceiptHandle, VisibilityTimeout: 600 },
            { Id: 'bogus', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 0 },
          ],
        }),
      );
      const visibleAgain = await receive(queueUrl, { MaxNumberOfMessages: 10 });
      clock.advanceSeconds(30);
      const afterQueueTimeout = await receive(queueUrl, { MaxNumberOfMessages: 10 });

      // Assess
      expect(batch.Successful).toEqual([{ Id: 'b' }, { Id: 'c' }]);
      expect(batch.Failed).toEqual([
        { Id: 'bogus', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) },
      ]);
      expect(visibleAgain.map((message) => message.Body).sort()).toEqual(['a', 'b']);
      expect(afterQueueTimeout.map((message) => message.Body).sort()).toEqual(['a', 'b']);
    });

    it('refuses to change the visibility of a message not in flight', async () => {
      // Prepare
      const queueUrl = await createQueue('not-in-flight');
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
      const [message] = await receive(queueUrl, { VisibilityTimeout: 1 });
      clock.advanceSeconds(1);

      // Act
      const change = await errorOf(
        client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message?.ReceiptHandle,
            VisibilityTimeout: 10,
          }),
        ),
      );

      // Assess
      expect(change).toMatchObject({
        name: 'InvalidParameterValue',
        message: expect.stringContaining(
          'Message does not exist or is not available for visibility timeout change',
        ),
      });
    });

    it('deletes by receipt handle, accepting a stale handle and rejecting an invalid one', async () => {
      // Prepare
      const queueUrl = await createQueue('deletes', { VisibilityTimeout: '10' });
      const otherUrl = await createQueue('other');
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
      const [first] = await receive(queueUrl);
      clock.advanceSeconds(10);
      const [again] = await receive(queueUrl);

      // Act
      const wrongQueue = await errorOf(
        client.send(new DeleteMessageCommand({ QueueUrl: otherUrl, ReceiptHandle: first?.ReceiptHandle })),
      );
      const garbage = await errorOf(
        client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'garbage' })),
      );
      const countsBeforeDelete = engine.approximateCounts('deletes');
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first?.ReceiptHandle }),
      );
      const countsAfterStaleDelete = engine.approximateCounts('deletes');
      // Deleting what is already gone succeeds, as on AWS.
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again?.ReceiptHandle }),
      );

      // Assess
      expect(again?.MessageId).toBe(first?.MessageId);
      expect(again?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
      expect(wrongQueue).toMatchObject({ name: 'ReceiptHandleIsInvalid' });
      expect(garbage).toMatchObject({ name: 'ReceiptHandleIsInvalid' });
      expect(countsBeforeDelete).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
      expect(countsAfterStaleDelete).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    });

    it('deletes in batches, reporting each entry', async () => {
      // Prepare
      const queueUrl = await createQueue('batch-delete');
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'a' }));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'b' }));
      const [a, b] = await receive(queueUrl, { MaxNumberOfMessages: 2 });

      // Act
      const result = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'a', ReceiptHandle: a?.ReceiptHandle },
            { Id: 'b', ReceiptHandle: b?.ReceiptHandle },
            { Id: 'broken', ReceiptHandle: 'bm9wZQ==' },
          ],
        }),
      );

      // Assess
      expect(result.Successful).toEqual([{ Id: 'a' }, { Id: 'b' }]);
      expect(result.Failed).toEqual([
        { Id: 'broken', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) },
      ]);
      expect(engine.approximateCounts('batch-delete')).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    });

    it('sends in batches, with per-entry results and MD5s the SDK checks', async () => {
      // Prepare
      const queueUrl = await createQueue('batch-send');

      // Act
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'one', MessageBody: 'first' },
            {
              Id: 'two',
              MessageBody: 'second',
              DelaySeconds: 3,
              MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
            },
            { Id: 'empty', MessageBody: '' },
            { Id: 'late', MessageBody: 'late', DelaySeconds: 901 },
          ],
        }),
      );

      // Assess
      expect(result.Successful?.map((entry) => entry.Id)).toEqual(['one', 'two']);
      expect(result.Successful?.[1]?.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
      expect(result.Failed).toEqual([
        { Id: 'empty', SenderFault: true, Code: 'MissingParameter', Message: expect.any(String) },
        { Id: 'late', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.any(String) },
      ]);
      expect(engine.approximateCounts('batch-send')).toEqual({ visible: 1, notVisible: 0, delayed: 1 });
    });

    it('rejects malformed batches as a whole', async () => {
      // Prepare
      const queueUrl = await createQueue('batch-rules');
      const sendBatch = (entries: { Id: string; MessageBody: string }[]): Promise<unknown> =>
        client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));

      // Act
      const empty = await errorOf(sendBatch([]));
      const tooMany = await errorOf(sendBatch(eleven));
      const repeated = await errorOf(
        sendBatch([
          { Id: 'same', MessageBody: 'x' },
          { Id: 'same', MessageBody: 'y' },
        ]),
      );
      const badId = await errorOf(sendBatch([{ Id: 'not ok!', MessageBody: 'x' }]));
      const tooLong = await errorOf(
        sendBatch([
          { Id: 'a', MessageBody: 'x'.repeat(600_000) },
          { Id: 'b', MessageBody: 'x'.repeat(500_000) },
        ]),
      );

      // Assess
      expect(empty).toMatchObject({ name: 'EmptyBatchRequest' });
      expect(tooMany).toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
      expect(repeated).toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
      expect(badId).toMatchObject({ name: 'InvalidBatchEntryId' });
      expect(tooLong).toMatchObject({ name: 'BatchRequestTooLong' });
      expect(engine.approximateCounts('batch-rules').visible).toBe(0);
    });

    it('validates MaxNumberOfMessages', async () => {
      // Prepare
      const queueUrl = await createQueue('max');

      // Act
      const tooMany = await errorOf(receive(queueUrl, { MaxNumberOfMessages: 11 }));

      // Assess
      expect(tooMany).toMatchObject({
        name: 'InvalidParameterValue',
        message: expect.stringContaining('MaxNumberOfMessages'),
      });
    });

    it('drops messages older than the retention period', async () => {
      // Prepare
      const queueUrl = await createQueue('retention', { MessageRetentionPeriod: '60' });
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'old' }));

      // Act
      clock.advanceSeconds(60);
      const messages = await receive(queueUrl);

      // Assess
      expect(messages).toEqual([]);
      expect(engine.approximateCounts('retention').visible).toBe(0);
    });
  });

  describe('FIFO queues', () => {
    const fifoQueue = (name: string, attributes: Record<string, string> = {}): Promise<string> =>
      createQueue(name, { FifoQueue: 'true', ContentBasedDeduplication: 'true', ...attributes });

    it('receives a message group in order, holding it back while one of its messages is in flight', async () => {
      // Prepare
      const queueUrl = await fifoQueue('groups.fifo');
      const sent = [];
      for (const [body, group] of [
        ['a1', 'a'],
        ['a2', 'a'],
        ['b1', 'b'],
      ] as const) {
        sent.push(
          await client.send(
            new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: group }),
          ),
        );
      }

      // Act
      const first = await receive(queueUrl);
      const whileHeld = await receive(queueUrl, { MaxNumberOfMessages: 10 });
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first[0]?.ReceiptHandle }),
      );
      const afterDelete = await receive(queueUrl, { MaxNumberOfMessages: 10 });

      // Assess
      expect(first.map((message) => message.Body)).toEqual(['a1']);
      expect(whileHeld.map((message) => message.Body)).toEqual(['b1']);
      expect(afterDelete.map((message) => message.Body)).toEqual(['a2']);
      expect(first[0]?.Attributes).toMatchObject({
        MessageGroupId: 'a',
        MessageDeduplicationId: createHash('sha256').update('a1').digest('hex'),
        SequenceNumber: sent[0]?.SequenceNumber,
      });
      const sequenceNumbers = sent.map((result) => BigInt(result.SequenceNumber ?? '0'));
      expect([...sequenceNumbers].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequenceNumbers);
    });

    it('accepts a duplicate within 5 minutes without delivering it, and delivers it after', async () => {
      // Prepare
      const queueUrl = await fifoQueue('dedup.fifo', { ContentBasedDeduplication: 'false' });
      const send = () =>
        client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: 'charge',
            MessageGroupId: 'order-1',
            MessageDeduplicationId: 'charge-1',
          }),
        );

      // Act
      const original = await send();
      clock.advanceSeconds(299);
      const duplicate = await send();
      const countsWithin = engine.approximateCounts('dedup.fifo');
      clock.advanceSeconds(1);
      const later = await send();

      // Assess
      expect(duplicate.MessageId).toBe(original.MessageId);
      expect(duplicate.SequenceNumber).toBe(original.SequenceNumber);
      expect(countsWithin.visible).toBe(1);
      expect(later.MessageId).not.toBe(original.MessageId);
      expect(engine.approximateCounts('dedup.fifo').visible).toBe(2);
    });

    it('expires a receipt handle with its visibility timeout or the next receive', async () => {
      // Prepare
      const queueUrl = await fifoQueue('handles.fifo', { VisibilityTimeout: '10' });
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', MessageGroupId: 'g' }),
      );
      const [first] = await receive(queueUrl);
      clock.advanceSeconds(10);
      const deleteFirst = () =>
        client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first?.ReceiptHandle }));

      // Act
      const expired = await errorOf(deleteFirst());
      const [again] = await receive(queueUrl);
      const stale = await errorOf(deleteFirst());
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again?.ReceiptHandle }),
      );

      // Assess
      for (const error of [expired, stale]) {
        expect(error).toMatchObject({
          name: 'InvalidParameterValue',
          message: `Value ${first?.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
        });
      }
      expect(engine.approximateCounts('handles.fifo')).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    });

    it('reports its FIFO attributes and refuses to become a standard queue', async () => {
      // Prepare
      const queueUrl = await fifoQueue('typed.fifo');

      // Act
      const shown = await attributes(queueUrl);
      const change = await errorOf(
        client.send(
          new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { FifoQueue: 'false' } }),
        ),
      );

      // Assess
      expect(shown).toMatchObject({
        FifoQueue: 'true',
        ContentBasedDeduplication: 'true',
        DeduplicationScope: 'queue',
        FifoThroughputLimit: 'perQueue',
      });
      expect(change).toMatchObject({ name: 'InvalidAttributeValue' });
    });
  });

  describe('AWS limits on queues', () => {
    it('purges a queue at most once every 60 seconds', async () => {
      // Prepare
      const queueUrl = await createQueue('purged-often');
      const purge = () => client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
      await purge();

      // Act
      const tooSoon = await errorOf(purge());
      clock.advanceSeconds(60);
      const aMinuteLater = await purge();

      // Assess
      expect(tooSoon).toMatchObject({
        name: 'PurgeQueueInProgress',
        message: 'Only one PurgeQueue operation on purged-often is allowed every 60 seconds.',
        $metadata: { httpStatusCode: 403 },
      });
      expect(aMinuteLater.$metadata.httpStatusCode).toBe(200);
    });

    it('leaves Failed out of a batch answer when every entry succeeds, as AWS does', async () => {
      // Prepare
      const queueUrl = await createQueue('all-good');

      // Act
      const result = await client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'a', MessageBody: 'x' }] }),
      );

      // Assess
      expect(result.Successful?.map((entry) => entry.Id)).toEqual(['a']);
      expect(result).not.toHaveProperty('Failed');
    });
  });

  describe('long polling', () => {
    it('resolves a waiting receive as soon as a message is sent', async () => {
      // Prepare
      const queueUrl = await createQueue('long-poll');
      const receiving = receive(queueUrl, { WaitTimeSeconds: 2 });
      await eventually(() => engine.pendingReceives('long-poll') === 1, 'the receive to wait');

      // Act
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'wake up' }));
      const messages = await receiving;

      // Assess
      expect(messages.map((message) => message.Body)).toEqual(['wake up']);
      expect(engine.pendingReceives('long-poll')).toBe(0);
    });

    it('returns nothing once the wait is over', async () => {
      // Prepare
      const queueUrl = await createQueue('quiet');
      const started = performance.now();

      // Act
      const messages = await receive(queueUrl, { WaitTimeSeconds: 1 });

      // Assess
      expect(messages).toEqual([]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    });

    it("waits by the queue's ReceiveMessageWaitTimeSeconds when the request names none", async () => {
      // Prepare
      const queueUrl = await createQueue('default-wait', { ReceiveMessageWaitTimeSeconds: '20' });
      const receiving = receive(queueUrl);
      await eventually(() => engine.pendingReceives('default-wait') === 1, 'the receive to wait');

      // Act
      engine.sendMessage('default-wait', 'by default');
      const messages = await receiving;

      // Assess
      expect(messages.map((message) => message.Body)).toEqual(['by default']);
    });

    it('wakes a waiting receive when a visibility timeout runs out', async () => {
      // Prepare
      const queueUrl = await createQueue('reappear', { VisibilityTimeout: '30' });
      engine.sendMessage('reappear', 'again');
      await receive(queueUrl);
      const receiving = receive(queueUrl, { WaitTimeSeconds: 20 });
      await eventually(() => engine.pendingReceives('reappear') === 1, 'the receive to wait');

      // Act
      clock.advanceSeconds(30);
      engine.refresh();
      const messages = await within(receiving, 5000, 'the reappeared message');

      // Assess
      expect(messages[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    });

    it('ends waiting receives on close()', async () => {
      // Prepare
      const queueUrl = await createQueue('closing');
      const receiving = receive(queueUrl, { WaitTimeSeconds: 20 });
      await eventually(() => engine.pendingReceives('closing') === 1, 'the receive to wait');

      // Act
      engine.close();
      const messages = await within(receiving, 5000, 'the cancelled receive');

      // Assess
      expect(messages).toEqual([]);
    });
  });

  describe('redrive', () => {
    it('moves a message to the dead-letter queue once received more than maxReceiveCount times', async () => {
      // Prepare
      const dlqUrl = await createQueue('work-dlq');
      const queueUrl = await createQueue('work', {
        VisibilityTimeout: '10',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq',
          maxReceiveCount: 2,
        }),
      });
      const sent = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));

      // Act
      const receives: Message[][] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        receives.push(await receive(queueUrl));
        clock.advanceSeconds(10);
      }
      const [dead] = await receive(dlqUrl);

      // Assess
      expect(receives.map((batch) => batch.length)).toEqual([1, 1, 0]);
      expect(dead).toMatchObject({
        MessageId: sent.MessageId,
        Body: 'poison',
        Attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(START),
          DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:work',
        },
      });
      expect(engine.approximateCounts('work')).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    });
  });

  describe('API for the local cloud', () => {
    it('resolves a queue by name, URL or ARN', () => {
      // Prepare
      const url = engine.createQueue('refs');

      // Act
      engine.sendMessage('refs', 'by name');
      engine.sendMessage(url, 'by url');
      engine.sendMessage(engine.queueArn('refs'), 'by arn');
      const received = engine.receive('refs', { max: 10 });

      // Assess
      expect(engine.queueArn('refs')).toBe('arn:aws:sqs:us-east-1:000000000000:refs');
      expect(engine.queueUrl('refs')).toBe(url);
      expect(received.map((message) => message.body)).toEqual(['by name', 'by url', 'by arn']);
      expect(() => engine.sendMessage('arn:aws:sqs:eu-west-1:000000000000:refs', 'x')).toThrow(
        AwsServiceError,
      );
    });

    it('receives, changes visibility and deletes without HTTP', () => {
      // Prepare
      engine.createQueue('direct', { VisibilityTimeout: '30' });
      engine.sendMessage(
        'direct',
        'body',
        { kind: { DataType: 'String', StringValue: 'k' } },
        { traceHeader: 'Root=1-a-b' },
      );

      // Act
      const [message] = engine.receive('direct', { max: 10, visibilityTimeoutSeconds: 60 });
      const hidden = engine.approximateCounts('direct');
      if (!message) throw new Error('no message');
      engine.changeVisibility('direct', message.receiptHandle, 0);
      const released = engine.approximateCounts('direct');
      engine.deleteMessage('direct', message.receiptHandle);

      // Assess
      expect(message.attributes).toMatchObject({
        ApproximateReceiveCount: '1',
        AWSTraceHeader: 'Root=1-a-b',
      });
      expect(message.messageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'k' } });
      expect(hidden).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
      expect(released).toEqual({ visible: 1, notVisible: 0, delayed: 0 });
      expect(engine.approximateCounts('direct')).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
      expect(engine.listQueueNames()).toEqual(['direct']);
    });

    it('tells onMessageAvailable listeners of sends and of delays running out, until they unsubscribe', async () => {
      // Prepare
      engine.createQueue('watched');
      let calls = 0;
      const unsubscribe = engine.onMessageAvailable('watched', () => (calls += 1));

      // Act
      engine.sendMessage('watched', 'now');
      await eventually(() => calls === 1, 'the send to be announced');
      engine.sendMessage('watched', 'later', {}, { delaySeconds: 60 });
      await Promise.resolve();
      const callsBeforeDelayEnds = calls;
      clock.advanceSeconds(60);
      engine.refresh();
      await eventually(() => calls === 2, 'the delay to end');
      unsubscribe();
      engine.sendMessage('watched', 'unheard');
      await Promise.resolve();

      // Assess
      expect(callsBeforeDelayEnds).toBe(1);
      expect(calls).toBe(2);
    });

    it('wakes its listeners for a message that becomes visible between two reads of the clock at its wake-up', async () => {
      // Prepare: a clock that moves 1 ms on every read once the message is 1 ms from visible, so the
      // engine's wake-up reads "not yet" once and "already" the next time.
      let ms = START;
      let tickOnRead = false;
      const ticking = new SqsEngine({
        endpointUrl: () => 'http://127.0.0.1:4566',
        now: () => (tickOnRead ? ms++ : ms),
      });
      ticking.createQueue('watched');
      let calls = 0;
      ticking.onMessageAvailable('watched', () => (calls += 1));
      ticking.sendMessage('watched', 'soon', {}, { delaySeconds: 1 });

      // Act
      ms = START + 999;
      tickOnRead = true;
      try {
        await eventually(() => calls > 0, 'the listener to be woken', 3_000);
      } finally {
        ticking.close();
      }

      // Assess
      expect(calls).toBeGreaterThan(0);
    });

    it('does not deliver a wake queued before the listener unsubscribed', async () => {
      // Prepare: a long poll that settled between the wake and its delivery must not receive for nobody.
      engine.createQueue('watched');
      let calls = 0;
      const unsubscribe = engine.onMessageAvailable('watched', () => (calls += 1));

      // Act: the send queues the wake in a microtask; the listener leaves before it runs.
      engine.sendMessage('watched', 'unheard');
      unsubscribe();
      await Promise.resolve();
      await Promise.resolve();

      // Assess
      expect(calls).toBe(0);
      expect(engine.waiters('watched')).toEqual({ listeners: 0 });
    });
  });
});

describe('serveJsonProtocol', () => {
  const failing: JsonProtocolService = {
    targetPrefix: 'Failing_20240101',
    jsonVersion: '1.1',
    maxRequestBodyBytes: 1024,
    handle: async (operation) => {
      if (operation === 'Throttle') throw new AwsServiceError('ThrottlingException', 'slow down', 400);
      throw new Error('boom');
    },
  };

  function post(
    target: string | undefined,
    body: string,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${endpoint}/`,
        { method: 'POST', headers: target ? { 'x-amz-target': target } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  beforeEach(() => {
    services = [engine, failing];
  });

  it('leaves requests without a known target prefix to other routes', async () => {
    // Act
    const unknown = await post('DynamoDB_20120810.PutItem', '{}');
    const none = await post(undefined, '{}');

    // Assess
    expect([unknown.status, none.status]).toEqual([404, 404]);
    expect(unknown.body).toBe('no route');
  });

  it('writes AWS error documents, with the query error header when the service has one', async () => {
    // Act
    const missing = await post('AmazonSQS.GetQueueUrl', JSON.stringify({ QueueName: 'absent' }));
    const throttled = await post('Failing_20240101.Throttle', '{}');
    const crashed = await post('Failing_20240101.Anything', '{}');
    const malformed = await post('AmazonSQS.ListQueues', '{not json');

    // Assess
    expect(missing).toMatchObject({
      status: 400,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
      },
    });
    expect(JSON.parse(missing.body)).toEqual({
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
    expect(throttled.status).toBe(400);
    expect(throttled.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(throttled.headers['x-amzn-query-error']).toBeUndefined();
    expect(JSON.parse(throttled.body)).toEqual({ __type: 'ThrottlingException', message: 'slow down' });
    expect(crashed.status).toBe(500);
    expect(JSON.parse(crashed.body)).toEqual({ __type: 'InternalFailure', message: 'boom' });
    expect(JSON.parse(malformed.body)).toMatchObject({ __type: 'com.amazonaws.sqs#SerializationException' });
  });
});
