/**
 * The slice of API Gateway REST (v1) Lambda proxy integration types the HTTP kernel reads and writes.
 * Defined here rather than taken from `@types/aws-lambda` so the contract is explicit and small.
 */
type StringMap = Readonly<Record<string, string | undefined>>;
type MultiValueMap = Readonly<Record<string, readonly string[] | undefined>>;

export interface ApiGatewayProxyEvent {
  /** The resource path template, e.g. `/orders/{orderId}`. */
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  /** As the client spelled the names; the last value when a header repeats. */
  readonly headers: StringMap | null;
  readonly multiValueHeaders?: MultiValueMap | null;
  /** Decoded values; the last value when a parameter repeats. */
  readonly queryStringParameters: StringMap | null;
  readonly multiValueQueryStringParameters?: MultiValueMap | null;
  /** Still URL-encoded, as API Gateway passes them. */
  readonly pathParameters: StringMap | null;
  readonly requestContext: {
    readonly requestId: string;
    /** What the route's authorizer verified, e.g. a Cognito user pool authorizer's `claims` (see `caller.ts`). */
    readonly authorizer?: Readonly<Record<string, unknown>> | null;
  };
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
}

export interface ApiGatewayProxyResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The part of the Lambda context the kernel uses. */
export interface LambdaContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}
