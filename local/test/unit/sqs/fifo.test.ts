import { createHash } from 'node:crypto';
import {
  checkFifoId,
  contentDeduplicationId,
  deduplicationKey,
  receivableMessages,
  type OrderedMessage,
} from '../../../src/sqs/fifo';

const NOW = 1_000_000;

interface Message extends OrderedMessage {
  readonly id: string;
}

const visible = (id: string, groupId?: string): Message => ({ id, groupId, visibleAt: NOW });
const hidden = (id: string, groupId?: string): Message => ({ id, groupId, visibleAt: NOW + 1 });

function ids(messages: Iterable<Message>): string[] {
  return [...messages].map((message) => message.id);
}

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

describe('checkFifoId', () => {
  it.each([['a'], ['a'.repeat(128)], ['!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'], [undefined]])(
    'accepts %j',
    (value) => {
      // Act
      const check = () => checkFifoId('MessageGroupId', value);

      // Assess
      expect(check).not.toThrow();
    },
  );

  it.each([[''], ['a'.repeat(129)], ['group 123'], ['é']])('refuses %j as SQS does', (value) => {
    // Act
    const error = errorOf(() => checkFifoId('MessageDeduplicationId', value));

    // Assess
    expect(error).toMatchObject({
      code: 'InvalidParameterValueException',
      queryErrorCode: 'InvalidParameterValue',
      message: `Value ${value} for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    });
  });
});

describe('deduplication', () => {
  it('derives a content-based id from the body alone, as SHA-256', () => {
    // Act
    const id = contentDeduplicationId('Hello World!');

    // Assess
    expect(id).toBe(createHash('sha256').update('Hello World!').digest('hex'));
  });

  it('scopes ids to the queue or, in high-throughput mode, to the message group', () => {
    // Act
    const queueWide = [deduplicationKey('queue', 'a', 'd'), deduplicationKey('queue', 'b', 'd')];
    const perGroup = [deduplicationKey('messageGroup', 'a', 'd'), deduplicationKey('messageGroup', 'b', 'd')];

    // Assess
    expect(queueWide[0]).toBe(queueWide[1]);
    expect(perGroup[0]).not.toBe(perGroup[1]);
  });
});

describe('receivableMessages', () => {
  it('takes every visible message of a standard queue, groups or not', () => {
    // Prepare
    const messages = [hidden('1', 'g'), visible('2', 'g'), visible('3')];

    // Act
    const taken = ids(receivableMessages(messages, NOW, false));

    // Assess
    expect(taken).toEqual(['2', '3']);
  });

  it('holds a FIFO group back behind a message in flight or delayed, and lets other groups through', () => {
    // Prepare
    const messages = [hidden('a1', 'a'), visible('b1', 'b'), visible('a2', 'a'), visible('b2', 'b')];

    // Act
    const taken = ids(receivableMessages(messages, NOW, true));

    // Assess
    expect(taken).toEqual(['b1', 'b2']);
  });

  it('takes the messages of a FIFO group in order once nothing earlier is in flight', () => {
    // Prepare
    const messages = [visible('a1', 'a'), visible('a2', 'a'), hidden('b1', 'b'), visible('b2', 'b')];

    // Act
    const taken = ids(receivableMessages(messages, NOW, true));

    // Assess
    expect(taken).toEqual(['a1', 'a2']);
  });
});
