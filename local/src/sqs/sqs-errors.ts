/**
 * SQS's errors as AWS sends them on the JSON 1.0 protocol: the error type in `__type` (the Smithy shape, or
 * AWS's generic `…Exception` where SQS models none) and the query-compatible code in `x-amzn-query-error`,
 * which is what the SDK reports as `Code` and what a batch reports per entry.
 */
import { AwsServiceError } from '../aws-protocol';

/** The characters SQS accepts, as its own error message states them. */
const VALID_CHARACTERS =
  'Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';

export function missingParameter(name: string): AwsServiceError {
  return new AwsServiceError(
    'MissingRequiredParameterException',
    `The request must contain the parameter ${name}.`,
    400,
    'MissingParameter',
  );
}

export function invalidParameterValue(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterValueException', message, 400, 'InvalidParameterValue');
}

/** `Value <value> for parameter <name> is invalid. Reason: <reason>`, SQS's usual wording. */
export function invalidParameter(name: string, value: string | number, reason: string): AwsServiceError {
  return invalidParameterValue(`Value ${value} for parameter ${name} is invalid. Reason: ${reason}`);
}

export function invalidAttributeName(message: string): AwsServiceError {
  return new AwsServiceError('InvalidAttributeName', message, 400, 'InvalidAttributeName');
}

export function unknownAttribute(name: string): AwsServiceError {
  return invalidAttributeName(`Unknown Attribute ${name}.`);
}

export function invalidAttributeValue(name: string, reason?: string): AwsServiceError {
  return new AwsServiceError(
    'InvalidAttributeValue',
    `Invalid value for the parameter ${name}.${reason === undefined ? '' : ` Reason: ${reason}`}`,
    400,
    'InvalidAttributeValue',
  );
}

export function queueDoesNotExist(): AwsServiceError {
  return new AwsServiceError(
    'QueueDoesNotExist',
    'The specified queue does not exist.',
    400,
    'AWS.SimpleQueueService.NonExistentQueue',
  );
}

export function queueNameExists(attribute: string): AwsServiceError {
  return new AwsServiceError(
    'QueueNameExists',
    `A queue already exists with the same name and a different value for attribute ${attribute}`,
    400,
    'QueueAlreadyExists',
  );
}

export function purgeQueueInProgress(queueName: string): AwsServiceError {
  return new AwsServiceError(
    'PurgeQueueInProgress',
    `Only one PurgeQueue operation on ${queueName} is allowed every 60 seconds.`,
    403,
    'AWS.SimpleQueueService.PurgeQueueInProgress',
  );
}

export function invalidMessageContents(): AwsServiceError {
  return new AwsServiceError(
    'InvalidMessageContents',
    `Invalid characters found. ${VALID_CHARACTERS}`,
    400,
    'InvalidMessageContents',
  );
}

/** An attribute value with characters a body may not have: SQS names the parameter, not the contents. */
export function invalidAttributeValueCharacters(): AwsServiceError {
  return invalidParameterValue(`Invalid characters found. ${VALID_CHARACTERS}`);
}

export function receiptHandleIsInvalid(receiptHandle: string): AwsServiceError {
  return new AwsServiceError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
    404,
    'ReceiptHandleIsInvalid',
  );
}

export function emptyBatchRequest(entryShape: string): AwsServiceError {
  return new AwsServiceError(
    'EmptyBatchRequest',
    `There should be at least one ${entryShape} in the request.`,
    400,
    'AWS.SimpleQueueService.EmptyBatchRequest',
  );
}

export function tooManyEntriesInBatchRequest(max: number, sent: number): AwsServiceError {
  return new AwsServiceError(
    'TooManyEntriesInBatchRequest',
    `Maximum number of entries per request are ${max}. You have sent ${sent}.`,
    400,
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  );
}

export function invalidBatchEntryId(): AwsServiceError {
  return new AwsServiceError(
    'InvalidBatchEntryId',
    'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    400,
    'AWS.SimpleQueueService.InvalidBatchEntryId',
  );
}

export function batchEntryIdsNotDistinct(id: string): AwsServiceError {
  return new AwsServiceError(
    'BatchEntryIdsNotDistinct',
    `Id ${id} repeated.`,
    400,
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  );
}

export function batchRequestTooLong(maxBytes: number, sentBytes: number): AwsServiceError {
  return new AwsServiceError(
    'BatchRequestTooLong',
    `Batch requests cannot be longer than ${maxBytes} bytes. You have sent ${sentBytes} bytes.`,
    400,
    'AWS.SimpleQueueService.BatchRequestTooLong',
  );
}

export function unsupportedOperation(message: string): AwsServiceError {
  return new AwsServiceError(
    'UnsupportedOperation',
    message,
    400,
    'AWS.SimpleQueueService.UnsupportedOperation',
  );
}

/** The code a batch reports for a failed entry: the query-compatible one, as the SDK's `Code`. */
export function batchEntryCode(error: AwsServiceError): string {
  return error.queryErrorCode ?? error.code;
}
