/**
 * The shapes every emulated AWS service shares: an error that maps to AWS's wire format, and the
 * JSON-protocol (X-Amz-Target) service interface the edge endpoint routes to.
 */
export class AwsServiceError extends Error {
  constructor(
    /** The AWS error code, e.g. `ResourceNotFoundException` (the SDK's `error.name`). */
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    /** SQS's JSON protocol also sends `x-amzn-query-error: <legacy code>;Sender`. */
    readonly queryErrorCode?: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** A service spoken with the AWS JSON 1.0/1.1 protocol: `POST /` with `X-Amz-Target: <prefix>.<Operation>`. */
export interface JsonProtocolService {
  /** The target prefix, e.g. `AmazonSQS` or `AWSEvents`. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `application/x-amz-json-1.1`. */
  readonly jsonVersion: '1.0' | '1.1';
  /** The largest request body the service reads; a larger one is answered 413. */
  readonly maxRequestBodyBytes: number;
  handle(operation: string, input: Record<string, unknown>, context?: JsonProtocolContext): Promise<unknown>;
}

/** What the request carries besides its body. */
export interface JsonProtocolContext {
  /** The request's `X-Amzn-Trace-Id` (the SDK adds it inside a traced function). */
  readonly traceHeader?: string;
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export function localArn(service: string, resource: string, region: string = LOCAL_REGION): string {
  return `arn:aws:${service}:${region}:${LOCAL_ACCOUNT}:${resource}`;
}
