import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface ApiStageLoggingProps {
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly retention?: logs.RetentionDays;
}

/**
 * A REST API stage's logs, for its `deployOptions`: an access log line per request, as JSON, in a log
 * group of its own; and execution logs at `ERROR` (API Gateway's own failures: an authorizer or
 * integration that failed), never with request or response bodies (`dataTraceEnabled: false`: a card
 * token must not reach a log).
 *
 * An access log line names the request (`requestId`, the one the function's log lines carry beside the
 * request's correlation id, and the X-Ray trace), the caller (the Cognito `sub`) and the outcome
 * (status, latencies, errors, WAF's verdict). API Gateway cannot log a request header, so the
 * correlation id is found through the `requestId` in the function's logs.
 *
 * Execution logs need the account's API Gateway CloudWatch role (`RestApi` `cloudWatchRole: true`,
 * set by the platform's API).
 */
export class ApiStageLogging extends Construct {
  public readonly accessLogs: logs.LogGroup;
  /** Spread into the `RestApi`'s `deployOptions`. */
  public readonly deployOptions: Pick<
    apigateway.StageOptions,
    'accessLogDestination' | 'accessLogFormat' | 'loggingLevel' | 'dataTraceEnabled'
  >;

  constructor(scope: Construct, id: string, props: ApiStageLoggingProps = {}) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.retention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deployOptions = {
      accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
      accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
    };
  }
}

/** One access log line: `$context` variables of API Gateway (REST), as a JSON object. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  xrayTraceId: '$context.xrayTraceId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  caller: '$context.authorizer.claims.sub',
  errorMessage: '$context.error.message',
  errorType: '$context.error.responseType',
  wafResponseCode: '$context.wafResponseCode',
} as const;
