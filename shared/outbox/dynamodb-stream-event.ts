import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The parts of a DynamoDB Streams Lambda event the relay reads (the project carries no `aws-lambda` types). */
export interface DynamoDBStreamRecord {
  readonly eventID?: string;
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventSourceARN?: string;
  readonly dynamodb?: {
    readonly SequenceNumber?: string;
    readonly Keys?: Record<string, AttributeValue>;
    readonly NewImage?: Record<string, AttributeValue>;
    readonly OldImage?: Record<string, AttributeValue>;
    readonly SizeBytes?: number;
    readonly StreamViewType?: string;
    readonly ApproximateCreationDateTime?: number;
  };
}

export interface DynamoDBStreamEvent {
  readonly Records: DynamoDBStreamRecord[];
}

/** The one thing the relay needs from the Lambda context: how long the invocation has left. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** What a handler with `ReportBatchItemFailures` answers. */
export interface BatchItemFailuresResponse {
  batchItemFailures: { itemIdentifier: string }[];
}
