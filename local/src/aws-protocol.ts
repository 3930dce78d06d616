/**
 * The shapes every emulated AWS service shares: an error that maps to AWS's wire format, and the
 * service interfaces the edge endpoint routes to: JSON protocol (X-Amz-Target) and Query protocol
 * (form-encoded `Action=…`, answered in XML).
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

/** A request's parameters in the AWS Query protocol, `Foo.member.1=a` read as `{ Foo: ['a'] }`. */
export type QueryValue = string | readonly QueryValue[] | { readonly [key: string]: QueryValue };
export type QueryInput = { readonly [key: string]: QueryValue };

/**
 * What a Query-protocol action answers, written as XML: a list as `<member>` elements, a `Date` in
 * ISO 8601, `undefined` left out.
 */
export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | undefined
  | XmlMap
  | readonly XmlValue[]
  | { readonly [key: string]: XmlValue };

/** A map member of a Query-protocol answer, written as `<entry><key>…</key><value>…</value></entry>`. */
export class XmlMap {
  constructor(readonly entries: { readonly [key: string]: XmlValue }) {}

  toJSON(): { readonly [key: string]: XmlValue } {
    return this.entries;
  }
}
export type XmlResult = { readonly [key: string]: XmlValue };

/** A service spoken with the AWS Query protocol: `POST /` with `Action=<Operation>&Version=<version>&…`. */
export interface QueryProtocolService {
  /** The SigV4 signing name of its credential scope, e.g. `cloudformation`. */
  readonly signingName: string;
  /** The API version requests name, e.g. `2010-05-15`. */
  readonly version: string;
  /** The namespace of its XML answers, e.g. `http://cloudformation.amazonaws.com/doc/2010-05-15/`. */
  readonly xmlNamespace: string;
  /** The largest request body the service reads; a larger one is answered 413. */
  readonly maxRequestBodyBytes: number;
  /** The action's `<Action>Result` members; throws `AwsServiceError` for AWS's errors. */
  handle(action: string, input: QueryInput): Promise<XmlResult>;
}

const CREDENTIAL_SERVICE = /Credential=[^/\s,]+\/[0-9]{8}\/[^/\s,]+\/([^/\s,]+)\/aws4_request/;

/**
 * The service a SigV4 `Authorization` header is scoped to (`…/us-east-1/cloudformation/aws4_request`):
 * how endpoints that share one URL, as the edge does, tell the services apart.
 */
export function signingNameOf(authorization: string): string | undefined {
  return CREDENTIAL_SERVICE.exec(authorization)?.[1];
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export function localArn(service: string, resource: string, region: string = LOCAL_REGION): string {
  return `arn:aws:${service}:${region}:${LOCAL_ACCOUNT}:${resource}`;
}
