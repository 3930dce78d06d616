/**
 * The DynamoDB errors a fault can answer with, each with the HTTP status and the message DynamoDB gives
 * (its developer guide's "Error messages and codes", and the common errors of every AWS API), so the AWS
 * SDK raises the very exception class and retries it as it would on AWS.
 */

export const DYNAMODB_FAULT_ERROR_CODES = [
  'InternalServerError',
  'ServiceUnavailable',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
] as const;

export type DynamoDbFaultErrorCode = (typeof DYNAMODB_FAULT_ERROR_CODES)[number];

export const DYNAMODB_FAULT_ERRORS: Readonly<
  Record<DynamoDbFaultErrorCode, { readonly statusCode: number; readonly message: string }>
> = {
  InternalServerError: {
    statusCode: 500,
    message: 'The server encountered an internal error trying to fulfill the request.',
  },
  ServiceUnavailable: { statusCode: 503, message: 'The service is currently unavailable or busy.' },
  ProvisionedThroughputExceededException: {
    statusCode: 400,
    message:
      'You exceeded your maximum allowed provisioned throughput for a table or for one or more global secondary indexes.',
  },
  ThrottlingException: { statusCode: 400, message: 'Rate of requests exceeds the allowed throughput.' },
  RequestLimitExceeded: {
    statusCode: 400,
    message:
      'Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase',
  },
  TransactionConflictException: { statusCode: 400, message: 'Transaction is ongoing for the item.' },
};

/** The namespace of DynamoDB's `__type` (JSON 1.0): the SDK keeps what follows the `#`. */
export const DYNAMODB_ERROR_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';
