/**
 * What SNS delivers: the JSON notification an SQS subscriber receives (unless `RawMessageDelivery`), the
 * event a Lambda subscriber is invoked with, and the message attributes in each one's shape. Signatures are
 * placeholders: nothing locally holds SNS's signing key, and no local subscriber checks them.
 */
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../aws-protocol';
import type { SqsMessageAttributes } from '../sqs/sqs-engine';

/** A message attribute as `Publish` takes it. */
export interface SnsMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64. */
  readonly BinaryValue?: string;
}

export type SnsMessageAttributes = Readonly<Record<string, SnsMessageAttribute>>;

export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly timestamp: Date;
  readonly attributes: SnsMessageAttributes;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly sequenceNumber?: string;
}

const SIGNATURE_PLACEHOLDER = 'TE9DQUwtQ0xPVUQtVU5TSUdORUQ=';

export function signingCertUrl(): string {
  return `https://sns.${LOCAL_REGION}.amazonaws.com/SimpleNotificationService-local.pem`;
}

export function unsubscribeUrl(subscriptionArn: string): string {
  return (
    `https://sns.${LOCAL_REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=` +
    encodeURIComponent(subscriptionArn)
  );
}

/** The attributes as the JSON notification and the Lambda event carry them: `{ Type, Value }`. */
function notificationAttributes(
  attributes: SnsMessageAttributes,
): Record<string, { Type: string; Value: string }> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, attribute]) => [
      name,
      { Type: attribute.DataType, Value: attribute.StringValue ?? attribute.BinaryValue ?? '' },
    ]),
  );
}

/** The JSON body an SQS subscriber receives without raw message delivery. */
export function sqsNotificationBody(published: PublishedMessage, subscriptionArn: string): string {
  const hasAttributes = Object.keys(published.attributes).length > 0;
  return JSON.stringify({
    Type: 'Notification',
    MessageId: published.messageId,
    ...(published.sequenceNumber === undefined ? {} : { SequenceNumber: published.sequenceNumber }),
    TopicArn: published.topicArn,
    ...(published.subject === undefined ? {} : { Subject: published.subject }),
    Message: published.message,
    Timestamp: published.timestamp.toISOString(),
    SignatureVersion: '1',
    Signature: SIGNATURE_PLACEHOLDER,
    SigningCertURL: signingCertUrl(),
    UnsubscribeURL: unsubscribeUrl(subscriptionArn),
    ...(hasAttributes ? { MessageAttributes: notificationAttributes(published.attributes) } : {}),
  });
}

/** The message attributes an SQS subscriber receives with raw message delivery. */
export function sqsRawAttributes(attributes: SnsMessageAttributes): SqsMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, attribute]) => [
      name,
      attribute.BinaryValue !== undefined
        ? { DataType: attribute.DataType, BinaryValue: attribute.BinaryValue }
        : // SQS has no String.Array type: the array travels as its JSON text.
          {
            DataType: attribute.DataType === 'String.Array' ? 'String' : attribute.DataType,
            StringValue: attribute.StringValue ?? '',
          },
    ]),
  );
}

/** The event a Lambda subscriber is invoked with: one record, as SNS sends. */
export function lambdaEvent(published: PublishedMessage, subscriptionArn: string): unknown {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: published.messageId,
          TopicArn: published.topicArn,
          Subject: published.subject ?? null,
          Message: published.message,
          Timestamp: published.timestamp.toISOString(),
          SignatureVersion: '1',
          Signature: SIGNATURE_PLACEHOLDER,
          SigningCertUrl: signingCertUrl(),
          UnsubscribeUrl: unsubscribeUrl(subscriptionArn),
          MessageAttributes: notificationAttributes(published.attributes),
        },
      },
    ],
  };
}

/**
 * The message attributes as a filter policy sees them: a string, a number, or (for `String.Array`) the
 * array. A `Binary` attribute is left out: SNS filter policies do not match it.
 */
export function filterableAttributes(attributes: SnsMessageAttributes): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const value = attribute.StringValue;
    if (value === undefined) continue;
    if (attribute.DataType.startsWith('Number')) result[name] = Number(value);
    else if (attribute.DataType === 'String.Array') {
      try {
        result[name] = JSON.parse(value) as unknown;
      } catch {
        result[name] = value;
      }
    } else result[name] = value;
  }
  return result;
}

export const SNS_ACCOUNT = LOCAL_ACCOUNT;
